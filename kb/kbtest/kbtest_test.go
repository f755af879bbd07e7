package kbtest_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbeval"
	"github.com/parleyhq/parley/kb/kbtest"
	"github.com/parleyhq/parley/llm/llmtest"
)

func TestIndex(t *testing.T) {
	kbtest.Run(t, func(t *testing.T, docs []kb.Doc) kb.Retriever {
		x := kb.NewIndex()
		if err := x.Add(docs...); err != nil {
			t.Fatal(err)
		}
		return x
	})
}

func TestDense(t *testing.T) {
	kbtest.Run(t, func(t *testing.T, docs []kb.Doc) kb.Retriever {
		d := kb.NewDense(llmtest.Embedder{Dim: 1024})
		if err := d.Add(context.Background(), docs...); err != nil {
			t.Fatal(err)
		}
		return d
	})
}

func TestHybrid(t *testing.T) {
	kbtest.Run(t, func(t *testing.T, docs []kb.Doc) kb.Retriever {
		x := kb.NewIndex()
		d := kb.NewDense(llmtest.Embedder{Dim: 1024})
		if err := x.Add(docs...); err != nil {
			t.Fatal(err)
		}
		if err := d.Add(context.Background(), docs...); err != nil {
			t.Fatal(err)
		}
		return kb.Hybrid(20, x, d)
	})
}

func TestOkapi(t *testing.T) {
	kbtest.Run(t, func(t *testing.T, docs []kb.Doc) kb.Retriever { return kbeval.NewOkapi(docs) })
}
