package sentiment

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestConfusionCue(t *testing.T) {
	tests := []struct {
		give string
		want uint64
	}{
		{"how do I change my address", 1},
		{"How come it was charged twice", 1},
		{"what do you mean by that", 2},
		{"what does this error mean", 3},
		{"I don't get it", 4},
		{"I dont understand the bill", 4},
		{"I do not understand", 4},
		{"this is so confusing", 5},
		{"no idea what happened", 6},
		{"that makes no sense", 7},
		{"why is it late?", 8},
		{"why is it late", 0},
		{"where is my order?", 0},
		{"I mean it", 0},
		{"", 0},
	}
	var f featurizer
	for _, tt := range tests {
		f.extract(tt.give, featureConfig{bits: 15})
		assert.Equal(t, tt.want, confusionCue(f.hashes), tt.give)
	}
}

func TestExtraFeatureFamilies(t *testing.T) {
	const text = "I don't get what this fee means?"
	base := featureConfig{bits: 15, charMin: 4, charMax: 4, negation: true}
	var f featurizer
	f.extract(text, base)
	n := len(f.feats)
	words := len(f.hashes)
	// Each family adds to the word features and leaves the rest alone.
	for _, tt := range []struct {
		extra uint8
		more  int
	}{
		{extraTrigram, words},
		{extraSkip, words},
		{extraCue, 2},
		{extraTrigram | extraSkip | extraCue, 2*words + 2},
	} {
		c := base
		c.extra = tt.extra
		f.extract(text, c)
		assert.Len(t, f.feats, n+tt.more, "extra %b", tt.extra)
	}
}
