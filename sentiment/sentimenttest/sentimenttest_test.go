package sentimenttest_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/sentiment"
	"github.com/parleyhq/parley/sentiment/sentimenttest"
)

func TestLexical(t *testing.T) {
	for _, m := range []sentiment.Mode{sentiment.ModeParley, sentiment.ModeVADER} {
		t.Run(m.String(), func(t *testing.T) {
			a, err := sentiment.NewLexical(sentiment.WithMode(m))
			if err != nil {
				t.Fatal(err)
			}
			sentimenttest.Run(t, a)
		})
	}
}

func TestModel(t *testing.T) {
	m, err := sentiment.NewModel()
	if err != nil {
		t.Fatal(err)
	}
	sentimenttest.Run(t, m)
}

func TestScripted(t *testing.T) {
	s := &sentimenttest.Scripted{
		Results: map[string]sentiment.Result{
			"Thank you so much, this is wonderful and I love it!":  sentimenttest.Positive(0.9, 0.8),
			"This is terrible, the worst service ever. I hate it.": sentimenttest.Negative(0.1, 0.9),
		},
	}
	sentimenttest.Run(t, s)
	r, err := s.Analyze(context.Background(), "anything")
	if err != nil || r.Label != sentiment.Neutral {
		t.Fatalf("default: %+v, %v", r, err)
	}
	if len(s.Texts()) == 0 {
		t.Fatal("texts not recorded")
	}
}
