package parley

import (
	"context"
	"fmt"
	"runtime/debug"
)

// AfterTurn arranges for f to run once the Bot has committed the turn t
// belongs to: its session saved, its replies delivered (for a turn
// accepted by [Bot.Enqueue], sent from the outbox and the turn removed
// from the inbox) and its [EventTurn] reported. Work that must not be
// undone by the end of its own turn goes there: a handler that erases the
// customer's data inside the turn would have the Bot write the session
// back when the turn ends, so it erases after the turn instead:
//
//	parley.AfterTurn(t, func(ctx context.Context) error {
//		return eraser.Erase(ctx, t.CustomerID)
//	})
//
// Functions run in the order they were registered, on the turn's
// goroutine, before the conversation's next turn on this Bot, with a
// context that outlives the turn's (not cancelled with it) and has the
// turn timeout ([WithTurnTimeout]). An error or panic of f is reported
// to the Observer as an [EventTurnError] (a [*PanicError] for a panic);
// the turn's replies are already out. If the turn fails (the handler
// returns an error or panics, or the session cannot be saved), f does not
// run: its work is discarded with the turn's changes. If the reply cannot
// be delivered yet, f waits until it is. f runs at most once: a crash
// after the commit and before f loses it, so work that must survive one
// records itself durably first (a scheduled job) and f only hastens it.
//
// AfterTurn must be called while the turn runs, from its handler. It
// reports whether f will run: false for a turn not run by a Bot (one from
// parleytest.NewTurn, or a custom runtime's), whose caller then does the
// work itself or refuses it.
func AfterTurn(t *Turn, f func(ctx context.Context) error) bool {
	if t == nil || t.run == nil || f == nil {
		return false
	}
	if t.run.after == nil {
		t.run.after = new([]func(context.Context) error)
	}
	*t.run.after = append(*t.run.after, f)
	return true
}

// runAfter runs the after-turn functions of turn t, reporting failures.
func (b *Bot) runAfter(ctx context.Context, t *Turn, after []func(context.Context) error) {
	if len(after) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.timeout)
	defer cancel()
	for _, f := range after {
		if err := callAfter(ctx, f); err != nil {
			b.emit(ctx, eventFor(EventTurnError, t, err))
		}
	}
}

func callAfter(ctx context.Context, f func(context.Context) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	if err := f(ctx); err != nil {
		return fmt.Errorf("parley: after turn: %w", err)
	}
	return nil
}

// deferAfter keeps the after-turn functions of conv's turn whose replies
// could not be delivered yet, for the drain that delivers them. Drains
// of one conversation never run at once, so a load and a store do not
// race.
func (b *Bot) deferAfter(conv string, after []func(context.Context) error) {
	if len(after) == 0 {
		return
	}
	if due, ok := b.afterDue.Load(conv); ok {
		after = append(due.([]func(context.Context) error), after...)
	}
	b.afterDue.Store(conv, after)
}

// dueAfter returns the functions deferAfter kept for conv, then after.
// With nothing kept it takes no lock.
func (b *Bot) dueAfter(conv string, after []func(context.Context) error) []func(context.Context) error {
	due, ok := b.afterDue.LoadAndDelete(conv)
	if !ok {
		return after
	}
	return append(due.([]func(context.Context) error), after...)
}
