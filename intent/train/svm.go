package train

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"
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
	rows := newSVMRows(xs, ys, F)
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
				svmBinary(w, rows, c, p)
				// Each class writes only its own column.
				for f, g := range rows.perm {
					lin.W[f*C+c] = float32(w[g])
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

// svmRows holds the training rows in one contiguous block (compressed
// sparse rows) with precomputed squared norms, so that the solver's inner
// loops walk memory linearly. Values stay float32 (read from memory at
// half the cost; widening them to float64 is exact).
type svmRows struct {
	start []int32   // row i spans idx[start[i]:start[i+1]]
	idx   []int32   // feature indices
	val   []float32 // feature values
	sq    []float64 // squared norm of each row, bias feature included
	ys    []int32   // class of each row
	// perm maps a feature to its solver index: features are renumbered
	// by falling document frequency so that the weights the solver
	// touches most share cache lines. Each row keeps its order of
	// entries, so the arithmetic is unchanged.
	perm []int32
}

func newSVMRows(xs []sparse, ys []int, F int) *svmRows {
	nnz := 0
	df := make([]int32, F)
	for _, x := range xs {
		nnz += len(x.idx)
		for _, f := range x.idx {
			df[f]++
		}
	}
	order := make([]int32, F)
	for f := range order {
		order[f] = int32(f)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(df[b], df[a]) })
	perm := make([]int32, F)
	for g, f := range order {
		perm[f] = int32(g)
	}
	r := &svmRows{
		start: make([]int32, 0, len(xs)+1),
		idx:   make([]int32, 0, nnz),
		val:   make([]float32, 0, nnz),
		sq:    make([]float64, len(xs)),
		ys:    make([]int32, len(xs)),
		perm:  perm,
	}
	for i, x := range xs {
		r.start = append(r.start, int32(len(r.idx)))
		for _, f := range x.idx {
			r.idx = append(r.idx, perm[f])
		}
		s := 1.0 // bias feature
		for _, v := range x.val {
			r.val = append(r.val, v)
			s += float64(v) * float64(v)
		}
		r.sq[i] = s
		r.ys[i] = int32(ys[i])
	}
	r.start = append(r.start, int32(len(r.idx)))
	return r
}

// svmBinary solves the dual of class c against the rest into w (length
// F+1, the last entry being the bias weight).
func svmBinary(w []float64, rows *svmRows, c int, p svmParams) {
	n := len(rows.sq)
	F := len(w) - 1
	wf := w[:F]
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
		// Decision values are computed ahead for the next few rows in one
		// loop (independent sums run in parallel in the CPU) and used
		// while w is unchanged; an update discards them. Each sum is taken
		// in the same order as one at a time, so the result is identical.
		var ahead [aheadRows]int
		var aheadD [aheadRows]float64
		nAhead, next := 0, 0
		for k := 0; k < nActive; k++ {
			i := active[k]
			var d float64
			if next < nAhead && ahead[next] == i {
				d = aheadD[next]
				next++
			} else {
				nAhead = copy(ahead[:], active[k:nActive])
				rows.dots(aheadD[:nAhead], wf, w[F], ahead[:nAhead])
				d, next = aheadD[0], 1
			}
			lo, hi := rows.start[i], rows.start[i+1]
			xi := rows.idx[lo:hi]
			xv := rows.val[lo:hi]
			xv = xv[:len(xi)]
			y := -1.0
			if int(rows.ys[i]) == c {
				y = 1
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
				alpha[i] = max(old-G/(rows.sq[i]+diag), 0)
				delta := (alpha[i] - old) * y
				for j, f := range xi {
					wf[f] += delta * float64(xv[j])
				}
				w[F] += delta
				nAhead = 0
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

// aheadRows is how many decision values the solver computes at once.
const aheadRows = 4

// row returns the feature indices and values of row i.
func (r *svmRows) row(i int) ([]int32, []float32) {
	lo, hi := r.start[i], r.start[i+1]
	xi, xv := r.idx[lo:hi], r.val[lo:hi]
	return xi, xv[:len(xi)]
}

// dots sets out[k] to bias + w·x for each row ids[k], summing each row's
// terms in order.
func (r *svmRows) dots(out, w []float64, bias float64, ids []int) {
	if len(ids) < 4 {
		for k, i := range ids {
			xi, xv := r.row(i)
			d := bias
			for j, f := range xi {
				d += w[f] * float64(xv[j])
			}
			out[k] = d
		}
		return
	}
	ai, av := r.row(ids[0])
	bi, bv := r.row(ids[1])
	ci, cv := r.row(ids[2])
	di, dv := r.row(ids[3])
	m := min(len(ai), len(bi), len(ci), len(di))
	s0, s1, s2, s3 := bias, bias, bias, bias
	for j := 0; j < m; j++ {
		s0 += w[ai[j]] * float64(av[j])
		s1 += w[bi[j]] * float64(bv[j])
		s2 += w[ci[j]] * float64(cv[j])
		s3 += w[di[j]] * float64(dv[j])
	}
	for j := m; j < len(ai); j++ {
		s0 += w[ai[j]] * float64(av[j])
	}
	for j := m; j < len(bi); j++ {
		s1 += w[bi[j]] * float64(bv[j])
	}
	for j := m; j < len(ci); j++ {
		s2 += w[ci[j]] * float64(cv[j])
	}
	for j := m; j < len(di); j++ {
		s3 += w[di[j]] * float64(dv[j])
	}
	out[0], out[1], out[2], out[3] = s0, s1, s2, s3
}
