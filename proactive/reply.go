package proactive

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/schedule"
)

// exitDeclined starts the Detail of a [ReasonExited] suppression for a
// run the customer declined ([Engine.Decline]): the run ends there, and
// the steps it had left are never sent. Step is the message declined;
// the Detail goes on to quote the customer and name the first step left
// unsent, if any: `declined "not now"; ended before day-3`.
const exitDeclined = "declined"

// A Message is the latest campaign message sent in a conversation, as
// [LastMessage] reports it to the handlers of the customer's next turns:
// enough to explain it ("why did you message me?") or to take a "no
// thanks" as an answer to it.
type Message struct {
	// Campaign and Step name the message's campaign and step.
	Campaign string
	Step     string
	// Reason is the step's or the campaign's Reason, rendered for the
	// customer when the message was sent ("you left the Trail Runner 2
	// in your cart"); empty if the campaign states none.
	Reason string
	// OfferCode and OfferExpires are the step's offer ({{offer.code}} and
	// {{offer.expires}}, written in the language of the turn read, else
	// as the message wrote it); empty for a step without one.
	OfferCode    string
	OfferExpires string
	// Event holds the attributes of the event that started the run
	// ({{event.NAME}}: the cart's "checkout_url"), not to be modified.
	Event map[string]string
	// Sent is when the message was sent.
	Sent time.Time
	// InWindow reports whether the turn came within the reply window (48 hours) of
	// Sent: the customer's message is a reply to this one.
	InWindow bool
	// Declined reports whether the customer already declined it.
	Declined bool
}

// LastMessage returns the latest campaign message sent in t's
// conversation, and false if there is none (or t has no session). Call
// it from a handler behind [Middleware]: during the customer's turn,
// [Message.InWindow] tells whether the turn is a reply to it.
func LastMessage(t *parley.Turn) (Message, bool) {
	s := t.Session()
	if s == nil {
		return Message{}, false
	}
	last, ok, err := lastKey.Get(s)
	if err != nil || !ok || last.Campaign == "" {
		return Message{}, false
	}
	return messageOf(t, last), true
}

func messageOf(t *parley.Turn, last lastCampaign) Message {
	at := t.Time
	if at.IsZero() {
		at = time.Now()
	}
	expires := last.Expires
	if !last.ExpiresAt.IsZero() && t.Locale != "" {
		expires = offerTime(last.ExpiresAt, t.Locale) // in the reply's language
	}
	return Message{Campaign: last.Campaign, Step: last.Step, Reason: last.Reason, OfferCode: last.Code,
		OfferExpires: expires, Sent: last.Sent, InWindow: !at.Before(last.Sent) && at.Sub(last.Sent) <= replyWindow,
		Declined: last.Declined, Event: last.Attrs}
}

// Decline takes the customer's turn t as a "no thanks" to the
// conversation's latest campaign message, if t is within its reply
// window and it was not declined already: it ends that campaign's run
// for the customer (its remaining steps are never sent), records a
// [ReasonExited] suppression (Detail "declined ...") ([Engine.Suppressed]; its Step is the
// message declined, its Detail the customer's words) and reports an
// [EventSuppressed] with the same reason and detail. It returns the message declined and true, or false
// if there was nothing to decline; a retried turn records it once.
// Recognising a decline ("no thanks", "not now") is the caller's: STOP,
// an opt-out of every marketing message, is [Engine.OptOut]'s.
func (e *Engine) Decline(ctx context.Context, t *parley.Turn) (Message, bool, error) {
	s := t.Session()
	if s == nil || t.CustomerID == "" {
		return Message{}, false, nil
	}
	last, ok, err := lastKey.Get(s)
	if err != nil || !ok || last.Campaign == "" {
		return Message{}, false, nil
	}
	m := messageOf(t, last)
	c := e.campaigns[last.Campaign]
	if !m.InWindow || m.Declined || c == nil {
		return m, false, nil
	}
	var ended bool
	var run *runState
	err = e.updateRun(ctx, t.CustomerID, c.Name, func(r *runState) (*runState, bool, error) {
		ended, run = false, r
		if r == nil || r.Run != last.Run || r.Done {
			return nil, false, nil
		}
		r.Done, r.Outcome, ended = true, exitDeclined, true
		return r, true, nil
	})
	if err != nil {
		return m, false, err
	}
	detail := fmt.Sprintf("%s %q", exitDeclined, t.Text())
	if ended && run.Next < len(c.Steps) {
		detail += "; ended before " + c.Steps[run.Next].ID
	}
	if ended {
		if err := e.sched.Cancel(ctx, jobID(t.CustomerID, c.Name)); err != nil && !errors.Is(err, schedule.ErrNotFound) {
			return m, false, fmt.Errorf("proactive: cancel step: %w", err)
		}
	}
	runID := last.Run
	if runID == "" {
		runID = "declined/" + last.Campaign + "/" + last.Sent.UTC().Format(time.RFC3339Nano)
	}
	if err := e.appendLog(ctx, runID, Suppression{Time: time.Now(), CustomerID: t.CustomerID, Campaign: c.Name,
		Step: last.Step, Channel: t.Channel, Reason: ReasonExited, Detail: detail}); err != nil {
		return m, false, err
	}
	last.Declined = true
	// A failure here only lets a second "no" decline again, which the
	// log records once.
	_ = lastKey.Set(s, last)
	t.Emit(ctx, parley.Event{Kind: EventSuppressed, Attrs: map[string]string{"campaign": c.Name, "step": last.Step,
		"customer": t.CustomerID, "goal": c.Goal, "reason": string(ReasonExited), "detail": detail}})
	m.Declined = true
	return m, true, nil
}
