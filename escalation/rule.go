package escalation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/parleyhq/parley"
)

// Input is what a [Condition] looks at: the turn with its annotations and
// the conversation facts the escalator tracks.
type Input struct {
	Turn *parley.Turn
	// Text is the turn's text.
	Text string
	// Mood is the turn's sentiment; HasMood is false without the
	// sentiment middleware.
	Mood    parley.Mood
	HasMood bool
	// Understanding is the turn's language understanding, if any.
	Understanding    parley.Understanding
	HasUnderstanding bool
	// Fallbacks counts consecutive turns understood as Unsure or
	// OutOfScope, this one included.
	Fallbacks int
	// Turns counts user turns since the conversation started or was last
	// resolved.
	Turns int
	// FirstScore is the first turn's sentiment score (0-1), 0.5 without
	// sentiment.
	FirstScore float64
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
	// Offer asks the user whether they want a human; the hand-off
	// happens when they confirm.
	Offer Action = "offer"
	// HandOff hands the conversation to a human at once.
	HandOff Action = "handoff"
)

// A Rule is one escalation condition with its outcome. Exactly one of
// When and Expr is set.
type Rule struct {
	// Name is the reason shown to the agent and in analytics ("asked for
	// a human", "refund over $100"). Required and unique in a policy.
	Name string
	// When is the condition as Go.
	When Condition
	// Expr is the condition as an expr-lang expression over the variables
	// text, score, trend, first_score, frustration, confusion, urgency,
	// delight, label, intent, confidence, status, entities (type to
	// value), fallbacks, turns, profile (map), channel, locale and
	// customer; for example
	// `intent == "billing_dispute" && frustration > 0.5`. It is compiled
	// by [NewPolicy].
	Expr string
	// Action is what to do; empty means [HandOff].
	Action Action
	// Priority of the hand-off; empty means normal.
	Priority parley.Priority
	// DeEscalate sends an empathetic reply before the offer or hand-off.
	DeEscalate bool
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
	Text        string            `expr:"text"`
	Score       float64           `expr:"score"`
	Trend       float64           `expr:"trend"`
	FirstScore  float64           `expr:"first_score"`
	Frustration float64           `expr:"frustration"`
	Confusion   float64           `expr:"confusion"`
	Urgency     float64           `expr:"urgency"`
	Delight     float64           `expr:"delight"`
	Label       string            `expr:"label"`
	Intent      string            `expr:"intent"`
	Confidence  float64           `expr:"confidence"`
	Status      string            `expr:"status"`
	Entities    map[string]string `expr:"entities"`
	Fallbacks   int               `expr:"fallbacks"`
	Turns       int               `expr:"turns"`
	Profile     map[string]string `expr:"profile"`
	Channel     string            `expr:"channel"`
	Locale      string            `expr:"locale"`
	Customer    string            `expr:"customer"`
}

func envOf(in *Input) exprEnv {
	e := exprEnv{Text: in.Text, Score: 0.5, Trend: 0.5, FirstScore: in.FirstScore, Fallbacks: in.Fallbacks,
		Turns: in.Turns, Profile: in.Profile, Entities: map[string]string{}}
	if e.Profile == nil {
		e.Profile = map[string]string{}
	}
	if in.HasMood {
		m := in.Mood
		e.Score, e.Trend, e.Label = m.Score, m.Trend, m.Label
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
// and Expr, with an unknown action or priority, or whose expression does
// not compile to a boolean.
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
		case "", parley.PriorityLow, parley.PriorityNormal, parley.PriorityHigh, parley.PriorityUrgent:
		default:
			fail(fmt.Errorf("unknown priority %q", r.Priority))
		}
		c := compiledRule{Rule: r}
		if c.Action == "" {
			c.Action = HandOff
		}
		if c.Priority == "" {
			c.Priority = parley.PriorityNormal
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

// Rules returns the policy's rules, in order.
func (p *Policy) Rules() []Rule {
	out := make([]Rule, len(p.rules))
	for i, r := range p.rules {
		out[i] = r.Rule
		out[i].Action, out[i].Priority = r.Action, r.Priority
	}
	return out
}

// Evaluate returns the first rule that fires on in. An expression that
// fails at run time (a type error on unusual input) does not fire and is
// returned as a [*RuleError] together with the evaluation's outcome.
func (p *Policy) Evaluate(ctx context.Context, in *Input) (Rule, bool, error) {
	return p.evaluate(ctx, in, false)
}

// evaluate is Evaluate, optionally skipping rules that only offer.
func (p *Policy) evaluate(_ context.Context, in *Input, skipOffers bool) (Rule, bool, error) {
	var errs []error
	var env *exprEnv
	for _, r := range p.rules {
		if skipOffers && r.Action == Offer {
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
			rule := r.Rule
			rule.Action, rule.Priority = r.Action, r.Priority
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

// HumanRequestLanguages lists the languages [AskedForHuman] knows.
func HumanRequestLanguages() []string { return []string{"de", "en", "es", "fr", "it", "nl", "pt"} }

// AskedForHuman matches an explicit request for a person ("human",
// "agent", "speak to someone", "hablar con alguien", ...) in the given
// languages (ISO 639-1), or in all known ones when none is given.
func AskedForHuman(langs ...string) Condition {
	if len(langs) == 0 {
		langs = HumanRequestLanguages()
	}
	var phrases []string
	for _, l := range langs {
		phrases = append(phrases, humanPhrases[strings.ToLower(l)]...)
	}
	return Keywords(phrases...)
}

// Keywords matches when the text contains any of the words or phrases,
// case-insensitively and on word boundaries ("legal" matches "legal
// action" but not "illegally").
func Keywords(words ...string) Condition {
	norm := make([]string, 0, len(words))
	for _, w := range words {
		if w = normalizeText(w); w != "" {
			norm = append(norm, " "+w+" ")
		}
	}
	return ConditionFunc(func(in *Input) bool {
		if in.Text == "" {
			return false
		}
		text := " " + normalizeText(in.Text) + " "
		for _, w := range norm {
			if strings.Contains(text, w) {
				return true
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

// ScoreBelow matches when the turn's sentiment score (0-1) is below th
// (the default rule uses 0.4).
func ScoreBelow(th float64) Condition {
	return ConditionFunc(func(in *Input) bool { return in.HasMood && in.Mood.Label != "" && in.Mood.Score < th })
}

// TrendBelow matches when the conversation's smoothed sentiment is below
// th.
func TrendBelow(th float64) Condition {
	return ConditionFunc(func(in *Input) bool { return in.HasMood && in.Mood.Trend > 0 && in.Mood.Trend < th })
}

// TrendFalling matches when the smoothed sentiment has dropped by more
// than delta since the first turn.
func TrendFalling(delta float64) Condition {
	return ConditionFunc(func(in *Input) bool {
		return in.HasMood && in.Turns >= 2 && in.Mood.Trend > 0 && in.FirstScore-in.Mood.Trend > delta
	})
}

// FrustrationAbove matches when the turn's frustration is at least th.
func FrustrationAbove(th float64) Condition {
	return ConditionFunc(func(in *Input) bool { return in.HasMood && in.Mood.Frustration >= th })
}

// Fallbacks matches after n consecutive turns the language understanding
// was unsure of or found out of scope (the default rule uses 2).
func Fallbacks(n int) Condition {
	return ConditionFunc(func(in *Input) bool { return in.Fallbacks >= n })
}

// LongConversation matches when the conversation has had more than n user
// turns without being resolved (the default rule uses 8). A turn where the
// user is delighted or thanks the bot counts as resolution.
func LongConversation(n int) Condition {
	return ConditionFunc(func(in *Input) bool { return in.Turns > n })
}

// Intent matches when the understood intent is one of names.
func Intent(names ...string) Condition {
	return ConditionFunc(func(in *Input) bool {
		if !in.HasUnderstanding || in.Understanding.Status != parley.Understood {
			return false
		}
		for _, n := range names {
			if in.Understanding.Intent.Name == n {
				return true
			}
		}
		return false
	})
}

// Entity matches when the turn has an entity of type typ for which pred
// returns true (any such entity when pred is nil).
func Entity(typ string, pred func(parley.Entity) bool) Condition {
	return ConditionFunc(func(in *Input) bool {
		if !in.HasUnderstanding {
			return false
		}
		for _, e := range in.Understanding.Entities {
			if e.Type == typ && (pred == nil || pred(e)) {
				return true
			}
		}
		return false
	})
}

// AmountOver matches a money entity (Value "49.99 USD") above amount, in
// any currency when currency is empty.
func AmountOver(amount float64, currency string) Condition {
	return Entity("money", func(e parley.Entity) bool {
		num, cur, _ := strings.Cut(e.Value, " ")
		v, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return false
		}
		return v > amount && (currency == "" || strings.EqualFold(cur, currency))
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

// Defaults of the built-in rules.
const (
	// DefaultScoreThreshold is the sentiment score (0-1) below which a
	// turn counts as negative.
	DefaultScoreThreshold = 0.4
	// DefaultFrustration is the frustration at which a human is offered.
	DefaultFrustration = 0.7
	// DefaultFallbacks is the number of consecutive fallbacks after which
	// a human is offered.
	DefaultFallbacks = 2
	// DefaultMaxTurns is the number of turns without resolution after
	// which a human is offered.
	DefaultMaxTurns = 8
)

// AfterTurns matches from the n-th user turn since the start or the last
// resolution on.
func AfterTurns(n int) Condition {
	return ConditionFunc(func(in *Input) bool { return in.Turns >= n })
}

// DefaultRules returns Parley's default escalation rules, in order:
//
//   - "asked for a human" in any known language: hand off, high;
//   - "legal or chargeback threat": de-escalate and hand off, urgent;
//   - "frustrated" (frustration >= [DefaultFrustration]): de-escalate and
//     offer, high;
//   - "negative and falling sentiment" (score below
//     [DefaultScoreThreshold] and the trend fell by more than 0.1 since
//     the start): de-escalate and offer;
//   - "persistently negative" (score and trend below the threshold from
//     the third turn): de-escalate and offer;
//   - "repeated fallbacks" ([DefaultFallbacks] in a row): offer;
//   - "long conversation without resolution" (more than
//     [DefaultMaxTurns] turns): offer, low.
func DefaultRules() []Rule {
	return []Rule{
		{Name: "asked for a human", When: AskedForHuman(), Action: HandOff, Priority: parley.PriorityHigh},
		{Name: "legal or chargeback threat", When: Keywords("lawyer", "legal action", "sue", "chargeback", "attorney", "court"), Action: HandOff, Priority: parley.PriorityUrgent, DeEscalate: true},
		{Name: "frustrated", When: FrustrationAbove(DefaultFrustration), Action: Offer, Priority: parley.PriorityHigh, DeEscalate: true},
		{Name: "negative and falling sentiment", When: And(ScoreBelow(DefaultScoreThreshold), TrendFalling(0.1)), Action: Offer, Priority: parley.PriorityNormal, DeEscalate: true},
		{Name: "persistently negative", When: And(ScoreBelow(DefaultScoreThreshold), TrendBelow(DefaultScoreThreshold), AfterTurns(3)), Action: Offer, Priority: parley.PriorityNormal, DeEscalate: true},
		{Name: "repeated fallbacks", When: Fallbacks(DefaultFallbacks), Action: Offer, Priority: parley.PriorityNormal},
		{Name: "long conversation without resolution", When: LongConversation(DefaultMaxTurns), Action: Offer, Priority: parley.PriorityLow},
	}
}
