package sentiment

// Experiments of session 6 (issue 17: frustration and confusion), kept so
// that the figures in BENCHMARKS.md can be reproduced (PARLEY_TUNE=1):
// float one-vs-rest heads over the model's features, scored by the
// F1 at the best dev threshold. TestTuneDirect trains the two target
// heads (NB=alpha turns on NBSVM log-count-ratio scaling, IGN=labels
// drops negatives carrying them); TestTuneStack
// trains heads for all 28 GoEmotions labels with 5-fold out-of-fold
// logits and a second-stage logistic model over them.

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

type expSample struct {
	s      sample
	labels uint32 // bit i: goEmotions[i]
}

func labelMask(ls []string) uint32 {
	var m uint32
	for _, l := range ls {
		if i := slices.Index(goEmotions[:], l); i >= 0 {
			m |= 1 << i
		}
	}
	return m
}

func maskOf(ls ...string) uint32 { return labelMask(ls) }

type expModel struct {
	K     int
	w     []float32
	dw    []float32
	bias  []float32
	scale []float32 // optional per row*K feature scale (NB)
}

func (e *expModel) logit(s *sample, k int, extra []float32) float32 {
	z := e.bias[k]
	for _, g := range s.sparse() {
		for _, b := range g.bs {
			o := int(b)*e.K + k
			x := g.v
			if e.scale != nil {
				x *= e.scale[o]
			}
			z += e.w[o] * x
		}
	}
	nd := numDense + len(extra)
	for d := 0; d < nd; d++ {
		x := float32(0)
		if d < numDense {
			x = s.dense[d]
		} else {
			x = extra[d-numDense]
		}
		z += x * e.dw[d*e.K+k]
	}
	return z
}

type expCfg struct {
	epochs int
	lr     float32
	bits   int
	posCap float32
	nb     float64 // NB alpha; 0 off
	nbPow  float64
}

// trainExp trains K independent logistic heads; ys[i][k].
func trainExp(ss []sample, extra [][]float32, ys [][]bool, K int, c expCfg) *expModel {
	rows := 1 << c.bits
	nExtra := 0
	if extra != nil {
		nExtra = len(extra[0])
	}
	nd := numDense + nExtra
	e := &expModel{K: K, w: make([]float32, rows*K), dw: make([]float32, nd*K), bias: make([]float32, K)}
	if c.nb > 0 {
		pc := make([]float64, rows*K)
		nc := make([]float64, rows*K)
		var np, nn [64]float64
		for i := range ss {
			for k := 0; k < K; k++ {
				if ys[i][k] {
					np[k]++
				} else {
					nn[k]++
				}
			}
			for _, g := range [][]uint32{ss[i].feats, ss[i].chars} {
				for _, b := range g {
					for k := 0; k < K; k++ {
						if ys[i][k] {
							pc[int(b)*K+k]++
						} else {
							nc[int(b)*K+k]++
						}
					}
				}
			}
		}
		e.scale = make([]float32, rows*K)
		for r := 0; r < rows; r++ {
			for k := 0; k < K; k++ {
				o := r*K + k
				p := (pc[o] + c.nb) / (np[k] + c.nb)
				q := (nc[o] + c.nb) / (nn[k] + c.nb)
				e.scale[o] = float32(math.Pow(math.Abs(math.Log(p/q))+0.01, c.nbPow))
			}
		}
	}
	g2 := make([]float32, len(e.w))
	u := make([]float32, len(e.w))
	dg2 := make([]float32, len(e.dw))
	du := make([]float32, len(e.dw))
	bg2 := make([]float32, K)
	bu := make([]float32, K)
	posW := positiveWeights(ys, K, 0.5, c.posCap)
	order := make([]int, len(ss))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(1, 0x5eed))
	var step float32
	grad := make([]float32, K)
	const eps = 1e-6
	for ep := 0; ep < c.epochs; ep++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			step++
			s := &ss[i]
			var ex []float32
			if extra != nil {
				ex = extra[i]
			}
			for k := 0; k < K; k++ {
				p := sigmoid(e.logit(s, k, ex))
				if ys[i][k] {
					grad[k] = (p - 1) * posW[k]
				} else {
					grad[k] = p
				}
			}
			for _, g := range s.sparse() {
				for _, b := range g.bs {
					for k := 0; k < K; k++ {
						o := int(b)*K + k
						x := g.v
						if e.scale != nil {
							x *= e.scale[o]
						}
						gk := grad[k] * x
						g2[o] += gk * gk
						d := c.lr * gk / float32(math.Sqrt(float64(g2[o]+eps)))
						e.w[o] -= d
						u[o] -= step * d
					}
				}
			}
			for d := 0; d < nd; d++ {
				x := float32(0)
				if d < numDense {
					x = s.dense[d]
				} else {
					x = ex[d-numDense]
				}
				if x == 0 {
					continue
				}
				for k := 0; k < K; k++ {
					o := d*K + k
					gk := grad[k] * x
					dg2[o] += gk * gk
					del := c.lr * gk / float32(math.Sqrt(float64(dg2[o]+eps)))
					e.dw[o] -= del
					du[o] -= step * del
				}
			}
			for k := 0; k < K; k++ {
				bg2[k] += grad[k] * grad[k]
				del := c.lr * grad[k] / float32(math.Sqrt(float64(bg2[k]+eps)))
				e.bias[k] -= del
				bu[k] -= step * del
			}
		}
	}
	for i := range e.w {
		e.w[i] -= u[i] / step
	}
	for i := range e.dw {
		e.dw[i] -= du[i] / step
	}
	for i := range e.bias {
		e.bias[i] -= bu[i] / step
	}
	return e
}

// bestF1 is the F1 at the best threshold of scores.
func bestF1(zs []float32, ys []bool) (float64, float32) {
	idx := make([]int, len(zs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case zs[a] > zs[b]:
			return -1
		case zs[a] < zs[b]:
			return 1
		}
		return 0
	})
	npos := 0
	for _, y := range ys {
		if y {
			npos++
		}
	}
	best, thr := 0.0, float32(0)
	tp := 0
	for r, i := range idx {
		if ys[i] {
			tp++
		}
		fp := r + 1 - tp
		if f := f1(tp, fp, npos-tp); f > best {
			best, thr = f, zs[i]
		}
	}
	return best, thr
}

// positiveWeights weighs each of the K targets' positive examples by
// (negatives/positives)^pow, at least 1 and at most cap, as the trainers
// do to balance rare labels.
func positiveWeights(ys [][]bool, K int, pow float64, cap float32) []float32 {
	posW := make([]float32, K)
	for k := range posW {
		n := 0
		for i := range ys {
			if ys[i][k] {
				n++
			}
		}
		posW[k] = min(max(float32(math.Pow(float64(len(ys)-n)/float64(max(n, 1)), pow)), 1), cap)
	}
	return posW
}

func envf(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil {
		return v
	}
	return def
}

func loadExp(t *testing.T) (m *Model, tr, dv []expSample) {
	train, dev := readTuneSets(t)
	p := params{Bits: 15, CharMin: 4, CharMax: 4, Negation: true}
	m, err := newModel(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	var f featurizer
	for _, ex := range train {
		tr = append(tr, expSample{m.sample(ex, &f), labelMask(ex.Labels)})
	}
	for _, ex := range dev {
		dv = append(dv, expSample{m.sample(ex, &f), labelMask(ex.Labels)})
	}
	return m, tr, dv
}

var expTargets = []struct {
	name string
	mask uint32
}{
	{"frustration", maskOf("anger", "annoyance", "disapproval")},
	{"confusion", maskOf("confusion")},
}

func TestTuneDirect(t *testing.T) {
	if os.Getenv("PARLEY_TUNE") == "" {
		t.Skip()
	}
	_, tr, dv := loadExp(t)
	c := expCfg{epochs: int(envf("E", 15)), lr: float32(envf("LR", 0.05)), bits: 15, posCap: float32(envf("CAP", 6)), nb: envf("NB", 0), nbPow: envf("NBPOW", 1)}
	var ss []sample
	var ys [][]bool
	ign := labelMask(strings.Split(os.Getenv("IGN"), ","))
	for i := range tr {
		y := []bool{tr[i].labels&expTargets[0].mask != 0, tr[i].labels&expTargets[1].mask != 0}
		if !y[0] && !y[1] && tr[i].labels&ign != 0 {
			continue
		}
		ss = append(ss, tr[i].s)
		ys = append(ys, y)
	}
	e := trainExp(ss, nil, ys, 2, c)
	for k, tg := range expTargets {
		zs := make([]float32, len(dv))
		gs := make([]bool, len(dv))
		for i := range dv {
			zs[i] = e.logit(&dv[i].s, k, nil)
			gs[i] = dv[i].labels&tg.mask != 0
		}
		f, _ := bestF1(zs, gs)
		t.Logf("%+v %s best-threshold F1 %.4f", c, tg.name, f)
	}
}

func TestTuneStack(t *testing.T) {
	if os.Getenv("PARLEY_TUNE") == "" {
		t.Skip()
	}
	_, tr, dv := loadExp(t)
	c := expCfg{epochs: int(envf("E", 15)), lr: float32(envf("LR", 0.05)), bits: 15, posCap: float32(envf("CAP", 6))}
	const K = 28
	folds := int(envf("FOLDS", 5))
	ss := make([]sample, len(tr))
	ys := make([][]bool, len(tr))
	for i := range tr {
		ss[i] = tr[i].s
		ys[i] = make([]bool, K)
		for k := range K {
			ys[i][k] = tr[i].labels&(1<<k) != 0
		}
	}
	oof := make([][]float32, len(tr))
	for fo := range folds {
		var a []sample
		var ay [][]bool
		for i := range ss {
			if i%folds != fo {
				a = append(a, ss[i])
				ay = append(ay, ys[i])
			}
		}
		e := trainExp(a, nil, ay, K, c)
		for i := range ss {
			if i%folds == fo {
				oof[i] = make([]float32, K)
				for k := range K {
					oof[i][k] = e.logit(&ss[i], k, nil)
				}
			}
		}
		t.Logf("fold %d done", fo)
	}
	full := trainExp(ss, nil, ys, K, c)
	dz := make([][]float32, len(dv))
	for i := range dv {
		dz[i] = make([]float32, K)
		for k := range K {
			dz[i][k] = full.logit(&dv[i].s, k, nil)
		}
	}
	// First-stage direct scores for the union (max of member logits) for reference.
	for _, tg := range expTargets {
		gs := make([]bool, len(dv))
		for i := range dv {
			gs[i] = dv[i].labels&tg.mask != 0
		}
		zs := make([]float32, len(dv))
		for i := range dv {
			mx := float32(-1e9)
			for k := range K {
				if tg.mask&(1<<k) != 0 {
					mx = max(mx, dz[i][k])
				}
			}
			zs[i] = mx
		}
		f, _ := bestF1(zs, gs)
		t.Logf("%s max-of-members F1 %.4f", tg.name, f)
	}
	// Second stage: logits (and sigmoids) as extra dense features, with or
	// without the sparse features.
	feat := func(z []float32) []float32 {
		x := make([]float32, 0, 2*K)
		for _, v := range z {
			x = append(x, v/4)
		}
		for _, v := range z {
			x = append(x, sigmoid(v))
		}
		return x
	}
	trX := make([][]float32, len(tr))
	for i := range tr {
		trX[i] = feat(oof[i])
	}
	dvX := make([][]float32, len(dv))
	for i := range dv {
		dvX[i] = feat(dz[i])
	}
	for _, sparse := range []bool{false, true} {
		s2 := make([]sample, len(tr))
		d2 := make([]sample, len(dv))
		for i := range tr {
			s2[i] = sample{dense: tr[i].s.dense}
			if sparse {
				s2[i] = tr[i].s
			}
		}
		for i := range dv {
			d2[i] = sample{dense: dv[i].s.dense}
			if sparse {
				d2[i] = dv[i].s
			}
		}
		y2 := make([][]bool, len(tr))
		for i := range tr {
			y2[i] = []bool{tr[i].labels&expTargets[0].mask != 0, tr[i].labels&expTargets[1].mask != 0}
		}
		c2 := c
		c2.lr = float32(envf("LR2", 0.05))
		e2 := trainExp(s2, trX, y2, 2, c2)
		for k, tg := range expTargets {
			zs := make([]float32, len(dv))
			gs := make([]bool, len(dv))
			for i := range dv {
				zs[i] = e2.logit(&d2[i], k, dvX[i])
				gs[i] = dv[i].labels&tg.mask != 0
			}
			f, _ := bestF1(zs, gs)
			t.Logf("stack sparse=%v %s F1 %.4f", sparse, tg.name, f)
		}
	}
}
