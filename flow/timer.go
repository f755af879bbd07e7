package flow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/schedule"
)

// WithTimers makes the engine fire [Wait] timeouts through s: when a
// conversation starts waiting at a Wait with a Timeout, the engine
// schedules a job of kind [SignalTimer] (ID "flow.timer/" plus the
// conversation ID, so a later wait replaces it) due when the wait times
// out. Register [TimerHandler] for that kind on s and route the signal to
// the engine (intent.Router.HandleSignal(flow.SignalTimer, engine)):
// then the timeout runs at its time, as its own turn, instead of when
// the customer next writes. A timer that fires after the wait ended
// (the awaited signal came first) changes nothing.
func WithTimers(s *schedule.Scheduler) EngineOption { return func(e *Engine) { e.timers = s } }

// timerTurn is the address a timer job carries, to enqueue its turn.
type timerTurn struct {
	ConversationID string `json:"conversation"`
	CustomerID     string `json:"customer,omitempty"`
	Channel        string `json:"channel,omitempty"`
	Recipient      string `json:"recipient,omitempty"`
	Locale         string `json:"locale,omitempty"`
}

// scheduleTimer schedules the wake-up of t's conversation at due.
func (e *Engine) scheduleTimer(ctx context.Context, t *parley.Turn, due time.Time) error {
	p, err := json.Marshal(timerTurn{ConversationID: t.ConversationID, CustomerID: t.CustomerID,
		Channel: t.Channel, Recipient: t.Recipient, Locale: t.Locale})
	if err != nil {
		return fmt.Errorf("flow: timer: %w", err)
	}
	key := t.CustomerID
	if key == "" {
		key = t.ConversationID
	}
	err = e.timers.Schedule(ctx, schedule.Job{ID: "flow.timer/" + t.ConversationID, Kind: SignalTimer,
		Key: key, Due: due, Payload: p})
	if err != nil {
		return fmt.Errorf("flow: timer: %w", err)
	}
	return nil
}

// TimerHandler returns the [schedule.Handler] for jobs of kind
// [SignalTimer] (see [WithTimers]): it enqueues a turn carrying the
// signal on b, with the job's FireID as its MessageID, so that a timer
// fired twice (a replica died between enqueueing and recording) wakes
// the conversation once.
func TimerHandler(b *parley.Bot) schedule.Handler {
	return schedule.HandlerFunc(func(ctx context.Context, j *schedule.Job) error {
		var a timerTurn
		if err := json.Unmarshal(j.Payload, &a); err != nil {
			return fmt.Errorf("flow: timer %q: %w", j.ID, err)
		}
		err := b.Enqueue(ctx, &parley.Turn{ConversationID: a.ConversationID, CustomerID: a.CustomerID,
			Channel: a.Channel, Recipient: a.Recipient, Locale: a.Locale, MessageID: j.FireID(),
			Signal: &parley.Signal{Name: SignalTimer}})
		if errors.Is(err, parley.ErrDuplicate) {
			return nil // enqueued before, by a replica that died before recording it
		}
		return err
	})
}
