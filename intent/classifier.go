package intent

import (
	"context"
	"errors"

	"github.com/parleyhq/parley/nlu"
)

// Result is what a [Classifier] made of one text.
type Result struct {
	// Ranked holds the best in-scope intents, best first, with calibrated
	// confidences in [0, 1].
	Ranked []nlu.Intent
	// OutOfScope is the probability that the text belongs to none of the
	// intents; it is 0 for models trained without out-of-scope examples.
	OutOfScope float64
	// Coverage is the fraction of the text's features the model has seen
	// in training, in [0, 1]; low coverage suggests an unknown language or
	// an unrelated topic.
	Coverage float64
}

// Top returns the best intent, or a zero Intent when there is none.
func (r Result) Top() nlu.Intent {
	if len(r.Ranked) == 0 {
		return nlu.Intent{}
	}
	return r.Ranked[0]
}

// A Classifier ranks the intents a text may express.
//
// Classify must be safe for concurrent use. It returns an error only when
// the classifier cannot run (a remote model failing, ctx done); text it
// cannot make sense of gives an empty Result.
type Classifier interface {
	Classify(ctx context.Context, text string) (Result, error)
}

// ClassifierFunc adapts a function to a [Classifier].
type ClassifierFunc func(ctx context.Context, text string) (Result, error)

// Classify calls f(ctx, text).
func (f ClassifierFunc) Classify(ctx context.Context, text string) (Result, error) {
	return f(ctx, text)
}

// ErrNotTrained is returned for an operation that needs a model when none
// has been set.
var ErrNotTrained = errors.New("intent: no model")
