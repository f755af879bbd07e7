package sentimenttest

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley/sentiment"
)

// Run checks that a follows the [sentiment.Analyzer] contract: a Result
// with a valid label and in-range scores for any input (empty, white
// space, emoji-only, very long, other languages, invalid UTF-8), polarity
// that points the right way on plain cases, and safety for concurrent
// use. It does not judge accuracy.
func Run(t *testing.T, a sentiment.Analyzer) {
	t.Helper()
	ctx := context.Background()
	inputs := map[string]string{
		"empty":        "",
		"space":        " \n\t ",
		"emoji only":   "😀🎉👍",
		"long":         strings.Repeat("The parcel arrived late and the box was damaged. ", 2000),
		"french":       "Je voudrais parler à quelqu'un de mon colis",
		"japanese":     "荷物がまだ届きません",
		"invalid utf8": "bad \xff\xfe bytes",
		"punctuation":  "?!?!...!!!",
	}
	for name, text := range inputs {
		t.Run("Defined/"+name, func(t *testing.T) {
			r, err := a.Analyze(ctx, text)
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			check(t, r)
		})
	}
	t.Run("Empty", func(t *testing.T) {
		r, err := a.Analyze(ctx, "")
		if err != nil {
			t.Fatalf("Analyze: %v", err)
		}
		if r.Label != sentiment.Neutral {
			t.Errorf("empty text labelled %q, want neutral", r.Label)
		}
	})
	t.Run("Direction", func(t *testing.T) {
		pos, err := a.Analyze(ctx, "Thank you so much, this is wonderful and I love it!")
		if err != nil {
			t.Fatalf("Analyze: %v", err)
		}
		neg, err := a.Analyze(ctx, "This is terrible, the worst service ever. I hate it.")
		if err != nil {
			t.Fatalf("Analyze: %v", err)
		}
		if pos.Label != sentiment.Positive || neg.Label != sentiment.Negative || pos.Score <= neg.Score {
			t.Errorf("positive text: %s %.2f, negative text: %s %.2f", pos.Label, pos.Score, neg.Label, neg.Score)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range 50 {
					if _, err := a.Analyze(ctx, strings.Repeat("good ", i+j%3)); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent Analyze: %v", err)
		}
	})
}

func check(t *testing.T, r sentiment.Result) {
	t.Helper()
	switch r.Label {
	case sentiment.Positive, sentiment.Neutral, sentiment.Negative:
	default:
		t.Errorf("label %q, want positive, neutral or negative", r.Label)
	}
	in := func(name string, v, lo, hi float64) {
		if math.IsNaN(v) || v < lo || v > hi {
			t.Errorf("%s = %v, want in [%v, %v]", name, v, lo, hi)
		}
	}
	in("Compound", r.Compound, -1, 1)
	in("Score", r.Score, 0, 1)
	in("Confidence", r.Confidence, 0, 1)
	in("Frustration", r.Emotions.Frustration, 0, 1)
	in("Confusion", r.Emotions.Confusion, 0, 1)
	in("Urgency", r.Emotions.Urgency, 0, 1)
	in("Delight", r.Emotions.Delight, 0, 1)
}

// Scripted is a fake [sentiment.Analyzer] that returns fixed results for
// known texts and Default for the rest. It is safe for concurrent use and
// records the texts it was asked about.
type Scripted struct {
	// Results maps a text to its result.
	Results map[string]sentiment.Result
	// Default is returned for other texts; its zero value is made
	// neutral.
	Default sentiment.Result
	// Err, if set, is returned for every call.
	Err error

	mu    sync.Mutex
	texts []string
}

var _ sentiment.Analyzer = (*Scripted)(nil)

// Analyze implements [sentiment.Analyzer].
func (s *Scripted) Analyze(_ context.Context, text string) (sentiment.Result, error) {
	s.mu.Lock()
	s.texts = append(s.texts, text)
	s.mu.Unlock()
	if s.Err != nil {
		return sentiment.Result{}, s.Err
	}
	if r, ok := s.Results[text]; ok {
		return r, nil
	}
	r := s.Default
	if r.Label == "" {
		r.Label, r.Score = sentiment.Neutral, 0.5
	}
	return r, nil
}

// Texts returns the texts analysed so far, in order.
func (s *Scripted) Texts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.texts...)
}

// Negative returns a negative result with the given frustration, for
// scripting.
func Negative(score, frustration float64) sentiment.Result {
	return sentiment.Result{Compound: 2*score - 1, Score: score, Label: sentiment.Negative, Confidence: 1,
		Emotions: sentiment.Emotions{Frustration: frustration}}
}

// Positive returns a positive result with the given delight, for
// scripting.
func Positive(score, delight float64) sentiment.Result {
	return sentiment.Result{Compound: 2*score - 1, Score: score, Label: sentiment.Positive, Confidence: 1,
		Emotions: sentiment.Emotions{Delight: delight}}
}
