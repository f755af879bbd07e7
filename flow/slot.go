package flow

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/parse"
	"github.com/parleyhq/parley/internal/textdist"
)

// An InputError says why an answer did not fill a slot. Its message is
// written for the user and is shown before the re-prompt.
type InputError struct {
	Slot    string
	Message string
}

// Error implements the error interface.
func (e *InputError) Error() string { return e.Message }

func inputErr(slot, msg string) error { return &InputError{Slot: slot, Message: msg} }

// naturalEntity is the entity type that fills a slot of type t directly.
func naturalEntity(t SlotType) string {
	switch t {
	case NumberSlot, EmailSlot, PhoneSlot, DateSlot, MoneySlot:
		return string(t)
	}
	return ""
}

// parseSlot parses text as a value of type t, normalised as documented on
// nlu.Entity.
func parseSlot(a *Ask, text string, now time.Time) (string, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return "", inputErr(a.Slot, "I didn't get an answer there.")
	}
	switch a.Type {
	case "", TextSlot:
		return s, nil
	case NumberSlot:
		if v, ok := parse.FirstNumber(s); ok {
			return parse.FormatNumber(v), nil
		}
		return "", inputErr(a.Slot, "I need a number for that.")
	case EmailSlot:
		if v, ok := findEmail(s); ok {
			return v, nil
		}
		return "", inputErr(a.Slot, "That doesn't look like an email address.")
	case PhoneSlot:
		if v, ok := findPhone(s); ok {
			return v, nil
		}
		return "", inputErr(a.Slot, "That doesn't look like a phone number.")
	case DateSlot:
		if d, ok := parse.FirstDate(s, now); ok {
			return d.Format(parse.Layout), nil
		}
		return "", inputErr(a.Slot, "I couldn't read that date. Try something like \"next Friday\" or \"2026-12-24\".")
	case MoneySlot:
		if m, ok := parse.MoneyIn(s, "USD"); ok {
			return m.String(), nil
		}
		return "", inputErr(a.Slot, "I need an amount, like $25 or 25.00 EUR.")
	case YesNoSlot:
		if v, ok := parseYesNo(s); ok {
			return v, nil
		}
		return "", inputErr(a.Slot, "Please answer yes or no.")
	case ChoiceSlot:
		if i := matchOption(s, a.Options, nil); i >= 0 {
			return a.Options[i].Value(), nil
		}
		return "", inputErr(a.Slot, "Please pick one of the options.")
	}
	return "", fmt.Errorf("flow: unknown slot type %q", a.Type)
}

// fold lower-cases s and trims punctuation around it, for matching.
func fold(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
}

func findEmail(s string) (string, bool) {
	for _, w := range strings.Fields(s) {
		w = strings.Trim(w, "<>()[],;:!?\"'")
		w = strings.TrimSuffix(w, ".")
		at := strings.IndexByte(w, '@')
		if at <= 0 || at != strings.LastIndexByte(w, '@') {
			continue
		}
		domain := w[at+1:]
		dot := strings.LastIndexByte(domain, '.')
		if dot <= 0 || dot == len(domain)-1 || strings.Contains(domain, "..") {
			continue
		}
		return strings.ToLower(w), true
	}
	return "", false
}

func findPhone(s string) (string, bool) {
	var b strings.Builder
	plus := false
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", false
		}
	}
	d := b.String()
	if len(d) < 7 || len(d) > 15 {
		return "", false
	}
	if plus {
		return "+" + d, true
	}
	return d, true
}

// parseHelpful reads the answer to "Was this helpful?": a yes or no, or
// the ways customers say it ("thanks!", "that didn't help").
func parseHelpful(s string) (string, bool) {
	if v, ok := parseYesNo(s); ok {
		return v, true
	}
	switch strings.NewReplacer("'", "", "’", "").Replace(fold(s)) {
	case "thanks", "thank you", "thanks a lot", "thank you so much", "thx", "ty", "cheers", "great", "great thanks", "perfect",
		"perfect thanks", "awesome", "it did", "it helped", "that helped", "very helpful", "helpful", "yes thanks", "yes thank you",
		"gracias", "muchas gracias", "sí gracias", "si gracias":
		return "yes", true
	case "it didnt", "it did not", "didnt help", "it didnt help", "that didnt help", "not helpful", "it wasnt", "not really helpful",
		"not at all", "no it didnt", "no gracias":
		return "no", true
	}
	return "", false
}

func parseYesNo(s string) (string, bool) { return parse.YesNo(s) }

// matchOption finds the option an answer selects: by payload or title
// (case-insensitive), by number ("2"), by synonym, by a title, payload or
// synonym said within a longer answer ("switch to annual please"), or by
// a close spelling (one edit for short words, two for longer ones). It returns -1 if none
// or if the answer is ambiguous.
func matchOption(answer string, opts []parley.QuickReply, synonyms [][]string) int {
	a := fold(answer)
	if a == "" {
		return -1
	}
	for i, o := range opts {
		if a == fold(o.Payload) || a == fold(o.Title) {
			return i
		}
	}
	if n, err := strconv.Atoi(a); err == nil && n >= 1 && n <= len(opts) {
		return n - 1
	}
	for i := range opts {
		if i < len(synonyms) {
			for _, s := range synonyms[i] {
				if a == fold(s) {
					return i
				}
			}
		}
	}
	if parse.Question(answer) {
		// A question that mentions an option ("how much is the annual
		// plan?") asks about it; it does not choose it.
		return -1
	}
	if i := containedOption(a, opts, synonyms); i >= 0 {
		return i
	}
	if i := yesNoOption(answer, opts); i >= 0 {
		return i
	}
	if i := titleWordOption(a, opts); i >= 0 {
		return i
	}
	best, bestD, tie := -1, 1<<30, false
	for i, o := range opts {
		t := fold(o.Title)
		limit := 1
		if len(t) > 6 {
			limit = 2
		}
		d := editDistance(a, t, limit)
		if d <= limit {
			if d < bestD {
				best, bestD, tie = i, d, false
			} else if d == bestD {
				tie = true
			}
		}
	}
	if tie {
		return -1
	}
	return best
}

// yesNoOption finds the one option whose title starts with a yes or a
// no ("Yes, I'll stay" / "No, cancel") that the answer says: a plain "no
// thanks", or a yes or no before a comma ("nope, just cancel it"). It
// returns -1 when the answer says neither, or when no option or more
// than one starts that way.
func yesNoOption(answer string, opts []parley.QuickReply) int {
	v, ok := parse.YesNo(answer)
	if !ok {
		lead, _, cut := strings.Cut(answer, ",")
		if !cut {
			return -1
		}
		if v, ok = parse.YesNo(lead); !ok {
			return -1
		}
	}
	best := -1
	for i, o := range opts {
		lead, _, _ := strings.Cut(o.Title, ",")
		if w, ok := parse.YesNo(lead); ok && w == v {
			if best >= 0 {
				return -1
			}
			best = i
		}
	}
	if best >= 0 && saysOtherOption(answer, opts, best) {
		return -1 // "yes, cancel it" at [Yes, I'll stay | No, cancel]: ask again
	}
	return best
}

// saysOtherOption reports whether answer, besides its yes or no, says a
// word that only another option's title holds after its own yes or no
// ("cancel" of "No, cancel"), not right after a negation: the answer
// then says two things, and a choice that changes a plan or an order
// must not take the first of them.
func saysOtherOption(answer string, opts []parley.QuickReply, chosen int) bool {
	words := optionWords(fold(answer))
	own := map[string]bool{}
	for _, w := range optionWords(fold(opts[chosen].Title)) {
		own[w] = true
	}
	for i, o := range opts {
		if i == chosen {
			continue
		}
		title := o.Title
		if p := strings.IndexByte(title, '('); p > 0 {
			title = title[:p]
		}
		lead, rest, cut := strings.Cut(title, ",")
		if _, yn := parse.YesNo(lead); cut && yn {
			title = rest
		}
		for _, w := range optionWords(fold(title)) {
			if utf8.RuneCountInString(w) < 4 || strings.ContainsRune(w, '\'') || own[w] {
				continue
			}
			if saysPhrase(words, []string{w}) {
				return true
			}
		}
	}
	return false
}

// containedOption finds the one option whose title (without a
// parenthesis), payload or synonym the answer says as whole words: "yes,
// switch to annual" picks "Switch to annual (save 20%)". A phrase right
// after a negation ("don't cancel my plan") does not count, and an answer
// that says two options is no match.
func containedOption(a string, opts []parley.QuickReply, synonyms [][]string) int {
	words := optionWords(a)
	best := -1
	for i, o := range opts {
		phrases := []string{o.Title, strings.ReplaceAll(o.Payload, "_", " ")}
		if p := strings.IndexByte(o.Title, '('); p > 0 {
			phrases[0] = o.Title[:p]
		}
		if i < len(synonyms) {
			phrases = append(phrases, synonyms[i]...)
		}
		for _, ph := range phrases {
			pw := optionWords(fold(ph))
			if len(pw) == 0 || !saysPhrase(words, pw) {
				continue
			}
			if best >= 0 && best != i {
				return -1 // two options said: ask again
			}
			best = i
		}
	}
	return best
}

// titleWordOption finds the one option whose title holds the answer, a
// single word of at least five letters, as one of its words: "reembolso"
// picks "Devolución o reembolso", "human" picks "Talk to a human". Short
// words ("my", "plan") and words in two titles are no match.
func titleWordOption(a string, opts []parley.QuickReply) int {
	w := optionWords(a)
	if len(w) != 1 || utf8.RuneCountInString(w[0]) < 5 {
		return -1
	}
	best := -1
	for i, o := range opts {
		if !slices.Contains(optionWords(fold(o.Title)), w[0]) {
			continue
		}
		if best >= 0 {
			return -1
		}
		best = i
	}
	return best
}

// optionWords splits s into lower-case words, keeping each run of
// punctuation as a "," token so that a negation does not reach across a
// comma ("no, keep it").
func optionWords(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’':
			if r == '’' {
				r = '\''
			}
			b.WriteRune(r)
		case unicode.IsSpace(r):
			flush()
		default:
			flush()
			if len(out) > 0 && out[len(out)-1] != "," {
				out = append(out, ",")
			}
		}
	}
	flush()
	return out
}

// negations are words that, right before an option's phrase, mean the
// customer does not want it.
var negations = map[string]bool{"not": true, "don't": true, "dont": true, "never": true, "no": true, "won't": true, "wont": true,
	"without": true, "nicht": true, "nunca": true, "ne": true, "pas": true}

// saysPhrase reports whether words contain phrase as consecutive words,
// not right after a negation (up to three words may sit between: "don't
// really cancel", "I don't want to renew"; one after a bare "no").
func saysPhrase(words, phrase []string) bool {
	for i := 0; i+len(phrase) <= len(words); i++ {
		if !slices.Equal(words[i:i+len(phrase)], phrase) {
			continue
		}
		negated := false
		for j := i - 1; j >= 0 && j >= i-4; j-- {
			if words[j] == "," {
				break
			}
			// A bare "no" is often an interjection ("no wait, I'll
			// stay"): it negates only what follows it closely.
			if negations[words[j]] && (words[j] != "no" || j >= i-2) {
				negated = true
			}
		}
		if !negated {
			return true
		}
	}
	return false
}

// editDistance is the optimal string alignment distance of a and b, or
// limit+1 when it is over limit.
func editDistance(a, b string, limit int) int { return textdist.OSA(a, b, limit) }

// fillerWords say nothing of a request on their own: what is left of
// "actually no wait, it was A-1002" once the value is taken out.
var fillerWords = map[string]bool{
	"actually": true, "no": true, "nope": true, "wait": true, "sorry": true, "oops": true, "oh": true,
	"um": true, "uh": true, "hmm": true, "it": true, "it's": true, "its": true, "was": true, "is": true,
	"i": true, "i'm": true, "meant": true, "mean": true, "the": true, "a": true, "an": true, "order": true,
	"number": true, "my": true, "that": true, "this": true, "one": true, "ok": true, "okay": true,
	"yes": true, "yeah": true, "sure": true, "please": true, "here": true, "correct": true, "right": true,
	"hold": true, "on": true, "make": true, "instead": true, "not": true, "should": true, "be": true,
	"perdón": true, "perdon": true, "perdona": true, "espera": true, "era": true, "es": true, "el": true,
	"la": true, "mi": true, "pedido": true, "número": true, "numero": true, "vale": true, "sí": true,
	"si": true, "quería": true, "queria": true, "decir": true, "quise": true, "digo": true, "mejor": true,
	"este": true, "ese": true, "pues": true, "ah": true, "de": true, "del": true, "en": true, "realidad": true,
}

// onlyFiller reports whether text holds nothing but values (words with a
// digit, such as an order number or an amount) and filler words.
func onlyFiller(text string) bool {
	for _, w := range optionWords(text) {
		if w != "," && !fillerWords[w] && !strings.ContainsFunc(w, unicode.IsDigit) {
			return false
		}
	}
	return true
}
