package escalation

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/nlu"
)

// This file is where the escalator meets the runtime's turn-taking: the
// global command a turn carries (intent.Commands annotates it), the
// outcome the rest of the bot reported for it ([dialog.Report]), and the
// conversation's one open question, of which an offer of a person is one.

// owner is the escalator's name as the owner of its questions.
const owner = "escalation"

// commandOf returns the global command of t: "cancel", "menu", "human",
// "stop", or "".
func commandOf(t *parley.Turn) string {
	c, _ := parley.Value(t, dialog.CommandKey)
	return string(c)
}

// report is what the rest of the bot made of a turn.
type report struct {
	// notUnderstood: the bot reported it could not place the turn
	// (and answered with a fallback); failed: it understood but could
	// not do what was asked; resolved: the customer's request was
	// completed; handedOff: the bot passed the request to a person
	// itself (a refund waiting for a teammate's approval); answered: a
	// question was answered (the help centre), which resolves the
	// conversation so far without ending the request.
	notUnderstood, failed, resolved, handedOff, answered bool
	// asked: the bot asked the customer something this turn, or left a
	// question of its own open.
	asked bool
}

// watch wraps the rest of the bot's writer to see whether it asks the
// customer to pick an answer, for handlers that do not open their
// questions with [dialog.Ask].
func watch(w parley.ReplyWriter) *askWatcher { return &askWatcher{next: w} }

// reportOf reads the outcome of turn t once the rest of the bot has run.
func reportOf(t *parley.Turn, aw *askWatcher) report {
	r := report{asked: aw.asked || dialog.AskedThisTurn(t) || questionOpen(t)}
	o, _ := dialog.TurnOutcome(t)
	r.notUnderstood, r.failed, r.resolved = o == dialog.NotUnderstood, o == dialog.Unresolved, o == dialog.Resolved
	r.handedOff, r.answered = o == dialog.HandedOff, o == dialog.Answered
	return r
}

// askOffer opens the offer of a person as the conversation's question. It
// reports false when the bot already asked something this turn: a turn
// asks at most one new question.
func askOffer(t *parley.Turn, m *Messages) (bool, error) {
	err := dialog.Ask(t, dialog.Question{ID: "offer", Owner: owner, Text: m.Offer,
		Options: []parley.QuickReply{{Title: m.Yes, Payload: "handoff:yes"}, {Title: m.No, Payload: "handoff:no"}}})
	switch {
	case errors.Is(err, dialog.ErrQuestionOpen):
		return false, nil
	case errors.Is(err, dialog.ErrNoSession):
		return true, nil // outside a Bot: nothing to record
	}
	return err == nil, err
}

// offersPerson reports whether the open question has a person among its
// choices: an option whose payload or title is the hand-off command
// ("human", "Talk to a person").
func offersPerson(t *parley.Turn) bool {
	q, ok := dialog.OpenQuestion(t)
	return ok && q.Owner != owner && slices.ContainsFunc(q.Options, isPerson)
}

// picksPerson reports whether t picks a person among the choices of the
// open question: by its number ("3"), its title or its payload.
func picksPerson(t *parley.Turn) bool {
	q, ok := dialog.OpenQuestion(t)
	if !ok || q.Owner == owner {
		return false
	}
	text := strings.TrimSpace(t.Text())
	for i, o := range q.Options {
		if isPerson(o) && (text == strconv.Itoa(i+1) || strings.EqualFold(text, o.Title) || o.Payload != "" && text == o.Payload) {
			return true
		}
	}
	return false
}

// isPerson reports whether o is a choice of a person: its payload or
// title is the hand-off command.
func isPerson(o parley.QuickReply) bool {
	for _, s := range []string{o.Payload, o.Title} {
		if c, ok := intent.ParseCommand(s); ok && c == dialog.CommandHuman {
			return true
		}
	}
	return false
}

// questionOpen reports whether a question other than the escalator's is
// open: its owner reads the next turn, and decides what a turn that does
// not answer it means.
func questionOpen(t *parley.Turn) bool {
	q, ok := dialog.OpenQuestion(t)
	return ok && q.Owner != owner
}

// closeOffer closes the offer if it is still the open question.
func closeOffer(t *parley.Turn) {
	if q, ok := dialog.OpenQuestion(t); ok && q.Owner == owner {
		dialog.CloseQuestion(t)
	}
}

// askWatcher passes replies on and records whether one of them asked the
// customer to pick an answer (it had quick replies), and how many there
// were. Optional capabilities are reached through Unwrap.
type askWatcher struct {
	next    parley.ReplyWriter
	asked   bool
	replies int
}

// Reply implements [parley.ReplyWriter].
func (a *askWatcher) Reply(ctx context.Context, m parley.Message) error {
	a.asked = a.asked || len(m.QuickReplies) > 0
	a.replies++
	return a.next.Reply(ctx, m)
}

// replied reports whether the rest of the bot has replied this turn
// through w, a writer the escalator's middleware gave it (possibly
// wrapped by writers that Unwrap). It reports false when it cannot tell.
func replied(w parley.ReplyWriter) bool {
	for w != nil {
		if a, ok := w.(*askWatcher); ok {
			return a.replies > 0
		}
		u, ok := w.(interface{ Unwrap() parley.ReplyWriter })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
	return false
}

// Unwrap returns the writer a wraps.
func (a *askWatcher) Unwrap() parley.ReplyWriter { return a.next }

// menuChoice returns the intent a turn picks from the router's open menu
// or clarifying question ("2", a title, or a tapped option, whose payload
// is the intent's name): the customer's request, which the classifier
// does not see in "2".
func menuChoice(t *parley.Turn) (nlu.Intent, bool) {
	q, ok := dialog.OpenQuestion(t)
	if !ok || q.Owner != intent.DefaultOwner {
		return nlu.Intent{}, false
	}
	s := waitFold(t.Text())
	for i, o := range q.Options {
		if o.Payload != "" && (s == waitFold(o.Payload) || s == waitFold(o.Title) || s == strconv.Itoa(i+1)) {
			return nlu.Intent{Name: o.Payload, Confidence: 1}, true
		}
	}
	return nlu.Intent{}, false
}
