package sentiment

import (
	"bytes"
	"compress/gzip"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// poolScalar is the plain reference of wordVectors.pool.
func poolScalar(v *wordVectors, hashes []uint64) []float32 {
	out := make([]float32, v.dims)
	sum := make([]float64, v.dims)
	n := 0
	for _, h := range hashes {
		r := v.lookup(h)
		if r < 0 {
			continue
		}
		n++
		for d := range v.dims {
			sum[d] += float64(v.component(r, d))
		}
	}
	if n == 0 {
		return out
	}
	for d := range v.dims {
		out[d] = float32(sum[d]/float64(n)) * vecGain
	}
	return out
}

func TestVectorsPoolMatchesScalar(t *testing.T) {
	v, err := readVectors(embeddedVectors)
	require.NoError(t, err)
	var f featurizer
	acc := make([]uint64, v.stride/4)
	got := make([]float32, v.dims)
	texts := map[string]int{
		"What do you mean? I don't understand the bill": 9,   // all but "i", which the source lacks
		"thanks so much, this is great!!":               6,   // "!!" has none
		strings.Repeat("confused and annoyed ", 200):    256, // capped at 256 tokens
		"":          0,
		"🙂🙂":        0,
		"zxqv qqqq": 0,
	}
	for text, found := range texts {
		f.extract(text, featureConfig{bits: 15})
		n := v.pool(f.hashes, acc, got)
		want := poolScalar(v, f.hashes[:min(len(f.hashes), maxFeatureTokens)])
		for d := range want {
			require.InDelta(t, want[d], got[d], 1e-4, "text %q component %d", text, d)
		}
		assert.Equal(t, found, n, text)
	}
}

// TestModelVectorScoresMatchPooling checks that the model's precomputed
// word scores give the logits that the pooled mean and the vector
// weights give, as in training.
func TestModelVectorScoresMatchPooling(t *testing.T) {
	m, err := NewModel()
	require.NoError(t, err)
	require.NotEmpty(t, m.p.VecOutputs)
	v := m.vec
	var f featurizer
	acc := make([]uint64, v.stride/4)
	mean := make([]float32, v.dims)
	for _, text := range []string{"What do you mean? I don't understand the bill", "I'm so disappointed, it broke again", "ok"} {
		lr := m.lex.Polarity(text)
		var dense [numDense]float32
		m.extract(text, lr, &f, &dense)
		var with, without [numOutputs]float32
		m.logits(f.feats, f.chars, &dense, f.hashes, &with)
		m.logits(f.feats, f.chars, &dense, nil, &without)
		v.pool(f.hashes, acc, mean)
		for _, k := range m.p.VecOutputs {
			var want float32
			for d, x := range mean {
				want += x * m.p.Vec[k*v.dims+d]
			}
			assert.InDelta(t, want, with[k]-without[k], 1e-3, "%q output %d", text, k)
		}
	}
}

func TestBuildVectors(t *testing.T) {
	src := "the 0.5 0.1 -0.2\ndo 1 0 0\nn't 0 -1 0\nwait 0 0 2\nrare 3 3 3\n"
	var buf bytes.Buffer
	require.NoError(t, BuildVectors(&buf, strings.NewReader(src), []string{"I don't know, rare"}, 2))
	v, err := readVectors(buf.Bytes())
	require.NoError(t, err)
	assert.Equal(t, 3, v.dims)
	for _, w := range []string{"the", "do", "rare", "don't"} {
		assert.GreaterOrEqual(t, v.lookup(wordHash([]byte(w))), 0, w)
	}
	// "wait" is neither in the top 2 nor in the texts; "n't" is neither.
	assert.Negative(t, v.lookup(wordHash([]byte("wait"))))
	// Unit length after quantisation: "don't" = mean of do and n't.
	r := v.lookup(wordHash([]byte("don't")))
	var n float64
	for d := range v.dims {
		x := float64(v.component(r, d))
		n += x * x
	}
	assert.InDelta(t, 1, math.Sqrt(n), 0.02)

	json := `{"dimensions":2,"words":["a","b"],"vectors":{"a":[1,0,1,0],"b":[0,1,1,1]}}`
	buf.Reset()
	require.NoError(t, BuildVectors(&buf, strings.NewReader(json), nil, 10))
	v, err = readVectors(buf.Bytes())
	require.NoError(t, err)
	assert.Equal(t, 2, v.dims)

	require.Error(t, BuildVectors(&buf, strings.NewReader(""), nil, 10))
	require.Error(t, BuildVectors(&buf, strings.NewReader("a 1 2\nb 1\n"), nil, 10))
}

func TestReadVectorsRejectsBadFiles(t *testing.T) {
	_, err := readVectors([]byte("not gzip"))
	require.Error(t, err)
	var buf bytes.Buffer
	require.NoError(t, BuildVectors(&buf, strings.NewReader("a 1 2\nb 3 4\n"), nil, 10))
	good := buf.Bytes()
	// Truncate the uncompressed content at every length.
	raw := gunzip(t, good)
	for n := 0; n < len(raw); n++ {
		_, err := readVectors(gzipBytes(t, raw[:n]))
		require.Error(t, err, "truncated at %d", n)
	}
	_, err = readVectors(gzipBytes(t, append(raw, 0)))
	require.Error(t, err, "trailing byte")
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	out, err := io.ReadAll(zr)
	require.NoError(t, err)
	return out
}

func gzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}
