package health

import (
	"math"
	"math/rand/v2"
	"testing"
)

// synthetic returns n customers with d features (a Telco-sized 47) and a
// churn label from a logistic model over the first five.
func synthetic(n, d int) ([][]float64, []bool) {
	rng := rand.New(rand.NewPCG(14, 40))
	rows := make([][]float64, n)
	labels := make([]bool, n)
	for i := range rows {
		x := make([]float64, d)
		for j := range x {
			x[j] = rng.NormFloat64()
		}
		s := -1 + x[0] - 0.5*x[1] + 0.8*x[2] - 0.3*x[3] + 0.2*x[4]
		rows[i], labels[i] = x, rng.Float64() < 1/(1+math.Exp(-s))
	}
	return rows, labels
}

// BenchmarkTrain100k trains on 100,000 customers with 47 features.
func BenchmarkTrain100k(b *testing.B) {
	rows, labels := synthetic(100_000, 47)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Train(rows, labels, 10); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPredict scores one customer with 47 features.
func BenchmarkPredict(b *testing.B) {
	rows, labels := synthetic(2_000, 47)
	m, err := Train(rows, labels, 10)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var sink float64
	i := 0
	for b.Loop() {
		sink += m.Predict(rows[i%len(rows)])
		i++
	}
	if sink <= 0 {
		b.Fatal("no scores")
	}
}
