package main

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/nlu"
)

// Answers to the refund's amount question that say more than the amount.
// "39, it was too small" gives the amount and the reason: the intent
// model read the reason as a plan complaint, and the engine took the
// whole message for a new request (QA13 G29: the plan-renewal form
// opened and the refund was dropped). "I paid 129 but 20 of that was
// shipping so refund the rest" asks for the difference: the amount
// question read the first number, $129 (G40).

// amountQuestions are the refund form's amount questions.
var amountQuestions = map[string]bool{"refund/amount": true, "refund/reamount": true}

// restWords ask for what is left once one amount is taken from another,
// lower case without accents.
var restWords = []string{"the rest", "the remainder", "the difference", "whats left", "what is left", "minus", "less the", "except the", "apart from the",
	"other than the", "without the", "el resto", "lo demas", "lo que queda", "la diferencia", "menos", "excepto", "sin el", "sin los"}

// amountAnswers reads an answer to the refund's amount question that
// opens with the amount ("39, it was too small", "$20 - it flickers") as
// that amount, whatever the intent model made of the reason after it;
// a request about an order or a person keeps its intent. An answer that
// gives two amounts and asks for the rest ("I paid 129 but 20 was
// shipping, refund the rest") is the difference.
func amountAnswers(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		q, open := dialog.OpenQuestion(t)
		u, ok := parley.Value(t, nlu.UnderstandingKey)
		if !open || !ok || q.Owner != flow.DefaultOwner || !amountQuestions[q.ID] {
			return next.HandleTurn(ctx, w, t)
		}
		text := t.Text()
		amounts := amountsIn(u, text)
		switch {
		case len(amounts) == 2 && amounts[0] > amounts[1] && saysAny(unpunctuated(strings.ReplaceAll(text, "'", "")), restWords):
			rest := strconv.FormatFloat(amounts[0]-amounts[1], 'f', -1, 64)
			u.Entities = slices.DeleteFunc(slices.Clone(u.Entities), func(e nlu.Entity) bool { return e.Type == "money" || e.Type == "number" })
			u.Entities = append(u.Entities, nlu.Entity{Type: "money", Value: rest + " USD", Text: rest, Start: -1, End: -1, Confidence: 1})
		case len(amounts) >= 1 && opensWithAmount(u, text):
		default:
			return next.HandleTurn(ctx, w, t)
		}
		if u.Status == nlu.Understood && (orderIntents[u.Intent.Name] || keepsIntent[u.Intent.Name]) {
			return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u)) // "20, and where is my blanket?"
		}
		// The reason is no request: the form takes the amount.
		u.Status, u.Intent, u.Then = nlu.Unsure, nlu.Intent{}, nil
		return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
	})
}

// amountsIn returns the amounts a message gives, in the order written:
// its money and its plain numbers, not those inside an order number, a
// number and the money it is part of counted once.
func amountsIn(u nlu.Understanding, text string) []float64 {
	var out []float64
	var spans [][2]int
	for _, typ := range []string{"money", "number"} {
		for _, e := range u.Entities {
			if e.Type != typ || e.Start < 0 || e.End > len(text) || partOfOrder(u.Entities, e) {
				continue
			}
			if slices.ContainsFunc(spans, func(s [2]int) bool { return e.Start < s[1] && e.End > s[0] }) {
				continue
			}
			f, _, _ := strings.Cut(e.Value, " ")
			v, err := strconv.ParseFloat(f, 64)
			if err != nil || v <= 0 {
				continue
			}
			spans = append(spans, [2]int{e.Start, e.End})
			out = append(out, v)
		}
	}
	// In the order written.
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return spans[a][0] - spans[b][0] })
	sorted := make([]float64, len(out))
	for i, j := range idx {
		sorted[i] = out[j]
	}
	return sorted
}

// opensWithAmount reports whether text starts with an amount, maybe
// after a currency sign: "39, it was too small", "$39 because it didn't
// fit".
func opensWithAmount(u nlu.Understanding, text string) bool {
	lead := len(text) - len(strings.TrimLeft(text, " $€£"))
	for _, e := range u.Entities {
		if (e.Type == "money" || e.Type == "number") && e.Start >= 0 && e.Start <= lead {
			return true
		}
	}
	return false
}
