package escalation

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/nlu"
)

// Input is what a [Condition] looks at: the turn with its annotations and
// the conversation facts the escalator tracks.
type Input struct {
	Turn *parley.Turn
	// Text is the turn's text.
	Text string
	// Command is the global command the turn is ("cancel", "menu",
	// "human", "stop"), or empty.
	Command string
	// Mood is the turn's sentiment; HasMood is false without the
	// sentiment middleware, and for turns whose wording says nothing of
	// the customer's mood: a command ("STOP" is never frustration) or an
	// answer of one or two words ("no" to "Was this helpful?").
	Mood    nlu.Mood
	HasMood bool
	// Understanding is the turn's language understanding, if any.
	Understanding    nlu.Understanding
	HasUnderstanding bool
	// NotUnderstood counts the turns in a row the bot did not
	// understand, this one included when the language understanding
	// could not place it.
	NotUnderstood int
	// Unresolved counts the customer's turns since the conversation
	// started or was last resolved (a request completed, a question
	// answered: [dialog.Answered]), this one included.
	Unresolved int
	// Failures counts the turns the bot reported it understood but
	// could not do what was asked (an order not found, an action refused,
	// an answer that did not help) since the conversation started or was
	// last resolved; it includes this turn once the bot has answered it.
	Failures int
	// Intents are the intents understood in the conversation, most
	// recent first (this turn's included).
	Intents []nlu.Intent
	// Profile holds the customer's attributes (tier, plan, ...).
	Profile map[string]string
}

// A Condition decides whether a [Rule] fires. Conditions must be safe for
// concurrent use and fast: they run on every turn.
type Condition interface {
	Match(in *Input) bool
}

// ConditionFunc adapts a Go predicate to a [Condition].
type ConditionFunc func(in *Input) bool

// Match calls f(in).
func (f ConditionFunc) Match(in *Input) bool { return f(in) }

// Action says what a fired rule does.
type Action string

// Actions.
const (
	// Offer asks the customer whether they want a person; the hand-off
	// happens when they say yes. An offer is one open question: it is
	// made only when the bot has no other question open and asked none
	// this turn, at most once per rule until the conversation is
	// resolved.
	Offer Action = "offer"
	// HandOff hands the conversation to a person at once. Keep it for
	// explicit requests and for what a person must handle.
	HandOff Action = "handoff"
)

// A Rule is one escalation condition with its outcome. Exactly one of
// When and Expr is set.
type Rule struct {
	// Name is the reason shown to the agent and in analytics ("asked for
	// a person", "refund over $100"). Required and unique in a policy.
	Name string
	// When is the condition as Go.
	When Condition
	// Expr is the condition as an expr-lang expression over the variables
	// text, command, score, frustration, confusion, urgency, delight,
	// label, intent, confidence, status, entities (type to value),
	// not_understood, failures, unresolved, profile (map), channel,
	// locale and customer; for example
	// `intent == "billing_dispute" && profile.tier == "vip"`. It is
	// compiled by [NewPolicy].
	Expr string
	// Action is what to do; empty means [Offer].
	Action Action
	// Priority of the hand-off; empty means normal.
	Priority dialog.Priority
	// Empathy acknowledges the customer's feelings ("I'm sorry this has
	// been frustrating") before the bot answers; the request itself is
	// still served.
	Empathy bool
	// NewSubject marks a rule about what the customer raises (a billing
	// dispute, a complaint) rather than their mood or the bot's
	// progress: it offers a person even in the quiet turns after the
	// customer declined or passed by an offer made for another reason.
	// Urgent rules always do.
	NewSubject bool
	// Say, if set, is said before the offer of a person this rule makes,
	// so the customer hears why a person is offered ("A double charge
	// needs a person from our billing team to look at your account.").
	Say string
	// Sorry, if set, is the word of empathy this rule says (with
	// Empathy) in place of [Messages].Empathy: one that names what
	// happened ("I'm sorry it arrived damaged.") rather than a general
	// "I'm sorry this has been frustrating". Like Say, it is not
	// translated by the escalator's locale messages.
	Sorry string
	// AfterOffer, if positive, lets this rule offer a person once
	// although another offer was made since the conversation was last
	// resolved (declined, or passed by), once at least AfterOffer of the
	// customer's turns have passed since that offer was made and the
	// quiet turns after a decline are over. Zero keeps the default: one
	// offer until the conversation is resolved. The rule still offers
	// at most once until then, so offers never loop.
	AfterOffer int
}

// A Policy is an ordered list of rules; the first that fires wins.
// A Policy is immutable and safe for concurrent use.
type Policy struct {
	rules []compiledRule
}

type compiledRule struct {
	Rule
	prog *vm.Program
}

// A RuleError reports a rule that cannot be used.
type RuleError struct {
	Rule string
	Err  error
}

// Error implements the error interface.
func (e *RuleError) Error() string { return fmt.Sprintf("escalation: rule %q: %v", e.Rule, e.Err) }

// Unwrap returns the cause.
func (e *RuleError) Unwrap() error { return e.Err }

// exprEnv is the environment of expression rules.
type exprEnv struct {
	Text          string            `expr:"text"`
	Command       string            `expr:"command"`
	Score         float64           `expr:"score"`
	Frustration   float64           `expr:"frustration"`
	Confusion     float64           `expr:"confusion"`
	Urgency       float64           `expr:"urgency"`
	Delight       float64           `expr:"delight"`
	Label         string            `expr:"label"`
	Intent        string            `expr:"intent"`
	Confidence    float64           `expr:"confidence"`
	Status        string            `expr:"status"`
	Entities      map[string]string `expr:"entities"`
	NotUnderstood int               `expr:"not_understood"`
	Failures      int               `expr:"failures"`
	Unresolved    int               `expr:"unresolved"`
	Profile       map[string]string `expr:"profile"`
	Channel       string            `expr:"channel"`
	Locale        string            `expr:"locale"`
	Customer      string            `expr:"customer"`
}

func envOf(in *Input) exprEnv {
	e := exprEnv{Text: in.Text, Command: in.Command, Score: 0.5, NotUnderstood: in.NotUnderstood, Failures: in.Failures,
		Unresolved: in.Unresolved, Profile: in.Profile, Entities: map[string]string{}}
	if e.Profile == nil {
		e.Profile = map[string]string{}
	}
	if in.HasMood {
		m := in.Mood
		e.Score, e.Label = m.Score, m.Label
		e.Frustration, e.Confusion, e.Urgency, e.Delight = m.Frustration, m.Confusion, m.Urgency, m.Delight
	}
	if in.HasUnderstanding {
		u := in.Understanding
		e.Intent, e.Confidence, e.Status = u.Intent.Name, u.Intent.Confidence, string(u.Status)
		for _, en := range u.Entities {
			if _, ok := e.Entities[en.Type]; !ok {
				e.Entities[en.Type] = en.Value
			}
		}
	}
	if t := in.Turn; t != nil {
		e.Channel, e.Locale, e.Customer = t.Channel, t.Locale, t.CustomerID
	}
	return e
}

// NewPolicy validates and compiles rules. It returns a [*RuleError] for a
// rule without a name, with a duplicate name, with neither or both of When
// and Expr, with an unknown action or priority, with a negative
// AfterOffer, or whose expression does not compile to a boolean.
func NewPolicy(rules ...Rule) (*Policy, error) {
	p := &Policy{}
	seen := map[string]bool{}
	var errs []error
	for i, r := range rules {
		name := r.Name
		if name == "" {
			name = "#" + strconv.Itoa(i+1)
		}
		fail := func(err error) { errs = append(errs, &RuleError{Rule: name, Err: err}) }
		if r.Name == "" {
			fail(errors.New("no name"))
		} else if seen[r.Name] {
			fail(errors.New("duplicate name"))
		}
		seen[r.Name] = true
		switch {
		case r.When == nil && r.Expr == "":
			fail(errors.New("neither When nor Expr"))
		case r.When != nil && r.Expr != "":
			fail(errors.New("both When and Expr"))
		}
		switch r.Action {
		case "", Offer, HandOff:
		default:
			fail(fmt.Errorf("unknown action %q", r.Action))
		}
		switch r.Priority {
		case "", dialog.PriorityLow, dialog.PriorityNormal, dialog.PriorityHigh, dialog.PriorityUrgent:
		default:
			fail(fmt.Errorf("unknown priority %q", r.Priority))
		}
		if r.AfterOffer < 0 {
			fail(fmt.Errorf("negative AfterOffer %d", r.AfterOffer))
		}
		c := compiledRule{Rule: r}
		if c.Action == "" {
			c.Action = Offer
		}
		if c.Priority == "" {
			c.Priority = dialog.PriorityNormal
		}
		if r.Expr != "" {
			prog, err := expr.Compile(r.Expr, expr.Env(exprEnv{}), expr.AsBool())
			if err != nil {
				fail(fmt.Errorf("expression: %w", err))
			}
			c.prog = prog
		}
		p.rules = append(p.rules, c)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

// Evaluate returns the first rule that fires on in, with its Action and
// Priority filled in. An expression that fails at run time (a type error
// on unusual input) does not fire and is returned as a [*RuleError]
// together with the evaluation's outcome.
func (p *Policy) Evaluate(in *Input) (Rule, bool, error) {
	return p.evaluate(in, nil)
}

// evaluate is Evaluate, skipping the rules for which skip returns true.
// rule returns the policy's rule named name.
func (p *Policy) rule(name string) (Rule, bool) {
	for _, r := range p.rules {
		if r.Name == name {
			return r.Rule, true
		}
	}
	return Rule{}, false
}

func (p *Policy) evaluate(in *Input, skip func(Rule) bool) (Rule, bool, error) {
	var errs []error
	var env *exprEnv
	for _, r := range p.rules {
		rule := r.Rule
		rule.Action, rule.Priority = r.Action, r.Priority
		if skip != nil && skip(rule) {
			continue
		}
		var ok bool
		if r.prog != nil {
			if env == nil {
				e := envOf(in)
				env = &e
			}
			out, err := expr.Run(r.prog, *env)
			if err != nil {
				errs = append(errs, &RuleError{Rule: r.Name, Err: err})
				continue
			}
			ok, _ = out.(bool)
		} else {
			ok = r.When.Match(in)
		}
		if ok {
			return rule, true, errors.Join(errs...)
		}
	}
	return Rule{}, false, errors.Join(errs...)
}

// And matches when all of cs match.
func And(cs ...Condition) Condition {
	return ConditionFunc(func(in *Input) bool {
		for _, c := range cs {
			if !c.Match(in) {
				return false
			}
		}
		return len(cs) > 0
	})
}

// Or matches when any of cs matches.
func Or(cs ...Condition) Condition {
	return ConditionFunc(func(in *Input) bool {
		for _, c := range cs {
			if c.Match(in) {
				return true
			}
		}
		return false
	})
}

// Not matches when c does not.
func Not(c Condition) Condition {
	return ConditionFunc(func(in *Input) bool { return !c.Match(in) })
}

// humanPhrases are the explicit requests for a person, per language.
var humanPhrases = map[string][]string{
	"en": {"human", "agent", "real person", "a person", "speak to someone", "talk to someone",
		"speak to a", "talk to a", "representative", "operator", "live agent", "live person",
		"someone real", "real human", "a manager", "your manager", "supervisor"},
	"es": {"humano", "agente", "una persona", "persona real", "hablar con alguien", "operador", "representante", "asesor"},
	"fr": {"humain", "agent", "conseiller", "une personne", "vraie personne", "parler à quelqu'un", "opérateur"},
	"de": {"mensch", "mitarbeiter", "echte person", "mit jemandem sprechen", "berater", "kundendienst"},
	"pt": {"humano", "atendente", "agente", "uma pessoa", "pessoa real", "falar com alguém"},
	"it": {"umano", "operatore", "una persona", "persona reale", "parlare con qualcuno"},
	"nl": {"mens", "medewerker", "echt persoon", "iemand spreken"},
}

// AskedForHuman matches the "human" command and explicit requests for a
// person ("human", "agent", "speak to someone", "hablar con alguien",
// ...) in the given languages (ISO 639-1: de, en, es, fr, it, nl, pt), or
// in all of them when none is given.
func AskedForHuman(langs ...string) Condition {
	if len(langs) == 0 {
		langs = []string{"de", "en", "es", "fr", "it", "nl", "pt"}
	}
	var phrases []string
	for _, l := range langs {
		phrases = append(phrases, humanPhrases[strings.ToLower(l)]...)
	}
	kw := Keywords(phrases...)
	return ConditionFunc(func(in *Input) bool { return in.Command == "human" || kw.Match(in) })
}

// Keywords matches when the text contains any of the words or phrases,
// case-insensitively and on word boundaries ("legal" matches "legal
// action" but not "illegally"). A word the customer negates right before
// it, in the same clause, does not count: "I'm not angry, just asking"
// and "no estoy harto" match neither "angry" nor "harto", while "no,
// this is ridiculous" matches "ridiculous". A global command never
// matches.
func Keywords(words ...string) Condition {
	norm := make([][]string, 0, len(words))
	for _, w := range words {
		if f := strings.Fields(normalizeText(w)); len(f) > 0 {
			norm = append(norm, f)
		}
	}
	return ConditionFunc(func(in *Input) bool {
		if in.Text == "" || in.Command != "" && in.Command != "human" {
			return false
		}
		return saysAny(clauses(in.Text), norm)
	})
}

// saysAny reports whether any of phrases occurs, not negated, in one of
// the clauses (each a list of normalised words).
func saysAny(cls [][]string, phrases [][]string) bool {
	for _, c := range cls {
		for _, p := range phrases {
			for i := 0; i+len(p) <= len(c); i++ {
				if slices.Equal(c[i:i+len(p)], p) && !negated(c, i) {
					return true
				}
			}
		}
	}
	return false
}

// clauses splits text at punctuation that ends a clause (, . ; : ! ? and
// their Spanish openers) into lists of normalised words.
func clauses(text string) [][]string {
	parts := strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(",.;:!?¡¿\n()", r) })
	out := make([][]string, 0, len(parts))
	for _, p := range parts {
		if f := strings.Fields(normalizeText(p)); len(f) > 0 {
			out = append(out, f)
		}
	}
	return out
}

// spanishNegatedVerbs are the words that may come between a Spanish "no"
// and the word it negates ("no estoy harto", "no me parece ridículo").
var spanishNegatedVerbs = map[string]bool{
	"estoy": true, "soy": true, "es": true, "está": true, "esta": true, "estamos": true, "estaba": true,
	"me": true, "nos": true, "he": true, "parece": true, "siento": true,
}

// negated reports whether the word at i of clause c is negated by one of
// the three words before it: "not", "never", a contraction ending in
// "n't", Spanish "nunca", "tampoco", "ni", or a "no" right before it or
// before a verb ("no estoy harto", and "no complaint"). "not just" and
// "not only" do not negate ("not just annoyed, furious").
func negated(c []string, i int) bool {
	for j := max(0, i-3); j < i; j++ {
		w := c[j]
		if j+1 < i && (c[j+1] == "just" || c[j+1] == "only") {
			continue
		}
		switch {
		case w == "not" || w == "never" || w == "nunca" || w == "tampoco" || w == "ni" || w == "nor":
			return true
		case strings.HasSuffix(w, "n't") || w == "dont" || w == "isnt" || w == "wasnt" || w == "arent" || w == "aint":
			return true
		case w == "no" && (j == i-1 || spanishNegatedVerbs[c[j+1]]):
			return true
		}
	}
	return false
}

// moodWords are words a customer uses to say how they feel; negated ("I'm
// not angry", "no estoy enfadado"), they say the customer is calm.
var moodWords = [][]string{{"angry"}, {"upset"}, {"mad"}, {"annoyed"}, {"frustrated"}, {"cross"}, {"complaining"},
	{"enfadado"}, {"enfadada"}, {"enojado"}, {"enojada"}, {"molesto"}, {"molesta"}, {"harto"}, {"harta"}, {"frustrado"}, {"frustrada"},
	{"quejándome"}, {"quejandome"}}

// deniesMood matches a turn in which the customer says they are not upset
// ("I'm not angry, just asking where A-1001 is"): a low sentiment score
// there is the model reading the mood word, not the customer's mood.
func deniesMood() Condition {
	return ConditionFunc(func(in *Input) bool {
		if in.Text == "" {
			return false
		}
		for _, c := range clauses(in.Text) {
			for _, p := range moodWords {
				for i := 0; i+len(p) <= len(c); i++ {
					if slices.Equal(c[i:i+len(p)], p) && negated(c, i) {
						return true
					}
				}
			}
		}
		return false
	})
}

// normalizeText lower-cases s and turns every run of characters other
// than letters, digits and apostrophes into one space.
func normalizeText(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if r == '\'' || r == '’' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 0xC0 {
			if r == '’' {
				r = '\''
			}
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

// ScoreBelow matches when the turn's measured sentiment score (0-1) is
// below th and the analyzer did not label the turn neutral: a correction
// such as "no wait, make it A-1002" scores a little low on its "no" but
// is not an upset customer.
func ScoreBelow(th float64) Condition {
	return ConditionFunc(func(in *Input) bool {
		return in.HasMood && in.Mood.Label != "" && in.Mood.Label != "neutral" && in.Mood.Score < th
	})
}

// FrustrationAbove matches when the turn's measured frustration (0-1) is
// at least th.
func FrustrationAbove(th float64) Condition {
	return ConditionFunc(func(in *Input) bool { return in.HasMood && in.Mood.Frustration >= th })
}

// NotUnderstood matches from the n-th turn in a row the bot did not
// understand. With the default n of 3 the router has clarified once and
// shown the menu once before a person is offered.
func NotUnderstood(n int) Condition {
	return ConditionFunc(func(in *Input) bool { return in.NotUnderstood >= n })
}

// Failures matches from the n-th time the bot could not do what the
// customer asked, since the conversation was last resolved.
func Failures(n int) Condition {
	return ConditionFunc(func(in *Input) bool { return in.Failures >= n })
}

// Unresolved matches when the conversation has gone on for more than n
// of the customer's turns without being resolved.
func Unresolved(n int) Condition {
	return ConditionFunc(func(in *Input) bool { return in.Unresolved > n })
}

// Intent matches when this turn's understood intent is one of names.
func Intent(names ...string) Condition {
	return ConditionFunc(func(in *Input) bool {
		if !in.HasUnderstanding || in.Understanding.Status != nlu.Understood {
			return false
		}
		return slices.Contains(names, in.Understanding.Intent.Name)
	})
}

// AmountOver matches a money entity of this turn (Value "49.99 USD")
// above amount, in any currency when currency is empty.
func AmountOver(amount float64, currency string) Condition {
	return ConditionFunc(func(in *Input) bool {
		if !in.HasUnderstanding {
			return false
		}
		for _, e := range in.Understanding.Entities {
			if e.Type != "money" {
				continue
			}
			num, cur, _ := strings.Cut(e.Value, " ")
			v, err := strconv.ParseFloat(num, 64)
			if err == nil && v > amount && (currency == "" || strings.EqualFold(cur, currency)) {
				return true
			}
		}
		return false
	})
}

// ProfileIs matches when the customer's profile attribute key equals one
// of values ("tier" = "vip").
func ProfileIs(key string, values ...string) Condition {
	return ConditionFunc(func(in *Input) bool {
		v, ok := in.Profile[key]
		if !ok {
			return false
		}
		for _, w := range values {
			if strings.EqualFold(v, w) {
				return true
			}
		}
		return false
	})
}

// talksAbout matches a turn understood as one of intents, or whose text
// has one of words.
func talksAbout(intents []string, words ...string) Condition {
	return Or(Intent(intents...), Keywords(words...))
}

// refunding matches a turn in a conversation about a refund: understood
// as one now or recently, or saying so.
func refunding() Condition {
	kw := Keywords("refund", "money back", "reimburse", "reimbursement", "reembolso", "reembolsar", "devolver el dinero")
	return ConditionFunc(func(in *Input) bool {
		for _, i := range in.Intents[:min(len(in.Intents), 2)] {
			if i.Name == "refund" || i.Name == "return_item" {
				return true
			}
		}
		return kw.Match(in)
	})
}

// DefaultRules returns Parley's default escalation rules, from the
// support playbook, in order:
//
//   - "asked for a person": the human command or an explicit request
//     ("human", "agent", "speak to someone", in seven languages): hand
//     off, high priority;
//   - "legal threat" (lawyer, legal action, sue, court, a complaint to a
//     consumer authority, ...): empathy and an offer, urgent;
//   - the words of this rule and of the billing, complaint and frustrated
//     rules below are matched in English and Spanish ("abogado", "me
//     cobraron dos veces", "queja", "harto");
//   - "billing dispute" (intent billing_dispute, chargeback, charged
//     twice, ...): an offer, high, that says why a person is offered,
//     even right after another offer was declined (a new subject);
//   - "complaint" (intent complaint, "I want to complain", unacceptable,
//     ...): empathy and an offer, high, a new subject;
//   - "refund over $100" (a money amount over 100 while talking about a
//     refund): an offer, a new subject;
//   - "frustrated" (a sentiment score below 0.4, as the sentiment
//     middleware measured it, unless the customer says they are not
//     upset, or frustration words not negated: "I'm not angry, just
//     asking" is neither): empathy and one offer; the request itself is
//     still served;
//   - "not understood" (the third turn in a row the bot did not
//     understand, after a clarification and the menu): an offer;
//   - "could not help" (the second time since the last resolution the
//     bot could not do what was asked: an order not found, an action
//     refused, an answer that did not help): an offer;
//   - "long without resolution" (more than 8 turns): an offer, low,
//     that says why ("This is taking longer than it should."); it offers
//     once more after an earlier offer was declined or passed by, five
//     turns or more after that offer, so a conversation going nowhere is
//     not left with one early offer (AfterOffer).
//
// Append to it, or build your own list from the same conditions.
func DefaultRules() []Rule {
	return []Rule{
		{Name: "asked for a person", When: AskedForHuman(), Action: HandOff, Priority: dialog.PriorityHigh},
		{Name: "legal threat", When: Keywords(legalThreatWords...),
			Action: Offer, Priority: dialog.PriorityUrgent, Empathy: true},
		{Name: "billing dispute", When: talksAbout([]string{"billing_dispute"}, "chargeback", "charge back", "dispute the charge",
			"charged twice", "charged me twice", "double charged", "charged me double", "billed twice", "unauthorized charge", "unauthorised charge", "wrong charge", "overcharged",
			"cobraron dos veces", "cobrado dos veces", "cobro doble", "doble cobro", "doble cargo", "cargo no autorizado", "cobro no autorizado",
			"cobraron de más", "cobraron de mas", "cobro indebido", "contracargo"),
			Action: Offer, Priority: dialog.PriorityHigh, NewSubject: true,
			Say: "I'm sorry about the charge. A billing problem needs a person from our team to look at your account."},
		{Name: "complaint", When: talksAbout([]string{"complaint"}, "complaint", "complain", "unacceptable", "disgraceful", "appalling",
			"queja", "quejarme", "reclamación", "reclamacion", "inaceptable", "vergonzoso"),
			Action: Offer, Priority: dialog.PriorityHigh, Empathy: true, NewSubject: true},
		{Name: "refund over $100", When: And(AmountOver(100, ""), refunding()), Action: Offer, Priority: dialog.PriorityNormal, NewSubject: true},
		{Name: "frustrated", When: Or(And(ScoreBelow(0.4), Not(deniesMood())),
			Keywords("frustrated", "frustrating", "annoyed", "fed up", "ridiculous", "useless", "waste of time", "sick of", "not helpful", "angry",
				"terrible", "awful", "worst", "hopeless", "pathetic", "nobody helps", "no one helps",
				"taking forever", "takes forever", "still waiting", "been waiting for", "unbelievable",
				"una eternidad", "sigo esperando", "llevo esperando",
				"harto", "harta", "frustrado", "frustrada", "frustrante", "ridículo", "ridiculo", "inútil", "inutil", "pésimo", "pesimo",
				"pérdida de tiempo", "perdida de tiempo", "nadie me ayuda"), angryEmoji()),
			Action: Offer, Priority: dialog.PriorityHigh, Empathy: true},
		{Name: "not understood", When: NotUnderstood(3), Action: Offer, Priority: dialog.PriorityNormal},
		{Name: "could not help", When: Failures(2), Action: Offer, Priority: dialog.PriorityNormal},
		{Name: "long without resolution", When: Unresolved(8), Action: Offer, Priority: dialog.PriorityLow, AfterOffer: quietTurns,
			Say: "This is taking longer than it should."},
	}
}

// legalThreatWords are what the "legal threat" rule listens for: legal
// action, and complaints to a consumer authority, in English and Spanish,
// with the Spanish verbs in the forms a threat takes ("voy a
// denunciaros", "os demando", "os denunciaré a consumo").
var legalThreatWords = []string{"lawyer", "solicitor", "attorney", "legal action", "sue", "suing", "court", "lawsuit",
	"consumer protection", "trading standards", "small claims", "ombudsman", "better business bureau", "report you to",
	"abogado", "abogada", "abogados", "demanda", "demandar", "demandaros", "demandarte", "demandarles", "demandarlos",
	"demandaré", "demandare", "demandaremos", "os demando", "te demando", "les demando",
	"denunciar", "denuncia", "denunciaros", "denunciarte", "denunciarles", "denunciarlos", "denunciaré", "denunciare",
	"denunciaremos", "os denuncio", "te denuncio", "les denuncio", "tribunal", "tribunales", "juzgado", "a juicio",
	"acciones legales", "acción legal", "accion legal", "vía judicial", "via judicial",
	"a consumo", "en consumo", "ante consumo", "oficina de consumo", "omic", "ocu", "hoja de reclamaciones",
	"hoja de reclamación", "hoja de reclamacion", "libro de reclamaciones", "defensa del consumidor",
	"protección al consumidor", "proteccion al consumidor", "protección del consumidor", "proteccion del consumidor"}

// angryEmoji matches a message of nothing but angry faces ("😡😡😡"),
// which no word list or sentiment score of three words or more reads.
func angryEmoji() Condition {
	return ConditionFunc(func(in *Input) bool {
		if in.Command != "" {
			return false
		}
		n := 0
		for _, r := range in.Text {
			switch {
			case r == '😡' || r == '🤬' || r == '😠' || r == '😤' || r == '👿' || r == '💢':
				n++
			case unicode.IsSpace(r) || r == '\uFE0F' || r >= 0x1F3FB && r <= 0x1F3FF:
			default:
				return false
			}
		}
		return n > 0
	})
}
