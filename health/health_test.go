package health

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAssess(t *testing.T) {
	healthy := Assess(Signals{LoginsPerWeek: 4, FeatureUsage: 0.8, NegativeSentiment: 0.1, DaysSinceLastOrder: 10, HasOrdered: true})
	assert.InDelta(t, 100*(0.3+0.2*0.8+0.25*0.9+0.25), healthy.Score, 1e-9)
	assert.Zero(t, healthy.Risk)
	assert.Empty(t, healthy.Reasons)

	atRisk := Assess(Signals{LoginsPerWeek: 1, NegativeSentiment: 0.75, SentimentTrend: -0.2, DaysSinceLastOrder: 60, HasOrdered: true, CartAbandoned: true})
	assert.Equal(t, 1.0, atRisk.Risk)
	assert.Equal(t, []string{"no order for 60 days", "75% of recent messages negative",
		"logs in 1.0 times a week (fewer than 2)", "left a cart"}, atRisk.Reasons)
	assert.InDelta(t, 100*(0.3/3+0.25*0.05+0.25*0.5), atRisk.Score, 1e-9) // mood: 1 - 0.75 - 0.2

	// A customer with no history: no recency judged, never NaN.
	none := Assess(Signals{})
	assert.Equal(t, 0.2, none.Risk)
	assert.False(t, math.IsNaN(none.Score))
}

func TestAUC(t *testing.T) {
	// 3 churners, 2 stayers: of the 6 pairs, 5 ordered right and one tie:
	// (5 + 0.5) / 6.
	auc, ok := AUC([]float64{0.9, 0.8, 0.4, 0.4, 0.1}, []bool{true, true, true, false, false})
	require.True(t, ok)
	assert.InDelta(t, 5.5/6, auc, 1e-12)
	_, ok = AUC([]float64{0.1, 0.2}, []bool{true, true})
	assert.False(t, ok)
}

func TestTrainRecoversWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 30))
	var rows [][]float64
	var labels []bool
	for range 20_000 {
		x := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		s := -1 + 2*x[0] - 1*x[1]
		rows = append(rows, x)
		labels = append(labels, rng.Float64() < 1/(1+math.Exp(-s)))
	}
	m, err := Train(rows, labels, 0)
	require.NoError(t, err)
	assert.InDelta(t, 2, m.w[0]/m.std[0], 0.1)
	assert.InDelta(t, -1, m.w[1]/m.std[1], 0.1)
	assert.InDelta(t, 0, m.w[2]/m.std[2], 0.1)
	assert.InDelta(t, 1/(1+math.Exp(1)), m.Predict([]float64{0, 0, 0}), 0.02)

	// The contributions add up to the log-odds, less the intercept, and
	// the first feature drives a customer high on it.
	x := []float64{2, -0.5, 0.1}
	c := m.Contributions(x)
	p := m.Predict(x)
	assert.InDelta(t, math.Log(p/(1-p))-m.bias, c[0]+c[1]+c[2], 1e-9)
	assert.Greater(t, c[0], c[1])
	assert.Greater(t, c[1], math.Abs(c[2]))

	_, err = Train(rows[:2], labels[:1], 0)
	assert.ErrorContains(t, err, "2 rows and 1 labels")
	_, err = Train([][]float64{{1}, {math.NaN()}}, []bool{true, false}, 0)
	assert.ErrorContains(t, err, "row 1 feature 0 is NaN")
}

// telco reads a split of the IBM Telco churn sample and one-hot encodes
// it with the levels seen in train (cats nil: learn them).
func telco(t *testing.T, file string, cats map[int][]string) ([][]float64, []bool, map[int][]string) {
	t.Helper()
	dir := os.Getenv("PARLEY_TEST_DATA")
	if dir == "" {
		t.Skip("PARLEY_TEST_DATA not set")
	}
	f, err := os.Open(filepath.Join(dir, "churn", "telco", file))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	numeric := map[int]bool{2: true, 5: true, 18: true, 19: true} // SeniorCitizen, tenure, MonthlyCharges, TotalCharges
	if cats == nil {
		cats = map[int][]string{}
		for _, r := range recs[1:] {
			for c := 1; c < 20; c++ {
				if !numeric[c] && !contains(cats[c], r[c]) {
					cats[c] = append(cats[c], r[c])
				}
			}
		}
	}
	var rows [][]float64
	var labels []bool
	for _, r := range recs[1:] {
		var x []float64
		for c := 1; c < 20; c++ {
			if numeric[c] {
				v, err := strconv.ParseFloat(r[c], 64)
				if err != nil {
					v = 0 // TotalCharges is " " for tenure-0 customers
				}
				x = append(x, v)
				if c == 5 || c == 19 {
					x = append(x, math.Log1p(v))
				}
				continue
			}
			for _, level := range cats[c] {
				x = append(x, b2f(r[c] == level))
			}
		}
		rows = append(rows, x)
		labels = append(labels, r[20] == "Yes")
	}
	return rows, labels, cats
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func TestCrossValidate(t *testing.T) {
	// Ten rows, two folds: row i is scored by the model trained on the
	// rows of the other parity.
	rows := [][]float64{{5, 3}, {4, 10}, {1, 60}, {0, 90}, {3, 20}, {1, 45}, {6, 5}, {0, 120}, {2, 30}, {1, 75}}
	labels := []bool{false, false, true, true, false, true, false, true, false, true}
	scores, err := CrossValidate(rows, labels, 1, 2)
	require.NoError(t, err)
	require.Len(t, scores, len(rows))
	pick := func(idx ...int) ([][]float64, []bool) {
		var r [][]float64
		var l []bool
		for _, i := range idx {
			r, l = append(r, rows[i]), append(l, labels[i])
		}
		return r, l
	}
	oddRows, oddLabels := pick(1, 3, 5, 7, 9)
	onOdd, err := Train(oddRows, oddLabels, 1)
	require.NoError(t, err)
	evenRows, evenLabels := pick(0, 2, 4, 6, 8)
	onEven, err := Train(evenRows, evenLabels, 1)
	require.NoError(t, err)
	for i, x := range rows {
		want := onOdd.Predict(x)
		if i%2 == 1 {
			want = onEven.Predict(x)
		}
		assert.Equal(t, want, scores[i], "row %d", i)
	}

	_, err = CrossValidate(rows, labels, 1, 1)
	require.ErrorContains(t, err, "1 folds of 10 rows")
	_, err = CrossValidate(rows, labels, 1, 11)
	require.ErrorContains(t, err, "11 folds of 10 rows")
	_, err = CrossValidate(rows, labels[:3], 1, 2)
	require.ErrorContains(t, err, "10 rows and 3 labels")
}

// TestTelcoChurn trains on the train split, picking lambda by 5-fold
// cross-validation on train only, and reports ROC AUC on the test split
// beside scikit-learn's 0.854 (data README).
func TestTelcoChurn(t *testing.T) {
	rows, labels, cats := telco(t, "train.csv", nil)
	best, bestAUC := 0.0, 0.0
	for _, lambda := range []float64{0.1, 1, 10, 100} {
		scores, err := CrossValidate(rows, labels, lambda, 5)
		require.NoError(t, err)
		auc, ok := AUC(scores, labels)
		require.True(t, ok)
		t.Logf("lambda %g: 5-fold CV AUC on train %.4f", lambda, auc)
		if auc > bestAUC {
			best, bestAUC = lambda, auc
		}
	}
	start := time.Now()
	m, err := Train(rows, labels, best)
	require.NoError(t, err)
	took := time.Since(start)
	test, testLabels, _ := telco(t, "test.csv", cats)
	var scores []float64
	var brier float64
	for i, x := range test {
		p := m.Predict(x)
		scores = append(scores, p)
		brier += (p - b2f(testLabels[i])) * (p - b2f(testLabels[i])) / float64(len(test))
	}
	auc, ok := AUC(scores, testLabels)
	require.True(t, ok)
	t.Logf("lambda %g, %d train rows, %d features, trained in %v; test ROC AUC %.4f, Brier %.4f (scikit-learn: 0.854, 0.132)",
		best, len(rows), len(rows[0]), took, auc, brier)
	assert.GreaterOrEqual(t, auc, 0.854, "at least scikit-learn's logistic regression")
	assert.Less(t, brier, 0.15)
}
