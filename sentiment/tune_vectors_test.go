package sentiment

// Experiments of session 7 (issue 17: frustration and confusion with
// pretrained word vectors), kept so that the figures in BENCHMARKS.md can
// be reproduced (PARLEY_TUNE=1): the two target heads over the model's
// features plus the pooled GloVe vectors, scored by the F1 at the best
// dev threshold.

import (
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

func pooledVectors(t *testing.T, v *wordVectors, texts []Example, _ string) [][]float32 {
	t.Helper()
	var f featurizer
	acc := make([]uint64, v.stride/4)
	out := make([][]float32, len(texts))
	for i, ex := range texts {
		f.extract(ex.Text, featureConfig{bits: 15})
		x := make([]float32, v.dims)
		v.pool(f.hashes, acc, x)
		for d := range x {
			x[d] *= float32(envf("VS", 1))
		}
		out[i] = x
	}
	return out
}

// vectorRun is the data the vector experiments share: GoEmotions train
// (with the support rows, as Train weights them) and dev, their model
// features and pooled vectors, and the two target heads' labels.
type vectorRun struct {
	train, dev []Example
	tr, dv     []expSample
	trX, dvX   [][]float32
	ss         []sample
	ys         [][]bool
}

// loadVectorRun skips t unless PARLEY_TUNE is set, then loads the data
// of the vector experiments.
func loadVectorRun(t *testing.T) vectorRun {
	t.Helper()
	if os.Getenv("PARLEY_TUNE") == "" {
		t.Skip()
	}
	v, err := readVectors(embeddedVectors)
	if err != nil {
		t.Fatal(err)
	}
	var r vectorRun
	r.train, r.dev = readTuneSets(t)
	_, r.tr, r.dv = loadExp(t)
	r.trX, r.dvX = pooledVectors(t, v, r.train, ""), pooledVectors(t, v, r.dev, "")
	r.ss = make([]sample, len(r.tr))
	r.ys = make([][]bool, len(r.tr))
	for i := range r.tr {
		r.ss[i] = r.tr[i].s
		r.ys[i] = []bool{r.tr[i].labels&expTargets[0].mask != 0, r.tr[i].labels&expTargets[1].mask != 0}
	}
	return r
}

func TestTuneVectors(t *testing.T) {
	r := loadVectorRun(t)
	dv, trX, dvX, ss, ys := r.dv, r.trX, r.dvX, r.ss, r.ys
	mode := "mean"
	c := expCfg{epochs: int(envf("E", 15)), lr: float32(envf("LR", 0.05)), bits: 15, posCap: float32(envf("CAP", 6))}
	for _, withVec := range []bool{false, true} {
		var ex, dex [][]float32
		if withVec {
			ex, dex = trX, dvX
		}
		e := trainExp(ss, ex, ys, 2, c)
		for k, tg := range expTargets {
			zs := make([]float32, len(dv))
			gs := make([]bool, len(dv))
			for i := range dv {
				var x []float32
				if withVec {
					x = dex[i]
				}
				zs[i] = e.logit(&dv[i].s, k, x)
				gs[i] = dv[i].labels&tg.mask != 0
			}
			f, _ := bestF1(zs, gs)
			t.Logf("vectors=%v mode=%q %s best-threshold F1 %.4f", withVec, mode, tg.name, f)
		}
	}
}

// mlpExp is the linear experiment model plus a hidden layer over the
// pooled vectors: z_k = linear_k + sum_j v[j,k] relu(W[j] x + b[j]).
type mlpExp struct {
	lin   *expModel
	H, D  int
	W, b  []float32 // H*D, H
	V, vb []float32 // H*K
}

func (m *mlpExp) logits(s *sample, x []float32, h []float32, z []float32) {
	for j := 0; j < m.H; j++ {
		a := m.b[j]
		w := m.W[j*m.D : j*m.D+m.D]
		for d, xd := range x {
			a += w[d] * xd
		}
		h[j] = max(a, 0)
	}
	for k := range z {
		z[k] = m.lin.logit(s, k, nil)
		for j := 0; j < m.H; j++ {
			z[k] += m.V[j*m.lin.K+k] * h[j]
		}
	}
}

func trainMLP(ss []sample, xs [][]float32, ys [][]bool, K, H int, c expCfg, lrH float32, epochs int) *mlpExp {
	D := len(xs[0])
	lin := &expModel{K: K, w: make([]float32, (1<<c.bits)*K), dw: make([]float32, numDense*K), bias: make([]float32, K)}
	m := &mlpExp{lin: lin, H: H, D: D, W: make([]float32, H*D), b: make([]float32, H), V: make([]float32, H*K)}
	rng := rand.New(rand.NewPCG(7, 0x5eed))
	for i := range m.W {
		m.W[i] = float32(rng.NormFloat64()) * float32(math.Sqrt(2/float64(D)))
	}
	for i := range m.V {
		m.V[i] = float32(rng.NormFloat64()) * 0.01
	}
	posW := positiveWeights(ys, K, 0.5, c.posCap)
	rows := 1 << c.bits
	g2 := make([]float32, rows*K)
	dg2 := make([]float32, len(lin.dw))
	bg2 := make([]float32, K)
	gW, gb, gV := make([]float32, len(m.W)), make([]float32, H), make([]float32, len(m.V))
	order := make([]int, len(ss))
	for i := range order {
		order[i] = i
	}
	const eps = 1e-6
	hid := make([]float32, H)
	z := make([]float32, K)
	grad := make([]float32, K)
	gh := make([]float32, H)
	ada := func(w, g2 []float32, i int, g, lr float32) {
		g2[i] += g * g
		w[i] -= lr * g / float32(math.Sqrt(float64(g2[i]+eps)))
	}
	for ep := 0; ep < epochs; ep++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			s := &ss[i]
			m.logits(s, xs[i], hid, z)
			for k := 0; k < K; k++ {
				p := sigmoid(z[k])
				if ys[i][k] {
					grad[k] = (p - 1) * posW[k]
				} else {
					grad[k] = p
				}
			}
			// Hidden layer.
			for j := 0; j < H; j++ {
				gh[j] = 0
				if hid[j] <= 0 {
					for k := 0; k < K; k++ {
						ada(m.V, gV, j*K+k, grad[k]*hid[j], lrH)
					}
					continue
				}
				for k := 0; k < K; k++ {
					gh[j] += grad[k] * m.V[j*K+k]
					ada(m.V, gV, j*K+k, grad[k]*hid[j], lrH)
				}
				for d, xd := range xs[i] {
					if xd != 0 {
						ada(m.W, gW, j*D+d, gh[j]*xd, lrH)
					}
				}
				ada(m.b, gb, j, gh[j], lrH)
			}
			// Linear part (no averaging here).
			for _, g := range s.sparse() {
				for _, b := range g.bs {
					for k := 0; k < K; k++ {
						ada(lin.w, g2, int(b)*K+k, grad[k]*g.v, c.lr)
					}
				}
			}
			for d := 0; d < numDense; d++ {
				if x := s.dense[d]; x != 0 {
					for k := 0; k < K; k++ {
						ada(lin.dw, dg2, d*K+k, grad[k]*x, c.lr)
					}
				}
			}
			for k := 0; k < K; k++ {
				ada(lin.bias, bg2, k, grad[k], c.lr)
			}
		}
	}
	return m
}

func TestTuneVectorsMLP(t *testing.T) {
	r := loadVectorRun(t)
	dv, trX, dvX, ss, ys := r.dv, r.trX, r.dvX, r.ss, r.ys
	mode := "mean"
	c := expCfg{epochs: 15, lr: float32(envf("LR", 0.05)), bits: 15, posCap: float32(envf("CAP", 6))}
	H := int(envf("H", 32))
	for _, ep := range []int{int(envf("E", 5))} {
		m := trainMLP(ss, trX, ys, 2, H, c, float32(envf("LRH", 0.02)), ep)
		hid := make([]float32, H)
		z := make([]float32, 2)
		for k, tg := range expTargets {
			zs := make([]float32, len(dv))
			gs := make([]bool, len(dv))
			for i := range dv {
				m.logits(&dv[i].s, dvX[i], hid, z)
				zs[i] = z[k]
				gs[i] = dv[i].labels&tg.mask != 0
			}
			f, _ := bestF1(zs, gs)
			t.Logf("mlp H=%d epochs=%d mode=%q %s best-threshold F1 %.4f", H, ep, mode, tg.name, f)
		}
	}
}

// confusionCues are the question-form features of the confusion-head
// experiment (CUES=1): the text ends with "?", opens with a question
// word, has "?" twice or more, and holds a phrase of not understanding.
func confusionCues(text string) []float32 {
	t := strings.ToLower(strings.TrimSpace(text))
	b := func(ok bool) float32 {
		if ok {
			return 1
		}
		return 0
	}
	first, _, _ := strings.Cut(t, " ")
	qw := map[string]bool{"what": true, "why": true, "how": true, "who": true, "where": true, "when": true, "wait": true, "huh": true, "huh?": true, "what?": true, "wait,": true, "is": true, "are": true, "do": true, "does": true, "did": true, "can": true, "could": true}
	phrase := false
	for _, p := range []string{"what do you mean", "what does that mean", "don't understand", "dont understand", "don't get", "dont get", "confus", "no idea", "not sure", "how come", "makes no sense", "make sense", "what is this", "what the", "i wonder", "curious", "lost me", "clarify", "explain"} {
		phrase = phrase || strings.Contains(t, p)
	}
	return []float32{b(strings.HasSuffix(t, "?")), b(qw[first]), b(strings.Count(t, "?") >= 2), b(phrase)}
}

func TestTuneConfusionCues(t *testing.T) {
	r := loadVectorRun(t)
	train, dev, tr, dv, trV, dvV, ss, ys := r.train, r.dev, r.tr, r.dv, r.trX, r.dvX, r.ss, r.ys
	c := expCfg{epochs: 15, lr: 0.05, bits: 15, posCap: 6}
	for _, variant := range []string{"vectors", "cues", "vectors+cues"} {
		ex := make([][]float32, len(tr))
		dex := make([][]float32, len(dv))
		for i := range tr {
			ex[i] = feat(variant, trV[i], train[i].Text)
		}
		for i := range dv {
			dex[i] = feat(variant, dvV[i], dev[i].Text)
		}
		e := trainExp(ss, ex, ys, 2, c)
		for k, tg := range expTargets {
			zs := make([]float32, len(dv))
			gs := make([]bool, len(dv))
			for i := range dv {
				zs[i] = e.logit(&dv[i].s, k, dex[i])
				gs[i] = dv[i].labels&tg.mask != 0
			}
			f, _ := bestF1(zs, gs)
			t.Logf("%s: %s best-threshold F1 %.4f", variant, tg.name, f)
		}
	}
}

func feat(variant string, vec []float32, text string) []float32 {
	var x []float32
	if strings.Contains(variant, "vectors") {
		x = append(x, vec...)
	}
	if strings.Contains(variant, "cues") {
		x = append(x, confusionCues(text)...)
	}
	return x
}
