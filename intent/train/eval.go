package train

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/parleyhq/parley/intent"
)

// A Scored pairs a labelled example with what a classifier made of it.
type Scored struct {
	Want   string
	Result intent.Result
}

// Score classifies every example with c.
func Score(ctx context.Context, c intent.Classifier, examples []Example) ([]Scored, error) {
	out := make([]Scored, len(examples))
	for i, e := range examples {
		r, err := c.Classify(ctx, e.Text)
		if err != nil {
			return nil, err
		}
		out[i] = Scored{Want: e.Intent, Result: r}
	}
	return out, nil
}

// Predict returns the label a threshold policy gives r: the top intent if
// its confidence reaches threshold, else oosLabel.
func Predict(r intent.Result, threshold float64, oosLabel string) string {
	top := r.Top()
	if top.Name == "" || top.Confidence < threshold {
		return oosLabel
	}
	return top.Name
}

// IntentMetrics are the precision, recall and F1 of one label.
type IntentMetrics struct {
	Intent    string  `json:"intent"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`
}

// A Confusion counts test rows of intent Want predicted as Got.
type Confusion struct {
	Want  string `json:"want"`
	Got   string `json:"got"`
	Count int    `json:"count"`
}

// Metrics summarise a classifier on a labelled set at one threshold. The
// out-of-scope label counts as one more class.
type Metrics struct {
	Threshold float64 `json:"threshold"`
	// Accuracy is over all rows.
	Accuracy float64 `json:"accuracy"`
	// InScopeAccuracy is over in-scope rows only; an in-scope row
	// rejected as out-of-scope counts as wrong.
	InScopeAccuracy float64 `json:"in_scope_accuracy"`
	OOSRecall       float64 `json:"oos_recall"`
	OOSPrecision    float64 `json:"oos_precision"`
	MacroF1         float64 `json:"macro_f1"`
	// PerIntent is sorted by label.
	PerIntent []IntentMetrics `json:"per_intent"`
	// Confusions lists the off-diagonal cells, most frequent first.
	Confusions []Confusion `json:"confusions"`
	// Labels and Matrix form the confusion matrix: Matrix[i][j] counts
	// rows of Labels[i] predicted as Labels[j]. Labels are sorted, the
	// out-of-scope label last.
	Labels []string `json:"-"`
	Matrix [][]int  `json:"-"`
}

// Evaluate computes [Metrics] of scored rows at threshold.
func Evaluate(scored []Scored, oosLabel string, threshold float64) Metrics {
	set := map[string]bool{oosLabel: true}
	for _, s := range scored {
		set[s.Want] = true
		set[Predict(s.Result, threshold, oosLabel)] = true
	}
	labels := make([]string, 0, len(set))
	for l := range set {
		if l != oosLabel {
			labels = append(labels, l)
		}
	}
	slices.Sort(labels)
	labels = append(labels, oosLabel)
	idx := make(map[string]int, len(labels))
	for i, l := range labels {
		idx[l] = i
	}
	mat := make([][]int, len(labels))
	for i := range mat {
		mat[i] = make([]int, len(labels))
	}
	m := Metrics{Threshold: threshold, Labels: labels, Matrix: mat}
	var ok, in, inOK int
	for _, s := range scored {
		got := Predict(s.Result, threshold, oosLabel)
		mat[idx[s.Want]][idx[got]]++
		if got == s.Want {
			ok++
		}
		if s.Want != oosLabel {
			in++
			if got == s.Want {
				inOK++
			}
		}
	}
	m.Accuracy = ratio(ok, len(scored))
	m.InScopeAccuracy = ratio(inOK, in)
	o := len(labels) - 1
	var sumF1 float64
	var nF1 int
	for i, l := range labels {
		tp, pred, sup := mat[i][i], 0, 0
		for j := range labels {
			pred += mat[j][i]
			sup += mat[i][j]
		}
		p, r := ratio(tp, pred), ratio(tp, sup)
		f := 0.0
		if p+r > 0 {
			f = 2 * p * r / (p + r)
		}
		if i == o {
			m.OOSRecall, m.OOSPrecision = r, p
		}
		if sup == 0 && pred == 0 {
			continue
		}
		m.PerIntent = append(m.PerIntent, IntentMetrics{Intent: l, Precision: p, Recall: r, F1: f, Support: sup})
		sumF1 += f
		nF1++
	}
	m.MacroF1 = ratio2(sumF1, nF1)
	for i := range labels {
		for j := range labels {
			if i != j && mat[i][j] > 0 {
				m.Confusions = append(m.Confusions, Confusion{Want: labels[i], Got: labels[j], Count: mat[i][j]})
			}
		}
	}
	slices.SortStableFunc(m.Confusions, func(a, b Confusion) int { return cmp.Compare(b.Count, a.Count) })
	return m
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func ratio2(a float64, b int) float64 {
	if b == 0 {
		return 0
	}
	return a / float64(b)
}

// A SweepPoint is the trade-off at one threshold.
type SweepPoint struct {
	Threshold       float64 `json:"threshold"`
	Accuracy        float64 `json:"accuracy"`
	InScopeAccuracy float64 `json:"in_scope_accuracy"`
	OOSRecall       float64 `json:"oos_recall"`
	OOSPrecision    float64 `json:"oos_precision"`
}

// Sweep evaluates thresholds 0, 0.01, ..., 0.99 on scored rows.
func Sweep(scored []Scored, oosLabel string) []SweepPoint {
	pts := make([]SweepPoint, 0, 100)
	for i := range 100 {
		th := float64(i) / 100
		var ok, in, inOK, oos, oosOK, rejected int
		for _, s := range scored {
			got := Predict(s.Result, th, oosLabel)
			if got == oosLabel {
				rejected++
			}
			if got == s.Want {
				ok++
			}
			if s.Want == oosLabel {
				oos++
				if got == oosLabel {
					oosOK++
				}
			} else {
				in++
				if got == s.Want {
					inOK++
				}
			}
		}
		pts = append(pts, SweepPoint{
			Threshold: th, Accuracy: ratio(ok, len(scored)), InScopeAccuracy: ratio(inOK, in),
			OOSRecall: ratio(oosOK, oos), OOSPrecision: ratio(oosOK, rejected),
		})
	}
	return pts
}

// ThresholdObjective states how [ChooseThreshold] picks a threshold.
const ThresholdObjective = "maximise accuracy over all validation rows, out-of-scope counted as one more class; ties go to the lowest threshold"

// ChooseThreshold returns the sweep point that maximises accuracy over all
// rows (see [ThresholdObjective]).
func ChooseThreshold(pts []SweepPoint) SweepPoint {
	best := SweepPoint{Accuracy: math.Inf(-1)}
	for _, p := range pts {
		if p.Accuracy > best.Accuracy+1e-12 {
			best = p
		}
	}
	return best
}
