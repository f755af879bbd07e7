package kbtest_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbeval"
	"github.com/parleyhq/parley/kb/kbtest"
	"github.com/parleyhq/parley/llm/llmtest"
)

// newIndex returns a kb.Index holding docs.
func newIndex(t *testing.T, docs []kb.Doc) kb.Retriever { return kbtest.NewIndex(t, docs) }

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
		x := kbtest.NewIndex(t, docs)
		d := kb.NewDense(llmtest.Embedder{Dim: 1024})
		if err := d.Add(context.Background(), docs...); err != nil {
			t.Fatal(err)
		}
		return kb.Hybrid(20, x, d)
	})
}

func TestOkapi(t *testing.T) {
	kbtest.Run(t, func(t *testing.T, docs []kb.Doc) kb.Retriever { return kbeval.NewOkapi(docs) })
}

// fatalTB records the first Fatal call and stops its goroutine, as
// testing.T does.
type fatalTB struct {
	testing.TB
	fatal []any
}

func (tb *fatalTB) Helper() {}

func (tb *fatalTB) Fatal(args ...any) {
	tb.fatal = args
	runtime.Goexit()
}

func TestNewIndexStopsOnRefusedPassage(t *testing.T) {
	tb := &fatalTB{TB: t}
	done := make(chan *kb.Index)
	go func() {
		defer close(done)
		done <- kbtest.NewIndex(tb, []kb.Doc{{Text: "a passage without an ID"}})
	}()
	if x, ok := <-done; ok {
		t.Fatalf("NewIndex returned %v for a passage without an ID", x)
	}
	if len(tb.fatal) != 1 || !errors.Is(tb.fatal[0].(error), kb.ErrEmptyID) {
		t.Errorf("Fatal(%v), want Fatal(kb.ErrEmptyID)", tb.fatal)
	}
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

func ExampleNewIndex() {
	// In a test of code that answers from a knowledge base:
	testShipping := func(t *testing.T) {
		a := kb.NewAnswerer(kbtest.NewIndex(t, kbtest.Docs()))
		ans, err := a.Answer(t.Context(), "how long does shipping take?")
		if err != nil {
			t.Fatal(err)
		}
		if ans.Kind != kb.Extractive {
			t.Errorf("answer %+v, want the shipping passage quoted", ans)
		}
	}
	_ = testShipping // func TestShipping(t *testing.T) { testShipping(t) }
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
