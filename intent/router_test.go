package intent

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// fixed is a classifier returning canned results by text.
type fixed map[string]Result

func (f fixed) Classify(ctx context.Context, text string) (Result, error) { return f[text], nil }

func ranked(pairs ...any) Result {
	var r Result
	for i := 0; i < len(pairs); i += 2 {
		r.Ranked = append(r.Ranked, parley.Intent{Name: pairs[i].(string), Confidence: pairs[i+1].(float64)})
	}
	return r
}

type recorder struct{ msgs []parley.Message }

func (r *recorder) Reply(ctx context.Context, m parley.Message) error {
	r.msgs = append(r.msgs, m)
	return nil
}

func TestPolicyDecide(t *testing.T) {
	p := DefaultPolicy()
	p.PerIntent = map[string]float64{"refund": 0.9}
	tests := []struct {
		name string
		give Result
		want parley.UnderstandingStatus
	}{
		{"understood", ranked("track_order", 0.9, "refund", 0.05), parley.Understood},
		{"per-intent threshold", ranked("refund", 0.85, "track_order", 0.1), parley.Unsure},
		{"ambiguous", ranked("track_order", 0.45, "change_address", 0.4), parley.Ambiguous},
		{"unsure", ranked("track_order", 0.5, "refund", 0.1), parley.Unsure},
		{"out of scope", ranked("track_order", 0.2, "refund", 0.1), parley.OutOfScope},
		{"oos class wins", Result{Ranked: ranked("track_order", 0.4).Ranked, OutOfScope: 0.5}, parley.OutOfScope},
		{"empty", Result{}, parley.OutOfScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, p.Decide(tt.give).Status)
		})
	}
}

func newBot(t *testing.T, c Classifier, opts ...RouterOption) (func(text string) []parley.Message, *Router, *[]parley.HandoffRequest, *[]string) {
	var handoffs []parley.HandoffRequest
	var ran []string
	opts = append(opts, WithHandOffer(parley.HandOfferFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, r parley.HandoffRequest) error {
		handoffs = append(handoffs, r)
		return w.Reply(ctx, parley.Text("connecting you"))
	})))
	r := NewRouter(opts...)
	for _, name := range []string{"track_order", "change_address", "product_info", "refund"} {
		r.HandleFunc(name, func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			u, _ := parley.Value(t, parley.UnderstandingKey)
			ran = append(ran, u.Intent.Name)
			return w.Reply(ctx, parley.Text("ok "+u.Intent.Name))
		})
	}
	u := New(c)
	h := parley.Chain(r, u.Middleware())
	sess := memory.NewSessions(memory.NewMap()).New("c1")
	send := func(text string) []parley.Message {
		rec := &recorder{}
		turn := (&parley.Turn{ConversationID: "c1", Message: parley.Text(text)}).WithSession(sess)
		require.NoError(t, h.HandleTurn(context.Background(), rec, turn))
		return rec.msgs
	}
	return send, r, &handoffs, &ran
}

func TestRouterClarifies(t *testing.T) {
	c := fixed{
		"my order":  ranked("track_order", 0.45, "change_address", 0.42),
		"gibberish": ranked("track_order", 0.1),
	}
	send, _, _, ran := newBot(t, c, WithTitles(map[string]string{"track_order": "Track my order"}))
	msgs := send("my order")
	require.Len(t, msgs, 1)
	assert.Equal(t, "Did you mean: Track my order / Change address?", msgs[0].Text)
	assert.Equal(t, []parley.QuickReply{{Title: "Track my order", Payload: "track_order"}, {Title: "Change address", Payload: "change_address"}}, msgs[0].QuickReplies)
	msgs = send("change_address") // the tapped quick reply
	assert.Equal(t, "ok change_address", msgs[0].Text)
	assert.Equal(t, []string{"change_address"}, *ran)
}

func TestRouterFallbackThenEscalates(t *testing.T) {
	c := fixed{"where is it": ranked("track_order", 0.95)}
	send, _, handoffs, _ := newBot(t, c)
	msgs := send("blah")
	require.Len(t, msgs, 1)
	assert.Equal(t, "Sorry, I didn't get that. I can help with:", msgs[0].Text)
	assert.Len(t, msgs[0].QuickReplies, 4)
	assert.Equal(t, "Track Order", msgs[0].QuickReplies[0].Title)
	assert.Empty(t, *handoffs)

	// An understood turn resets the count.
	assert.Equal(t, "ok track_order", send("where is it")[0].Text)
	send("blah")
	assert.Empty(t, *handoffs)
	msgs = send("blah again")
	assert.Equal(t, "connecting you", msgs[0].Text)
	require.Len(t, *handoffs, 1)
	assert.Contains(t, (*handoffs)[0].Reason, "not understood 2 times")
}

func TestSplit(t *testing.T) {
	tests := []struct {
		give string
		want []string
	}{
		{"where is my order", []string{"where is my order"}},
		{"return this shirt, and also check if you have it in red", []string{"return this shirt", "check if you have it in red"}},
		{"do you have black and white socks", []string{"do you have black and white socks"}},
		{"where is my order? I also want a refund", []string{"where is my order", "I also want a refund"}},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			var got []string
			for _, s := range Split(tt.give) {
				got = append(got, s.Text)
				assert.Equal(t, s.Text, tt.give[s.Start:s.End])
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDetectLanguage(t *testing.T) {
	tests := []struct{ give, want string }{
		{"where is my order please", "en"},
		{"¿dónde está mi pedido?", "es"},
		{"😀", ""},
		{"Wo ist meine Bestellung", ""},
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, DetectLanguage(tt.give), tt.give)
	}
}
