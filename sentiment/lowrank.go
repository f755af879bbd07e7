package sentiment

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
)

// The multi-task stage of [Train] (session 11, BENCHMARKS.md): a
// low-rank linear model, a shared projection of the same features into
// lowRankDims numbers followed by one logistic output for each of the 28
// GoEmotions labels and for each head of lowRankHeads, trained on all
// those outputs at once so that the rare heads borrow the projection the
// other labels shape. The model has no nonlinearity, so its head outputs
// are linear in the features: Train folds them into the head's weights
// (times a weight chosen on dev), and the shipped model costs nothing
// more to run.

// lowRankDims is the size of the shared projection.
const lowRankDims = 64

// lowRankHeads are the heads (indexes into headNames) the multi-task
// stage trains and may fold in: frustration and confusion, the two with
// targets in issue 17.
var lowRankHeads = [2]int{outFrustration - numPolarity, outConfusion - numPolarity}

// lowRankMix are the weights Train tries for each folded head on dev (0
// keeps the linear model's head as it is).
var lowRankMix = []float32{0, 0.25, 0.5, 1, 2, 4}

// lowRank is a trained multi-task model; its weights are the averaged
// ones.
type lowRank struct {
	emb, dense, vec, b1 []float32 // rows x H, numDense x H, dims x H, H
	out, b2             []float32 // K x H, K
}

// goEmotionsMask is the bit set of a text's GoEmotions labels (bit i:
// goEmotions[i]).
func goEmotionsMask(labels []string) uint32 {
	var m uint32
	for i, l := range goEmotions {
		if slices.Contains(labels, l) {
			m |= 1 << i
		}
	}
	return m
}

// project adds to h the projection of sample s: the rows of emb of its
// hashed features, of dense of its dense features and, unless vec is nil,
// of vec of its mean word vector, each row len(h) numbers.
func project(h, emb, dense, vec []float32, s *sample) {
	H := len(h)
	for _, g := range s.sparse() {
		for _, b := range g.bs {
			row := emb[int(b)*H : int(b)*H+H]
			for j := range h {
				h[j] += row[j] * g.v
			}
		}
	}
	for d, x := range s.dense {
		if x != 0 {
			row := dense[d*H : d*H+H]
			for j := range h {
				h[j] += row[j] * x
			}
		}
	}
	if vec == nil {
		return
	}
	for d, x := range s.vec {
		row := vec[d*H : d*H+H]
		for j := range h {
			h[j] += row[j] * x
		}
	}
}

// forward computes the hidden values h and the outputs z of sample s.
func (lr *lowRank) forward(s *sample, h, z []float32) {
	H := len(lr.b1)
	copy(h, lr.b1)
	project(h, lr.emb, lr.dense, lr.vec, s)
	for k := range z {
		row := lr.out[k*H : k*H+H]
		zk := lr.b2[k]
		for j, x := range h {
			zk += row[j] * x
		}
		z[k] = zk
	}
}

// fitLowRank trains the multi-task model with AdaGrad and Polyak
// averaging, deterministically for c.Seed: the 28 labels and the
// lowRankHeads heads as outputs, positives weighted as in fitRun (the
// fourth root of the imbalance, at most 6), the heads' hard negatives as
// in fitRun.
func fitLowRank(ctx context.Context, samples []sample, rows, epochs int, c TrainConfig) (*lowRank, error) {
	const H = lowRankDims
	nl := len(goEmotions)
	K := nl + len(lowRankHeads)
	nv := 0
	if len(samples) > 0 {
		nv = len(samples[0].vec)
	}
	lr := &lowRank{emb: make([]float32, rows*H), dense: make([]float32, numDense*H), vec: make([]float32, nv*H),
		b1: make([]float32, H), out: make([]float32, K*H), b2: make([]float32, K)}
	params := [][]float32{lr.emb, lr.dense, lr.vec, lr.b1, lr.out, lr.b2}
	g2 := make([][]float32, len(params))
	u := make([][]float32, len(params))
	for i, p := range params {
		g2[i], u[i] = make([]float32, len(p)), make([]float32, len(p))
	}
	rng := rand.New(rand.NewPCG(c.Seed, 0x6d6c70))
	for _, p := range [][]float32{lr.emb, lr.dense, lr.vec} {
		for i := range p {
			p[i] = float32(rng.NormFloat64()) * 0.1
		}
	}
	for i := range lr.out {
		lr.out[i] = float32(rng.NormFloat64()) / float32(math.Sqrt(H))
	}
	for i := range lr.b1 {
		lr.b1[i] = 0.1
	}
	y := func(s *sample, k int) bool {
		if k < nl {
			return s.labels&(1<<k) != 0
		}
		return s.heads[lowRankHeads[k-nl]]
	}
	posW := make([]float32, K)
	for k := range K {
		n := 0
		for i := range samples {
			if y(&samples[i], k) {
				n++
			}
		}
		posW[k] = min(max(float32(math.Pow(float64(len(samples)-n)/float64(max(n, 1)), 0.25)), 1), 6)
	}
	rate := float32(c.LearningRate)
	var step float32
	ada := func(p int, i int, g float32) {
		g2[p][i] += g * g
		d := rate * g / float32(math.Sqrt(float64(g2[p][i]+1e-6)))
		params[p][i] -= d
		u[p][i] -= step * d
	}
	order := make([]int, len(samples))
	for i := range order {
		order[i] = i
	}
	orng := rand.New(rand.NewPCG(c.Seed, 0x5eed))
	h, z, gz, gh := make([]float32, H), make([]float32, K), make([]float32, K), make([]float32, H)
	for range epochs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		orng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			s := &samples[i]
			step++
			lr.forward(s, h, z)
			for k := range K {
				p := sigmoid(z[k])
				switch {
				case y(s, k):
					gz[k] = (p - 1) * posW[k]
				case k >= nl && s.hard[lowRankHeads[k-nl]] && hardNegWeight[lowRankHeads[k-nl]] > 0:
					gz[k] = p * hardNegWeight[lowRankHeads[k-nl]]
				default:
					gz[k] = p
				}
			}
			clear(gh)
			for k, g := range gz {
				row := lr.out[k*H : k*H+H]
				for j := range H {
					gh[j] += g * row[j]
				}
				for j := range H {
					ada(4, k*H+j, g*h[j])
				}
				ada(5, k, g)
			}
			for _, g := range s.sparse() {
				for _, b := range g.bs {
					for j, gj := range gh {
						ada(0, int(b)*H+j, gj*g.v)
					}
				}
			}
			for d, x := range s.dense {
				if x != 0 {
					for j, gj := range gh {
						ada(1, d*H+j, gj*x)
					}
				}
			}
			for d, x := range s.vec {
				for j, gj := range gh {
					ada(2, d*H+j, gj*x)
				}
			}
			for j, gj := range gh {
				ada(3, j, gj)
			}
		}
	}
	if step > 0 {
		for p := range params {
			for i := range params[p] {
				params[p][i] -= u[p][i] / step
			}
		}
	}
	return lr, nil
}

// headLogits returns, for every sample, the multi-task model's logit of
// each of lowRankHeads.
func (lr *lowRank) headLogits(ss []sample) [][len(lowRankHeads)]float32 {
	H := len(lr.b1)
	K := len(lr.b2)
	h, z := make([]float32, H), make([]float32, K)
	out := make([][len(lowRankHeads)]float32, len(ss))
	for i := range ss {
		lr.forward(&ss[i], h, z)
		copy(out[i][:], z[K-len(lowRankHeads):])
	}
	return out
}

// foldInto adds a times the multi-task model's output for head t (an
// index into lowRankHeads) to output k of the float weights fw, which are
// laid out as the model's (rows x numOutputs, numDense x numOutputs,
// numOutputs x dims).
func (lr *lowRank) foldInto(fw fitWeights, t, k int, a float32) {
	H := len(lr.b1)
	o := lr.out[(len(lr.b2)-len(lowRankHeads)+t)*H:][:H]
	dot := func(row []float32) float32 {
		var s float32
		for j, x := range row {
			s += x * o[j]
		}
		return s
	}
	rows := len(lr.emb) / H
	for r := range rows {
		fw.w[r*numOutputs+k] += a * dot(lr.emb[r*H:r*H+H])
	}
	for d := range numDense {
		fw.dense[d*numOutputs+k] += a * dot(lr.dense[d*H:d*H+H])
	}
	nv := len(lr.vec) / H
	for d := range nv {
		fw.vec[k*nv+d] += a * dot(lr.vec[d*H:d*H+H])
	}
	fw.bias[k] += a * (lr.b2[len(lr.b2)-len(lowRankHeads)+t] + dot(lr.b1))
}

// floatLogits computes the logits of sample s under the float weights
// fw, as [Model.logits] does under the int8 ones.
func (m *Model) floatLogits(fw fitWeights, s *sample, z *[numOutputs]float32) {
	copy(z[:], fw.bias)
	for _, g := range s.sparse() {
		for _, b := range g.bs {
			for k := range numOutputs {
				z[k] += fw.w[int(b)*numOutputs+k] * g.v
			}
		}
	}
	for d, x := range s.dense {
		for k := range numOutputs {
			z[k] += x * fw.dense[d*numOutputs+k]
		}
	}
	nv := len(s.vec)
	for _, k := range m.p.VecOutputs {
		for j, x := range s.vec {
			z[k] += x * fw.vec[k*nv+j]
		}
	}
}

// maxF1 is the F1 of scores z against ys at the best threshold.
func maxF1(z []float32, ys []bool) float64 {
	idx := make([]int, len(z))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpF(z[b], z[a]) })
	npos := 0
	for _, y := range ys {
		if y {
			npos++
		}
	}
	tp, best := 0, 0.0
	for n, i := range idx {
		if ys[i] {
			tp++
		}
		best = max(best, f1(tp, n+1-tp, npos-tp))
	}
	return best
}

// foldLowRank chooses, for each head of lowRankHeads, the weight in
// lowRankMix of the multi-task model's output that gives the best dev
// F1 (at the best threshold; the smallest weight on a tie), folds it
// into the float weights fw and quantises them into the model again. A
// folded head that did not read the word vectors reads them from then
// on (at most maxVecOutputs outputs do).
func (m *Model) foldLowRank(lr *lowRank, fw fitWeights, dev []sample, rows int) {
	zl := lr.headLogits(dev)
	zf := make([][numOutputs]float32, len(dev))
	for i := range dev {
		m.floatLogits(fw, &dev[i], &zf[i])
	}
	col := make([]float32, len(dev))
	ys := make([]bool, len(dev))
	changed := false
	for t, h := range lowRankHeads {
		k := numPolarity + h
		for i := range dev {
			ys[i] = dev[i].heads[h]
		}
		best, ba := -1.0, float32(0)
		for _, a := range lowRankMix {
			if a > 0 && len(fw.vec) > 0 && !slices.Contains(m.p.VecOutputs, k) && len(m.p.VecOutputs) >= maxVecOutputs {
				continue // the head cannot read the vectors the multi-task model reads
			}
			for i := range dev {
				col[i] = zf[i][k] + a*zl[i][t]
			}
			if f := maxF1(col, ys); f > best {
				best, ba = f, a
			}
		}
		if ba == 0 {
			continue
		}
		lr.foldInto(fw, t, k, ba)
		if len(fw.vec) > 0 && !slices.Contains(m.p.VecOutputs, k) {
			m.p.VecOutputs = append(m.p.VecOutputs, k)
		}
		changed = true
	}
	if changed {
		m.setWeights(fw, rows)
	}
}
