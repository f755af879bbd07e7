package sentiment

// Experiment of session 10 (issue 17: frustration and confusion), kept so
// that the figures in BENCHMARKS.md can be reproduced (PARLEY_TUNE=1):
// a shared hidden layer over the model's hashed features (a
// fastText-like sum of embedding rows, plus the dense features and,
// optionally, the mean word vector), then one logistic output for each
// of the 28 GoEmotions labels and the two target heads (frustration,
// confusion, with the trainer's hard negatives). Trained on GoEmotions
// train plus the support rows, scored by the F1 at the best dev
// threshold, alone and mixed with the shipped trainer's logits for the
// same training order.

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type mlpCfg struct {
	hidden  int
	epochs  int
	lr      float32
	vec     bool // the mean word vector is an input
	multi   bool // the 28 GoEmotions labels are outputs too
	seed    uint64
	posPow  float64
	initStd float32
	avg     bool    // Polyak averaging: score the mean of the weights over the steps
	dropout float32 // dropout rate of the hidden units while training
	linear  bool    // identity instead of ReLU: a low-rank multi-task linear model
}

type mlp struct {
	c      mlpCfg
	rows   int
	nv     int
	K      int
	emb    []float32 // rows x H
	dense  []float32 // numDense x H
	vecW   []float32 // nv x H
	b1     []float32 // H
	out    []float32 // K x H
	b2     []float32 // K
	gEmb   []float32
	gDense []float32
	gVec   []float32
	gB1    []float32
	gOut   []float32
	gB2    []float32
	// Averaging: u[i] accumulates step*update of each parameter array
	// (same order as params()), the average is w - u/step.
	u    [][]float32
	step float32
}

func (m *mlp) params() [][]float32 {
	return [][]float32{m.emb, m.dense, m.vecW, m.b1, m.out, m.b2}
}

// averaged returns a copy holding the averaged weights.
func (m *mlp) averaged() *mlp {
	if m.u == nil || m.step == 0 {
		return m
	}
	a := *m
	ps := m.params()
	cp := make([][]float32, len(ps))
	for i, w := range ps {
		cp[i] = make([]float32, len(w))
		for j := range w {
			cp[i][j] = w[j] - m.u[i][j]/m.step
		}
	}
	a.emb, a.dense, a.vecW, a.b1, a.out, a.b2 = cp[0], cp[1], cp[2], cp[3], cp[4], cp[5]
	return &a
}

// mlpTargets are the outputs after the 28 GoEmotions labels: the
// trainer's frustration and confusion heads (sample.heads 0 and 2).
var mlpTargets = [2]int{0, 2}

func newMLP(c mlpCfg, rows, nv int) *mlp {
	H := c.hidden
	K := len(goEmotions) + len(mlpTargets)
	m := &mlp{c: c, rows: rows, nv: nv, K: K,
		emb: make([]float32, rows*H), dense: make([]float32, numDense*H), vecW: make([]float32, nv*H),
		b1: make([]float32, H), out: make([]float32, K*H), b2: make([]float32, K)}
	m.gEmb, m.gDense, m.gVec = make([]float32, len(m.emb)), make([]float32, len(m.dense)), make([]float32, len(m.vecW))
	m.gB1, m.gOut, m.gB2 = make([]float32, H), make([]float32, len(m.out)), make([]float32, K)
	rng := rand.New(rand.NewPCG(c.seed, 0x6d6c70))
	for i := range m.emb {
		m.emb[i] = float32(rng.NormFloat64()) * c.initStd
	}
	for i := range m.dense {
		m.dense[i] = float32(rng.NormFloat64()) * c.initStd
	}
	for i := range m.vecW {
		m.vecW[i] = float32(rng.NormFloat64()) * c.initStd
	}
	for i := range m.out {
		m.out[i] = float32(rng.NormFloat64()) / float32(math.Sqrt(float64(H)))
	}
	for i := range m.b1 {
		m.b1[i] = 0.1
	}
	return m
}

// forward fills pre (pre-activation), h and z.
func (m *mlp) forward(s *sample, pre, h, z []float32) {
	copy(pre, m.b1)
	vec := m.vecW
	if !m.c.vec {
		vec = nil
	}
	project(pre, m.emb, m.dense, vec, s)
	for j, x := range pre {
		if m.c.linear {
			h[j] = x
		} else {
			h[j] = max(x, 0) // ReLU
		}
	}
	m.output(h, z)
}

// output fills z with the outputs of the hidden values h.
func (m *mlp) output(h, z []float32) {
	H := m.c.hidden
	for k := range m.K {
		row := m.out[k*H : k*H+H]
		zk := m.b2[k]
		for j, x := range h {
			zk += row[j] * x
		}
		z[k] = zk
	}
}

// forwardDrop is forward with each hidden unit dropped at the dropout
// rate (the kept ones scaled up), recording which were dropped.
func (m *mlp) forwardDrop(s *sample, pre, h, z []float32, drop []bool, rng *rand.Rand) {
	m.forward(s, pre, h, z)
	for j := range h {
		drop[j] = rng.Float32() < m.c.dropout
		if drop[j] {
			h[j] = 0
		} else {
			h[j] /= 1 - m.c.dropout
		}
	}
	m.output(h, z)
}

func adaStep(w, g2, u []float32, i int, g, lr, step float32) {
	g2[i] += g * g
	d := lr * g / float32(math.Sqrt(float64(g2[i]+1e-6)))
	w[i] -= d
	if u != nil {
		u[i] -= step * d
	}
}

func (m *mlp) train(ss []sample, labels []uint32, report func(epoch int)) {
	H, K := m.c.hidden, m.K
	ys := make([][]bool, len(ss))
	hard := make([][]bool, len(ss))
	for i := range ss {
		ys[i] = make([]bool, K)
		hard[i] = make([]bool, K)
		for k := range goEmotions {
			ys[i][k] = labels[i]&(1<<k) != 0
		}
		for t, h := range mlpTargets {
			ys[i][len(goEmotions)+t] = ss[i].heads[h]
			hard[i][len(goEmotions)+t] = ss[i].hard[h]
		}
	}
	posW := positiveWeights(ys, K, m.c.posPow, 6)
	hardW := [len(mlpTargets)]float32{hardNegWeight[mlpTargets[0]], hardNegWeight[mlpTargets[1]]}
	order := make([]int, len(ss))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(m.c.seed, 0x5eed))
	pre, h, z := make([]float32, H), make([]float32, H), make([]float32, K)
	gz, gh := make([]float32, K), make([]float32, H)
	lr := m.c.lr
	var uEmb, uDense, uVec, uB1, uOut, uB2 []float32
	if m.c.avg {
		m.u = make([][]float32, 6)
		for i, w := range m.params() {
			m.u[i] = make([]float32, len(w))
		}
		uEmb, uDense, uVec, uB1, uOut, uB2 = m.u[0], m.u[1], m.u[2], m.u[3], m.u[4], m.u[5]
	}
	drop := make([]bool, H)
	for ep := range m.c.epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			s := &ss[i]
			m.step++
			step := m.step
			if m.c.dropout > 0 {
				m.forwardDrop(s, pre, h, z, drop, rng)
			} else {
				m.forward(s, pre, h, z)
			}
			for k := range K {
				if !m.c.multi && k < len(goEmotions) {
					gz[k] = 0
					continue
				}
				p := sigmoid(z[k])
				switch {
				case ys[i][k]:
					gz[k] = (p - 1) * posW[k]
				case hard[i][k]:
					gz[k] = p * hardW[k-len(goEmotions)]
				default:
					gz[k] = p
				}
			}
			clear(gh)
			for k := range K {
				if gz[k] == 0 {
					continue
				}
				row := m.out[k*H : k*H+H]
				for j := range H {
					gh[j] += gz[k] * row[j]
				}
				for j := range H {
					adaStep(m.out, m.gOut, uOut, k*H+j, gz[k]*h[j], lr, step)
				}
				adaStep(m.b2, m.gB2, uB2, k, gz[k], lr, step)
			}
			for j := range H {
				if drop[j] {
					gh[j] = 0
				} else if m.c.dropout > 0 {
					gh[j] /= 1 - m.c.dropout
				}
				if pre[j] <= 0 && !m.c.linear {
					gh[j] = 0
				}
			}
			for _, g := range s.sparse() {
				for _, b := range g.bs {
					o := int(b) * H
					for j, gj := range gh {
						if gj != 0 {
							adaStep(m.emb, m.gEmb, uEmb, o+j, gj*g.v, lr, step)
						}
					}
				}
			}
			for d, x := range s.dense {
				if x != 0 {
					for j, gj := range gh {
						if gj != 0 {
							adaStep(m.dense, m.gDense, uDense, d*H+j, gj*x, lr, step)
						}
					}
				}
			}
			if m.c.vec {
				for d, x := range s.vec {
					for j, gj := range gh {
						if gj != 0 {
							adaStep(m.vecW, m.gVec, uVec, d*H+j, gj*x, lr, step)
						}
					}
				}
			}
			for j, gj := range gh {
				if gj != 0 {
					adaStep(m.b1, m.gB1, uB1, j, gj, lr, step)
				}
			}
		}
		if report != nil {
			report(ep + 1)
		}
	}
}

func (m *mlp) logits(ss []sample) [][]float32 {
	H := m.c.hidden
	pre, h := make([]float32, H), make([]float32, H)
	zs := make([][]float32, len(ss))
	for i := range ss {
		zs[i] = make([]float32, m.K)
		m.forward(&ss[i], pre, h, zs[i])
	}
	return zs
}

// newVectorModel returns an untrained model with the shipped feature
// families and the embedded word vectors, to featurize examples with.
func newVectorModel(t testing.TB) *Model {
	t.Helper()
	p := params{Bits: 15, CharMin: 4, CharMax: 4, Negation: true}
	vec, err := readVectors(embeddedVectors)
	require.NoError(t, err)
	p.VectorsCRC, p.VectorDims = vec.sum, vec.dims
	p.VecOutputs = vectorOutputs
	p.Vec = make([]float32, vec.dims*numOutputs)
	m, err := newModel(p, vec)
	require.NoError(t, err)
	return m
}

// featurize returns the samples of examples under model m and their
// GoEmotions label masks.
func featurize(m *Model, examples []Example) ([]sample, []uint32) {
	var f featurizer
	ss, labels := make([]sample, len(examples)), make([]uint32, len(examples))
	for i, ex := range examples {
		ss[i], labels[i] = m.sample(ex, &f), labelMask(ex.Labels)
	}
	return ss, labels
}

// TestTuneMLP trains the hidden-layer model beside the shipped trainer
// with the same training order and prints, after each epoch, the dev F1
// at the best threshold of frustration and confusion: the hidden-layer
// model's own heads, the maximum of its member labels' logits, and its
// logits added to the trainer's with weight a. Variables: PARLEY_TUNE_SEED,
// PARLEY_MLP_H, PARLEY_MLP_EPOCHS, PARLEY_MLP_LR, PARLEY_MLP_VEC=1,
// PARLEY_MLP_MULTI=0, PARLEY_MLP_AVG=0, PARLEY_MLP_DROP,
// PARLEY_MLP_NOLIN=1 (no trainer run, no mixing).
func TestTuneMLP(t *testing.T) {
	if os.Getenv("PARLEY_TUNE") == "" {
		t.Skip("set PARLEY_TUNE=1 to run the hidden-layer experiment")
	}
	train, dev := readTuneSets(t)
	seed := uint64(envf("PARLEY_TUNE_SEED", 1))
	start := time.Now()
	var lin *Model
	var devLin [][numOutputs]float32
	if os.Getenv("PARLEY_MLP_NOLIN") == "" {
		var err error
		lin, err = Train(context.Background(), train, dev, TrainConfig{Seed: seed, NoMultiTask: true, bestF1: func(name string, fl, q float64) {
			if name == "frustration" || name == "confusion" {
				t.Logf("linear (trainer, order %d) best-threshold dev F1 %s float %.4f int8 %.4f", seed, name, fl, q)
			}
		}})
		require.NoError(t, err)
		t.Logf("linear trained in %v; dev %v", time.Since(start), lin.Info().Dev)
	} else {
		lin = newVectorModel(t)
	}
	tr, trL := featurize(lin, train)
	dv, _ := featurize(lin, dev)
	if os.Getenv("PARLEY_MLP_NOLIN") == "" {
		devLin = lin.devLogits(dv)
	}
	c := mlpCfg{
		hidden: int(envf("PARLEY_MLP_H", 64)), epochs: int(envf("PARLEY_MLP_EPOCHS", 8)),
		lr: float32(envf("PARLEY_MLP_LR", 0.05)), vec: os.Getenv("PARLEY_MLP_VEC") == "1",
		multi: os.Getenv("PARLEY_MLP_MULTI") != "0",
		seed:  seed, posPow: envf("PARLEY_MLP_POSPOW", 0.25), initStd: float32(envf("PARLEY_MLP_INIT", 0.1)),
		avg: os.Getenv("PARLEY_MLP_AVG") != "0", dropout: float32(envf("PARLEY_MLP_DROP", 0)),
		linear: os.Getenv("PARLEY_MLP_LINEAR") == "1",
	}
	nm := newMLP(c, 1<<15, len(tr[0].vec))
	members := [2]uint32{maskOf("anger", "annoyance", "disapproval"), maskOf("confusion")}
	gold := make([][]bool, 2)
	for t2, h := range mlpTargets {
		gold[t2] = make([]bool, len(dv))
		for i := range dv {
			gold[t2][i] = dv[i].heads[h]
		}
	}
	start = time.Now()
	nm.train(tr, trL, func(ep int) {
		zs := nm.averaged().logits(dv)
		var line strings.Builder
		fmt.Fprintf(&line, "%+v epoch %d (%v):", c, ep, time.Since(start).Round(time.Second))
		for t2, name := range []string{"frustration", "confusion"} {
			col := make([]float32, len(dv))
			mx := make([]float32, len(dv))
			for i := range dv {
				col[i] = zs[i][len(goEmotions)+t2]
				mx[i] = -1e9
				for k := range goEmotions {
					if members[t2]&(1<<k) != 0 {
						mx[i] = max(mx[i], zs[i][k])
					}
				}
			}
			own, _ := bestF1(col, gold[t2])
			mem, _ := bestF1(mx, gold[t2])
			fmt.Fprintf(&line, " %s head %.4f members %.4f", name, own, mem)
			if devLin != nil {
				best, ba := 0.0, 0.0
				for _, a := range []float32{0.25, 0.5, 1, 2, 4} {
					mix := make([]float32, len(dv))
					for i := range dv {
						mix[i] = devLin[i][numPolarity+mlpTargets[t2]] + a*col[i]
					}
					if f, _ := bestF1(mix, gold[t2]); f > best {
						best, ba = f, float64(a)
					}
				}
				fmt.Fprintf(&line, " mixed %.4f (a=%g)", best, ba)
			}
		}
		t.Log(line.String())
	})
}

// BenchmarkTuneMLPHidden measures what the hidden layer would add to
// [Model.Polarity] at inference, with int8 rows summed into int32 the way
// the linear rows are: one H-unit row per hashed feature and one per word
// (the word vector's projection, precomputed per word at load time), then
// ReLU and two output heads. The features are computed before the timer
// (the model computes them already); CPU time per sentence over the VADER
// gold sentences.
func BenchmarkTuneMLPHidden(b *testing.B) {
	m := newTestModel(b)
	var f featurizer
	type feats struct{ rows []uint32 }
	var xs []feats
	for _, set := range goldSets {
		for _, r := range readGold(b, set) {
			s := m.sample(Example{Text: r.text}, &f)
			rows := append(append(s.feats, s.chars...), make([]uint32, len(s.hashes))...)
			for i, h := range s.hashes {
				rows[len(s.feats)+len(s.chars)+i] = uint32(h & (1<<15 - 1))
			}
			xs = append(xs, feats{rows})
		}
	}
	for _, H := range []int{16, 32, 64} {
		b.Run(fmt.Sprintf("H=%d", H), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			emb := make([]int8, (1<<15)*H)
			for i := range emb {
				emb[i] = int8(rng.IntN(256) - 128)
			}
			out := make([]float32, 2*H)
			for i := range out {
				out[i] = rng.Float32() - 0.5
			}
			acc := make([]int32, H)
			var sink float32
			b.ReportAllocs()
			c0, ok := cpuTime()
			n := 0
			for i := 0; b.Loop(); i++ {
				x := &xs[i%len(xs)]
				clear(acc)
				for _, r := range x.rows {
					row := emb[int(r)*H : int(r)*H+H]
					for j := range acc {
						acc[j] += int32(row[j])
					}
				}
				var z0, z1 float32
				for j, a := range acc {
					if a > 0 {
						h := float32(a) * 0.01
						z0 += out[j] * h
						z1 += out[H+j] * h
					}
				}
				sink += z0 + z1
				n++
			}
			reportCPU(b, c0, ok, n)
			if sink == 1 {
				b.Log(sink)
			}
		})
	}
}
