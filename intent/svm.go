package intent

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
)

// svmParams tune the one-vs-rest linear SVM trainer.
type svmParams struct {
	C       float64 // cost of a margin violation (LIBLINEAR's C)
	Eps     float64 // stopping tolerance on the projected gradient
	MaxIter int     // passes over the data at most
	Workers int     // classes trained at once
	Seed    uint64
}

// trainSVM fits one L2-regularised squared-hinge SVM per class against
// the rest, by dual coordinate descent with shrinking (Hsieh et al.
// 2008, as in LIBLINEAR), with a bias feature of value 1. Classes are
// independent, so they are spread over workers with no effect on the
// result. The scores are the decision values w_c·x + b_c.
func trainSVM(ctx context.Context, xs []sparse, ys []int, F, C int, p svmParams) (*linear, error) {
	lin := &linear{F: F, C: C, W: make([]float32, F*C), B: make([]float32, C)}
	sq := make([]float64, len(xs))
	for i, x := range xs {
		s := 1.0 // bias feature
		for _, v := range x.val {
			s += float64(v) * float64(v)
		}
		sq[i] = s
	}
	workers := max(1, p.Workers)
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := make([]float64, F+1)
			for c := range next {
				if err := ctx.Err(); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					continue
				}
				clear(w)
				svmBinary(w, xs, ys, sq, c, p)
				// Each class writes only its own column.
				for f := 0; f < F; f++ {
					lin.W[f*C+c] = float32(w[f])
				}
				lin.B[c] = float32(w[F])
			}
		}()
	}
	for c := range C {
		next <- c
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return lin, nil
}

// svmBinary solves the dual of class c against the rest into w (length
// F+1, the last entry being the bias weight).
func svmBinary(w []float64, xs []sparse, ys []int, sq []float64, c int, p svmParams) {
	n := len(xs)
	F := len(w) - 1
	diag := 0.5 / p.C
	alpha := make([]float64, n)
	active := make([]int, n)
	for i := range active {
		active[i] = i
	}
	rng := rand.New(rand.NewPCG(p.Seed, uint64(c)+1))
	pgMaxOld, pgMinOld := math.Inf(1), math.Inf(-1)
	nActive := n
	for iter := 0; iter < p.MaxIter; iter++ {
		pgMax, pgMin := math.Inf(-1), math.Inf(1)
		for k := 0; k < nActive; k++ {
			j := k + rng.IntN(nActive-k)
			active[k], active[j] = active[j], active[k]
		}
		for k := 0; k < nActive; k++ {
			i := active[k]
			x := xs[i]
			y := -1.0
			if ys[i] == c {
				y = 1
			}
			d := w[F]
			for j, f := range x.idx {
				d += w[f] * float64(x.val[j])
			}
			G := y*d - 1 + diag*alpha[i]
			pg := 0.0
			if alpha[i] == 0 {
				if G > pgMaxOld {
					nActive--
					active[k], active[nActive] = active[nActive], active[k]
					k--
					continue
				}
				pg = min(G, 0)
			} else {
				pg = G
			}
			pgMax, pgMin = max(pgMax, pg), min(pgMin, pg)
			if math.Abs(pg) > 1e-12 {
				old := alpha[i]
				alpha[i] = max(old-G/(sq[i]+diag), 0)
				delta := (alpha[i] - old) * y
				for j, f := range x.idx {
					w[f] += delta * float64(x.val[j])
				}
				w[F] += delta
			}
		}
		if pgMax-pgMin <= p.Eps {
			if nActive == n {
				break
			}
			nActive = n
			pgMaxOld, pgMinOld = math.Inf(1), math.Inf(-1)
			continue
		}
		pgMaxOld, pgMinOld = pgMax, pgMin
		if pgMaxOld <= 0 {
			pgMaxOld = math.Inf(1)
		}
		if pgMinOld >= 0 {
			pgMinOld = math.Inf(-1)
		}
	}
	_ = pgMinOld
}
