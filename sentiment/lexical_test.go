package sentiment

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestLexical(t testing.TB, opts ...Option) *Lexical {
	t.Helper()
	l, err := NewLexical(opts...)
	require.NoError(t, err)
	return l
}

func TestPolarityLabels(t *testing.T) {
	l := newTestLexical(t)
	tests := []struct {
		name string
		give string
		want Label
	}{
		{"positive", "Thank you, this is great!", Positive},
		{"negative", "This is the worst service ever.", Negative},
		{"neutral", "My order arrived on Tuesday.", Neutral},
		{"negation", "The app is not good.", Negative},
		{"but clause", "The food was good but the service was horrible.", Negative},
		{"emoji", "😠😢", Negative},
		{"emoticon", "ok :)", Positive},
		{"caps boost", "I am SO ANGRY about this", Negative},
		{"clause break stops negation", "I don't know. It works great", Positive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := l.Polarity(tt.give)
			assert.Equal(t, tt.want, got.Label, "compound %.3f", got.Compound)
		})
	}
}

func TestAnswersAndCommandsAreNeutral(t *testing.T) {
	l := newTestLexical(t)
	vader := newTestLexical(t, WithMode(ModeVADER))
	for _, give := range []string{"no", "No.", "No!", "cancel", "Cancel.", "cancel my order", "zzz", "blorf zzz", "No, the other order."} {
		t.Run(give, func(t *testing.T) {
			r := l.Polarity(give)
			assert.Equal(t, Neutral, r.Label, "compound %.3f", r.Compound)
			assert.Less(t, r.Emotions.Frustration, 0.5)
		})
	}
	// A polite "no thanks" is not a negated "thanks".
	assert.NotEqual(t, Negative, l.Polarity("no thanks").Label)
	assert.NotEqual(t, Negative, l.Polarity("No, thank you.").Label)
	// Nor is "not now thanks": the "not" is about the "now" (qa12 F28).
	for _, give := range []string{"not now thanks", "nah not now thanks", "not today thanks", "not right now thank you"} {
		assert.Equal(t, Positive, l.Polarity(give).Label, give)
	}
	// "no" still judges and negates inside a sentence, and what happened
	// to a flight is still bad news.
	for _, give := range []string{"No, this is terrible.", "no good", "There is no way this works.", "My flight was cancelled."} {
		assert.Equal(t, Negative, l.Polarity(give).Label, give)
	}
	// Exact VADER keeps its lexicon.
	for _, give := range []string{"no", "cancel", "zzz"} {
		assert.Equal(t, Negative, vader.Polarity(give).Label, give)
	}
}

// TestAbsenceDoubtAndCalmAreNoJudgement checks Parley mode's reading of
// a "no" before a word (a determiner: something is absent), a negated
// "sure" (doubt) and a negated urgency word (there is time).
func TestAbsenceDoubtAndCalmAreNoJudgement(t *testing.T) {
	l := newTestLexical(t, absenceIsNoJudgement()) // as Model's
	def := newTestLexical(t)
	vader := newTestLexical(t, WithMode(ModeVADER))
	for _, give := range []string{"no dark mode", "no pizza", "no rush", "I have no idea where it is", "is there no dark mode?",
		"not sure", "I'm not so sure", "not certain which one", "not urgent", "it's not urgent at all"} {
		assert.Equal(t, Neutral, l.Polarity(give).Label, give)
	}
	for _, give := range []string{"not sure", "I'm not so sure", "not urgent"} {
		assert.Equal(t, Neutral, def.Polarity(give).Label, give)
	}
	assert.Equal(t, Negative, def.Polarity("no dark mode").Label, "the default analyzer reads absence as VADER does")
	for _, give := range []string{"no dark mode", "not sure", "not urgent"} {
		assert.Equal(t, Negative, vader.Polarity(give).Label, "exact VADER keeps its rules: %s", give)
	}
	// A "no" that ends a clause, negates a sentiment word or follows a
	// negation (negative concord) still judges.
	for _, give := range []string{"oh no", "I said no.", "no help at all", "no good", "no way", "I don't want no trouble"} {
		assert.Equal(t, Negative, l.Polarity(give).Label, give)
	}
	assert.Equal(t, Positive, l.Polarity("no worries").Label)
	assert.Equal(t, Positive, l.Polarity("I'm sure").Label)
	for _, give := range []string{"not urgent", "no hurry", "no need to hurry", "I'm not in a hurry"} {
		assert.Zero(t, def.Polarity(give).Emotions.Urgency, give)
	}
	assert.Equal(t, 1.0, def.Polarity("it's urgent").Emotions.Urgency)
	assert.Equal(t, 0.8, def.Polarity("hurry, no time").Emotions.Urgency, "a later \"no\" negates nothing before it")
}

func TestPolarityDefinedForBadInput(t *testing.T) {
	l := newTestLexical(t)
	tests := []struct {
		name     string
		give     string
		wantConf func(float64) bool
	}{
		{"empty", "", func(c float64) bool { return c == 0 }},
		{"spaces", " \t\n ", func(c float64) bool { return c == 0 }},
		{"emoji only", "😀🎉", func(c float64) bool { return c > 0.5 }},
		{"non-English", "Ceci est une phrase française quelconque", func(c float64) bool { return c <= 0.1 }},
		{"japanese", "これは日本語の文です", func(c float64) bool { return c <= 0.1 }},
		{"invalid utf8", "bad \xff\xfe bytes", func(c float64) bool { return c >= 0 }},
		{"100 KB", strings.Repeat("terrible service, ", 6000), func(c float64) bool { return c > 0.5 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := l.Polarity(tt.give)
			assert.NotEmpty(t, got.Label)
			assert.True(t, got.Compound >= -1 && got.Compound <= 1, "compound %v", got.Compound)
			assert.InDelta(t, (got.Compound+1)/2, got.Score, 1e-12)
			assert.True(t, tt.wantConf(got.Confidence), "confidence %v", got.Confidence)
			for _, e := range []float64{got.Emotions.Frustration, got.Emotions.Confusion, got.Emotions.Urgency, got.Emotions.Delight} {
				assert.True(t, e >= 0 && e <= 1, "emotion %v", e)
			}
		})
	}
	assert.Equal(t, Neutral, l.Polarity("").Label)
	assert.Equal(t, Neutral, l.Polarity("Ceci est une phrase quelconque").Label)
}

func TestNewLexicalErrors(t *testing.T) {
	tests := []struct {
		name string
		give []Option
	}{
		{"bad mode", []Option{WithMode(Mode(7))}},
		{"band", []Option{WithNeutralBand(1.5)}},
		{"nan band", []Option{WithNeutralBand(math.NaN())}},
		{"word with space", []Option{WithWords(map[string]float64{"two words": 1})}},
		{"valence", []Option{WithWords(map[string]float64{"refund": 9})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewLexical(tt.give...)
			require.Error(t, err)
		})
	}
}

func TestWithWords(t *testing.T) {
	l := newTestLexical(t, WithWords(map[string]float64{"Reboot": -2.5}))
	assert.Equal(t, Negative, l.Polarity("I need a reboot").Label)
	assert.Equal(t, Neutral, newTestLexical(t).Polarity("I need a reboot").Label)
}

func TestAnalyzeImplementsAnalyzer(t *testing.T) {
	var a Analyzer = newTestLexical(t)
	r, err := a.Analyze(context.Background(), "I love it")
	require.NoError(t, err)
	assert.Equal(t, Positive, r.Label)
	m := r.Mood()
	assert.Equal(t, "positive", m.Label)
	assert.InDelta(t, r.Score, m.Score, 1e-12)
}

func TestVADERLicenseShipped(t *testing.T) {
	assert.Contains(t, VADERLicense(), "MIT")
	assert.Contains(t, VADERLicense(), "Hutto")
}

func FuzzPolarity(f *testing.F) {
	for _, s := range []string{"", "not bad at all", "THIS IS THE WORST!!!?!", "😀 kind of", "the shit", "no or nor", "least at very", "but but", "\xff"} {
		f.Add(s)
	}
	parley, err := NewLexical()
	require.NoError(f, err)
	vader, err := NewLexical(WithMode(ModeVADER))
	require.NoError(f, err)
	ref := newRefVADER()
	f.Fuzz(func(t *testing.T, s string) {
		r := parley.Polarity(s)
		if r.Compound < -1 || r.Compound > 1 || math.IsNaN(r.Compound) || r.Label == "" {
			t.Fatalf("bad result %+v", r)
		}
		got := vader.Polarity(s)
		c, _, _, _ := ref.polarity(s)
		if math.Abs(c-got.Compound) > 1e-9 && !strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 }) {
			t.Fatalf("vader mode %v, reference %v", got.Compound, c)
		}
	})
}

// reportCPU adds the CPU time per operation since c0: on a shared,
// loaded machine it stays close to the unloaded wall time while the wall
// time grows with the load.
func reportCPU(b *testing.B, c0 time.Duration, ok bool, n int) {
	c1, ok1 := cpuTime()
	if ok && ok1 && n > 0 {
		b.ReportMetric(float64(c1-c0)/float64(n), "cpu-ns/op")
	}
}

func BenchmarkPolarity(b *testing.B) {
	var texts []string
	for _, set := range goldSets {
		for _, r := range readGold(b, set) {
			texts = append(texts, r.text)
		}
	}
	b.Run("model", func(b *testing.B) {
		m := newTestModel(b)
		b.ReportAllocs()
		c0, ok := cpuTime()
		n := 0
		for i := 0; b.Loop(); i++ {
			m.Polarity(texts[i%len(texts)])
			n++
		}
		reportCPU(b, c0, ok, n)
	})
	b.Run("parley", func(b *testing.B) {
		l := newTestLexical(b)
		b.ReportAllocs()
		c0, ok := cpuTime()
		n := 0
		for i := 0; b.Loop(); i++ {
			l.Polarity(texts[i%len(texts)])
			n++
		}
		reportCPU(b, c0, ok, n)
	})
	b.Run("vader-mode", func(b *testing.B) {
		l := newTestLexical(b, WithMode(ModeVADER))
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			l.Polarity(texts[i%len(texts)])
		}
	})
	b.Run("reference-port", func(b *testing.B) {
		r := newRefVADER()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			r.polarity(texts[i%len(texts)])
		}
	})
}

func TestCodesInCapitalsAreNotShouting(t *testing.T) {
	l, err := NewLexical()
	require.NoError(t, err)
	tests := []struct {
		give      string
		wantFrust bool
	}{
		{give: "A-1003"},
		{give: "7 Ocean Drive, Leith EH6 6JJ"},
		{give: "my order is A1002 and the SKU is XJ9-220"},
		{give: "WHERE IS MY ORDER", wantFrust: true},
		{give: "this is RIDICULOUS, ANSWER me", wantFrust: true},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, err := l.Analyze(t.Context(), tt.give)
			require.NoError(t, err)
			assert.Equal(t, tt.wantFrust, got.Emotions.Frustration > 0, "frustration %v", got.Emotions.Frustration)
		})
	}
}
