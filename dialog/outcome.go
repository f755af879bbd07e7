package dialog

import "github.com/parleyhq/parley"

// An Outcome is what a handler made of a turn, reported with [Report] so
// that the component deciding on a hand-off (package escalation) reads
// typed outcomes instead of intercepting events or replies. A turn has at
// most one outcome: the last one reported.
type Outcome string

// Outcomes.
const (
	// Served: the turn was understood and answered (a question answered,
	// a flow step taken). The router reports it before dispatching, so a
	// handler reports only when it knows more.
	Served Outcome = "served"
	// NotUnderstood: the bot could not place the turn and asked to
	// clarify or showed the menu.
	NotUnderstood Outcome = "not_understood"
	// Unresolved: the bot understood but could not do what was asked (a
	// failed lookup, a refused action, a form given up on).
	Unresolved Outcome = "unresolved"
	// Resolved: the customer's request was completed.
	Resolved Outcome = "resolved"
	// Answered: the customer's question was answered with confidence (by
	// the help centre, say). It counts as a resolution of the
	// conversation so far (escalation starts its count of turns without
	// resolution afresh), but, unlike Resolved, does not close the
	// request: a complaint made in the same message is still offered a
	// person.
	Answered Outcome = "answered"
	// HandedOff: the conversation was handed to a person.
	HandedOff Outcome = "handed_off"
)

// Report records o as the outcome of t, replacing any outcome reported
// earlier in the same turn. It returns [ErrNoSession] if t has no session.
// The outcome lives until the end of the turn.
func Report(t *parley.Turn, o Outcome) error {
	s := t.Session()
	if s == nil {
		return ErrNoSession
	}
	st := loadTurnState(s)
	st.Outcome, st.OutcomeTurn = o, s.Turns
	return saveTurnState(s, st)
}

// TurnOutcome returns the outcome reported for t, if any. Middleware
// reads it after the handler returns.
func TurnOutcome(t *parley.Turn) (Outcome, bool) {
	s := t.Session()
	if s == nil {
		return "", false
	}
	st := loadTurnState(s)
	if st.Outcome == "" || st.OutcomeTurn != s.Turns {
		return "", false
	}
	return st.Outcome, true
}
