package flow_test

import (
	"bytes"
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/internal/benchform"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
)

// TestEngineStateCacheKeepsConversationsApart: the engine keeps each
// conversation's decoded flow state between turns. Two Bots over their
// own stores share one engine and one conversation ID, and a state is
// changed by hand between turns: every turn must run on the state its
// own session holds.
func TestEngineStateCacheKeepsConversationsApart(t *testing.T) {
	ctx := context.Background()
	f := flow.New("form").Add(
		&flow.Ask{ID: "name", Slot: "name", Prompt: []string{"Name?"}, Next: "order"},
		&flow.Ask{ID: "order", Slot: "order", Prompt: []string{"Order?"}, Always: true, Next: "ok"},
		&flow.Say{ID: "ok", Text: []string{"Got {{slots.order}} for {{slots.name}}."}, Next: "order"},
	)
	e, err := flow.NewEngine([]*flow.Builder{f})
	require.NoError(t, err)
	r := intent.NewRouter(intent.WithNotUnderstood(e.Starter("form")))
	r.Handle(flow.DefaultOwner, e)

	storeA, storeB := memory.NewMap(), memory.NewMap()
	a := parley.NewBot(r, parley.WithStore(storeA))
	b := parley.NewBot(r, parley.WithStore(storeB))
	n := 0
	say := func(bot *parley.Bot, text string) []string {
		n++
		rec := parleytest.NewRecorder()
		require.NoError(t, bot.HandleTurn(ctx, rec, &parley.Turn{ConversationID: "c", MessageID: string(rune('a' + n)), Message: parley.Text(text)}))
		return rec.Texts()
	}
	say(a, "hi")
	say(b, "hello")
	say(a, "Ann")
	say(b, "Bob")
	assert.Equal(t, []string{"Got A-1 for Ann.", "Order?"}, say(a, "A-1"))
	assert.Equal(t, []string{"Got B-1 for Bob.", "Order?"}, say(b, "B-1"))

	// Conversation c in store A renamed by hand (an agent's console, a
	// migration): the engine must not run on its cached copy.
	sessions := memory.NewSessions(storeA)
	s, err := sessions.Load(ctx, "c")
	require.NoError(t, err)
	s.State["flow"] = bytes.Replace(s.State["flow"], []byte(`"Ann"`), []byte(`"Eve"`), 1)
	require.NoError(t, sessions.Save(ctx, s))

	assert.Equal(t, []string{"Got A-2 for Eve.", "Order?"}, say(a, "A-2"))
	assert.Equal(t, []string{"Got B-2 for Bob.", "Order?"}, say(b, "B-2"))
}

// TestEngineStateBytesKeptOutsideATurn: the engine encodes a turn's flow
// state into the bytes its last save gave the session, when the session
// still holds them. Bytes that someone else may hold (a session loaded
// through the Bot's sessions and kept between turns, saved or not) must
// never change under them.
func TestEngineStateBytesKeptOutsideATurn(t *testing.T) {
	ctx := context.Background()
	r, err := benchform.Router(benchform.Flow())
	require.NoError(t, err)
	bot := parley.NewBot(r)
	n := 0
	say := func(text string) []string {
		n++
		rec := parleytest.NewRecorder()
		require.NoError(t, bot.HandleTurn(ctx, rec, &parley.Turn{ConversationID: "c", MessageID: strconv.Itoa(n), Message: parley.Text(text)}))
		return rec.Texts()
	}
	say("hi")
	say("A-1")
	say("A-2") // the engine now encodes into the session's own bytes

	for _, save := range []bool{false, true} {
		// Another reader of the conversation (an agent's console) loads
		// the session the last turn cached, keeps its state, and saves
		// it or not.
		s, err := bot.Sessions().Load(ctx, "c")
		require.NoError(t, err)
		kept := s.State["flow"]
		want := string(kept)
		if save {
			require.NoError(t, bot.Sessions().Save(ctx, s))
		}
		for i := range 3 {
			order := "A-" + strconv.Itoa(10*n+i)
			assert.Equal(t, []string{"Got " + order + ".", "Order number?"}, say(order))
		}
		assert.Equal(t, want, string(kept), "save=%v", save)
		assert.NotContains(t, want, "A-"+strconv.Itoa(n))
	}
}
