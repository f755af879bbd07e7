package dialog_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/memory"
)

// newTurn returns turn number n of a conversation kept in s.
func newTurn(s *memory.Session, text string) *parley.Turn {
	s.Turns++
	return (&parley.Turn{ConversationID: s.ID, Message: parley.Text(text)}).WithSession(s)
}

func TestAskOneQuestionPerTurn(t *testing.T) {
	s := &memory.Session{ID: "c1"}
	t1 := newTurn(s, "refund please")
	require.NoError(t, dialog.Ask(t1, dialog.Question{ID: "order", Owner: "refund", Text: "Which order?", Policy: dialog.Resume}))
	assert.True(t, dialog.AskedThisTurn(t1))

	// A second question in the same turn, even from a derived turn, is refused.
	derived := parley.With(t1, dialog.CommandKey, dialog.CommandHuman)
	err := dialog.Ask(derived, dialog.Question{ID: "offer", Owner: "escalation"})
	require.ErrorIs(t, err, dialog.ErrQuestionOpen)
	q, ok := dialog.OpenQuestion(t1)
	require.True(t, ok)
	assert.Equal(t, dialog.Question{ID: "order", Owner: "refund", Text: "Which order?", Policy: dialog.Resume}, q)

	// The next turn sees the question and may replace it.
	t2 := newTurn(s, "A-1001")
	assert.False(t, dialog.AskedThisTurn(t2))
	q, ok = dialog.OpenQuestion(t2)
	require.True(t, ok)
	assert.Equal(t, "order", q.ID)
	require.NoError(t, dialog.Ask(t2, dialog.Question{ID: "amount", Owner: "refund"}))
	q, ok = dialog.OpenQuestion(t2)
	require.True(t, ok)
	assert.Equal(t, "amount", q.ID)
	assert.Equal(t, dialog.Drop, q.Policy, "default policy")

	dialog.CloseQuestion(t2)
	_, ok = dialog.OpenQuestion(t2)
	assert.False(t, ok)
	assert.Empty(t, s.State, "nothing left in the session")
}

func TestAskAfterCloseInSameTurn(t *testing.T) {
	s := &memory.Session{ID: "c1"}
	t1 := newTurn(s, "hi")
	require.NoError(t, dialog.Ask(t1, dialog.Question{ID: "a", Owner: "o"}))
	dialog.CloseQuestion(t1)
	require.NoError(t, dialog.Ask(t1, dialog.Question{ID: "b", Owner: "o"}), "a closed question frees the turn")
}

func TestAskErrors(t *testing.T) {
	err := dialog.Ask(&parley.Turn{}, dialog.Question{ID: "a", Owner: "o"})
	require.ErrorIs(t, err, dialog.ErrNoSession)
	s := &memory.Session{ID: "c1"}
	require.Error(t, dialog.Ask(newTurn(s, ""), dialog.Question{ID: "a"}), "no owner")
	require.Error(t, dialog.Ask(newTurn(s, ""), dialog.Question{Owner: "o"}), "no ID")
	_, ok := dialog.OpenQuestion(&parley.Turn{})
	assert.False(t, ok)
}

func TestQuestionCopiesItsData(t *testing.T) {
	s := &memory.Session{ID: "c1"}
	data := map[string]string{"k": "v"}
	opts := []parley.QuickReply{{Title: "Yes"}}
	t1 := newTurn(s, "")
	require.NoError(t, dialog.Ask(t1, dialog.Question{ID: "a", Owner: "o", Data: data, Options: opts}))
	data["k"] = "changed"
	opts[0].Title = "changed"
	q, _ := dialog.OpenQuestion(t1)
	assert.Equal(t, "v", q.Data["k"])
	assert.Equal(t, "Yes", q.Options[0].Title)
}

func TestCorruptTurnState(t *testing.T) {
	s := &memory.Session{ID: "c1", State: map[string]json.RawMessage{"parley.turn": json.RawMessage("{")}}
	t1 := newTurn(s, "")
	_, ok := dialog.OpenQuestion(t1)
	assert.False(t, ok, "an unreadable record is forgotten")
	require.NoError(t, dialog.Ask(t1, dialog.Question{ID: "a", Owner: "o"}), "and never traps the conversation")
}

func TestReportOutcome(t *testing.T) {
	s := &memory.Session{ID: "c1"}
	t1 := newTurn(s, "asdf")
	_, ok := dialog.TurnOutcome(t1)
	assert.False(t, ok)
	require.NoError(t, dialog.Report(t1, dialog.Served))
	require.NoError(t, dialog.Report(parley.With(t1, dialog.CommandKey, dialog.CommandCancel), dialog.NotUnderstood))
	o, ok := dialog.TurnOutcome(t1)
	require.True(t, ok)
	assert.Equal(t, dialog.NotUnderstood, o, "the last report wins, whatever the derivation")

	t2 := newTurn(s, "next")
	_, ok = dialog.TurnOutcome(t2)
	assert.False(t, ok, "an outcome lasts one turn")
	require.ErrorIs(t, dialog.Report(&parley.Turn{}, dialog.Served), dialog.ErrNoSession)
}

func ExampleAsk() {
	s := &memory.Session{ID: "c1", Turns: 1}
	t := (&parley.Turn{ConversationID: "c1", Message: parley.Text("I want a refund")}).WithSession(s)

	// The refund form asks for the order; escalation would like to offer
	// a person in the same turn, but a turn asks one question.
	fmt.Println(dialog.Ask(t, dialog.Question{ID: "order", Owner: "refund", Text: "Which order?", Policy: dialog.Resume}))
	fmt.Println(dialog.Ask(t, dialog.Question{ID: "offer", Owner: "human", Text: "Would you like a person?"}))

	q, _ := dialog.OpenQuestion(t)
	fmt.Println(q.Owner, q.ID, q.Policy)
	// Output:
	// <nil>
	// dialog: a question was already asked this turn (refund/order is open)
	// refund order resume
}

func ExampleReport() {
	s := &memory.Session{ID: "c1", Turns: 1}
	t := (&parley.Turn{ConversationID: "c1", Message: parley.Text("zzkk blah")}).WithSession(s)

	// The router could not place the turn and showed the menu.
	if err := dialog.Report(t, dialog.NotUnderstood); err != nil {
		fmt.Println(err)
	}
	// Escalation middleware reads it after the handler returned.
	o, _ := dialog.TurnOutcome(t)
	fmt.Println(o)
	// Output: not_understood
}

// An offer of a person made over a form's question pauses it; once the
// offer is answered, Unpause opens the form's question again, as asked
// in an earlier turn so that its owner can ask it this turn.
func TestUnpause(t *testing.T) {
	s := &memory.Session{ID: "c1"}
	form := dialog.Question{ID: "plan", Owner: "flow", Text: "What would you like to do?", Policy: dialog.Resume}
	t1 := newTurn(s, "renew my plan")
	require.NoError(t, dialog.Ask(t1, form))

	t2 := newTurn(s, "how much is annual")
	_, ok := dialog.Unpause(t2)
	assert.False(t, ok, "nothing paused yet")
	require.NoError(t, dialog.Ask(t2, dialog.Question{ID: "offer", Owner: "escalation", Text: "A person?"}))

	t3 := newTurn(s, "no thanks")
	_, ok = dialog.Unpause(t3)
	assert.False(t, ok, "the offer is still open")
	dialog.CloseQuestion(t3)
	q, ok := dialog.Unpause(t3)
	require.True(t, ok)
	assert.Equal(t, form, q)
	open, ok := dialog.OpenQuestion(t3)
	require.True(t, ok)
	assert.Equal(t, form, open)
	assert.False(t, dialog.AskedThisTurn(t3), "its owner may ask it again this turn")
	require.NoError(t, dialog.Ask(t3, form))
	_, ok = dialog.Unpause(t3)
	assert.False(t, ok, "unpaused once")
}

// A form's question asked again this turn can be set aside with Pause, so
// that an offer of a person is asked instead; Unpause brings it back.
func TestPause(t *testing.T) {
	s := &memory.Session{ID: "c1"}
	form := dialog.Question{ID: "amount", Owner: "flow", Text: "How much?", Policy: dialog.Resume}
	t1 := newTurn(s, "it is broken")
	require.NoError(t, dialog.Ask(t1, form))
	q, ok := dialog.Pause(t1)
	require.True(t, ok)
	assert.Equal(t, form, q)
	_, ok = dialog.OpenQuestion(t1)
	assert.False(t, ok, "paused, not open")
	require.NoError(t, dialog.Ask(t1, dialog.Question{ID: "offer", Owner: "escalation", Text: "A person?"}))

	t2 := newTurn(s, "no thanks")
	dialog.CloseQuestion(t2)
	q, ok = dialog.Unpause(t2)
	require.True(t, ok)
	assert.Equal(t, form, q)

	// Only a question with policy Resume is paused; nothing open, nothing paused.
	s2 := &memory.Session{ID: "c2"}
	t3 := newTurn(s2, "x")
	_, ok = dialog.Pause(t3)
	assert.False(t, ok)
	require.NoError(t, dialog.Ask(t3, dialog.Question{ID: "helpful", Owner: "flow"}))
	_, ok = dialog.Pause(t3)
	assert.False(t, ok)
	_, ok = dialog.OpenQuestion(t3)
	assert.True(t, ok, "a Drop question stays open")
	_, ok = dialog.Pause(&parley.Turn{})
	assert.False(t, ok, "no session")
}

// A new form, or a question of the form's own owner, does not pause: only
// a question of another owner with policy Drop does.
func TestUnpauseOnlyAcrossOwners(t *testing.T) {
	for _, tc := range []struct {
		name string
		next dialog.Question
	}{
		{"same owner", dialog.Question{ID: "feedback", Owner: "flow"}},
		{"a new form", dialog.Question{ID: "order", Owner: "other", Policy: dialog.Resume}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &memory.Session{ID: "c1"}
			require.NoError(t, dialog.Ask(newTurn(s, "a"), dialog.Question{ID: "plan", Owner: "flow", Policy: dialog.Resume}))
			t2 := newTurn(s, "b")
			require.NoError(t, dialog.Ask(t2, tc.next))
			dialog.CloseQuestion(t2)
			_, ok := dialog.Unpause(newTurn(s, "c"))
			assert.False(t, ok)
			assert.Empty(t, s.State, "nothing left in the session")
		})
	}
}
