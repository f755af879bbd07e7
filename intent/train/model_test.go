package train

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/nlu"
)

func shopExamples(t testing.TB) []Example {
	t.Helper()
	exs, err := LoadFile("testdata/shop.yaml")
	require.NoError(t, err)
	return exs
}

// shopModel trains once per test binary.
var shopModel = sync.OnceValues(func() (*Model, error) {
	exs, err := LoadFile("testdata/shop.yaml")
	if err != nil {
		return nil, err
	}
	return Train(context.Background(), exs)
})

func mustShop(t testing.TB) *Model {
	t.Helper()
	m, err := shopModel()
	require.NoError(t, err)
	return m
}

func TestModelClassify(t *testing.T) {
	m := mustShop(t)
	tests := []struct {
		give string
		want string
	}{
		{"where is my package", "track_order"},
		{"I'd like my money back please", "refund"},
		{"please change the delivery address", "change_address"},
		{"do you have it in green", "product_info"},
		{"let me talk to a real person", "human"},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			r, err := m.Classify(context.Background(), tt.give)
			require.NoError(t, err)
			assert.Equal(t, tt.want, r.Top().Name)
			assert.Greater(t, r.Top().Confidence, 0.0)
			for i := 1; i < len(r.Ranked); i++ {
				assert.GreaterOrEqual(t, r.Ranked[i-1].Confidence, r.Ranked[i].Confidence)
			}
		})
	}
	assert.Equal(t, []string{"change_address", "human", "product_info", "refund", "track_order"}, m.Intents())
}

func TestTrainDeterministic(t *testing.T) {
	exs := shopExamples(t)
	a, err := Train(context.Background(), exs, WithSeed(7))
	require.NoError(t, err)
	b, err := Train(context.Background(), exs, WithSeed(7))
	require.NoError(t, err)
	ba, err := a.MarshalBinary()
	require.NoError(t, err)
	bb, err := b.MarshalBinary()
	require.NoError(t, err)
	assert.True(t, bytes.Equal(ba, bb), "same data and seed must give the same model bytes")
}

func TestModelSaveLoad(t *testing.T) {
	m := mustShop(t)
	var buf bytes.Buffer
	_, err := m.WriteTo(&buf)
	require.NoError(t, err)
	m2, err := ReadModel(&buf)
	require.NoError(t, err)
	for _, text := range []string{"where is my order", "refund", "", "😀", "hola"} {
		r1, err := m.Classify(context.Background(), text)
		require.NoError(t, err)
		r2, err := m2.Classify(context.Background(), text)
		require.NoError(t, err)
		assert.Equal(t, r1, r2, text)
	}
	assert.Equal(t, m.Intents(), m2.Intents())
}

func TestAlgorithms(t *testing.T) {
	exs := shopExamples(t)
	tests := []struct {
		give Algorithm
		want string
	}{
		{Ensemble, "ensemble"},
		{Softmax, "softmax"},
		{Centroid, "centroid"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			m, err := Train(context.Background(), exs, WithAlgorithm(tt.give))
			require.NoError(t, err)
			assert.Equal(t, tt.give, m.Algorithm())
			assert.Equal(t, tt.want, m.Algorithm().String())
			blob, err := m.MarshalBinary()
			require.NoError(t, err)
			m2, err := UnmarshalModel(blob)
			require.NoError(t, err)
			assert.Equal(t, tt.give, m2.Algorithm())
			r1, err := m.Classify(context.Background(), "where is my package")
			require.NoError(t, err)
			r2, err := m2.Classify(context.Background(), "where is my package")
			require.NoError(t, err)
			assert.Equal(t, "track_order", r1.Top().Name)
			assert.Equal(t, r1, r2)
		})
	}
	_, err := Train(context.Background(), exs, WithAlgorithm(Algorithm(99)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unknown algorithm")
}

func TestEnsembleCalibrated(t *testing.T) {
	// Enough rows to hold out a calibration set: the ensemble's
	// temperatures come from held-out rows, not the defaults.
	var exs []Example
	for range 10 {
		exs = append(exs, shopExamples(t)...)
	}
	for i := range exs {
		exs[i].Text = fmt.Sprintf("%s %d", exs[i].Text, i%7)
	}
	m, err := Train(context.Background(), exs, WithAlgorithm(Ensemble))
	require.NoError(t, err)
	assert.NotEqual(t, 1.0, m.Temperature())
	r, err := m.Classify(context.Background(), "please change the delivery address")
	require.NoError(t, err)
	assert.Equal(t, "change_address", r.Top().Name)
	assert.Greater(t, r.Top().Confidence, 0.5)
}

func TestReadModelErrors(t *testing.T) {
	blob, err := mustShop(t).MarshalBinary()
	require.NoError(t, err)

	other := bytes.Clone(blob)
	binary.LittleEndian.PutUint32(other[8:], ModelFormat+1)
	_, err = UnmarshalModel(other)
	var ve *VersionError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, ModelFormat+1, ve.Got)
	assert.Contains(t, err.Error(), "retrain")

	tests := []struct {
		name string
		give []byte
	}{
		{"empty", nil},
		{"foreign", []byte("not a model at all, really")},
		{"truncated", blob[:len(blob)/2]},
		{"flipped byte", func() []byte { b := bytes.Clone(blob); b[100] ^= 0xff; return b }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := UnmarshalModel(tt.give)
			assert.ErrorIs(t, err, ErrModelFile)
		})
	}
}

func TestClassifyBadInput(t *testing.T) {
	m := mustShop(t)
	u := intent.New(m)
	tests := []struct {
		name string
		give string
	}{
		{"empty", ""},
		{"spaces", "   \n\t"},
		{"emoji only", "😀😀🎉"},
		{"unknown language", "Wie spät ist es heute Abend in Berlin?"},
		{"mixed scripts", "заказ 注文 order الطلب"},
		{"10 KB paste", strings.Repeat("lorem ipsum dolor sit amet ", 400)},
		{"invalid utf-8", "\xff\xfe\xfd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			und, err := u.Understand(context.Background(), tt.give, "", parley.Turn{}.Time, nil)
			require.NoError(t, err)
			assert.NotEqual(t, nlu.Understood, und.Status, "%+v", und)
		})
	}
}

func TestTrainBadData(t *testing.T) {
	good := shopExamples(t)
	t.Run("empty intent name", func(t *testing.T) {
		exs := append(append([]Example(nil), good...), Example{Text: "hello", Intent: " ", Source: "x.csv:9"})
		_, err := Train(context.Background(), exs)
		var de *DataError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, []string{"x.csv:9"}, de.Problems[0].Rows)
	})
	t.Run("one intent", func(t *testing.T) {
		_, err := Train(context.Background(), []Example{{Text: "hi", Intent: "greet"}})
		var de *DataError
		require.ErrorAs(t, err, &de)
	})
	t.Run("one example and a conflict still train, with warnings", func(t *testing.T) {
		exs := append(append([]Example(nil), good...),
			Example{Text: "goodbye", Intent: "bye", Source: "f:1"},
			Example{Text: "Where is my order", Intent: "refund", Source: "f:2"})
		_, err := Train(context.Background(), exs)
		require.NoError(t, err)
		probs := Validate(exs, "oos")
		var msgs []string
		for _, p := range probs {
			msgs = append(msgs, p.String())
		}
		all := strings.Join(msgs, "\n")
		assert.Contains(t, all, `"where is my order" is labelled with different intents: refund, track_order`)
		assert.Contains(t, all, "f:2")
		assert.Contains(t, all, `intent "bye" has only 1 example(s)`)
	})
}

func TestReadCSV(t *testing.T) {
	exs, err := ReadCSV(strings.NewReader("text,intent\nwhere is my order,track_order\n\"refund, please\",refund\n"), "a.csv")
	require.NoError(t, err)
	assert.Equal(t, []Example{
		{Text: "where is my order", Intent: "track_order", Source: "a.csv:2"},
		{Text: "refund, please", Intent: "refund", Source: "a.csv:3"},
	}, exs)

	_, err = ReadCSV(strings.NewReader("text,intent\nok,a\nonly one field\n\"unterminated,b\n"), "b.csv")
	var re *RowError
	require.ErrorAs(t, err, &re)
	assert.ErrorIs(t, err, ErrFormat)
	assert.Contains(t, err.Error(), "b.csv:3")

	_, err = ReadCSV(strings.NewReader("words,label\n"), "c.csv")
	assert.ErrorIs(t, err, ErrFormat)
}

func TestReadYAML(t *testing.T) {
	_, err := ReadYAML(strings.NewReader("intents:\n  a:\n    - one\n  b: not a list\n"), "x.yaml")
	var re *RowError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 4, re.Line)
	_, err = ReadYAML(strings.NewReader(""), "e.yaml")
	assert.ErrorIs(t, err, ErrFormat)
}

func FuzzReadCSV(f *testing.F) {
	f.Add("text,intent\nhello,greet\n")
	f.Add("intent,text\n\"a,b\",c\n")
	f.Add("text\n\"")
	f.Fuzz(func(t *testing.T, s string) {
		exs, err := ReadCSV(strings.NewReader(s), "f.csv")
		if err == nil {
			for _, e := range exs {
				if e.Source == "" {
					t.Fatal("example without source")
				}
			}
		}
	})
}

func FuzzReadYAML(f *testing.F) {
	f.Add("intents:\n  a:\n    - one\n")
	f.Add("intents: [1, 2]\n")
	f.Add("intents:\n  ? [a]\n  : b\n")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ReadYAML(strings.NewReader(s), "f.yaml") // must not panic
	})
}

func FuzzUnmarshalModel(f *testing.F) {
	exs := []Example{{Text: "hi there", Intent: "a"}, {Text: "bye now", Intent: "b"}}
	m, err := Train(context.Background(), exs, WithCalibrationHoldout(0))
	if err != nil {
		f.Fatal(err)
	}
	blob, err := m.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(blob)
	f.Add(blob[:40])
	f.Fuzz(func(t *testing.T, b []byte) {
		// Re-seal the checksum so the fuzzer reaches the decoder proper.
		if len(b) > 16 {
			binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
		}
		m, err := UnmarshalModel(b)
		if err != nil {
			if !errors.Is(err, ErrModelFile) {
				var ve *VersionError
				if !errors.As(err, &ve) {
					t.Fatalf("unexpected error type: %v", err)
				}
			}
			return
		}
		if _, err := m.Classify(context.Background(), "hi there"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCLINC150 trains on the CLINC150 training set when the shared data
// is present; the figures come from "parley nlu eval" (BENCHMARKS.md).
func TestCLINC150(t *testing.T) {
	if testing.Short() {
		t.Skip("CLINC150 training is slow; skipped with -short")
	}
	dir := os.Getenv("PARLEY_TEST_DATA")
	if dir == "" {
		dir = "../../../shared/data"
	}
	train, err := LoadFile(dir + "/intent/clinc150/train.csv")
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("CLINC150 not found under %s (set PARLEY_TEST_DATA)", dir)
	}
	require.NoError(t, err)
	test, err := LoadFile(dir + "/intent/clinc150/test.csv")
	require.NoError(t, err)
	// A cheaper configuration than the default keeps this test quick
	// (also under -race); the full figures come from "parley nlu eval".
	m, err := Train(context.Background(), train, WithAlgorithm(Softmax), WithEpochs(2), WithCalibrationHoldout(0))
	require.NoError(t, err)
	scored, err := Score(context.Background(), m, test)
	require.NoError(t, err)
	met := Evaluate(scored, "oos", 0)
	assert.Greater(t, met.InScopeAccuracy, 0.88, "in-scope accuracy without rejection")
}

func BenchmarkClassify(b *testing.B) {
	m := mustShop(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Classify(ctx, "I want to return this blue shirt I bought last week"); err != nil {
			b.Fatal(err)
		}
	}
}
