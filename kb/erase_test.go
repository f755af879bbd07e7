package kb_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbtest"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/privacy"
)

// An unanswered question records who asked it (through the Answerer
// and WithCustomer, on both the plain and the model path); erasing the
// customer deletes the questions only they asked, and takes their asks
// out of shared ones, whose text becomes the normalised form.
func TestGapsEraseTheCustomersQuestions(t *testing.T) {
	ctx := context.Background()
	idx := kbtest.NewIndex(t, faq())
	gaps := kb.NewGaps(0)
	plain := kb.NewAnswerer(idx, kb.WithGaps(gaps))
	model := kb.NewAnswerer(idx, kb.WithGaps(gaps), kb.WithModel(llmtest.New(llmtest.Reply(kb.NotFound))))
	ask := func(a *kb.Answerer, who, q string) {
		t.Helper()
		ans, err := a.Answer(kb.WithCustomer(ctx, who), q)
		require.NoError(t, err)
		require.Equal(t, kb.Unsure, ans.Kind, q)
	}
	ask(plain, "cust-ada", "Do you sell gift cards? I'm Ada Lovelace")
	ask(plain, "cust-ada", "do you sell gift cards, I'm ada lovelace!")
	ask(plain, "cust-ada", "Do you sell gift cards")
	ask(plain, "cust-bob", "do you sell GIFT cards?")
	ask(model, "cust-ada", "how long does shipping take to Mars")
	gaps.Record("do you sell gift cards", time.Now()) // no customer known

	x, err := gaps.Export(ctx, "cust-ada")
	require.NoError(t, err)
	assert.Len(t, x, 3)

	e := privacy.NewEraser(gaps)
	require.NoError(t, e.Erase(ctx, "cust-ada"))
	require.NoError(t, e.Erase(ctx, "cust-ada"), "idempotent")

	top := gaps.Top(0)
	require.Len(t, top, 1, "%+v", top)
	assert.Equal(t, "do you sell gift cards", top[0].Query, "the shared question keeps no one's own words")
	assert.Equal(t, 2, top[0].Count, "Bob's ask and the unattributed one")
	x, err = gaps.Export(ctx, "cust-bob")
	require.NoError(t, err)
	assert.Len(t, x, 1)
}
