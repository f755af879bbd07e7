package kbtest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbeval"
	"github.com/parleyhq/parley/kb/kbtest"
	"github.com/parleyhq/parley/llm/llmtest"
)

// newIndex returns a kb.Index holding docs.
func newIndex(t *testing.T, docs []kb.Doc) kb.Retriever {
	x, err := kb.NewIndex()
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Add(docs...); err != nil {
		t.Fatal(err)
	}
	return x
}

func TestIndex(t *testing.T) { kbtest.Run(t, newIndex) }

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
		x, err := kb.NewIndex()
		if err != nil {
			t.Fatal(err)
		}
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

func TestCheckReportsFailures(t *testing.T) {
	empty := kb.RetrieverFunc(func(ctx context.Context, _ string, _ int) ([]kb.Hit, error) { return nil, nil })
	err := kbtest.Check(context.Background(), empty)
	if err == nil {
		t.Fatal("Check passed a retriever that finds nothing")
	}
	for _, want := range []string{"kbtest: finds:", "kbtest: cancelled:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Check error %q does not name %q", err, want)
		}
	}
}

func ExampleCheck() {
	idx, err := kb.NewIndex()
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := idx.Add(kbtest.Docs()...); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(kbtest.Check(context.Background(), idx))

	// A retriever that ignores its context and finds nothing fails.
	lazy := kb.RetrieverFunc(func(context.Context, string, int) ([]kb.Hit, error) { return nil, nil })
	fmt.Println(kbtest.Check(context.Background(), lazy) != nil)
	// Output:
	// <nil>
	// true
}

func ExampleRun() {
	// In a _test.go file of the package that implements the retriever,
	// with newIndex (above) returning a retriever that holds docs:
	testRetriever := func(t *testing.T) { kbtest.Run(t, newIndex) }
	_ = testRetriever // func TestRetriever(t *testing.T) { testRetriever(t) }

	// The documents the suite indexes:
	for _, d := range kbtest.Docs() {
		fmt.Println(d.ID)
	}
	// Output:
	// refund
	// shipping
	// cancel
	// address
	// warranty
}
