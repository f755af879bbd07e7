package main

import (
	"context"
	"slices"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/nlu"
)

// Requests about one order that the intent model does not understand,
// though they name the order (by its number or its item) and say what
// to do with it: "refund the blanket" ("Did you mean: Return or refund /
// Check on a refund?"), "refund the lamp as well", "refund A-1001 again",
// "please cancel the blanket", "any news on the blanket?", "I moved, can
// you send the blanket to my new place" (QA13 G43, G44: "didn't quite
// get that", or "not something I can help with").

// requestFillers open a request without saying what it is, lower case
// without accents or punctuation, longest first where one starts another.
var requestFillers = []string{"please", "pls", "ok so", "ok", "okay", "so", "and", "also", "oh", "hi", "hello", "hey",
	"can you", "could you", "can u", "would you", "will you", "i want to", "i wanna", "i would like to", "id like to", "i need to", "i need you to",
	"i want you to", "can i", "could i", "i want", "i need", "just"}

// requestLeads are the words that start a request about an order, with
// the intent each asks for.
var requestLeads = []struct{ lead, intent string }{
	{"refund", "refund"}, {"return", "return_item"}, {"cancel", "cancel_order"},
	{"any news on", "track_order"}, {"any news about", "track_order"}, {"any news of", "track_order"}, {"news on", "track_order"},
	{"any update on", "track_order"}, {"any updates on", "track_order"}, {"an update on", "track_order"}, {"update on", "track_order"},
	{"status of", "track_order"}, {"track", "track_order"}, {"where is", "track_order"}, {"wheres", "track_order"},
}

// movedWords ask for an order to go somewhere else ("I moved, send the
// blanket to my new place").
var movedWords = []string{"i moved", "ive moved", "i have moved", "we moved", "new place", "new address", "new home", "new flat", "new house",
	"different address", "change where", "another address"}

// orderRequests reads a request about one order that the intent model
// did not understand as that request, when the message names the order
// and starts with what to do with it ("refund the blanket") or asks for
// it to go to a new address. A form's question, a command and an
// understood request are left alone.
func orderRequests(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		u, ok := parley.Value(t, nlu.UnderstandingKey)
		if !ok || u.Status == nlu.Understood && !slices.Contains([]string{"greeting", "oos"}, u.Intent.Name) || t.Signal != nil || !hasEntity(u, "order_id") {
			return next.HandleTurn(ctx, w, t)
		}
		if _, cmd := parley.Value(t, dialog.CommandKey); cmd {
			return next.HandleTurn(ctx, w, t)
		}
		if q, open := dialog.OpenQuestion(t); open && formQuestion(q) {
			return next.HandleTurn(ctx, w, t)
		}
		name := requestOf(t.Text())
		if name == "" {
			return next.HandleTurn(ctx, w, t)
		}
		u.Status, u.Intent, u.Then = nlu.Understood, nlu.Intent{Name: name, Confidence: 0.9}, nil
		return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
	})
}

// requestOf returns the intent of a request about an order that text
// makes, or "".
func requestOf(text string) string {
	low := " " + strings.Join(strings.Fields(foldAccents.Replace(strings.ToLower(strings.Map(func(r rune) rune {
		if strings.ContainsRune("?¿!¡.,;:'’", r) {
			if r == '\'' || r == '’' {
				return -1
			}
			return ' '
		}
		return r
	}, text)))), " ") + " "
	if saysAny(low, movedWords) {
		return "change_address"
	}
	for {
		cut := false
		for _, f := range requestFillers {
			if rest, ok := strings.CutPrefix(low, " "+f+" "); ok {
				low, cut = " "+rest, true
				break
			}
		}
		if !cut {
			break
		}
	}
	for _, l := range requestLeads {
		if strings.HasPrefix(low, " "+l.lead+" ") {
			return l.intent
		}
	}
	return ""
}
