package roi_test

import (
	"fmt"

	"github.com/parleyhq/parley/analytics/roi"
)

func ExampleCompute() {
	r, err := roi.Compute(roi.Inputs{
		OldMonthlySupportCost: 50000, NewMonthlySupportCost: 35000,
		CLVIncrease: 120, RetainedCustomers: 400, RecoveredCartValue: 30000,
		BotCost: 60000,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("savings %.0f, uplift %.0f, ROI %.0f%%\n", r.Savings, r.Uplift, r.Percent)
	// Output: savings 180000, uplift 78000, ROI 330%
}
