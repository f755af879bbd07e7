package dialog

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// Policy says what happens to an open [Question] when the next
// turn is not an answer to it: a global command, a new request, or a
// question of the customer's own.
type Policy string

// Question policies.
const (
	// Drop closes the question when the customer says something else.
	// Feedback questions, ratings and offers are dropped: the customer's
	// new request matters more than an answer to them.
	Drop Policy = "drop"
	// Resume keeps the question open through a digression (a question
	// answered in passing, a lookup) and has its owner ask it again
	// afterwards, as a form does. A digression that opens a question of
	// its own, or a global command other than [CommandStop], still
	// replaces it; but a question of another owner with policy Drop (an
	// offer of a person after an answer the help centre was unsure of)
	// only pauses it, and once that one is answered the router asks it
	// again (see [Unpause]).
	Resume Policy = "resume"
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
	Options []parley.QuickReply `json:"options,omitempty"`
	// Policy says what a turn that is not an answer does to the question
	// (default [Drop]).
	Policy Policy `json:"policy,omitempty"`
	// Intent is the intent of the request that asked the question, if
	// any. A question of the customer's about that same request ("how
	// much is the annual plan?" while choosing a plan) goes to the help
	// centre and the question is asked again, rather than the request
	// starting over.
	Intent string `json:"intent,omitempty"`
	// Data holds whatever the owner needs to read the answer.
	Data map[string]string `json:"data,omitempty"`
}

// Errors returned by [Ask] and [Report].
var (
	// ErrQuestionOpen is returned by [Ask] when a question was already
	// opened this turn: a turn asks at most one new question.
	ErrQuestionOpen = errors.New("dialog: a question was already asked this turn")
	// ErrNoSession is returned when a turn has no session to keep the
	// conversation's state in (a turn handled outside a [parley.Bot] and not
	// given one with [parley.Turn.WithSession]).
	ErrNoSession = errors.New("dialog: turn has no session")
	// ErrNotAnswer is returned by the owner of the open question, having
	// written nothing, for a turn that does not answer it (a new request,
	// a question of the customer's own). The router then routes the turn
	// as if no question were open, and drops or resumes the question by
	// its policy. Like [io.EOF], it is a signal, not a failure, and is
	// returned unwrapped.
	ErrNotAnswer = errors.New("dialog: not an answer to the open question")
)

// A Resumer is an owner of questions that can ask its open question
// again. After serving a digression, the router calls Resume for a
// question whose policy is [Resume] and that nothing replaced.
type Resumer interface {
	Resume(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, q Question) error
}

// A Dropper is an owner of questions that wants to know when the router
// drops its open question (the customer moved on, or gave a global
// command), to close what depended on it at once: a flow ends, and says
// so to analytics. Drop must not reply; the question is already closed.
type Dropper interface {
	Drop(ctx context.Context, t *parley.Turn, q Question) error
}

// stateKey is the session state of turn-taking. Its name predates this
// package and stays, so that stored sessions keep their open questions.
var stateKey = memory.NewStateKey[turnState]("parley.turn")

// turnState is the turn-taking state kept in the session. Turns are told
// apart by [memory.Session.Turns], which the Bot counts.
type turnState struct {
	Question *Question `json:"q,omitempty"`
	// Asked is the turn (Session.Turns) in which Question was opened.
	Asked int `json:"asked,omitempty"`
	// Outcome is what the turn OutcomeTurn reported.
	Outcome     Outcome `json:"outcome,omitempty"`
	OutcomeTurn int     `json:"oturn,omitempty"`
	// Paused is the question with policy Resume that a question of
	// another owner replaced; see [Unpause].
	Paused *Question `json:"paused,omitempty"`
}

// loadTurnState reads the turn-taking state. It is read several times a
// turn (the router, the flow, escalation), so it is peeked: decoded once
// and shared; callers replace Question, never change it in place. An
// unreadable record (which only a foreign writer could leave) is forgotten
// rather than trapping the conversation: no question is open.
func loadTurnState(s *memory.Session) turnState {
	st, _, err := stateKey.Peek(s)
	if err != nil {
		stateKey.Delete(s)
		return turnState{}
	}
	return st
}

func saveTurnState(s *memory.Session, st turnState) error {
	if st.Outcome != "" && st.OutcomeTurn != s.Turns {
		st.Outcome, st.OutcomeTurn = "", 0 // an earlier turn's: forget it
	}
	if st.Question == nil && st.Outcome == "" && st.Paused == nil {
		stateKey.Delete(s)
		return nil
	}
	return stateKey.Set(s, st)
}

// Ask opens q as the conversation's question, replacing any question left
// open by an earlier turn. It does not send anything: the caller sends
// the question's text, as it would anyway. It returns [ErrQuestionOpen]
// if a question was already opened this turn (the caller then does not
// ask), [ErrNoSession] if t has no session, and an error if q has no ID
// or Owner.
func Ask(t *parley.Turn, q Question) error {
	s := t.Session()
	if s == nil {
		return ErrNoSession
	}
	if q.ID == "" || q.Owner == "" {
		return fmt.Errorf("dialog: Ask: question %q of %q needs an ID and an Owner", q.ID, q.Owner)
	}
	st := loadTurnState(s)
	if st.Question != nil && st.Asked == s.Turns {
		return fmt.Errorf("%w (%s/%s is open)", ErrQuestionOpen, st.Question.Owner, st.Question.ID)
	}
	if q.Policy == "" {
		q.Policy = Drop
	}
	q.Options = slices.Clone(q.Options)
	q.Data = maps.Clone(q.Data)
	switch {
	case q.Policy == Resume:
		st.Paused = nil // a new form: the paused one is over
	case st.Question != nil && st.Question.Policy == Resume && st.Question.Owner != q.Owner:
		st.Paused = st.Question // an offer over a form: the form waits
	}
	st.Question, st.Asked = &q, s.Turns
	return saveTurnState(s, st)
}

// SignalResume is the signal a handler that answered a question outside
// the router (escalation, for a declined offer of a person) passes on to
// it, so that the router asks again the question the answered one paused
// (see [Unpause]).
const SignalResume = "dialog.resume"

// Unpause opens again the question with policy [Resume] that a question
// of another owner replaced, once no question is open: the router calls
// it when the replacing question was answered, then has the question's
// owner, a [Resumer], ask it again. The question counts as asked in an
// earlier turn, so its owner can [Ask] it this turn; an owner that has
// moved on since asks nothing, and the router closes it. Unpause reports
// false, changing nothing, when no question is paused or one is open.
func Unpause(t *parley.Turn) (Question, bool) {
	s := t.Session()
	if s == nil {
		return Question{}, false
	}
	st := loadTurnState(s)
	if st.Paused == nil || st.Question != nil {
		return Question{}, false
	}
	q := *st.Paused
	st.Question, st.Asked, st.Paused = st.Paused, 0, nil
	storeTurnState(s, st)
	q.Options = slices.Clone(q.Options)
	q.Data = maps.Clone(q.Data)
	return q, true
}

// Pause sets the open question aside when it has policy [Resume] (a
// form's question the form asked again this turn, after an answer it
// could not read), so that a question of another owner can be asked
// instead: [Unpause] opens it again once that one is answered, and a
// turn that answers neither still reaches its owner first. Escalation
// pauses a form this way when an offer of a person takes the place of
// the form's repeated question. It reports false, changing nothing, for a question of
// another policy or when none is open.
func Pause(t *parley.Turn) (Question, bool) {
	s := t.Session()
	if s == nil {
		return Question{}, false
	}
	st := loadTurnState(s)
	if st.Question == nil || st.Question.Policy != Resume {
		return Question{}, false
	}
	q := *st.Question
	st.Paused, st.Question, st.Asked = st.Question, nil, 0
	storeTurnState(s, st)
	q.Options = slices.Clone(q.Options)
	q.Data = maps.Clone(q.Data)
	return q, true
}

// OpenQuestion returns the conversation's open question, if any. It
// reports false for a turn without a session.
func OpenQuestion(t *parley.Turn) (Question, bool) {
	s := t.Session()
	if s == nil {
		return Question{}, false
	}
	st := loadTurnState(s)
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
func AskedThisTurn(t *parley.Turn) bool {
	s := t.Session()
	if s == nil {
		return false
	}
	st := loadTurnState(s)
	return st.Question != nil && st.Asked == s.Turns
}

// CloseQuestion closes the open question, if any: it was answered, or
// dropped by its policy. A turn that closes a question may open a new one
// with [Ask].
func CloseQuestion(t *parley.Turn) {
	s := t.Session()
	if s == nil {
		return
	}
	st := loadTurnState(s)
	if st.Question == nil {
		return
	}
	st.Question, st.Asked = nil, 0
	storeTurnState(s, st)
}

// storeTurnState is saveTurnState for callers that cannot fail: a
// turnState holds only strings, ints and string maps, which always encode.
func storeTurnState(s *memory.Session, st turnState) {
	if err := saveTurnState(s, st); err != nil {
		panic(err) // unreachable: see above
	}
}
