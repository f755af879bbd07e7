package main

import (
	"context"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/kb/kbbot"
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
func answeredOutcome(answers parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
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
