package train

import (
	"context"
	"math"
	"math/rand/v2"
)

// sgdParams tune the softmax regression trainer.
type sgdParams struct {
	Epochs int
	Lambda float64 // L2 strength
	LR     float64 // initial learning rate
	Seed   uint64
}

// linear is a multinomial linear model over sparse features: scores are
// b + x·W, with W stored feature-major (row f holds the C class weights of
// feature f).
type linear struct {
	F, C int
	W    []float32
	B    []float32
}

func (m *linear) scores(dst []float64, x sparse) []float64 {
	dst = dst[:0]
	for c := 0; c < m.C; c++ {
		dst = append(dst, float64(m.B[c]))
	}
	for j, f := range x.idx {
		v := float64(x.val[j])
		row := m.W[int(f)*m.C : int(f)*m.C+m.C]
		for c, w := range row {
			dst[c] += v * float64(w)
		}
	}
	return dst
}

// softmaxInPlace turns scores (divided by temp) into probabilities.
func softmaxInPlace(s []float64, temp float64) {
	mx := math.Inf(-1)
	for _, v := range s {
		mx = max(mx, v)
	}
	sum := 0.0
	for i, v := range s {
		e := math.Exp((v - mx) / temp)
		s[i] = e
		sum += e
	}
	for i := range s {
		s[i] /= sum
	}
}

// trainSoftmax fits multinomial logistic regression with L2 by SGD, using
// a scale factor so that the weight decay costs O(1) per step. It is
// deterministic for a given seed.
func trainSoftmax(ctx context.Context, xs []sparse, ys []int, F, C int, p sgdParams) (*linear, error) {
	W := make([]float32, F*C)
	B := make([]float64, C)
	scale := 1.0
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(p.Seed, 0x9e3779b97f4a7c15))
	s := make([]float64, C)
	s32 := make([]float32, C)
	active := make([]int, 0, C)
	total := float64(p.Epochs * len(xs))
	t := 0.0
	for epoch := 0; epoch < p.Epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			x := xs[i]
			// Linear decay to a small floor over the whole run.
			eta := p.LR * max(0.02, 1-t/total)
			t++
			scale *= 1 - eta*p.Lambda
			if scale < 1e-3 {
				for k := range W {
					W[k] *= float32(scale)
				}
				scale = 1
			}
			clear(s32)
			for j, f := range x.idx {
				v := float32(float64(x.val[j]) * scale)
				row := W[int(f)*C : int(f)*C+C]
				row = row[:len(s32)]
				for c, w := range row {
					s32[c] += v * w
				}
			}
			for c := range s {
				s[c] = B[c] + float64(s32[c])
			}
			softmaxInPlace(s, 1)
			s[ys[i]] -= 1
			// Only classes with a noticeable gradient are updated; the
			// rest would move by less than float32 resolution anyway.
			active = active[:0]
			for c, g := range s {
				if g > 1e-6 || g < -1e-6 {
					active = append(active, c)
					B[c] -= eta * g
				}
			}
			for j, f := range x.idx {
				g := eta * float64(x.val[j]) / scale
				row := W[int(f)*C : int(f)*C+C]
				for _, c := range active {
					row[c] -= float32(g * s[c])
				}
			}
		}
	}
	m := &linear{F: F, C: C, W: make([]float32, F*C), B: make([]float32, C)}
	for k, w := range W {
		m.W[k] = float32(float64(w) * scale)
	}
	for c, b := range B {
		m.B[c] = float32(b)
	}
	return m, nil
}

// fitTemperature returns the temperature that minimises the negative log
// likelihood of the true classes given raw scores (golden-section search
// over log T).
func fitTemperature(scores [][]float64, ys []int) float64 {
	if len(scores) == 0 {
		return 1
	}
	nll := func(logT float64) float64 {
		T := math.Exp(logT)
		sum := 0.0
		for i, s := range scores {
			mx := math.Inf(-1)
			for _, v := range s {
				mx = max(mx, v)
			}
			z := 0.0
			for _, v := range s {
				z += math.Exp((v - mx) / T)
			}
			sum += math.Log(z) - (s[ys[i]]-mx)/T
		}
		return sum
	}
	a, b := math.Log(0.01), math.Log(20.0)
	g := (math.Sqrt(5) - 1) / 2
	c, d := b-g*(b-a), a+g*(b-a)
	fc, fd := nll(c), nll(d)
	for range 60 {
		if fc < fd {
			b, d, fd = d, c, fc
			c = b - g*(b-a)
			fc = nll(c)
		} else {
			a, c, fc = c, d, fd
			d = a + g*(b-a)
			fd = nll(d)
		}
	}
	return math.Exp((a + b) / 2)
}
