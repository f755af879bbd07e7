package privacy_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/privacy"
	"github.com/parleyhq/parley/privacy/privacytest"
)

func TestErasureMap(t *testing.T) {
	privacytest.RunErasure(t, memory.NewMap())
}

func TestRequireConsent(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	profiles := customer.NewProfiles(store)
	history := customer.NewHistory(store)
	assert.Panics(t, func() { privacy.RequireConsent(profiles, parley.Message{}) }, "a notice is required")
	consent := privacy.RequireConsent(profiles, parley.Text("NOTICE"))
	var allowed []bool
	app := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		allowed = append(allowed, privacy.Allowed(t))
		return w.Reply(ctx, parley.Text("ok"))
	})
	bot := parley.NewBot(parley.Chain(app, consent, privacy.Remember(history, privacy.NewRedactor())), parley.WithStore(store))
	var got []string
	w := parley.ReplyFunc(func(_ context.Context, m parley.Message) error { got = append(got, m.Text); return nil })
	turn := func(id, text string) {
		require.NoError(t, bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: "c1", CustomerID: "cust", MessageID: id, Message: parley.Text(text)}))
	}
	turn("m1", "hi")
	turn("m2", "my mail is x@y.io")
	assert.Equal(t, []string{"NOTICE", "ok", "ok"}, got, "the notice is sent once per conversation")
	es, err := history.Recent(ctx, "cust", 0)
	require.NoError(t, err)
	assert.Empty(t, es, "nothing beyond the session is stored before consent")

	require.NoError(t, privacy.RecordConsent(ctx, profiles, "cust", privacy.PurposeMemory, true, "web"))
	turn("m3", "my mail is x@y.io")
	es, err = history.Recent(ctx, "cust", 0)
	require.NoError(t, err)
	require.Len(t, es, 2)
	assert.Equal(t, "my mail is [email]", es[0].Text, "history is redacted")
	assert.Equal(t, []bool{false, false, true}, allowed)

	require.NoError(t, privacy.RecordConsent(ctx, profiles, "cust", privacy.PurposeMemory, false, "web"))
	turn("m4", "forget me")
	es, err = history.Recent(ctx, "cust", 0)
	require.NoError(t, err)
	assert.Len(t, es, 2, "a withdrawn consent stops remembering")
}

func TestRedactInboundKeepsPIIOutOfSession(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	var seen string
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		seen = t.Text()
		return nil
	}), parley.WithStore(store))
	front := parley.Chain(bot, privacy.RedactInbound(privacy.NewRedactor()))
	w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
	require.NoError(t, front.HandleTurn(ctx, w, &parley.Turn{ConversationID: "c", MessageID: "m", Message: parley.Text("card 4111 1111 1111 1111 cvv 123")}))
	assert.Equal(t, "card [card ****1111] cvv [cvv]", seen)
	s, err := bot.Sessions().Load(ctx, "c")
	require.NoError(t, err)
	assert.Equal(t, "card [card ****1111] cvv [cvv]", s.History[0].Text)
}

func TestRequireConsentOptions(t *testing.T) {
	ctx := context.Background()
	profiles := customer.NewProfiles(memory.NewMap())
	require.NoError(t, privacy.RecordConsent(ctx, profiles, "cust", "marketing", true, "web"))
	tests := []struct {
		name string
		opts []privacy.ConsentOption
		want bool
	}{
		{name: "opt-in by default: undecided is not remembered", want: false},
		{name: "opt-out: undecided is remembered", opts: []privacy.ConsentOption{privacy.WithOptOut()}, want: true},
		{name: "another purpose", opts: []privacy.ConsentOption{privacy.WithPurpose("marketing")}, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []bool
			h := parley.Chain(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
				got = append(got, privacy.Allowed(t))
				return nil
			}), privacy.RequireConsent(profiles, parley.Text("NOTICE"), tt.opts...))
			turn := (&parley.Turn{ConversationID: "c", CustomerID: "cust", Message: parley.Text("hi")}).
				WithSession(memory.NewSessions(memory.NewMap()).New("c"))
			w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
			require.NoError(t, h.HandleTurn(ctx, w, turn))
			assert.Equal(t, []bool{tt.want}, got)
		})
	}
}

// TestRememberKeepsTheChannelsCapabilities checks that the history
// recorder of Remember hides none of the channel's capabilities and
// claims none it lacks.
func TestRememberKeepsTheChannelsCapabilities(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	profiles := customer.NewProfiles(store)
	require.NoError(t, privacy.RecordConsent(ctx, profiles, "cust", privacy.PurposeMemory, true, "web"))
	var typing, read, plainTyping, plainRead error
	app := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Channel == "full" {
			typing, read = parley.Typing(ctx, w), parley.MarkRead(ctx, w, t.MessageID)
		} else {
			plainTyping, plainRead = parley.Typing(ctx, w), parley.MarkRead(ctx, w, t.MessageID)
		}
		return parley.Stream(ctx, w, func(yield func(string, error) bool) {
			_ = yield("streamed ", nil) && yield("reply", nil)
		})
	})
	h := parley.Chain(app, privacy.RequireConsent(profiles, parley.Text("NOTICE")),
		privacy.Remember(customer.NewHistory(store), privacy.NewRedactor()))

	rec := parleytest.NewRecorder()
	turn := parleytest.NewTurn("hi", parleytest.WithCustomer("cust"), parleytest.WithChannel("full"))
	turn.MessageID = "m1"
	require.NoError(t, h.HandleTurn(ctx, rec, turn))
	require.NoError(t, typing)
	require.NoError(t, read)
	assert.Equal(t, 1, rec.Typed())
	assert.Equal(t, []string{"m1"}, rec.Read())
	assert.Equal(t, []string{"streamed reply"}, rec.Texts())
	assert.Equal(t, 1, rec.Streamed(), "the recorder passes streaming on")

	var plain []string
	w := parley.ReplyFunc(func(_ context.Context, m parley.Message) error { plain = append(plain, m.Text); return nil })
	require.NoError(t, h.HandleTurn(ctx, w, parleytest.NewTurn("hi", parleytest.WithCustomer("cust"), parleytest.WithChannel("plain"))))
	assert.ErrorIs(t, plainTyping, parley.ErrNotSupported, "a channel without typing stays without")
	assert.ErrorIs(t, plainRead, parley.ErrNotSupported)
	assert.Equal(t, []string{"streamed reply"}, plain)
	es, err := customer.NewHistory(store).Recent(ctx, "cust", 0)
	require.NoError(t, err)
	var texts []string
	for _, e := range es {
		texts = append(texts, e.Text)
	}
	assert.Equal(t, []string{"hi", "streamed reply", "hi", "streamed reply"}, texts, "streamed replies are remembered")
}
