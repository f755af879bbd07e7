package intenttest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/intent/intenttest"
	"github.com/parleyhq/parley/intent/train"
	"github.com/parleyhq/parley/nlu"
)

func TestModelConforms(t *testing.T) {
	exs, err := train.LoadFile("../train/testdata/shop.yaml")
	require.NoError(t, err)
	m, err := train.Train(context.Background(), exs)
	require.NoError(t, err)
	intenttest.Run(t, m,
		intenttest.Case{Text: "where is my order", Want: "track_order"},
		intenttest.Case{Text: "I want a refund", Want: "refund"})
}

func TestStaticConforms(t *testing.T) {
	s := intenttest.Static{"hi": {Ranked: []nlu.Intent{{Name: "greet", Confidence: 0.9}, {Name: "bye", Confidence: 0.1}}}}
	intenttest.Run(t, s, intenttest.Case{Text: "HI", Want: "greet"})
}

func ExampleStatic() {
	s := intenttest.Static{"where is my order": {Ranked: []nlu.Intent{{Name: "track_order", Confidence: 0.95}}}}
	u := intent.New(s)
	und, err := u.Understand(context.Background(), "where is my order", "en", parley.Turn{}.Time, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(und.Status, und.Intent.Name)
	// Output: understood track_order
}

func ExampleRun() {
	// In the classifier's package, with func TestClassifier(t *testing.T)
	// { testClassifier(t) } (TestStaticConforms above runs this):
	testClassifier := func(t *testing.T) {
		s := intenttest.Static{"hi": {Ranked: []nlu.Intent{{Name: "greet", Confidence: 0.9}}}}
		intenttest.Run(t, s, intenttest.Case{Text: "HI", Want: "greet"})
	}
	_ = testClassifier

	// A Case passes when the classifier ranks Want first for Text; Static
	// looks texts up ignoring case.
	s := intenttest.Static{"hi": {Ranked: []nlu.Intent{{Name: "greet", Confidence: 0.9}}}}
	r, err := s.Classify(context.Background(), "HI")
	fmt.Println(r.Ranked[0].Name, err)
	// Output: greet <nil>
}
