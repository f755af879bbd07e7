// Package nlu defines what language understanding made of a turn: the
// [Understanding] (intent, entities, status) and the [Mood]. The intent and
// sentiment packages attach them to a [parley.Turn] under [UnderstandingKey]
// and [MoodKey]; the acting packages (flow, escalation, kb) read them, so
// neither side imports the other:
//
//	if u, ok := parley.Value(t, nlu.UnderstandingKey); ok && u.Status == nlu.Understood {
//		route(u.Intent.Name)
//	}
package nlu

import "github.com/parleyhq/parley"

// An Intent is a classified user goal with its confidence in [0, 1].
type Intent struct {
	Name       string  `json:"name"`
	Confidence float64 `json:"confidence"`
}

// An Entity is a typed value found in the user's text.
type Entity struct {
	// Type names the entity: "email", "phone", "money", "number", "date",
	// "daterange", "order_id", or an application type such as "city".
	Type string `json:"type"`
	// Text is the span as the user wrote it; Start and End are its byte
	// offsets in the turn's text.
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	// Value is the normalised value as text, so that it can fill a slot
	// directly: dates as 2006-01-02, date ranges as
	// 2006-01-02/2006-01-08 (inclusive), money as "49.99 USD", numbers in
	// Go's shortest decimal form, emails lower-cased, phones as
	// +<digits>, lookup entities as their canonical name.
	Value string `json:"value"`
	// Confidence is 1 for exact matches and lower for fuzzy ones.
	Confidence float64 `json:"confidence,omitempty"`
	// Role optionally tells entities of one type apart ("from", "to").
	Role string `json:"role,omitempty"`
}

// Status says what the language understanding concluded.
type Status string

// Understanding statuses.
const (
	// Understood: Intent reached its confidence threshold.
	Understood Status = "understood"
	// Ambiguous: the top candidates were too close; ask which one.
	Ambiguous Status = "ambiguous"
	// Unsure: the best candidate was below the threshold.
	Unsure Status = "unsure"
	// OutOfScope: the text matches none of the known intents.
	OutOfScope Status = "out_of_scope"
)

// Understanding is what language understanding made of a turn. The intent
// package attaches it under [UnderstandingKey]; flows, routers and
// escalation rules read it.
type Understanding struct {
	Status Status `json:"status"`
	// Intent is the accepted intent; its Name is empty unless Status is
	// Understood.
	Intent Intent `json:"intent"`
	// Ranked holds the candidates, best first.
	Ranked []Intent `json:"ranked,omitempty"`
	// Entities found in the text, in order of appearance.
	Entities []Entity `json:"entities,omitempty"`
	// Then holds further intents the same message asked for, in order
	// ("return this shirt, and also check if you have it in red").
	Then []Intent `json:"then,omitempty"`
	// Locale the text was understood in (BCP 47).
	Locale string `json:"locale,omitempty"`
}

// Entity returns the first entity of the given type.
func (u Understanding) Entity(typ string) (Entity, bool) {
	for _, e := range u.Entities {
		if e.Type == typ {
			return e, true
		}
	}
	return Entity{}, false
}

// UnderstandingKey annotates a [parley.Turn] with its [Understanding].
var UnderstandingKey = parley.NewKey[Understanding]("understanding")

// Mood is the sentiment and emotion of a turn. The sentiment package
// attaches it under [MoodKey]; flows choose a tone and escalation rules
// read it.
type Mood struct {
	// Compound is the polarity in [-1, 1].
	Compound float64 `json:"compound"`
	// Score is the polarity on a 0-1 scale (0.5 is neutral), the scale
	// used by rules such as "below 0.4".
	Score float64 `json:"score"`
	// Label is "positive", "neutral" or "negative".
	Label string `json:"label"`
	// Confidence in [0, 1] says how much evidence the analyzer had: low
	// for text without sentiment-bearing words or in a language it does
	// not know. Rules can ignore low-confidence moods.
	Confidence float64 `json:"confidence,omitempty"`
	// Emotion strengths in [0, 1].
	Frustration float64 `json:"frustration,omitempty"`
	Confusion   float64 `json:"confusion,omitempty"`
	Urgency     float64 `json:"urgency,omitempty"`
	Delight     float64 `json:"delight,omitempty"`
	// Anger, Disappointment and Gratitude refine Frustration and
	// Delight when the analyzer scores them (sentiment.Model does);
	// Complaint is the strength of the turn being a complaint. As for
	// the emotions above, 0.5 or more means present.
	Anger          float64 `json:"anger,omitempty"`
	Disappointment float64 `json:"disappointment,omitempty"`
	Gratitude      float64 `json:"gratitude,omitempty"`
	Complaint      float64 `json:"complaint,omitempty"`
	// Trend is the smoothed conversation-level score on the 0-1 scale.
	Trend float64 `json:"trend,omitempty"`
}

// MoodKey annotates a [parley.Turn] with its [Mood].
var MoodKey = parley.NewKey[Mood]("mood")
