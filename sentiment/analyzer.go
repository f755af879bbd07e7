package sentiment

import (
	"context"

	"github.com/parleyhq/parley/nlu"
)

// Label is the polarity class of a text.
type Label string

// Polarity labels.
const (
	Positive Label = "positive"
	Neutral  Label = "neutral"
	Negative Label = "negative"
)

// Emotions holds emotion strengths in [0, 1]. A strength of 0.5 or more
// means the emotion is present: [Model] maps its calibrated
// probabilities so that 0.5 is each emotion's decision threshold.
type Emotions struct {
	// Frustration covers anger, annoyance and disapproval ("worst",
	// "ridiculous", "third time", "still waiting").
	Frustration float64 `json:"frustration"`
	// Anger is the stronger part of frustration: anger and disgust
	// ("I'm furious", "this is disgusting"). Only [Model] sets it.
	Anger float64 `json:"anger,omitempty"`
	// Confusion: "I don't understand", "what do you mean?".
	Confusion float64 `json:"confusion"`
	// Urgency: "asap", "urgent", "right now".
	Urgency float64 `json:"urgency"`
	// Disappointment: "I expected better", "so sad this happened". Only
	// [Model] sets it.
	Disappointment float64 `json:"disappointment,omitempty"`
	// Gratitude: "thank you", "much appreciated". Only [Model] sets it.
	Gratitude float64 `json:"gratitude,omitempty"`
	// Delight covers joy and gratitude ("thank you so much", "perfect").
	Delight float64 `json:"delight"`
}

// Probabilities are calibrated class probabilities; they sum to 1.
type Probabilities struct {
	Negative float64 `json:"negative"`
	Neutral  float64 `json:"neutral"`
	Positive float64 `json:"positive"`
}

// Result is the sentiment of one text.
type Result struct {
	// Compound is the polarity in [-1, 1].
	Compound float64 `json:"compound"`
	// Score is the polarity on a 0-1 scale, (Compound+1)/2: 0.5 is
	// neutral.
	Score float64 `json:"score"`
	// Label is the polarity class. [Lexical] decides it on the VADER-style
	// compound with a neutral band of ±0.05 (see [WithNeutralBand]); in
	// [ModeParley] Compound is a blend, so a Compound just inside the band
	// can carry a positive or negative label.
	Label Label `json:"label"`
	// Positive, Negative and Neutral are the shares of the text that carry
	// each polarity; they sum to 1, or are all 0 for empty text.
	Positive float64 `json:"pos"`
	Negative float64 `json:"neg"`
	Neutral  float64 `json:"neu"`
	// Confidence in [0, 1] says how much evidence the analyzer had: 0 for
	// empty text, low for text in a language it does not know.
	Confidence float64 `json:"confidence"`
	// Emotions are the emotion strengths found in the text alone;
	// [Middleware] adds conversation signals.
	Emotions Emotions `json:"emotions"`
	// Probabilities are the calibrated polarity probabilities of a
	// [Model]; zero from [Lexical] and for text without evidence.
	Probabilities Probabilities `json:"probabilities"`
	// Complaint is the strength in [0, 1] of the text being a complaint
	// (a problem the customer wants dealt with, said with annoyance,
	// anger or disappointment); 0.5 or more means a complaint. Only
	// [Model] sets it.
	Complaint float64 `json:"complaint,omitempty"`
}

// Mood converts r to the annotation the rest of Parley reads.
func (r Result) Mood() nlu.Mood {
	return nlu.Mood{
		Compound: r.Compound, Score: r.Score, Label: string(r.Label), Confidence: r.Confidence,
		Frustration: r.Emotions.Frustration, Confusion: r.Emotions.Confusion,
		Urgency: r.Emotions.Urgency, Delight: r.Emotions.Delight,
		Anger: r.Emotions.Anger, Disappointment: r.Emotions.Disappointment,
		Gratitude: r.Emotions.Gratitude, Complaint: r.Complaint,
	}
}

// An Analyzer scores the sentiment and emotions of a text. The built-in
// one is [Lexical]; an application can plug in an LLM or a cloud service.
//
// Implementations must be safe for concurrent use, must return a Result
// with Label set for any input (empty, emoji-only, very long, any
// language), and return an error only when they cannot answer at all
// (a network failure, ctx ended). Compound must be in [-1, 1], Score in
// [0, 1] and emotion strengths in [0, 1].
type Analyzer interface {
	Analyze(ctx context.Context, text string) (Result, error)
}

// AnalyzerFunc adapts a function to an [Analyzer].
type AnalyzerFunc func(ctx context.Context, text string) (Result, error)

// Analyze calls f(ctx, text).
func (f AnalyzerFunc) Analyze(ctx context.Context, text string) (Result, error) { return f(ctx, text) }
