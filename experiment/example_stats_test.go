package experiment_test

import (
	"fmt"

	"github.com/parleyhq/parley/experiment"
)

func ExampleProportionTest() {
	// Control recovered 30 carts of 100, the friendlier message 45 of 100.
	r, err := experiment.ProportionTest(30, 100, 45, 100, 0.05)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+.0f points [%+.1f, %+.1f], p = %.4f\n", 100*r.Effect, 100*r.CI.Lo, 100*r.CI.Hi, r.P)
	// Output: +15 points [+1.7, +28.3], p = 0.0285
}

func ExampleWelchTest() {
	control := experiment.Summarize([]float64{4, 5, 3, 4, 4, 5, 3})
	treatment := experiment.Summarize([]float64{5, 5, 4, 5, 4, 5, 5})
	r, err := experiment.WelchTest(control, treatment, 0.05)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("CSAT %+.2f [%+.2f, %+.2f], t = %.2f on %.1f df, p = %.3f\n",
		r.Effect, r.CI.Lo, r.CI.Hi, r.Stat, r.DF, r.P)
	// Output: CSAT +0.71 [-0.09, +1.52], t = 1.99 on 9.8 df, p = 0.076
}

func ExampleSampleSize() {
	// Cart recovery is 20%; detect 25% with 80% power at the 5% level.
	n, err := experiment.SampleSize(0.20, 0.05, 0.05, 0.8)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n, "customers per variant")
	// Output: 1094 customers per variant
}

func ExampleMDE() {
	// With 500 customers per variant, what change can we see?
	m, err := experiment.MDE(0.20, 500, 0.05, 0.8)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.1f points\n", 100*m)
	// Output: 7.5 points
}

func ExampleCheckSRM() {
	// A 50/50 split that logged 5,000 against 5,600 exposures.
	s, err := experiment.CheckSRM([]int{5000, 5600}, []float64{50, 50})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("chi2 = %.1f, p = %.1e, mismatch: %v\n", s.Chi2, s.P, s.Mismatch)
	// Output: chi2 = 34.0, p = 5.6e-09, mismatch: true
}

func ExampleHolm() {
	// Three treatments against one control.
	fmt.Printf("%.3f\n", experiment.Holm([]float64{0.012, 0.030, 0.400}))
	// Output: [0.036 0.060 0.400]
}

func ExampleSequential() {
	s, err := experiment.NewSequential(0.05, 0.02)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Cumulative conversions and exposures, looked at every day.
	days := [][4]int{{10, 100, 14, 100}, {22, 200, 31, 200}, {30, 300, 49, 300}, {41, 400, 66, 400}}
	for i, d := range days {
		r, err := s.Update(d[0], d[1], d[2], d[3])
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("day %d: %+.1f points [%+.1f, %+.1f], always-valid p = %.3f\n",
			i+1, 100*r.Effect, 100*r.CI.Lo, 100*r.CI.Hi, r.P)
	}
	// Output:
	// day 1: +4.0 points [-24.5, +32.5], always-valid p = 1.000
	// day 2: +4.5 points [-12.2, +21.2], always-valid p = 0.925
	// day 3: +6.3 points [-5.5, +18.2], always-valid p = 0.499
	// day 4: +6.3 points [-3.3, +15.8], always-valid p = 0.328
}
