package sentiment

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/evalstat"
)

// loadTestModel loads the embedded model once for all tests: a Model is
// immutable and safe for concurrent use.
var loadTestModel = sync.OnceValues(NewModel)

func newTestModel(t testing.TB) *Model {
	t.Helper()
	m, err := loadTestModel()
	require.NoError(t, err)
	return m
}

// checkResult asserts the Analyzer contract's ranges.
func checkResult(t testing.TB, text string, r Result) {
	t.Helper()
	ok := r.Compound >= -1 && r.Compound <= 1 && r.Score >= 0 && r.Score <= 1 &&
		r.Confidence >= 0 && r.Confidence <= 1 && r.Complaint >= 0 && r.Complaint <= 1 &&
		(r.Label == Positive || r.Label == Neutral || r.Label == Negative)
	e := r.Emotions
	for _, x := range []float64{e.Frustration, e.Anger, e.Confusion, e.Urgency, e.Disappointment, e.Gratitude, e.Delight} {
		ok = ok && x >= 0 && x <= 1 && !math.IsNaN(x)
	}
	if !ok {
		t.Fatalf("%q: result out of range: %+v", text, r)
	}
}

func TestModelBadInput(t *testing.T) {
	m := newTestModel(t)
	tests := []struct {
		name string
		give string
	}{
		{"empty", ""},
		{"space", " \t\n "},
		{"emoji only", "😡😡😡"},
		{"happy emoji only", "😀🎉👍"},
		{"punctuation", "?!?!...!!!"},
		{"10 KB paste", strings.Repeat("ERROR 2024-05-01 12:00:01 connection refused at db.go:118 ", 180)},
		{"japanese", "荷物がまだ届きません"},
		{"mixed scripts", "Заказ 注文 طلب"},
		{"unknown language", "Ndinoda kutaura nemunhu"},
		{"invalid utf8", "\xff\xfe\xfd"},
		{"digits", "4111 1111 1111 1111"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := m.Polarity(tt.give)
			checkResult(t, tt.give, r)
			assert.Equal(t, Neutral, r.Label)
			assert.LessOrEqual(t, r.Confidence, 0.1)
			assert.Less(t, r.Emotions.Frustration, 0.5)
			assert.Less(t, r.Complaint, 0.5)
		})
	}
}

// TestModelSupportMessages checks the model on customer-support
// messages written for this test (not from any data set, and not used to
// train or tune).
func TestModelSupportMessages(t *testing.T) {
	m := newTestModel(t)
	tests := []struct {
		give      string
		label     Label
		complaint bool
	}{
		{"My order never arrived and nobody answers my emails.", Negative, true},
		{"Still waiting!!! This is the third time I ask.", Negative, true},
		{"I was charged twice for the same order, I want a refund.", Negative, true},
		{"Thank you so much, that fixed it!", Positive, false},
		{"Great service, the agent was really helpful.", Positive, false},
		{"What are your opening hours on Sunday?", Neutral, false},
		{"I'd like to change my delivery address.", Neutral, false},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			r := m.Polarity(tt.give)
			assert.Equal(t, tt.label, r.Label, "%+v", r)
			assert.Equal(t, tt.complaint, r.Complaint >= 0.5, "complaint %.2f", r.Complaint)
		})
	}
	assert.GreaterOrEqual(t, m.Polarity("Still waiting!!! This is the third time I ask.").Emotions.Frustration, 0.5)
	assert.GreaterOrEqual(t, m.Polarity("I don't understand, what do you mean?").Emotions.Confusion, 0.5)
	assert.GreaterOrEqual(t, m.Polarity("Thanks a lot for your help!").Emotions.Gratitude, 0.5)
}

// TestModelNegatedIntentIsNotUpset checks support questions that negate
// an intent ("I don't want to cancel, what are my options"): the customer
// asks what else there is, which is neither frustration nor a complaint.
// These sentences are not in the training data (support.tsv).
func TestModelNegatedIntentIsNotUpset(t *testing.T) {
	m := newTestModel(t)
	for _, give := range []string{
		"I don't want to cancel, what are my options",
		"I don't want to cancel my subscription, can I pause it instead?",
		"I don't need the premium plan, can I downgrade?",
		"I don't want to leave, is there a cheaper plan?",
		"I do not want to lose my data, how do I export it?",
	} {
		t.Run(give, func(t *testing.T) {
			r := m.Polarity(give)
			assert.NotEqual(t, Negative, r.Label, "%+v", r)
			assert.Less(t, r.Emotions.Frustration, 0.5)
			assert.Less(t, r.Emotions.Anger, 0.5)
			assert.Less(t, r.Complaint, 0.5)
		})
	}
	// A negation that is itself the complaint still reads as one.
	r := m.Polarity("I don't want to wait any longer, this is the third time I've asked!")
	assert.GreaterOrEqual(t, r.Emotions.Frustration, 0.5, "%+v", r)
}

// TestModelPoliteDeclineIsNotUpset checks declines with thanks: "not now
// thanks" to a reminder read as frustration (qa12 F28), the "not"
// negating the "thanks" as well as the "now".
func TestModelPoliteDeclineIsNotUpset(t *testing.T) {
	m := newTestModel(t)
	for _, give := range []string{"not now thanks", "nah not now thanks", "not today thanks", "not right now thanks", "not now, thanks"} {
		t.Run(give, func(t *testing.T) {
			r := m.Polarity(give)
			assert.NotEqual(t, Negative, r.Label, "%+v", r)
			assert.Less(t, r.Emotions.Anger, 0.5)
			assert.Less(t, r.Complaint, 0.5)
		})
	}
	// A "not" before other words still negates them.
	assert.Equal(t, Negative, m.Polarity("not happy at all, not good enough").Label)
	assert.Equal(t, Negative, m.Polarity("this is not good").Label)
}

// TestModelNeutralSupportMessages checks short support messages that say
// something is absent, defer, hedge or give a detail (session 13): "no
// dark mode" read negative with frustration 0.56 ("no" weighed -1.2 as
// in VADER), "no rush" 0.61, "not yet" 0.52, "not urgent" urgency 1,
// "I'm not sure" negative at 0.35, all an apology and an offer of a
// person in the example. None is a training sentence.
func TestModelNeutralSupportMessages(t *testing.T) {
	m := newTestModel(t)
	for _, give := range []string{
		"no dark mode", "no pizza", "no dark mode?", "there's no dark mode in the app", "no express shipping option?",
		"no preference", "no rush", "no hurry, whenever you can", "no problem", "no receipt needed",
		"I have no idea where it is", "I have no idea what that means", "I got no email", "I have no tracking number",
		"not sure", "I'm not sure", "not sure which order it was",
		"not yet", "not now", "not this time", "not that one", "nothing else", "never mind",
		"order A-1002", "my order number is 48213", "12 Oak Street, Springfield", "ship it to 4 Elm Road instead",
		"I want to return it", "cancel my order", "please cancel order A-1010", "can someone call me",
		"speak to someone", "call me on 555 123 4567", "the other one", "I paid with PayPal",
	} {
		t.Run(give, func(t *testing.T) {
			r := m.Polarity(give)
			assert.Equal(t, Neutral, r.Label, "%+v", r)
			assert.GreaterOrEqual(t, r.Score, 0.35, "not low enough for an apology")
			assert.Less(t, r.Emotions.Frustration, 0.5)
			assert.Less(t, r.Emotions.Anger, 0.5)
			assert.Less(t, r.Complaint, 0.5)
			assert.Less(t, r.Emotions.Delight, 0.5)
		})
	}
	// "not urgent" is no longer urgent nor negative; its frustration
	// (0.54, the model's own "not" n-grams) is left.
	assert.Less(t, m.Polarity("not urgent").Emotions.Urgency, 0.5)
	assert.NotEqual(t, Negative, m.Polarity("not urgent").Label)
	assert.Less(t, m.Polarity("no need to hurry").Emotions.Urgency, 0.5)
	assert.GreaterOrEqual(t, m.Polarity("I need it urgently").Emotions.Urgency, 0.5)
	assert.GreaterOrEqual(t, m.Polarity("I have no idea where it is").Emotions.Confusion, 0.5, "confusion, not anger")
	// A "no" that judges still reads negative.
	for _, give := range []string{"no, this is useless", "no help at all", "no one has answered me in days",
		"still no response after a week", "no, that's wrong", "oh no, it's broken"} {
		assert.Equal(t, Negative, m.Polarity(give).Label, give)
	}
}

// TestModelKissesAreNoDelight checks sign-offs: delight of 0.5 or more
// tells the escalator the conversation is resolved, and "xoxo" after a
// question read 0.59 (VADER rates it 3.0). "xxx" and "xx" carry no
// evidence of their own.
func TestModelKissesAreNoDelight(t *testing.T) {
	m := newTestModel(t)
	for _, give := range []string{"xxx", "xx", "xoxo", "muah", "kk", "where is my lamp xxx", "where is my lamp xoxo",
		"I want a refund xx", "ok xxx", "hi xxx", "can I change the date? xoxo"} {
		r := m.Polarity(give)
		assert.Less(t, r.Emotions.Delight, 0.5, "%s: %+v", give, r)
		assert.NotEqual(t, Negative, r.Label, give)
	}
	assert.Equal(t, Negative, m.Polarity("still waiting xoxo").Label, "a complaint signed off with kisses")
	assert.GreaterOrEqual(t, m.Polarity("thank you so much xxx").Emotions.Delight, 0.5, "thanks are delight, kisses or not")
}

func TestModelRoundTrip(t *testing.T) {
	m := newTestModel(t)
	var buf bytes.Buffer
	n, err := m.WriteTo(&buf)
	require.NoError(t, err)
	assert.Equal(t, int64(buf.Len()), n)
	m2, err := ReadModel(&buf)
	require.NoError(t, err)
	assert.Equal(t, m.Info(), m2.Info())
	for _, s := range []string{"I love it", "Where is my parcel?", "worst. service. ever."} {
		assert.Equal(t, m.Polarity(s), m2.Polarity(s), s)
	}
}

// rewrite returns the embedded model with its format version set to v.
func rewriteVersion(t *testing.T, v uint32) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(embeddedModel))
	require.NoError(t, err)
	var raw bytes.Buffer
	_, err = raw.ReadFrom(zr)
	require.NoError(t, err)
	b := raw.Bytes()
	binary.LittleEndian.PutUint32(b[len(modelMagic):], v)
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestSpeed)
	require.NoError(t, err)
	_, err = zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return out.Bytes()
}

func TestReadModelErrors(t *testing.T) {
	_, err := ReadModel(bytes.NewReader(rewriteVersion(t, ModelVersion+1)))
	require.ErrorIs(t, err, ErrModelVersion)
	assert.Contains(t, err.Error(), fmt.Sprintf("version %d", ModelVersion+1))
	_, err = ReadModel(bytes.NewReader(rewriteVersion(t, ModelVersion)))
	require.NoError(t, err)

	for name, b := range map[string][]byte{
		"empty":     nil,
		"not gzip":  []byte("hello"),
		"truncated": embeddedModel[:len(embeddedModel)/2],
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadModel(bytes.NewReader(b))
			require.ErrorIs(t, err, ErrBadModel)
		})
	}
}

func TestModelNotice(t *testing.T) {
	assert.Contains(t, ModelNotice(), "GoEmotions")
	assert.Contains(t, ModelNotice(), "Apache License")
	assert.Equal(t, ModelVersion, newTestModel(t).Info().Version)
	m, err := NewModel()
	require.NoError(t, err)
	assert.Equal(t, newTestModel(t).Info(), m.Info())
}

// TestTrainDeterministic trains twice on the same small set and expects
// byte-identical model files.
func TestTrainDeterministic(t *testing.T) {
	train := []Example{
		{"thank you so much, this is great", []string{"gratitude"}},
		{"this is ridiculous, I'm so annoyed", []string{"annoyance"}},
		{"my parcel never arrived, this is unacceptable", []string{"anger"}},
		{"what do you mean? I'm confused", []string{"confusion"}},
		{"the store opens at nine", []string{"neutral"}},
		{"I love it, perfect", []string{"joy", "love"}},
		{"so disappointed with the update", []string{"disappointment"}},
		{"the app is on version two", []string{"neutral"}},
	}
	dev := train[:4]
	var files [2][]byte
	for i := range files {
		m, err := Train(context.Background(), train, dev, TrainConfig{Epochs: 3, Bits: 10})
		require.NoError(t, err)
		var buf bytes.Buffer
		_, err = m.WriteTo(&buf)
		require.NoError(t, err)
		files[i] = buf.Bytes()
		assert.Equal(t, Positive, m.Polarity("thank you so much, great").Label)
	}
	assert.Equal(t, files[0], files[1])

	_, err := Train(context.Background(), nil, dev, TrainConfig{})
	require.Error(t, err)
	_, err = Train(context.Background(), train, dev, TrainConfig{Bits: 40})
	require.Error(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Train(ctx, train, dev, TrainConfig{})
	require.ErrorIs(t, err, context.Canceled)
}

func TestReadGoEmotions(t *testing.T) {
	ex, err := ReadGoEmotions(strings.NewReader("so good\t17,18\tid1\nmeh\t27\n"))
	require.NoError(t, err)
	require.Len(t, ex, 2)
	assert.Equal(t, []string{"joy", "love"}, ex[0].Labels)
	assert.Equal(t, []string{"neutral"}, ex[1].Labels)
	for _, bad := range []string{"no tab", "x\t28", "x\tjoy"} {
		_, err := ReadGoEmotions(strings.NewReader(bad))
		require.Error(t, err, bad)
	}
	l, ok := PolarityOf([]string{"joy", "anger"})
	assert.False(t, ok, l)
	l, ok = PolarityOf([]string{"anger"})
	assert.True(t, ok)
	assert.Equal(t, Negative, l)
	assert.Len(t, GoEmotionsLabels(), 28)
}

// TestModelGoldSets checks the model against exact VADER on VADER's four
// gold sets, measured together: its Pearson r must not be lower on any.
func TestModelBareAnswersCarryNoMood(t *testing.T) {
	m := newTestModel(t)
	for _, give := range []string{"no", "No.", "nope", "cancel", "Cancel.", "zzz", "hmm", "stop", "no cancel",
		// corrections of an answer given to a form
		"no wait 20", "no, I meant 20", "No wait, A-1002", "wait"} {
		t.Run(give, func(t *testing.T) {
			r := m.Polarity(give)
			assert.Equal(t, Neutral, r.Label, "%+v", r)
			assert.Less(t, r.Emotions.Frustration, 0.5)
			assert.Less(t, r.Emotions.Anger, 0.5)
			assert.Less(t, r.Complaint, 0.5)
		})
	}
	// Only bare answers: with more words, or shouted, the model reads them.
	assert.Equal(t, Negative, m.Polarity("No, this is useless.").Label)
	assert.Equal(t, Negative, m.Polarity("Cancel it, your service is terrible!!").Label)
	assert.Equal(t, Negative, m.Polarity("no wait, it is broken again").Label)
}

func TestModelGoldSets(t *testing.T) {
	m := newTestModel(t)
	vader, err := NewLexical(WithMode(ModeVADER))
	require.NoError(t, err)
	for _, set := range goldSets {
		rows := readGold(t, set)
		gold, pm, pv := make([]float64, len(rows)), make([]float64, len(rows)), make([]float64, len(rows))
		for i, r := range rows {
			gold[i], pm[i], pv[i] = r.score, m.Polarity(r.text).Compound, vader.Polarity(r.text).Compound
		}
		rm, rv := evalstat.Pearson(gold, pm), evalstat.Pearson(gold, pv)
		t.Logf("%-7s model r=%.4f vader r=%.4f", set, rm, rv)
		assert.GreaterOrEqual(t, rm, rv, set)
	}
}

// TestModelDev checks the shipped model's GoEmotions dev figures.
func TestModelDev(t *testing.T) {
	m := newTestModel(t)
	dev := readGE(t, "dev")
	var cm [numPolarity][numPolarity]int
	for _, ex := range dev {
		g, ok := PolarityOf(ex.Labels)
		if !ok {
			continue
		}
		idx := map[Label]int{Negative: 0, Neutral: 1, Positive: 2}
		cm[idx[g]][idx[m.Polarity(ex.Text).Label]]++
	}
	f := macroF1Of(cm)
	t.Logf("dev 3-class macro-F1 %.4f", f)
	assert.GreaterOrEqual(t, f, 0.65)
}

func FuzzModelPolarity(f *testing.F) {
	m := newTestModel(f)
	for _, s := range []string{"", "😀", "my order never arrived!!!", "WHY?!", "@united http://x.co #fail 123", "don't", "a'", "'", "x.", "@", "www.example.com/a_b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkResult(t, s, m.Polarity(s))
	})
}

func FuzzReadModel(f *testing.F) {
	f.Add(embeddedModel[:200])
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadModel(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrBadModel) && !errors.Is(err, ErrModelVersion) {
				t.Fatalf("error %v is neither ErrBadModel nor ErrModelVersion", err)
			}
			return
		}
		checkResult(t, "x", m.Polarity("thanks, all good"))
	})
}

func TestModelSumMatchesRowByRow(t *testing.T) {
	m := newTestModel(t)
	rng := rand.New(rand.NewPCG(7, 7))
	for _, n := range []int{0, 1, 10, 255, 256, 257, 600} {
		buckets := make([]uint32, n)
		for i := range buckets {
			buckets[i] = uint32(rng.IntN(1 << m.p.Bits))
		}
		buckets = append(buckets, 0, 1<<m.p.Bits-1) // first and last rows
		var want [numOutputs]int32
		for _, b := range buckets {
			for k := range numOutputs {
				want[k] += int32(m.p.weights[int(b)*numOutputs+k])
			}
		}
		assert.Equal(t, want, m.sum(buckets), "%d buckets", len(buckets))
	}
}
