package sentiment

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLowRankFold checks that folding the multi-task model into a head
// adds exactly a times its head logit to the head's float logit (the
// model is linear, so the fold is exact), that no other output moves,
// and that the multi-task stage is deterministic.
func TestLowRankFold(t *testing.T) {
	exs := []Example{
		{"thank you so much, this is great", []string{"gratitude"}},
		{"this is ridiculous, I'm so annoyed", []string{"annoyance"}},
		{"what do you mean? I'm confused", []string{"confusion"}},
		{"why would it do that?", []string{"curiosity"}},
		{"the store opens at nine", []string{"neutral"}},
	}
	vec, err := readVectors(embeddedVectors)
	require.NoError(t, err)
	const bits = 10
	p := params{Bits: bits, CharMin: 4, CharMax: 4, Negation: true, VectorsCRC: vec.sum, VectorDims: vec.dims,
		Vec: make([]float32, vec.dims*numOutputs), weights: make([]int8, (1<<bits)*numOutputs),
		Scale: make([]float32, numOutputs), Bias: make([]float32, numOutputs), Dense: make([]float32, numDense*numOutputs)}
	m, err := newModel(p, vec)
	require.NoError(t, err)
	var f featurizer
	ss := make([]sample, len(exs))
	for i, ex := range exs {
		ss[i] = m.sample(ex, &f)
	}
	assert.Equal(t, uint32(1)<<6, ss[2].labels, "confusion is label 6")
	c := TrainConfig{Seed: 3, LearningRate: 0.05}
	lr, err := fitLowRank(context.Background(), ss, 1<<bits, 3, c)
	require.NoError(t, err)
	again, err := fitLowRank(context.Background(), ss, 1<<bits, 3, c)
	require.NoError(t, err)
	assert.Equal(t, lr, again)

	fw := fitWeights{w: make([]float32, (1<<bits)*numOutputs), dense: make([]float32, numDense*numOutputs),
		bias: make([]float32, numOutputs), vec: make([]float32, vec.dims*numOutputs)}
	for i := range fw.w {
		fw.w[i] = float32(i%7) * 0.01
	}
	m.p.VecOutputs = []int{outConfusion}
	before := make([][numOutputs]float32, len(ss))
	for i := range ss {
		m.floatLogits(fw, &ss[i], &before[i])
	}
	heads := lr.headLogits(ss)
	lr.foldInto(fw, 1, outConfusion, 0.5)
	for i := range ss {
		var z [numOutputs]float32
		m.floatLogits(fw, &ss[i], &z)
		for k := range numOutputs {
			want := before[i][k]
			if k == outConfusion {
				want += 0.5 * heads[i][1]
			}
			assert.InDelta(t, want, z[k], 1e-4, "sample %d output %d", i, k)
		}
	}
	assert.NotEqual(t, before[2][outConfusion], heads[2][1])
}

func TestMaxF1(t *testing.T) {
	assert.InDelta(t, 1.0, maxF1([]float32{3, 2, 1}, []bool{true, true, false}), 1e-9)
	assert.InDelta(t, 0.5, maxF1([]float32{3, 2, 1}, []bool{false, false, true}), 1e-9) // all three called: P 1/3, R 1
}
