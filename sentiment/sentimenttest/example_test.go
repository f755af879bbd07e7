package sentimenttest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/parleyhq/parley/sentiment"
	"github.com/parleyhq/parley/sentiment/sentimenttest"
)

// testAnalyzer is how an analyzer's package runs the conformance suite
// (this package's own tests run it over the lexicon, the model and a
// Scripted analyzer):
//
//	func TestAnalyzer(t *testing.T) { testAnalyzer(t) }
func testAnalyzer(t *testing.T) {
	a, err := sentiment.NewLexical()
	if err != nil {
		t.Fatal(err)
	}
	sentimenttest.Run(t, a)
}

// A Scripted analyzer gives a handler's tests the mood they need; any
// other text reads as neutral.
func ExampleRun() {
	s := &sentimenttest.Scripted{Results: map[string]sentiment.Result{
		"third time I ask!!!": sentimenttest.Negative(0.1, 0.9),
	}}
	for _, text := range []string{"third time I ask!!!", "where is my order?"} {
		r, err := s.Analyze(context.Background(), text)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(r.Label, r.Emotions.Frustration)
	}
	fmt.Println(s.Texts())
	// Output:
	// negative 0.9
	// neutral 0
	// [third time I ask!!! where is my order?]
}
