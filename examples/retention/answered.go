package main

import (
	"context"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbbot"
	"github.com/parleyhq/parley/nlu"
)

// answeredOutcome reports a confident help-centre answer as
// dialog.Answered: the customer's question is resolved, so escalation's
// count of turns without resolution starts afresh ("more than 8 turns
// without resolution" offered a person after nine answered questions).
// An answer the help centre was unsure of (it says kbbot.Specialist and
// offers a person or suggestions), a question asked this turn, or an
// outcome the answers reported themselves leave the outcome alone. A
// customer who rejects the answer ("that didn't help") starts the count
// again with that turn.
//
// A question the intents place outside what the shop does ("what's the
// weather like?") asked while a form waits for an answer gets a short
// "not something I can help with" and the form's question again (the
// router asks it): it got the help centre's "I'm not sure I have the
// right answer" and an offer of a person (QA9 F53).
func answeredOutcome(answers parley.Handler, idx kb.Retriever) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if outOfScopeAside(ctx, t, idx) {
			if err := dialog.Report(t, dialog.Served); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text(outOfScopeText))
		}
		sw := &specialistWatch{ReplyWriter: w}
		if err := answers.HandleTurn(ctx, sw, t); err != nil {
			return err
		}
		if sw.unsure || !sw.replied || dialog.AskedThisTurn(t) {
			return nil
		}
		if o, ok := dialog.TurnOutcome(t); ok && o != dialog.Served {
			return nil
		}
		return dialog.Report(t, dialog.Answered)
	})
}

// outOfScopeText answers a question outside what the shop does, asked
// in the middle of a form.
const outOfScopeText = "That's not something I can help with here, sorry."

// outOfScopeAside reports whether t is a question the intents placed out
// of scope, and the help centre cannot answer with confidence either,
// while a form's question (policy Resume, not the menu) is open.
func outOfScopeAside(ctx context.Context, t *parley.Turn, idx kb.Retriever) bool {
	q, open := dialog.OpenQuestion(t)
	u, ok := parley.Value(t, nlu.UnderstandingKey)
	if !open || q.Policy != dialog.Resume || isMenu(q) || !ok || u.Status != nlu.OutOfScope {
		return false
	}
	hits, err := idx.Retrieve(ctx, t.Text(), 1)
	return err == nil && (len(hits) == 0 || hits[0].Confidence < answersConfident) // faq.go
}

// specialistWatch notes whether the answers replied, and whether they
// said the help centre was unsure.
type specialistWatch struct {
	parley.ReplyWriter
	replied, unsure bool
}

func (s *specialistWatch) Reply(ctx context.Context, m parley.Message) error {
	s.replied = true
	s.unsure = s.unsure || strings.HasPrefix(m.Text, kbbot.Specialist)
	return s.ReplyWriter.Reply(ctx, m)
}

// Unwrap returns the writer s wraps, for typing indicators.
func (s *specialistWatch) Unwrap() parley.ReplyWriter { return s.ReplyWriter }
