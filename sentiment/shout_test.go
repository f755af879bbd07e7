package sentiment

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shoutCases are texts in capitals: code-like text (an SQL injection
// pasted as a name, markup) and acronyms are no shouting; the rest is.
var shoutCases = []struct {
	give  string
	shout bool
}{
	{give: "Robert'); DROP TABLE orders;--"},
	{give: "My name is Robert'); DROP TABLE orders;--"},
	{give: "<SCRIPT>ALERT(1)</SCRIPT>"},
	{give: "x = NULL; y = FALSE; DELETE FROM t;"},
	{give: "PDF invoice?"},
	{give: "DHL tracking please"},
	{give: "WHERE IS MY ORDER", shout: true},
	{give: "this is RIDICULOUS, ANSWER me", shout: true},
	{give: "WHY IS MY REFUND NOT HERE?!", shout: true},
}

// TestCodeIsNotShouting checks shoutCases for the lexicon analyzer, the
// model's features and the model (whose label stays neutral: the
// capitals of "DROP" no longer make the VADER word "drop" stronger).
func TestCodeIsNotShouting(t *testing.T) {
	l, m := newTestLexical(t), newTestModel(t)
	var f featurizer
	for _, tt := range shoutCases {
		t.Run(tt.give, func(t *testing.T) {
			f.extract(tt.give, featureConfig{bits: 15, charMin: 4, charMax: 4, negation: true})
			assert.Equal(t, tt.shout, f.shout > 0, "model feature: %d shouted words", f.shout)
			r, err := l.Analyze(t.Context(), tt.give)
			require.NoError(t, err)
			if tt.shout {
				assert.GreaterOrEqual(t, r.Emotions.Frustration, 0.4, "lexicon")
				return
			}
			// Shouting alone adds 0.4; a negative word ("drop") may add 0.1.
			assert.Less(t, r.Emotions.Frustration, 0.4, "lexicon")
			mr := m.Polarity(tt.give)
			assert.Less(t, mr.Emotions.Frustration, 0.5, "model")
			// Escalation's "frustrated" rule reads a non-neutral label
			// with a low score: code pasted as a name is no upset customer.
			assert.Equal(t, Neutral, mr.Label, "model")
		})
	}
}
