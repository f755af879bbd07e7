package intent

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/internal/parse"
)

// DefaultCommandPhrases returns the phrases [Commands] recognises by
// default, in English and Spanish. A message is a command when, once
// lower-cased, stripped of accents and punctuation and of a polite
// "please" or "por favor", it is exactly one of these phrases. An opt-out
// may also say what the customer wants no more of ("STOP sending me
// these stupid messages", "deja de mandarme ofertas"): while STOP is
// recognised, so is a message that starts that way.
func DefaultCommandPhrases() map[dialog.Command][]string {
	return map[dialog.Command][]string{
		dialog.CommandCancel: {
			"cancel", "cancel that", "cancel this", "never mind", "nevermind", "nvm", "forget it", "forget about it",
			"cancelar", "cancela", "cancelalo", "olvidalo", "olvidelo", "da igual", "dejalo",
		},
		dialog.CommandMenu: {
			"menu", "main menu", "start over", "start again", "restart", "back to the menu", "go back to the menu",
			"menu principal", "volver al menu", "empezar de nuevo", "volver a empezar", "inicio",
		},
		dialog.CommandHuman: {
			"human", "a human", "talk to a human", "speak to a human", "agent", "an agent", "talk to an agent",
			"speak to an agent", "person", "a person", "talk to a person", "speak to a person", "real person",
			"a real person", "speak to someone", "talk to someone", "representative", "customer service",
			"humano", "agente", "una persona", "hablar con una persona", "hablar con alguien", "hablar con un agente",
			"hablar con un humano", "persona real",
		},
		dialog.CommandStop: {
			"stop", "stop all", "stopall", "unsubscribe", "opt out", "optout", "stop messaging me", "stop texting me",
			"stop sending me messages", "stop sending me texts", "stop contacting me", "no more messages", "don't message me",
			"dont message me", "do not message me", "do not contact me", "don't contact me", "dont contact me",
			"baja", "darme de baja", "dar de baja", "dame de baja", "no mas mensajes", "alto", "para", "parad", "paren", "no quiero mas mensajes",
			"no me envies mas mensajes", "no me envieis mas mensajes", "no me envien mas mensajes", "no me escribas mas",
			"no me escribais mas", "no me escriban mas", "deja de escribirme", "dejad de escribirme", "dejen de escribirme",
		},
		dialog.CommandStart: {
			"unstop", "resubscribe", "subscribe me again", "opt in", "optin", "opt back in",
			"alta", "darme de alta", "dar de alta", "dame de alta", "suscribirme", "volver a suscribirme",
		},
	}
}

// whileAsked are phrases that cancel only while a form is asking
// something: "I want to cancel" in the middle of a refund stops the
// refund, but said with nothing going on it is a request (to cancel a
// plan, an order), for the language understanding to place.
var whileAsked = map[string]dialog.Command{
	"i want to cancel": dialog.CommandCancel, "i wanna cancel": dialog.CommandCancel, "id like to cancel": dialog.CommandCancel,
	"i would like to cancel": dialog.CommandCancel, "quiero cancelar": dialog.CommandCancel, "quisiera cancelar": dialog.CommandCancel,
	"me gustaria cancelar": dialog.CommandCancel,
	// A change of mind takes back the request being asked about; with
	// nothing asked it is about something said before ("I changed my
	// mind" after a cancellation), for the language understanding.
	"i changed my mind": dialog.CommandCancel, "ive changed my mind": dialog.CommandCancel,
	"i have changed my mind": dialog.CommandCancel, "changed my mind": dialog.CommandCancel,
	"i change my mind": dialog.CommandCancel, "cambie de idea": dialog.CommandCancel,
	"he cambiado de idea": dialog.CommandCancel, "cambie de opinion": dialog.CommandCancel,
	"he cambiado de opinion": dialog.CommandCancel,
}

// whileAnyAsked are phrases that leave whatever question is open, a
// choice too, in the words customers use (QA13 G50: each of these got
// the question again, at every kind of question); with nothing asked,
// they are for the language understanding.
var whileAnyAsked = func() map[string]dialog.Command {
	m := map[string]dialog.Command{}
	for _, p := range []string{"quit", "exit", "stop it", "stop this", "i don't want to do this", "i don't want to do this anymore",
		"i don't want to do this any more", "i don't want to continue", "i don't want to go on", "let's stop", "let's stop here",
		"salir", "no quiero seguir", "no quiero continuar", "ya no quiero", "no quiero hacer esto", "no quiero seguir con esto"} {
		m[commandFold(p)] = dialog.CommandCancel
		m[commandFold(strings.ReplaceAll(p, "'", ""))] = dialog.CommandCancel
	}
	return m
}()

// whileAskedValue are phrases that cancel only while the open question
// asks for a value (an order number, an amount, an address): "actually
// no" there takes back the request, where at a yes or no question it is
// the answer "no".
var whileAskedValue = map[string]dialog.Command{
	"actually no": dialog.CommandCancel, "no actually": dialog.CommandCancel, "actually nope": dialog.CommandCancel,
	"actually not": dialog.CommandCancel, "en realidad no": dialog.CommandCancel, "pues no": dialog.CommandCancel,
	"mejor no": dialog.CommandCancel, "ya no": dialog.CommandCancel, "paso": dialog.CommandCancel,
}

// commandWords are the words that name a command inside an option's
// title ("No, cancel", "Cancel my plan"): typed on their own, or with a
// filler or an "it", they choose that option (see [Commands]).
var commandWords = map[dialog.Command][]string{
	dialog.CommandCancel: {"cancel", "cancelar", "cancela", "cancelalo"},
	dialog.CommandMenu:   {"menu"},
	dialog.CommandStop:   {"stop", "unsubscribe", "baja"},
}

// wantLeads may come before a command word that chooses an option: "I
// want to cancel" at "[Yes, I'll stay] [No, cancel]" is "No, cancel".
var wantLeads = [][]string{{"i", "want", "to"}, {"i", "wanna"}, {"id", "like", "to"}, {"i", "would", "like", "to"},
	{"i", "still", "want", "to"}, {"quiero"}, {"quisiera"}, {"sigo", "queriendo"}}

// planWords name the subscription a cancel word may be about: "cancel my
// plan" at a win-back offer chooses its "No, cancel".
var planWords = map[string]bool{"my plan": true, "the plan": true, "my subscription": true, "the subscription": true,
	"my membership": true, "mi plan": true, "el plan": true, "mi suscripcion": true, "la suscripcion": true}

// objectWords may follow a command word that chooses an option: "cancel
// it", "cancélalo ya".
var objectWords = map[string]bool{"it": true, "that": true, "this": true, "then": true, "now": true, "anyway": true,
	"lo": true, "eso": true, "esto": true, "ya": true, "entonces": true}

// A CommandOption configures [Commands].
type CommandOption func(*commands)

// WithCommandPhrases adds phrases that mean c, in any language.
func WithCommandPhrases(c dialog.Command, phrases ...string) CommandOption {
	return func(cs *commands) {
		for _, p := range phrases {
			if k := commandFold(p); k != "" {
				cs.phrases[k] = c
			}
		}
	}
}

// WithoutCommand stops c from being recognised, for a bot that has no
// use for it.
func WithoutCommand(c dialog.Command) CommandOption {
	return func(cs *commands) {
		for k, v := range cs.phrases {
			if v == c {
				delete(cs.phrases, k)
			}
		}
	}
}

type commands struct {
	phrases map[string]dialog.Command
	optOut  bool // STOP is recognised: so are the opt-outs of optOutLeads
}

// optOutLead reports whether the folded text k starts with one of
// optOutLeads, as whole words.
func optOutLead(k string) bool {
	for _, l := range optOutLeads {
		if rest, ok := strings.CutPrefix(k, l); ok && (rest == "" || rest[0] == ' ') {
			return true
		}
	}
	return false
}

// maxCommandBytes bounds the messages looked at: commands are short.
const maxCommandBytes = 64

// maxOptOutBytes bounds the messages read for an opt-out that goes on
// after its verb ("STOP sending me these stupid messages").
const maxOptOutBytes = 160

// optOutLeads are how an opt-out starts when the customer says more
// ("STOP sending me these stupid messages", "deja de mandarme ofertas"),
// folded as commandFold folds them. Whatever follows is what they want
// no more of, never a request of its own: the message is STOP, not a
// sign of frustration.
var optOutLeads = []string{
	"stop sending", "stop messaging", "stop texting", "stop emailing", "stop contacting", "stop spamming",
	"unsubscribe me", "no more messages", "no more texts", "no more emails", "no more offers", "no more reminders",
	"no more marketing", "no more promotions", "no more promos", "no more newsletters", "no more ads", "no more spam",
	"no more deals", "no marketing", "no more marketing emails", "stop the marketing", "stop the offers", "stop the emails",
	"no mas ofertas", "no mas publicidad", "no mas promociones", "no quiero mas ofertas", "no quiero publicidad",
	"deja de enviarme", "deja de mandarme", "deja de escribirme", "dejad de enviarme", "dejad de mandarme",
	"dejen de enviarme", "dejen de mandarme", "no me envies mas", "no me mandes mas", "no me envien mas",
	"no me manden mas", "no quiero mas mensajes", "no quiero recibir mas",
}

// ParseCommand returns the command text is, with the default phrases.
// It is what [Commands] does for each turn.
func ParseCommand(text string) (dialog.Command, bool) {
	return newCommands(nil).parse(text)
}

func newCommands(opts []CommandOption) *commands {
	cs := &commands{phrases: map[string]dialog.Command{}}
	for c, ps := range DefaultCommandPhrases() {
		for _, p := range ps {
			cs.phrases[commandFold(p)] = c
		}
	}
	for _, o := range opts {
		o(cs)
	}
	for _, c := range cs.phrases {
		cs.optOut = cs.optOut || c == dialog.CommandStop
	}
	return cs
}

func (cs *commands) parse(text string) (dialog.Command, bool) {
	if len(text) > maxOptOutBytes {
		return "", false
	}
	k := commandFold(text)
	if k == "" {
		return "", false
	}
	if cs.optOut && optOutLead(k) {
		return dialog.CommandStop, true
	}
	if len(text) > maxCommandBytes {
		return "", false
	}
	if c, ok := cs.phrases[k]; ok {
		return c, true
	}
	// "actually never mind", "ok cancel", "bueno, déjalo": a command
	// after a word or two that say nothing of their own.
	words := strings.Fields(k)
	for i := 0; i < 2 && i < len(words)-1 && leadingFiller[words[i]]; i++ {
		if c, ok := cs.phrases[strings.Join(words[i+1:], " ")]; ok {
			return c, true
		}
	}
	// "da igual, olvídalo", "never mind, cancel": the same command twice.
	parts := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == '.' || r == '!' })
	if len(parts) < 2 {
		return "", false
	}
	var c dialog.Command
	for _, p := range parts {
		pc, ok := cs.phrases[commandFold(p)]
		if !ok || (c != "" && pc != c) {
			return "", false
		}
		c = pc
	}
	return c, true
}

// typoWords are the command words a one-word message may misspell and
// still be that command, in English and Spanish. STOP and BAJA are not
// among them: an opt-out must be said as it is.
var typoWords = []string{"cancel", "menu", "human", "agent", "cancelar", "humano", "agente"}

// notTypos are words one slip away from a command word that mean
// something of their own ("cancer", "mend", "gente"), or are names
// ("Manu"), and words split in two that join into one ("a gente").
var notTypos = map[string]bool{
	"cancer": true, "chancel": true, "mend": true, "mens": true, "meny": true, "mena": true, "manu": true,
	"venu": true, "humane": true, "humas": true, "argent": true, "agena": true,
	"gente": true, "a gente": true,
}

// typo returns the command word of typoWords that text, a single word of
// four letters or more, misses by one edit or one swap of neighbouring
// letters, or that it splits in two with a stray space ("cancela r"),
// and its command; the command must still be recognised (see
// [WithoutCommand]).
func (cs *commands) typo(text string) (string, dialog.Command, bool) {
	k := commandFold(text)
	if len(k) < 4 || len(k) > 12 || notTypos[k] {
		return "", "", false
	}
	if _, ok := cs.phrases[k]; ok {
		return "", "", false
	}
	if strings.Count(k, " ") == 1 {
		j := strings.ReplaceAll(k, " ", "")
		if c, ok := cs.phrases[j]; ok && c != dialog.CommandStop && len(j) >= 5 && slices.Contains(typoWords, j) {
			return j, c, true
		}
		return "", "", false
	}
	if strings.Contains(k, " ") {
		return "", "", false
	}
	for _, w := range typoWords {
		if c, ok := cs.phrases[w]; ok && c != dialog.CommandStop && oneEdit(k, w) {
			return w, c, true
		}
	}
	return "", "", false
}

// oneEdit reports whether a and b, different, differ by one inserted,
// deleted or replaced byte, or by two neighbouring bytes swapped.
func oneEdit(a, b string) bool {
	if a == b {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	switch len(b) - len(a) {
	case 0:
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case 1:
		return a[i:] == b[i+1:]
	}
	return false
}

// leadingFiller are the words a command may follow ("actually never
// mind"), folded as commandFold folds them.
var leadingFiller = map[string]bool{
	"actually": true, "oh": true, "ok": true, "okay": true, "no": true, "um": true, "umm": true, "well": true,
	"so": true, "just": true, "hmm": true, "nah": true, "sorry": true, "oops": true,
	"pues": true, "bueno": true, "vale": true, "mejor": true, "ah": true, "perdon": true, "nada": true,
}

// commandFold lower-cases s, removes accents, keeps letters and digits,
// joins words with one space and drops a polite "please" or "por favor".
func commandFold(s string) string {
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	for len(words) > 1 && (words[0] == "please" || words[0] == "pls") {
		words = words[1:]
	}
	for len(words) > 1 && (words[len(words)-1] == "please" || words[len(words)-1] == "pls") {
		words = words[:len(words)-1]
	}
	if n := len(words); n > 2 && words[n-2] == "por" && words[n-1] == "favor" {
		words = words[:n-2]
	}
	return strings.Join(words, " ")
}

// EventCommand is emitted for every turn recognised as a command; Attrs
// hold "command".
const EventCommand parley.EventKind = "intent.command"

// Commands returns middleware that recognises global commands ("cancel",
// "menu", "human", "STOP", "START", and their Spanish forms; see
// [DefaultCommandPhrases]) and annotates the turn under
// [dialog.CommandKey]. A tapped quick reply whose payload is a phrase
// counts too. The title of an option the open question offers is that
// option, not a command: typing "No, cancel" at "Would 3 months at half
// price change your mind? [Yes, I'll stay | No, cancel]" chooses it, as
// tapping it would. Put it before language understanding and sentiment,
// which should leave command turns alone; the [Router] acts on the
// command. "I want to cancel" and "quiero cancelar" are a cancel only
// while the open question asks for a value or a yes or no (a form in
// progress); otherwise they are requests.
func Commands(opts ...CommandOption) parley.Middleware {
	cs := newCommands(opts)
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			c, ok := cs.parse(t.Text())
			if !ok {
				c, ok = lookupAfterFiller(whileAsked, t.Text())
				ok = ok && askingForValue(t)
			}
			if !ok {
				c, ok = lookupAfterFiller(whileAskedValue, t.Text())
				ok = ok && askingFreeValue(t)
			}
			if !ok {
				c, ok = lookupAfterFiller(whileAnyAsked, t.Text())
				_, open := dialog.OpenQuestion(t)
				ok = ok && open
			}
			named := t
			if !ok {
				// "cancle", "mneu", "humna": a command word with one
				// slip of the finger, read as the word it misses.
				var w string
				if w, c, ok = cs.typo(t.Text()); ok {
					t2 := *t
					t2.Message.Text = w
					named = &t2
				}
			}
			if title, isOption := namedOption(named, c, ok); isOption {
				// "cancel" at "[Yes, I'll stay] [No, cancel]" is that
				// option, as typing its title is: the global cancel
				// would leave the plan as it was while saying "I've
				// stopped that".
				t2 := *t
				t2.Message.Text = title
				return next.HandleTurn(ctx, w, &t2)
			}
			if ok && !typedOption(t) {
				t.Emit(ctx, parley.Event{Kind: EventCommand, Attrs: map[string]string{"command": string(c)}})
				t = parley.With(t, dialog.CommandKey, c)
			}
			return next.HandleTurn(ctx, w, t)
		})
	}
}

// askingForValue reports whether the open question asks for a value (an
// amount, an order number) or a yes or no: a form in progress, which
// "I want to cancel" stops. At a menu or a choice it is a request, or one
// of the options.
func askingForValue(t *parley.Turn) bool {
	q, open := dialog.OpenQuestion(t)
	if !open {
		return false
	}
	for _, o := range q.Options {
		if _, ok := parse.YesNo(o.Title); !ok {
			return false
		}
	}
	return true
}

// lookupAfterFiller looks text up in m as it is, and after a word or two
// that say nothing of their own ("no, I changed my mind").
func lookupAfterFiller(m map[string]dialog.Command, text string) (dialog.Command, bool) {
	words := strings.Fields(commandFold(text))
	for i := 0; i < 3 && i < len(words); i++ {
		if c, ok := m[strings.Join(words[i:], " ")]; ok {
			return c, true
		}
		if !leadingFiller[words[i]] {
			break
		}
	}
	return "", false
}

// askingFreeValue reports whether the open question asks for a value
// typed freely (it offers no options).
func askingFreeValue(t *parley.Turn) bool {
	q, open := dialog.OpenQuestion(t)
	return open && len(q.Options) == 0
}

// namedOption returns the title of the one option of the open question
// that the turn names by its command word: the turn is command c (when
// isCmd), or a command word with an "it" ("cancel it"), and exactly one
// option's title holds a word of that command ("No, cancel"). Asking for
// a person is never an option's: it always reaches a person.
func namedOption(t *parley.Turn, c dialog.Command, isCmd bool) (string, bool) {
	q, open := dialog.OpenQuestion(t)
	if !open || len(q.Options) == 0 || c == dialog.CommandHuman {
		return "", false
	}
	words := strings.Fields(commandFold(t.Text()))
	for len(words) > 1 && leadingFiller[words[0]] {
		words = words[1:]
	}
	for _, lead := range wantLeads {
		if len(words) > len(lead) && slices.Equal(words[:len(lead)], lead) {
			words = words[len(lead):]
			break
		}
	}
	for len(words) > 1 && objectWords[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	if len(words) == 3 && planWords[strings.Join(words[1:], " ")] {
		words = words[:1]
	}
	if len(words) != 1 {
		return "", false
	}
	if !isCmd {
		// Not a command as said ("cancel it"): the word alone must be.
		for cmd, ws := range commandWords {
			if slices.Contains(ws, words[0]) {
				c = cmd
			}
		}
	}
	if !slices.Contains(commandWords[c], words[0]) {
		return "", false
	}
	found := ""
	for _, o := range q.Options {
		tw := strings.Fields(commandFold(o.Title))
		if !slices.ContainsFunc(tw, func(w string) bool { return slices.Contains(commandWords[c], w) }) {
			continue
		}
		if found != "" {
			return "", false
		}
		found = o.Title
	}
	return found, found != ""
}

// typedOption reports whether the turn's text is the title of an option
// of the conversation's open question.
func typedOption(t *parley.Turn) bool {
	q, open := dialog.OpenQuestion(t)
	if !open || len(q.Options) == 0 {
		return false
	}
	k := commandFold(t.Text())
	for _, o := range q.Options {
		if commandFold(o.Title) == k {
			return true
		}
	}
	return false
}
