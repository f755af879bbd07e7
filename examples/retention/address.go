package main

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/nlu"
)

// Delivery addresses typed in the chat. The address question takes free
// text, so it must tell an address from everything else a customer types
// there: a question ("wait, what is your return policy?"), another
// request ("where is A-1001"), or "I don't know yet". Only an address is
// taken; a question or request is answered or served and the question
// asked again ("Back to your address change."), and "not yet" ends the
// change politely. An address needs a number (the house number or the
// postcode), which couriers need too.

// addressLeads are the words customers put before an address ("it's
// ...", "no wait, make it ...", "envíalo a ..."), lower case without
// accents, longest first where one starts another.
var addressLeads = []string{
	"the new address is", "my new address is", "the address is", "new address is", "new address", "address",
	"please send it to", "send it to", "deliver it to", "ship it to", "change it to", "make it", "make that", "it should go to", "it should be", "should be",
	"no wait", "no", "wait", "sorry", "oops", "actually", "its", "it is", "to",
	"la nueva direccion es", "mi nueva direccion es", "la direccion es", "nueva direccion", "direccion",
	"envialo a", "mandalo a", "cambiala a", "mejor", "perdona", "perdon", "espera", "es",
}

// notYet are the ways customers say they do not have the new address
// yet, lower case without accents.
var notYet = []string{
	"not yet", "dont know", "do not know", "no idea", "not sure", "dont have", "do not have", "havent got", "later",
	"todavia no", "aun no", "no lo se", "no se", "ni idea", "no estoy segur", "no la tengo", "no la se", "mas tarde", "luego",
}

// errNoAddress asks for an address again; the flow shows its message
// before the question.
var errNoAddress = &flow.InputError{Slot: "address", Message: "I need the full address, with the house number and postcode."}

// validAddress takes an answer to "What's the new delivery address?": an
// address without the words around it ("it's 12 High St, Leeds" is "12
// High St, Leeds"), or the customer's words when they say they do not
// know it yet (see addressUnknown). Anything else is refused, so that the
// flow hands a question or a new request back to be served.
func validAddress(_ context.Context, v string) (string, error) {
	if orderPattern.MatchString(v) || strings.ContainsAny(v, "?¿") {
		return "", errNoAddress
	}
	a := trimAddressLead(v)
	if !strings.ContainsFunc(a, unicode.IsDigit) {
		if saysAny(v, notYet) {
			return strings.TrimSpace(v), nil
		}
		return "", errNoAddress
	}
	if len(strings.Fields(a)) < 3 || len(a) < minAddress {
		return "", errNoAddress
	}
	return a, nil
}

// addressUnknown reports whether the address slot holds a "not yet"
// rather than an address: validAddress takes no other answer without a
// number.
func addressUnknown(s *flow.Scope) bool {
	return !strings.ContainsFunc(s.Slot("address"), unicode.IsDigit)
}

// trimAddressLead drops the words before an address and the punctuation
// around it.
func trimAddressLead(v string) string {
	a := strings.TrimSpace(v)
	// "oh sorry, English please: 22 Baker Street, London" (QA13 G18):
	// words without a number before a colon are not the address.
	if before, after, ok := strings.Cut(a, ":"); ok && !strings.ContainsFunc(before, unicode.IsDigit) && strings.ContainsFunc(after, unicode.IsDigit) {
		a = strings.TrimSpace(after)
	}
	for {
		low := foldAccents.Replace(strings.ToLower(a))
		cut := false
		for _, lead := range addressLeads {
			rest, ok := strings.CutPrefix(low, lead)
			if !ok || rest == "" || (rest[0] != ' ' && rest[0] != ',' && rest[0] != ':') {
				continue
			}
			// foldAccents changes lengths (á is two bytes, a one): cut
			// the original by words, as many as the lead has.
			a = dropWords(a, len(strings.Fields(lead)))
			cut = true
			break
		}
		a = strings.TrimLeft(strings.TrimSpace(a), ",:;- ")
		if !cut {
			return strings.TrimRight(a, " .!")
		}
	}
}

// dropWords drops the first n words of s.
func dropWords(s string, n int) string {
	for range n {
		s = strings.TrimLeft(s, " ,:")
		i := strings.IndexFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == ':' })
		if i < 0 {
			return ""
		}
		s = s[i:]
	}
	return s
}

// streetWords name a kind of street, lower case without accents: with a
// number, they tell a delivery address typed on its own ("12 Main St,
// Springfield", "Calle Mayor 12, Madrid") from any other message with a
// number in it.
var streetWords = map[string]bool{
	"st": true, "street": true, "rd": true, "road": true, "ave": true, "avenue": true, "lane": true, "ln": true,
	"blvd": true, "boulevard": true, "ct": true, "crescent": true, "terrace": true, "sq": true, "highway": true, "hwy": true,
	"calle": true, "c": true, "avenida": true, "avda": true, "plaza": true, "pza": true, "paseo": true, "camino": true,
	"carretera": true, "ronda": true, "travesia": true, "glorieta": true, "rua": true,
}

// typedAddress returns the delivery address a message typed with no
// question open consists of ("12 Main St, Springfield", "my new address
// is Calle Mayor 12, Madrid"), as the address question would take it,
// and reports whether it is one: a number, a street word and nothing
// that asks or names an order.
func typedAddress(text string) (string, bool) {
	if len(text) > 160 || len(strings.Fields(text)) > 12 {
		return "", false
	}
	a, err := validAddress(context.Background(), text)
	if err != nil || !strings.ContainsFunc(a, unicode.IsDigit) || strings.ContainsAny(a, "$€£") {
		return "", false
	}
	for _, w := range strings.FieldsFunc(foldAccents.Replace(strings.ToLower(a)), notLetter) {
		if streetWords[w] {
			return a, true
		}
	}
	return "", false
}

// addressAlone takes a delivery address typed with no question open, or
// at one it is no answer to (a menu, "Was this helpful?", an offer of a
// person), as the start of an address change, in English and
// Spanish: the request is change_address with the address as an
// "address" entity, which fills the address question, and, when the
// conversation was just about an order, that order. The address change
// then asks which order, or goes straight to confirming the change.
// A turn the language model understood, a command or a signal is left
// alone.
func addressAlone(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		u, ok := parley.Value(t, nlu.UnderstandingKey)
		if !ok || u.Status == nlu.Understood || t.Signal != nil {
			return next.HandleTurn(ctx, w, t)
		}
		if _, cmd := parley.Value(t, dialog.CommandKey); cmd {
			return next.HandleTurn(ctx, w, t)
		}
		a, ok := typedAddress(t.Text())
		if q, open := dialog.OpenQuestion(t); open && formQuestion(q) {
			// The form reads it (a correction at its confirmation); as an
			// "address" entity, the address form asking which order keeps
			// it for its address question (flow: fillsLater).
			if _, has := u.Entity("address"); ok && !has {
				u.Entities = append(slices.Clone(u.Entities), nlu.Entity{Type: "address", Value: a, Text: a, Confidence: 1})
				t = parley.With(t, nlu.UnderstandingKey, u)
			}
			return next.HandleTurn(ctx, w, t)
		}
		if !ok {
			return next.HandleTurn(ctx, w, t)
		}
		u.Status, u.Intent, u.Then = nlu.Understood, nlu.Intent{Name: "change_address", Confidence: 1}, nil
		u.Entities = append(slices.Clone(u.Entities), nlu.Entity{Type: "address", Value: a, Text: a, Confidence: 1})
		if _, named := u.Entity("order_id"); !named {
			if last, _, _ := lastOrderKey.Get(t.Session()); last != "" {
				u.Entities = append(u.Entities, nlu.Entity{Type: "order_id", Value: last, Confidence: 0.9})
			}
		}
		return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
	})
}

// formQuestion reports whether q is a form's question, which reads what
// is typed at it: a value, or a choice or confirmation of a form; not a
// menu, "Was this helpful?" or an offer of a person.
func formQuestion(q dialog.Question) bool {
	if len(q.Options) == 0 {
		return true
	}
	if q.Owner != flow.DefaultOwner || q.Policy != dialog.Resume {
		return false
	}
	name, _, _ := strings.Cut(q.ID, "/")
	return name != "main" && name != "menu"
}
