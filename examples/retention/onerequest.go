package main

import (
	"context"
	"slices"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// Two requests at once. The router serves the requests of one message
// in turn while none asks a question; the first that asks leaves the
// others unserved, and nothing comes back to them ("where is my blanket
// and can I get a refund on the shirt?": neither the blanket found, as
// the message named two items, nor the refund ever mentioned; QA13 G2).
// A form interrupted by another form is dropped by the engine once the
// new one asks more than one question, also without a word (G21:
// "refund A-1001", then "change the address for the blanket": the
// refund was never mentioned again).
//
// Here each request of a two-request message is served with its own
// words; one that has to wait is named ("Once this is done, I'll come
// back to ...") and started as soon as the one in progress is done. A
// form dropped for another form is named the same way and started again,
// about the same order, when the other is done.

// laterRequest is a request waiting for the one in progress: the words
// it was made with, its intent and entities.
type laterRequest struct {
	Text     string        `json:"text"`
	Intent   string        `json:"intent"`
	Entities []nlu.Entity  `json:"entities,omitempty"`
	Title    string        `json:"title,omitempty"` // a dropped form: "refund"
	Held     *heldFormNote `json:"held,omitempty"`  // a form set aside, not yet dropped
}

// heldFormNote is a form the engine set aside for another request, and
// the order it was about.
type heldFormNote struct {
	Flow  string `json:"flow"`
	Order string `json:"order,omitempty"`
}

// laterKey holds the request waiting for the one in progress.
var laterKey = memory.NewStateKey[laterRequest]("example.later_request")

// moreComingKey marks a turn whose message has another request still to
// serve: the first one does not ask "Was this helpful?" (moreRequests).
var moreComingKey = parley.NewKey[bool]("example.more_coming")

// formIntents are the forms about one order that are started again when
// another form dropped them, with the intent that starts each and what
// the customer is told it is.
var formIntents = map[string]struct{ intent, title string }{
	"refund": {"refund", "your refund"}, "address": {"change_address", "your address change"},
	"cancel_order": {"cancel_order", "cancelling your order"}, "order_status": {"track_order", "your order"},
}

// oneRequestAtATime serves the requests about orders of a message one
// at a time and comes back to those that have to wait (see above); other
// pairs (a greeting and a request) are the router's. It goes right
// before the router.
func oneRequestAtATime(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		s := t.Session()
		if s == nil || t.Signal != nil {
			return next.HandleTurn(ctx, w, t)
		}
		later, _, _ := laterKey.Get(s)
		if c, cmd := parley.Value(t, dialog.CommandKey); cmd {
			if err := next.HandleTurn(ctx, w, t); err != nil {
				return err
			}
			if later.Intent != "" && c == dialog.CommandCancel {
				_ = laterKey.Set(s, laterRequest{}) // encodes
				return w.Reply(ctx, parley.Text(droppedLaterText(later)))
			}
			return nil
		}
		before, _ := flow.SnapshotOf(s)
		lastBefore, _, _ := lastOrderKey.Get(s)
		if u, ok := parley.Value(t, nlu.UnderstandingKey); ok && !formAsking(t) {
			if segs := intent.Split(t.Text()); u.Status == nlu.Understood && len(u.Then) == 1 && len(segs) >= 2 && orderIntents[u.Intent.Name] && orderIntents[u.Then[0].Name] {
				return servePair(ctx, w, t, next, u, segs[1].Start)
			}
			if first, second, split := twoRequests(t.Text()); split > 0 {
				u.Status, u.Intent, u.Then = nlu.Understood, nlu.Intent{Name: first, Confidence: 0.9}, []nlu.Intent{{Name: second, Confidence: 0.9}}
				return servePair(ctx, w, t, next, u, split)
			}
		}
		if later.Intent != "" || later.Held != nil {
			t = parley.With(t, moreComingKey, true) // no "Was this helpful?" before the request that waits
		}
		if err := next.HandleTurn(ctx, w, t); err != nil {
			return err
		}
		return comeBack(ctx, w, t, next, before, lastBefore)
	})
}

// formAsking reports whether a form's question is open.
func formAsking(t *parley.Turn) bool {
	q, open := dialog.OpenQuestion(t)
	return open && formQuestion(q)
}

// servePair serves a message of two requests, the second starting at
// byte split: the first with its own words; the second at once if the
// first asked nothing, else once the first is done.
func servePair(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, next parley.Handler, u nlu.Understanding, split int) error {
	text := t.Text()
	first, rest := u, nlu.Understanding{Status: nlu.Understood, Intent: u.Then[0], Locale: u.Locale}
	first.Then, first.Entities = nil, nil
	for _, e := range u.Entities {
		switch {
		case e.Start < 0 || e.End <= e.Start:
			first.Entities = append(first.Entities, e)
			rest.Entities = append(rest.Entities, e)
		case e.Start < split:
			first.Entities = append(first.Entities, e)
		default:
			e.Start, e.End = e.Start-split, e.End-split
			rest.Entities = append(rest.Entities, e)
		}
	}
	t1 := *t
	t1.Message.Text = strings.TrimSpace(text[:split])
	if err := next.HandleTurn(ctx, w, parley.With(parley.With(&t1, nlu.UnderstandingKey, first), moreComingKey, true)); err != nil {
		return err
	}
	later := laterRequest{Text: strings.TrimSpace(text[split:]), Intent: rest.Intent.Name, Entities: rest.Entities}
	if formAsking(t) {
		if err := laterKey.Set(t.Session(), later); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text(`Once this is done, I'll come back to your other request: "`+later.Text+`".`))
	}
	return serveLater(ctx, w, t, next, later, false)
}

// serveLater serves a request that waited, with its own words; intro
// says that it is the other request coming back.
func serveLater(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, next parley.Handler, later laterRequest, intro bool) error {
	if err := laterKey.Set(t.Session(), laterRequest{}); err != nil {
		return err
	}
	if intro {
		text := `Now your other request: "` + later.Text + `".`
		if later.Title != "" {
			text = "Now back to " + later.Title + "."
		}
		if err := w.Reply(ctx, parley.Text(text)); err != nil {
			return err
		}
	}
	dialog.CloseQuestion(t) // "Was this helpful?" of the request before: this one is the answer
	u := nlu.Understanding{Status: nlu.Understood, Intent: nlu.Intent{Name: later.Intent, Confidence: 1}, Entities: slices.Clone(later.Entities), Locale: t.Locale}
	t2 := *t
	t2.Message.Text = later.Text
	return next.HandleTurn(ctx, w, parley.With(&t2, nlu.UnderstandingKey, u))
}

// comeBack, after a turn, notes a form the engine set aside for another
// request; names it, to be started again, when the engine drops it for
// that request; and starts the waiting request once nothing else asks.
func comeBack(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, next parley.Handler, before flow.Snapshot, lastBefore string) error {
	s := t.Session()
	after, err := flow.SnapshotOf(s)
	if err != nil {
		return nil
	}
	later, _, _ := laterKey.Get(s)
	switch {
	case later.Held != nil && after.Held == "" && after.Flow != "" && after.Flow != later.Held.Flow && formAsking(t):
		// The set-aside form is dropped: the other goes on.
		f := formIntents[later.Held.Flow]
		later = laterRequest{Text: later.Held.Order, Intent: f.intent, Title: f.title}
		if later.Text != "" {
			later.Entities = []nlu.Entity{{Type: "order_id", Text: later.Text, Value: later.Text, Start: -1, End: -1, Confidence: 1}}
		}
		if err := laterKey.Set(s, later); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text("Once this is done, I'll come back to "+f.title+"."))
	case later.Held != nil && after.Held == "":
		return laterKey.Set(s, laterRequest{}) // asked again, or ended
	case before.Held == "" && after.Held != "" && later.Intent == "":
		if _, ok := formIntents[after.Held]; ok {
			return laterKey.Set(s, laterRequest{Held: &heldFormNote{Flow: after.Held, Order: lastBefore}})
		}
	case later.Intent != "" && later.Held == nil && !formAsking(t) && !escalationAsking(t):
		return serveLater(ctx, w, t, next, later, true)
	}
	return nil
}

// escalationAsking reports whether the open question is not the flows'
// (an offer of a person): the waiting request waits for its answer.
func escalationAsking(t *parley.Turn) bool {
	q, open := dialog.OpenQuestion(t)
	return open && q.Owner != flow.DefaultOwner
}

// droppedLaterText tells a customer who cancelled that the request that
// waited is dropped too.
func droppedLaterText(later laterRequest) string {
	if later.Title != "" {
		return "I've dropped " + later.Title + " too; just ask again if you still want it."
	}
	return `I've dropped your other request too ("` + later.Text + `"); just ask again if you still want it.`
}

// requestWords tell the request a clause of a message makes, by intent,
// lower case without accents; the first that fits wins.
var requestWords = []struct {
	intent string
	words  []string
}{
	{"change_address", []string{"change my address", "change the address", "change my delivery address", "new address", "cambiar la direccion", "cambiar mi direccion"}},
	{"cancel_order", []string{"cancel my order", "cancel the order", "cancel order", "cancelar mi pedido", "cancelar el pedido"}},
	{"refund", []string{"refund", "money back", "reembolso", "reembolsar", "devolver", "devolucion"}},
	{"track_order", []string{"where is", "wheres", "track", "status of", "donde esta", "donde estan"}},
}

// andWords join two requests in one message.
var andWords = []string{" and also ", " and then ", " and ", " also ", " y tambien ", " y ademas ", " y "}

// twoRequests finds two requests about orders joined in one message
// ("where is my blanket and can I get a refund on the shirt?", "track my
// order and also I need to change my address", "dónde está la manta y
// quiero devolver la camisa"), which the intent model reads as one: their
// intents, and the byte where the second starts; 0 when it is not two.
func twoRequests(text string) (string, string, int) {
	if len(text) > 200 {
		return "", "", 0
	}
	low := strings.ToLower(text)
	for _, and := range andWords {
		i := strings.Index(low, and)
		if i <= 0 {
			continue
		}
		first, second := requestIn(text[:i]), requestIn(text[i+len(and):])
		if first != "" && second != "" && first != second {
			return first, second, i + len(and)
		}
		return "", "", 0
	}
	return "", "", 0
}

// requestIn returns the intent of the request a clause makes, or "".
func requestIn(clause string) string {
	c := " " + strings.Join(strings.Fields(foldAccents.Replace(strings.ToLower(strings.NewReplacer("?", " ", "¿", " ", "!", " ", ",", " ", "'", "").Replace(clause)))), " ") + " "
	for _, r := range requestWords {
		for _, w := range r.words {
			if strings.Contains(c, " "+w+" ") {
				return r.intent
			}
		}
	}
	return ""
}
