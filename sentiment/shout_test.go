package sentiment

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCodeIsNotShouting: capitals in code-like text (an SQL injection
// pasted as a name, markup) and acronyms ("PDF", "DHL") are not a
// customer shouting, for the lexicon analyzer, the model's features and
// the model; real shouting still is.
func TestCodeIsNotShouting(t *testing.T) {
	l, err := NewLexical()
	require.NoError(t, err)
	m := newTestModel(t)
	tests := []struct {
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
	var f featurizer
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			f.extract(tt.give, featureConfig{bits: 15, charMin: 4, charMax: 4, negation: true})
			assert.Equal(t, tt.shout, f.shout > 0, "model feature: %d shouted words", f.shout)
			r, err := l.Analyze(t.Context(), tt.give)
			require.NoError(t, err)
			if !tt.shout {
				// Shouting alone adds 0.4; a negative word ("drop")
				// may add 0.1.
				assert.Less(t, r.Emotions.Frustration, 0.4, "lexicon")
				assert.Less(t, m.Polarity(tt.give).Emotions.Frustration, 0.5, "model")
			} else {
				assert.GreaterOrEqual(t, r.Emotions.Frustration, 0.4, "lexicon")
			}
		})
	}
}
