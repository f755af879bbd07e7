package learn_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/intent/learn"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// TestPrivacySource: a customer's items, queued by the middleware or
// added, waiting or labelled, are exported and erased through the
// customer's index; another customer's stay; the index keys do not show
// the customer ID.
func TestPrivacySource(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	keep := func(_ context.Context, _, text string) (string, error) { return text, nil }
	q := learn.NewQueue(store, learn.WithRedactor(keep))
	bot := parley.NewBot(parley.Chain(parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil }),
		understood(map[string]nlu.Understanding{
			"my parcel went walkabout": {Status: nlu.Unsure},
			"sprocket thingy":          {Status: nlu.OutOfScope},
		}), learn.Middleware(q)))
	w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
	for i, turn := range []struct{ customer, text string }{
		{"cus_ada", "my parcel went walkabout"}, {"cus_bob", "sprocket thingy"}, {"cus_ada", "sprocket thingy"},
	} {
		require.NoError(t, bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: "web-" + turn.customer, CustomerID: turn.customer,
			MessageID: string(rune('a' + i)), Message: parley.Text(turn.text)}))
	}
	require.NoError(t, q.Add(ctx, "cus_ada", learn.Item{Conversation: "web-cus_ada", Text: "Ada Lovelace wants a call"}))
	pending, err := q.Items(ctx, false)
	require.NoError(t, err)
	require.Len(t, pending, 4)
	for _, it := range pending {
		if it.Text == "Ada Lovelace wants a call" {
			require.NoError(t, q.Label(ctx, it.ID, "callback", "Sam"))
		}
	}

	src := learn.PrivacySource(q)
	assert.Equal(t, "review_queue", src.Name())
	x, err := src.Export(ctx, "cus_ada")
	require.NoError(t, err)
	raw, err := json.Marshal(x)
	require.NoError(t, err)
	var got []learn.Item
	require.NoError(t, json.Unmarshal(raw, &got))
	var texts []string
	for _, it := range got {
		texts = append(texts, it.Text)
	}
	assert.ElementsMatch(t, []string{"my parcel went walkabout", "sprocket thingy", "Ada Lovelace wants a call"}, texts)
	for _, it := range got {
		assert.Equal(t, "web-cus_ada", it.Conversation, "Ada's export holds only her items")
	}

	require.NoError(t, store.Keys(ctx, "", func(k string) bool {
		assert.NotContains(t, k, "cus_", "a key shows a customer ID")
		return true
	}))

	require.NoError(t, src.Erase(ctx, "cus_ada"))
	require.NoError(t, src.Erase(ctx, "cus_ada"), "erasure is idempotent")
	require.NoError(t, store.Keys(ctx, "", func(k string) bool {
		rec, err := store.Get(ctx, k)
		require.NoError(t, err)
		assert.NotContains(t, string(rec.Value), "cus_ada", "%s holds Ada's data after erasure", k)
		assert.NotContains(t, string(rec.Value), "Ada Lovelace", "%s holds Ada's data after erasure", k)
		return true
	}))
	left, err := q.Items(ctx, false)
	require.NoError(t, err)
	require.Len(t, left, 1, "Bob's item stays")
	assert.Equal(t, "web-cus_bob", left[0].Conversation)
	labelled, err := q.Items(ctx, true)
	require.NoError(t, err)
	assert.Empty(t, labelled, "Ada's labelled item is gone, so no retrain learns from it")
	x, err = src.Export(ctx, "cus_ada")
	require.NoError(t, err)
	assert.Empty(t, x)

	// Bob's export still finds his.
	x, err = src.Export(ctx, "cus_bob")
	require.NoError(t, err)
	assert.Len(t, x, 1)
	assert.False(t, strings.Contains(string(mustJSON(t, x)), "Ada"))
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
