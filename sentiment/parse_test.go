package sentiment

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseLexicon(t *testing.T) {
	words, err := ParseLexicon(strings.NewReader("# Spanish\nbueno\t1.9\t0.5\t[2, 2]\r\nMALO\t-2.5\n\nfatal\t-3.0\n"))
	require.NoError(t, err)
	assert.Equal(t, map[string]float64{"bueno": 1.9, "malo": -2.5, "fatal": -3.0}, words)
	l := newTestLexical(t, WithWords(words))
	assert.Equal(t, Negative, l.Polarity("el servicio es malo").Label)
	assert.Equal(t, Positive, l.Polarity("muy bueno").Label)

	tests := []struct {
		name string
		give string
	}{
		{"no tab", "bueno 1.9\n"},
		{"not a number", "bueno\tx\n"},
		{"out of range", "bueno\t9\n"},
		{"two words", "muy bueno\t2\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLexicon(strings.NewReader(tt.give))
			var le *LexiconError
			require.True(t, errors.As(err, &le), "error %v", err)
			assert.Equal(t, 1, le.Line)
		})
	}
}

func FuzzParseLexicon(f *testing.F) {
	f.Add("good\t1.9\n")
	f.Add("# c\n\nbad\t-2\tx\n")
	f.Fuzz(func(t *testing.T, s string) {
		words, err := ParseLexicon(strings.NewReader(s))
		if err != nil {
			return
		}
		if _, err := NewLexical(WithWords(words)); err != nil {
			t.Fatalf("parsed lexicon rejected by NewLexical: %v", err)
		}
	})
}
