package health

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// A Model is a logistic regression over standardised features, trained
// by Train. It is immutable and safe for concurrent use.
type Model struct {
	mean, std, w []float64
	bias         float64
}

// Train fits a logistic regression to rows of features and their labels
// (true: churned) by Newton's method with an L2 penalty of lambda on the
// weights (not the intercept), after standardising each feature on the
// training rows. Every row needs the same number of finite features.
func Train(rows [][]float64, labels []bool, lambda float64) (*Model, error) {
	if len(rows) == 0 || len(rows) != len(labels) {
		return nil, fmt.Errorf("health: %d rows and %d labels", len(rows), len(labels))
	}
	if !(lambda >= 0) {
		return nil, errors.New("health: negative lambda")
	}
	d := len(rows[0])
	m := &Model{mean: make([]float64, d), std: make([]float64, d), w: make([]float64, d)}
	for i, r := range rows {
		if len(r) != d {
			return nil, fmt.Errorf("health: row %d has %d features, want %d", i, len(r), d)
		}
		for j, x := range r {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("health: row %d feature %d is %v", i, j, x)
			}
			m.mean[j] += x / float64(len(rows))
		}
	}
	for _, r := range rows {
		for j, x := range r {
			m.std[j] += (x - m.mean[j]) * (x - m.mean[j]) / float64(len(rows))
		}
	}
	for j := range m.std {
		m.std[j] = math.Sqrt(m.std[j])
		if m.std[j] == 0 {
			m.std[j] = 1
		}
	}
	// Newton's method on beta = (bias, w): H beta_step = gradient.
	n := d + 1
	z := make([]float64, n)
	for iter := 0; iter < 50; iter++ {
		g := make([]float64, n)
		h := make([][]float64, n)
		for i := range h {
			h[i] = make([]float64, n)
		}
		for i, r := range rows {
			z[0] = 1
			for j, x := range r {
				z[j+1] = (x - m.mean[j]) / m.std[j]
			}
			p := m.prob(z[1:])
			y := 0.0
			if labels[i] {
				y = 1
			}
			for a := range n {
				g[a] += (p - y) * z[a]
				for b := a; b < n; b++ {
					h[a][b] += p * (1 - p) * z[a] * z[b]
				}
			}
		}
		for a := 1; a < n; a++ {
			g[a] += lambda * m.w[a-1]
			h[a][a] += lambda
		}
		for a := range n {
			for b := 0; b < a; b++ {
				h[a][b] = h[b][a]
			}
			h[a][a] += 1e-9
		}
		step, err := solve(h, g)
		if err != nil {
			return nil, err
		}
		m.bias -= step[0]
		change := math.Abs(step[0])
		for j := range m.w {
			m.w[j] -= step[j+1]
			change = max(change, math.Abs(step[j+1]))
		}
		if change < 1e-8 {
			break
		}
	}
	return m, nil
}

func (m *Model) prob(std []float64) float64 {
	s := m.bias
	for j, x := range std {
		s += m.w[j] * x
	}
	return 1 / (1 + math.Exp(-s))
}

// Predict returns the churn probability of a customer with features x (as
// many as the model was trained on; missing ones count as the training
// mean).
func (m *Model) Predict(x []float64) float64 {
	s := m.bias
	for j := range m.w {
		if j < len(x) {
			s += m.w[j] * (x[j] - m.mean[j]) / m.std[j]
		}
	}
	return 1 / (1 + math.Exp(-s))
}

// solve solves a x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(slices.Clone(a[i]), b[i])
	}
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if m[p][c] == 0 {
			return nil, errors.New("health: singular system; add an L2 penalty")
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x, nil
}

// AUC returns the area under the ROC curve of scores against labels (the
// probability that a random churner scores above a random stayer, ties
// counting half), and false when one class is missing.
func AUC(scores []float64, labels []bool) (float64, bool) {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case scores[a] < scores[b]:
			return -1
		case scores[a] > scores[b]:
			return 1
		}
		return 0
	})
	var pos, neg, rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		rank := float64(i+j+1) / 2 // mean 1-based rank of the tie group
		for k := i; k < j; k++ {
			if labels[idx[k]] {
				pos++
				rankSum += rank
			}
		}
		i = j
	}
	neg = float64(len(idx)) - pos
	if pos == 0 || neg == 0 {
		return 0, false
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg), true
}

// CrossValidate returns out-of-fold churn probabilities for rows by
// k-fold cross-validation: row i is in fold i%k, and each row is scored by
// a model trained with [Train] and lambda on the rows of the other folds.
// scores[i] belongs to rows[i], so AUC(scores, labels) is the
// cross-validated ROC AUC, a way to choose lambda. k must be at least 2
// and no more than the rows.
func CrossValidate(rows [][]float64, labels []bool, lambda float64, k int) ([]float64, error) {
	if len(rows) != len(labels) {
		return nil, fmt.Errorf("health: %d rows and %d labels", len(rows), len(labels))
	}
	if k < 2 || k > len(rows) {
		return nil, fmt.Errorf("health: %d folds of %d rows", k, len(rows))
	}
	scores := make([]float64, len(rows))
	for fold := range k {
		var tr [][]float64
		var ty []bool
		for i := range rows {
			if i%k != fold {
				tr, ty = append(tr, rows[i]), append(ty, labels[i])
			}
		}
		m, err := Train(tr, ty, lambda)
		if err != nil {
			return nil, err
		}
		for i := fold; i < len(rows); i += k {
			scores[i] = m.Predict(rows[i])
		}
	}
	return scores, nil
}

// Contributions returns how much each feature of x moves the customer's
// log-odds of churning away from those of an average customer (the
// weight times the feature's distance from its training mean, in standard
// deviations): the largest positive ones are the customer's top churn
// factors, for the application to name in plain words.
func (m *Model) Contributions(x []float64) []float64 {
	c := make([]float64, len(m.w))
	for j := range m.w {
		if j < len(x) {
			c[j] = m.w[j] * (x[j] - m.mean[j]) / m.std[j]
		}
	}
	return c
}
