package parley_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
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
	require.NoError(t, parley.Ask(t1, parley.Question{ID: "order", Owner: "refund", Text: "Which order?", Policy: parley.Resume}))
	assert.True(t, parley.AskedThisTurn(t1))

	// A second question in the same turn, even from a derived turn, is refused.
	derived := parley.With(t1, parley.CommandKey, parley.CommandHuman)
	err := parley.Ask(derived, parley.Question{ID: "offer", Owner: "escalation"})
	require.ErrorIs(t, err, parley.ErrQuestionOpen)
	q, ok := parley.OpenQuestion(t1)
	require.True(t, ok)
	assert.Equal(t, parley.Question{ID: "order", Owner: "refund", Text: "Which order?", Policy: parley.Resume}, q)

	// The next turn sees the question and may replace it.
	t2 := newTurn(s, "A-1001")
	assert.False(t, parley.AskedThisTurn(t2))
	q, ok = parley.OpenQuestion(t2)
	require.True(t, ok)
	assert.Equal(t, "order", q.ID)
	require.NoError(t, parley.Ask(t2, parley.Question{ID: "amount", Owner: "refund"}))
	q, ok = parley.OpenQuestion(t2)
	require.True(t, ok)
	assert.Equal(t, "amount", q.ID)
	assert.Equal(t, parley.Drop, q.Policy, "default policy")

	parley.CloseQuestion(t2)
	_, ok = parley.OpenQuestion(t2)
	assert.False(t, ok)
	assert.Empty(t, s.State, "nothing left in the session")
}

func TestAskAfterCloseInSameTurn(t *testing.T) {
	s := &memory.Session{ID: "c1"}
	t1 := newTurn(s, "hi")
	require.NoError(t, parley.Ask(t1, parley.Question{ID: "a", Owner: "o"}))
	parley.CloseQuestion(t1)
	require.NoError(t, parley.Ask(t1, parley.Question{ID: "b", Owner: "o"}), "a closed question frees the turn")
}

func TestAskErrors(t *testing.T) {
	err := parley.Ask(&parley.Turn{}, parley.Question{ID: "a", Owner: "o"})
	require.ErrorIs(t, err, parley.ErrNoSession)
	s := &memory.Session{ID: "c1"}
	require.Error(t, parley.Ask(newTurn(s, ""), parley.Question{ID: "a"}), "no owner")
	require.Error(t, parley.Ask(newTurn(s, ""), parley.Question{Owner: "o"}), "no ID")
	_, ok := parley.OpenQuestion(&parley.Turn{})
	assert.False(t, ok)
}

func TestQuestionCopiesItsData(t *testing.T) {
	s := &memory.Session{ID: "c1"}
	data := map[string]string{"k": "v"}
	opts := []parley.QuickReply{{Title: "Yes"}}
	t1 := newTurn(s, "")
	require.NoError(t, parley.Ask(t1, parley.Question{ID: "a", Owner: "o", Data: data, Options: opts}))
	data["k"] = "changed"
	opts[0].Title = "changed"
	q, _ := parley.OpenQuestion(t1)
	assert.Equal(t, "v", q.Data["k"])
	assert.Equal(t, "Yes", q.Options[0].Title)
}

func TestCorruptTurnState(t *testing.T) {
	s := &memory.Session{ID: "c1", State: map[string]json.RawMessage{"parley.turn": json.RawMessage("{")}}
	t1 := newTurn(s, "")
	_, ok := parley.OpenQuestion(t1)
	assert.False(t, ok, "an unreadable record is forgotten")
	require.NoError(t, parley.Ask(t1, parley.Question{ID: "a", Owner: "o"}), "and never traps the conversation")
}

func TestReportOutcome(t *testing.T) {
	s := &memory.Session{ID: "c1"}
	t1 := newTurn(s, "asdf")
	_, ok := parley.TurnOutcome(t1)
	assert.False(t, ok)
	require.NoError(t, parley.Report(t1, parley.Served))
	require.NoError(t, parley.Report(parley.With(t1, parley.CommandKey, parley.CommandCancel), parley.NotUnderstood))
	o, ok := parley.TurnOutcome(t1)
	require.True(t, ok)
	assert.Equal(t, parley.NotUnderstood, o, "the last report wins, whatever the derivation")

	t2 := newTurn(s, "next")
	_, ok = parley.TurnOutcome(t2)
	assert.False(t, ok, "an outcome lasts one turn")
	require.ErrorIs(t, parley.Report(&parley.Turn{}, parley.Served), parley.ErrNoSession)
}

func ExampleAsk() {
	s := &memory.Session{ID: "c1", Turns: 1}
	t := (&parley.Turn{ConversationID: "c1", Message: parley.Text("I want a refund")}).WithSession(s)

	// The refund form asks for the order; escalation would like to offer
	// a person in the same turn, but a turn asks one question.
	fmt.Println(parley.Ask(t, parley.Question{ID: "order", Owner: "refund", Text: "Which order?", Policy: parley.Resume}))
	fmt.Println(parley.Ask(t, parley.Question{ID: "offer", Owner: "human", Text: "Would you like a person?"}))

	q, _ := parley.OpenQuestion(t)
	fmt.Println(q.Owner, q.ID, q.Policy)
	// Output:
	// <nil>
	// parley: a question was already asked this turn (refund/order is open)
	// refund order resume
}

func ExampleReport() {
	s := &memory.Session{ID: "c1", Turns: 1}
	t := (&parley.Turn{ConversationID: "c1", Message: parley.Text("zzkk blah")}).WithSession(s)

	// The router could not place the turn and showed the menu.
	if err := parley.Report(t, parley.NotUnderstood); err != nil {
		fmt.Println(err)
	}
	// Escalation middleware reads it after the handler returned.
	o, _ := parley.TurnOutcome(t)
	fmt.Println(o)
	// Output: not_understood
}
