package health_test

import (
	"fmt"

	"github.com/parleyhq/parley/health"
)

func ExampleAssess() {
	a := health.Assess(health.Signals{
		LoginsPerWeek: 1, FeatureUsage: 0.4, NegativeSentiment: 0.2,
		DaysSinceLastOrder: 52, HasOrdered: true, CartAbandoned: true,
	})
	fmt.Printf("health %.0f/100, churn risk %.0f%%\n", a.Score, 100*a.Risk)
	for _, r := range a.Reasons {
		fmt.Println("-", r)
	}
	// Output:
	// health 54/100, churn risk 70%
	// - no order for 52 days
	// - logs in 1.0 times a week (fewer than 2)
	// - left a cart
}

func ExampleTrain() {
	// Features: logins a week, days since the last order; label: churned.
	rows := [][]float64{{5, 3}, {4, 10}, {1, 60}, {0, 90}, {3, 20}, {1, 45}, {6, 5}, {0, 120}}
	churned := []bool{false, false, true, true, false, true, false, true}
	m, err := health.Train(rows, churned, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("active %.2f, lapsed %.2f\n", m.Predict([]float64{4, 7}), m.Predict([]float64{0, 80}))
	// Output: active 0.19, lapsed 0.88
}

func ExampleModel_Contributions() {
	rows := [][]float64{{5, 3}, {4, 10}, {1, 60}, {0, 90}, {3, 20}, {1, 45}, {6, 5}, {0, 120}}
	churned := []bool{false, false, true, true, false, true, false, true}
	m, err := health.Train(rows, churned, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	names := []string{"few logins", "long since the last order"}
	c := m.Contributions([]float64{0, 30}) // no logins, ordered a month ago
	top := 0
	if c[1] > c[0] {
		top = 1
	}
	fmt.Println("top factor:", names[top])
	// Output: top factor: few logins
}

func ExampleAUC() {
	auc, ok := health.AUC([]float64{0.9, 0.7, 0.3, 0.2}, []bool{true, false, true, false})
	fmt.Println(auc, ok)
	// Output: 0.75 true
}

func ExampleCrossValidate() {
	// Features: support tickets this month, months as a customer;
	// label: churned.
	rows := [][]float64{{4, 2}, {0, 30}, {3, 5}, {1, 24}, {5, 1}, {0, 18}, {2, 3}, {1, 36}, {6, 4}, {0, 12}, {3, 8}, {2, 20}}
	churned := []bool{true, false, true, false, true, false, false, false, true, false, true, true}
	best, bestAUC := 0.0, 0.0
	for _, lambda := range []float64{0.1, 1, 10} {
		scores, err := health.CrossValidate(rows, churned, lambda, 4)
		if err != nil {
			fmt.Println(err)
			return
		}
		if auc, ok := health.AUC(scores, churned); ok && auc > bestAUC {
			best, bestAUC = lambda, auc
		}
	}
	fmt.Printf("lambda %g: cross-validated ROC AUC %.2f\n", best, bestAUC)
	// Output: lambda 0.1: cross-validated ROC AUC 0.97
}
