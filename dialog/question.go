package parley

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/parleyhq/parley/memory"
)

// This file holds turn-taking: the one open question of a conversation.
//
// A flow's ask, a choice, a confirmation, a clarification, the feedback
// question, a rating and an offer of a person are all one concept: an open
// question with the answers it accepts and a policy for anything else. The
// conversation has at most one at a time, and at most one new question is
// asked per turn, so offers are never stacked on another question. The
// router (package intent) gives the next turn to the question's owner
// first; a turn that is not an answer is routed normally and the question
// is dropped or resumed by its [QuestionPolicy].

// QuestionPolicy says what happens to an open [Question] when the next
// turn is not an answer to it: a global command, a new request, or a
// question of the customer's own.
type QuestionPolicy string

// Question policies.
const (
	// Drop closes the question when the customer says something else.
	// Feedback questions, ratings and offers are dropped: the customer's
	// new request matters more than an answer to them.
	Drop QuestionPolicy = "drop"
	// Resume keeps the question open through a digression (a question
	// answered in passing, a lookup) and has its owner ask it again
	// afterwards, as a form does. A digression that opens a question of
	// its own, or a global command, still replaces it.
	Resume QuestionPolicy = "resume"
)

// A Question is the open question of a conversation: what the bot asked
// and who reads the answer. Open one with [Ask]; it stays open across
// turns, in the session, until [CloseQuestion] or another Ask replaces it.
type Question struct {
	// ID identifies the question within its owner, for example
	// "refund/amount". Required.
	ID string `json:"id"`
	// Owner is the name of the handler mounted on the router
	// (intent.Router) that reads the answer. Required.
	Owner string `json:"owner"`
	// Text is the question as asked, for transcripts, agents' summaries
	// and re-asking.
	Text string `json:"text,omitempty"`
	// Options are the accepted answers of a choice or yes/no question;
	// empty for free text.
	Options []QuickReply `json:"options,omitempty"`
	// Policy says what a turn that is not an answer does to the question
	// (default [Drop]).
	Policy QuestionPolicy `json:"policy,omitempty"`
	// Data holds whatever the owner needs to read the answer.
	Data map[string]string `json:"data,omitempty"`
}

// Errors returned by [Ask] and [Report].
var (
	// ErrQuestionOpen is returned by [Ask] when a question was already
	// opened this turn: a turn asks at most one new question.
	ErrQuestionOpen = errors.New("parley: a question was already asked this turn")
	// ErrNoSession is returned when a turn has no session to keep the
	// conversation's state in (a turn handled outside a [Bot] and not
	// given one with [Turn.WithSession]).
	ErrNoSession = errors.New("parley: turn has no session")
	// ErrNotAnswer is returned by the owner of the open question, having
	// written nothing, for a turn that does not answer it (a new request,
	// a question of the customer's own). The router then routes the turn
	// as if no question were open, and drops or resumes the question by
	// its policy. Like [io.EOF], it is a signal, not a failure, and is
	// returned unwrapped.
	ErrNotAnswer = errors.New("parley: not an answer to the open question")
)

// A Resumer is an owner of questions that can ask its open question
// again. After serving a digression, the router calls Resume for a
// question whose policy is [Resume] and that nothing replaced.
type Resumer interface {
	Resume(ctx context.Context, w ReplyWriter, t *Turn, q Question) error
}

// A Dropper is an owner of questions that wants to know when the router
// drops its open question (the customer moved on, or gave a global
// command), to close what depended on it at once: a flow ends, and says
// so to analytics. Drop must not reply; the question is already closed.
type Dropper interface {
	Drop(ctx context.Context, t *Turn, q Question) error
}

// turnStateName is the session state name of the turn-taking state.
const turnStateName = "parley.turn"

// turnState is the turn-taking state kept in the session. Turns are told
// apart by [memory.Session.Turns], which the Bot counts.
type turnState struct {
	Question *Question `json:"q,omitempty"`
	// Asked is the turn (Session.Turns) in which Question was opened.
	Asked int `json:"asked,omitempty"`
	// Outcome is what the turn OutcomeTurn reported.
	Outcome     Outcome `json:"outcome,omitempty"`
	OutcomeTurn int     `json:"oturn,omitempty"`
}

// loadTurnState reads the turn-taking state. An unreadable record (which
// only a foreign writer could leave) is forgotten rather than trapping
// the conversation: no question is open.
func loadTurnState(t *Turn, s *memory.Session) turnState {
	raw := s.State[turnStateName]
	if len(raw) == 0 {
		return turnState{}
	}
	if c := t.ts; c != nil && sameBytes(c.raw, raw) {
		return c.st // callers replace Question, never change it in place
	}
	st, _, err := memory.GetState[turnState](s, turnStateName)
	if err != nil {
		memory.DeleteState(s, turnStateName)
		return turnState{}
	}
	if t.ts != nil {
		t.ts.raw, t.ts.st = raw, st
	}
	return st
}

func saveTurnState(t *Turn, s *memory.Session, st turnState) error {
	if st.Outcome != "" && st.OutcomeTurn != s.Turns {
		st.Outcome, st.OutcomeTurn = "", 0 // an earlier turn's: forget it
	}
	if st.Question == nil && st.Outcome == "" {
		memory.DeleteState(s, turnStateName)
		return nil
	}
	if err := memory.SetState(s, turnStateName, st); err != nil {
		return err
	}
	if t.ts != nil {
		t.ts.raw, t.ts.st = s.State[turnStateName], st
	}
	return nil
}

// A turnCache keeps the turn-taking state a turn last decoded or encoded,
// with the session bytes it matches: the state is read several times a
// turn (the router, the flow, escalation), and decoding it each time was
// about a third of a turn's CPU. The Bot gives each turn one.
type turnCache struct {
	raw []byte
	st  turnState
}

// sameBytes reports whether a and b are the same slice (not merely equal
// bytes): any write of the state replaces the slice.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}

// Ask opens q as the conversation's question, replacing any question left
// open by an earlier turn. It does not send anything: the caller sends
// the question's text, as it would anyway. It returns [ErrQuestionOpen]
// if a question was already opened this turn (the caller then does not
// ask), [ErrNoSession] if t has no session, and an error if q has no ID
// or Owner.
func Ask(t *Turn, q Question) error {
	s := t.Session()
	if s == nil {
		return ErrNoSession
	}
	if q.ID == "" || q.Owner == "" {
		return fmt.Errorf("parley: Ask: question %q of %q needs an ID and an Owner", q.ID, q.Owner)
	}
	st := loadTurnState(t, s)
	if st.Question != nil && st.Asked == s.Turns {
		return fmt.Errorf("%w (%s/%s is open)", ErrQuestionOpen, st.Question.Owner, st.Question.ID)
	}
	if q.Policy == "" {
		q.Policy = Drop
	}
	q.Options = slices.Clone(q.Options)
	q.Data = maps.Clone(q.Data)
	st.Question, st.Asked = &q, s.Turns
	return saveTurnState(t, s, st)
}

// OpenQuestion returns the conversation's open question, if any. It
// reports false for a turn without a session.
func OpenQuestion(t *Turn) (Question, bool) {
	s := t.Session()
	if s == nil {
		return Question{}, false
	}
	st := loadTurnState(t, s)
	if st.Question == nil {
		return Question{}, false
	}
	q := *st.Question
	q.Options = slices.Clone(q.Options)
	q.Data = maps.Clone(q.Data)
	return q, true
}

// AskedThisTurn reports whether the open question was opened by this
// turn, so another [Ask] would fail with [ErrQuestionOpen].
func AskedThisTurn(t *Turn) bool {
	s := t.Session()
	if s == nil {
		return false
	}
	st := loadTurnState(t, s)
	return st.Question != nil && st.Asked == s.Turns
}

// CloseQuestion closes the open question, if any: it was answered, or
// dropped by its policy. A turn that closes a question may open a new one
// with [Ask].
func CloseQuestion(t *Turn) {
	s := t.Session()
	if s == nil {
		return
	}
	st := loadTurnState(t, s)
	if st.Question == nil {
		return
	}
	st.Question, st.Asked = nil, 0
	storeTurnState(t, s, st)
}

// storeTurnState is saveTurnState for callers that cannot fail: a
// turnState holds only strings, ints and string maps, which always encode.
func storeTurnState(t *Turn, s *memory.Session, st turnState) {
	if err := saveTurnState(t, s, st); err != nil {
		panic(err) // unreachable: see above
	}
}
