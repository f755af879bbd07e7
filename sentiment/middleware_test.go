package sentiment

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

type probe struct {
	mu     sync.Mutex
	moods  []nlu.Mood
	has    []bool
	events []parley.Event
}

func (p *probe) handler() parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		m, ok := parley.Value(t, nlu.MoodKey)
		p.mu.Lock()
		p.moods, p.has = append(p.moods, m), append(p.has, ok)
		p.mu.Unlock()
		return w.Reply(ctx, parley.Text("ok"))
	})
}

func (p *probe) Observe(_ context.Context, e parley.Event) {
	p.mu.Lock()
	p.events = append(p.events, e)
	p.mu.Unlock()
}

var discard = parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })

// understand is a stand-in for the intent middleware.
func understand(status nlu.Status) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, nlu.Understanding{Status: status}))
		})
	}
}

func send(t *testing.T, b *parley.Bot, id, text string) {
	t.Helper()
	require.NoError(t, b.HandleTurn(context.Background(), discard, &parley.Turn{ConversationID: "c1", MessageID: id, Message: parley.Text(text)}))
}

func TestMiddlewareStateAndTrend(t *testing.T) {
	p := &probe{}
	store := memory.NewMap()
	b := parley.NewBot(parley.Chain(p.handler(), Middleware(newTestLexical(t))), parley.WithStore(store), parley.WithObserver(p))
	send(t, b, "m1", "Hi, I love this shop!")
	send(t, b, "m2", "My parcel is late.")
	send(t, b, "m3", "This is ridiculous, the worst service ever!")

	require.Len(t, p.moods, 3)
	assert.Equal(t, "positive", p.moods[0].Label)
	assert.Equal(t, "negative", p.moods[2].Label)
	assert.GreaterOrEqual(t, p.moods[2].Frustration, 0.5)
	assert.Less(t, p.moods[2].Trend, p.moods[0].Trend, "trend falls")

	s, err := b.Sessions().Load(context.Background(), "c1")
	require.NoError(t, err)
	st, ok, err := stateKey.Get(s)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, 3, st.Turns)
	assert.Len(t, st.Scores, 3)
	assert.InDelta(t, p.moods[0].Score, st.First, 1e-9)
	assert.InDelta(t, p.moods[2].Score, st.Min, 1e-9)
	assert.Less(t, st.Change(), 0.0)
	assert.True(t, st.Falling(0.1))

	var scored int
	for _, e := range p.events {
		if e.Kind == EventScored {
			scored++
			assert.NotEmpty(t, e.Attrs["label"])
			assert.Equal(t, "c1", e.ConversationID)
		}
	}
	assert.Equal(t, 3, scored)
}

func TestMiddlewareConversationSignals(t *testing.T) {
	p := &probe{}
	b := parley.NewBot(parley.Chain(p.handler(), understand(nlu.Unsure), Middleware(newTestLexical(t))))
	send(t, b, "m1", "where is my parcel number 123")
	send(t, b, "m2", "where is my parcel number 123")
	send(t, b, "m3", "where is my parcel number 123")
	require.Len(t, p.moods, 3)
	assert.Less(t, p.moods[0].Frustration, 0.5)
	assert.GreaterOrEqual(t, p.moods[2].Frustration, 0.5, "repeated fallbacks and repeating oneself")
	assert.Greater(t, p.moods[0].Confusion, 0.0)
}

func TestMiddlewareSignalTurn(t *testing.T) {
	p := &probe{}
	b := parley.NewBot(parley.Chain(p.handler(), Middleware(newTestLexical(t))))
	require.NoError(t, b.HandleTurn(context.Background(), discard, &parley.Turn{ConversationID: "c1", Signal: &parley.Signal{Name: "page.idle"}}))
	require.Len(t, p.moods, 1)
	assert.True(t, p.has[0])
	assert.Equal(t, "neutral", p.moods[0].Label)
	assert.InDelta(t, 0.5, p.moods[0].Trend, 1e-9)
}

var errDown = errors.New("cloud down")

func TestMiddlewareAnalyzerError(t *testing.T) {
	failing := AnalyzerFunc(func(context.Context, string) (Result, error) { return Result{}, errDown })
	t.Run("fails the turn", func(t *testing.T) {
		p := &probe{}
		h := Middleware(failing)(p.handler())
		err := h.HandleTurn(context.Background(), discard, &parley.Turn{ConversationID: "c", Message: parley.Text("hello")})
		require.ErrorIs(t, err, errDown)
		assert.Empty(t, p.moods)
	})
	t.Run("continue on error", func(t *testing.T) {
		p := &probe{}
		b := parley.NewBot(parley.Chain(p.handler(), Middleware(failing, ContinueOnError())), parley.WithObserver(p))
		send(t, b, "m1", "hello")
		require.Len(t, p.has, 1)
		assert.False(t, p.has[0])
		var found bool
		for _, e := range p.events {
			if e.Kind == EventError {
				found = true
				assert.ErrorIs(t, e.Err, errDown)
			}
		}
		assert.True(t, found)
	})
}

func TestMiddlewareCorruptState(t *testing.T) {
	p := &probe{}
	h := Middleware(newTestLexical(t))(p.handler())
	sess := &memory.Session{ID: "c"}
	require.NoError(t, memory.NewStateKey[string](stateKey.Name()).Set(sess, "not a state"))
	turn := (&parley.Turn{ConversationID: "c", Message: parley.Text("great, thanks")}).WithSession(sess)
	require.NoError(t, h.HandleTurn(context.Background(), discard, turn))
	st, ok, err := stateKey.Get(sess)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, 1, st.Turns)
}

func TestMiddlewareWindow(t *testing.T) {
	p := &probe{}
	b := parley.NewBot(parley.Chain(p.handler(), Middleware(newTestLexical(t), WithWindow(2), WithSmoothing(1))))
	for i, s := range []string{"good", "bad", "great"} {
		send(t, b, string(rune('a'+i)), s)
	}
	s, err := b.Sessions().Load(context.Background(), "c1")
	require.NoError(t, err)
	st, _, err := stateKey.Get(s)
	require.NoError(t, err)
	assert.Len(t, st.Scores, 2)
	assert.Equal(t, 3, st.Turns)
	assert.InDelta(t, st.Last(), st.Trend, 1e-9, "smoothing 1 follows the last score")
}

func TestMiddlewareNilAnalyzerPanics(t *testing.T) {
	assert.Panics(t, func() { Middleware(nil) })
}

func TestToneOf(t *testing.T) {
	base := &parley.Turn{ConversationID: "c"}
	mood := func(m nlu.Mood) *parley.Turn { return parley.With(base, nlu.MoodKey, m) }
	billing := func(tt *parley.Turn) *parley.Turn {
		return parley.With(tt, nlu.UnderstandingKey, nlu.Understanding{Status: nlu.Understood, Intent: nlu.Intent{Name: "billing_question"}})
	}
	tests := []struct {
		name string
		give *parley.Turn
		want Tone
	}{
		{"no mood", base, Professional},
		{"frustrated", mood(nlu.Mood{Score: 0.45, Label: "negative", Frustration: 0.8, Trend: 0.45}), Empathetic},
		{"negative", mood(nlu.Mood{Score: 0.2, Label: "negative", Trend: 0.3}), Empathetic},
		{"delighted", mood(nlu.Mood{Score: 0.9, Label: "positive", Delight: 0.9, Trend: 0.8}), Enthusiastic},
		{"neutral", mood(nlu.Mood{Score: 0.5, Label: "neutral", Trend: 0.5}), Professional},
		{"calm complaint", mood(nlu.Mood{Score: 0.45, Label: "neutral", Complaint: 0.8, Trend: 0.5}), Empathetic},
		{"angry", mood(nlu.Mood{Score: 0.45, Label: "negative", Anger: 0.7, Trend: 0.5}), Empathetic},
		{"grateful", mood(nlu.Mood{Score: 0.6, Label: "positive", Gratitude: 0.9, Trend: 0.6}), Enthusiastic},
		{"billing stays professional", billing(mood(nlu.Mood{Score: 0.9, Label: "positive", Delight: 0.9, Trend: 0.8})), Professional},
		{"billing complaint is empathetic", billing(mood(nlu.Mood{Score: 0.1, Label: "negative", Frustration: 0.9, Trend: 0.2})), Empathetic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ToneOf(tt.give))
		})
	}
	v := Variants{Empathetic: "I'm sorry.", Professional: "Here it is."}
	assert.Equal(t, "I'm sorry.", v.For(mood(nlu.Mood{Score: 0.1, Label: "negative"})))
	assert.Equal(t, "Here it is.", v.For(mood(nlu.Mood{Score: 0.9, Label: "positive", Delight: 1})), "empty variant falls back")
}

func TestSimilar(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"where is my parcel", "where is my parcel", true},
		{"where is my parcel now", "where is my parcel", true},
		{"where is my parcel", "i want a refund", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, similar(normalize(tt.a), normalize(tt.b)), "%q vs %q", tt.a, tt.b)
	}
}
