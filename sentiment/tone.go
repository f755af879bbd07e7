package sentiment

import (
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/nlu"
)

// Tone is the register of a reply.
type Tone string

// Reply tones.
const (
	// Empathetic acknowledges a problem: for complaints and frustration.
	Empathetic Tone = "empathetic"
	// Enthusiastic shares the user's joy: for success and gratitude.
	Enthusiastic Tone = "enthusiastic"
	// Professional is calm and precise: the default, and for money
	// matters.
	Professional Tone = "professional"
)

// professionalTopics are intent name fragments for which a bot stays
// professional unless the user is upset.
var professionalTopics = [...]string{"billing", "payment", "invoice", "refund", "charge", "legal", "account"}

// ToneOf chooses the tone of a reply to t from its [nlu.Mood] and
// [nlu.Understanding]:
//
//   - Empathetic when the user is frustrated, angry or complaining
//     (>= 0.5), the turn is negative (score < 0.35) or the
//     conversation's trend is below 0.35;
//   - Professional for billing, payment, refund, legal and account
//     intents, and when there is no Mood;
//   - Enthusiastic when the user is delighted or grateful (>= 0.5) or
//     clearly positive (score >= 0.75): a success moment;
//   - Professional otherwise.
func ToneOf(t *parley.Turn) Tone {
	m, ok := parley.Value(t, nlu.MoodKey)
	if !ok {
		return Professional
	}
	if m.Frustration >= 0.5 || m.Anger >= 0.5 || m.Complaint >= 0.5 || (m.Label != "" && m.Score < 0.35) || (m.Trend > 0 && m.Trend < 0.35) {
		return Empathetic
	}
	if u, ok := parley.Value(t, nlu.UnderstandingKey); ok {
		name := strings.ToLower(u.Intent.Name)
		for _, p := range professionalTopics {
			if strings.Contains(name, p) {
				return Professional
			}
		}
	}
	if m.Delight >= 0.5 || m.Gratitude >= 0.5 || m.Score >= 0.75 {
		return Enthusiastic
	}
	return Professional
}

// Variants holds one reply per tone. Professional is the default and
// must be set; an empty variant falls back to it.
type Variants struct {
	Empathetic   string
	Enthusiastic string
	Professional string
}

// For returns the variant for the tone of t (see [ToneOf]).
func (v Variants) For(t *parley.Turn) string {
	var s string
	switch ToneOf(t) {
	case Empathetic:
		s = v.Empathetic
	case Enthusiastic:
		s = v.Enthusiastic
	}
	if s == "" {
		return v.Professional
	}
	return s
}
