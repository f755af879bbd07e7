package escalation

import (
	"context"
	"iter"

	"github.com/parleyhq/parley"
)

// This file is where the escalator meets the runtime's turn-taking: the
// global command a turn carries, the outcome the bot reported for it, and
// whether the bot asked the customer something this turn.

// commandOf returns the global command of t: "cancel", "menu", "human",
// "stop", or "".
func commandOf(t *parley.Turn) string {
	switch normalizeText(t.Text()) {
	case "cancel", "never mind", "nevermind":
		return "cancel"
	case "menu", "main menu", "start over", "restart":
		return "menu"
	case "human", "agent", "talk to a human", "a person", "talk to a person":
		return "human"
	case "stop", "unsubscribe":
		return "stop"
	}
	return ""
}

// report is what the rest of the bot made of a turn.
type report struct {
	// notUnderstood: the bot fell back (clarified or showed the menu).
	notUnderstood bool
	// asked: the bot asked the customer something with answers to pick.
	asked bool
}

// watch wraps the rest of the bot's writer and turn to learn its report.
func watch(w parley.ReplyWriter, t *parley.Turn) (*askWatcher, *parley.Turn, *report) {
	r := &report{}
	aw := &askWatcher{ReplyWriter: w, r: r}
	t2 := t.WithEmitter(func(ctx context.Context, ev parley.Event) {
		if ev.Kind == parley.EventFallback {
			r.notUnderstood = true
		}
		t.Emit(ctx, ev)
	})
	return aw, t2, r
}

// askWatcher passes replies on and records whether the last one asked the
// customer to pick an answer (it had quick replies). It keeps the
// optional capabilities of the writer it wraps.
type askWatcher struct {
	parley.ReplyWriter
	r *report
}

// Reply implements [parley.ReplyWriter].
func (a *askWatcher) Reply(ctx context.Context, m parley.Message) error {
	a.r.asked = len(m.QuickReplies) > 0
	return a.ReplyWriter.Reply(ctx, m)
}

// Typing implements [parley.Typer]; it does nothing if the wrapped writer
// cannot show typing.
func (a *askWatcher) Typing(ctx context.Context) error { return parley.Typing(ctx, a.ReplyWriter) }

// MarkRead implements [parley.ReadMarker]; it does nothing if the wrapped
// writer cannot mark messages read.
func (a *askWatcher) MarkRead(ctx context.Context, id string) error {
	if r, ok := a.ReplyWriter.(parley.ReadMarker); ok {
		return r.MarkRead(ctx, id)
	}
	return nil
}

// StreamReply implements [parley.Streamer] with [parley.Stream], which
// streams when the wrapped writer can and sends one message otherwise.
func (a *askWatcher) StreamReply(ctx context.Context, chunks iter.Seq2[string, error]) error {
	a.r.asked = false
	return parley.Stream(ctx, a.ReplyWriter, chunks)
}
