package kb_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbtest"
)

// indexFile returns an index file of faq() written with params p.
func indexFile(t *testing.T, p kb.Params) []byte {
	t.Helper()
	x, err := kb.NewIndex(kb.WithParams(p))
	require.NoError(t, err)
	require.NoError(t, x.Add(faq()...))
	var buf bytes.Buffer
	_, err = x.WriteTo(&buf)
	require.NoError(t, err)
	return buf.Bytes()
}

// TestIndexConcurrentReadFrom loads index files with different ranking
// parameters while other goroutines add passages, search and save; run
// with -race. Every search must succeed and find the obvious passage.
func TestIndexConcurrentReadFrom(t *testing.T) {
	bare := kb.DefaultParams()
	bare.Bigram, bare.Prefix, bare.Coverage, bare.Typo = 0, 0, 0, 0
	fused := kb.DefaultParams()
	fused.PerField, fused.Fuse, fused.Feedback = false, true, 0.3
	files := [][]byte{indexFile(t, kb.DefaultParams()), indexFile(t, bare), indexFile(t, fused)}

	ctx := context.Background()
	x := kbtest.NewIndex(t, faq())
	const rounds = 60
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range rounds {
			if _, err := x.ReadFrom(bytes.NewReader(files[i%len(files)])); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Go(func() {
		for i := range rounds {
			d := kb.Doc{ID: fmt.Sprintf("extra%d", i%5), Question: "Do you sell gift cards?", Text: "Gift cards are sold in store."}
			if err := x.Add(d); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for range 2 {
		wg.Go(func() {
			for range rounds {
				hits, err := x.Retrieve(ctx, "how long does shipping take", 2)
				if err != nil {
					t.Error(err)
					return
				}
				if len(hits) == 0 || hits[0].Doc.ID != "ship" {
					t.Errorf("top hits %v, want ship first", ids(hits))
				}
				_ = x.Params()
			}
		})
	}
	wg.Go(func() {
		for range rounds {
			var buf bytes.Buffer
			if _, err := x.WriteTo(&buf); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Wait()

	// The index is whole afterwards: it still ranks, and saves and loads.
	hits, err := x.Retrieve(ctx, "money back", 1)
	require.NoError(t, err)
	assert.Equal(t, []string{"refund"}, ids(hits))
	var buf bytes.Buffer
	_, err = x.WriteTo(&buf)
	require.NoError(t, err)
	y, err := kb.NewIndex()
	require.NoError(t, err)
	_, err = y.ReadFrom(&buf)
	require.NoError(t, err)
	assert.Equal(t, x.Params(), y.Params())
	assert.Equal(t, x.Len(), y.Len())
}
