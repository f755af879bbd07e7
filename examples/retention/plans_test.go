package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuietTextSaysTheHoursInForce(t *testing.T) {
	assert.Equal(t, "no messages 21:00-09:00 in the customer's time zone", quietText(""))
	assert.Equal(t, "no messages 22:00-07:00 in the customer's time zone", quietText("22-7"))
	assert.Equal(t, "no quiet hours", quietText("0-0"))
	assert.Equal(t, "no quiet hours", quietText("24-0"))
}

func TestOfferEndIsThreeMonthsAfterRenewal(t *testing.T) {
	today := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, "2027-03-01", offerEnd("2026-12-01", today))
	assert.Equal(t, "2027-02-24", offerEnd("", today), "without a renewal date, from today")
}

func TestDemoProfilesLastOrderIsTheShops(t *testing.T) {
	now := time.Now()
	s := newShop(now)
	for _, p := range demoProfiles(now) {
		c, ok := s.customer(p.CustomerID)
		require.True(t, ok, p.CustomerID)
		assert.Equal(t, c.LastOrderDate, p.LastOrderDate.Format(time.DateOnly), p.CustomerID)
		var newest time.Time
		for _, o := range s.orders {
			if o.Customer == p.CustomerID && o.Placed.After(newest) {
				newest = o.Placed
			}
		}
		assert.Equal(t, newest.Format(time.DateOnly), c.LastOrderDate, "%s's newest order", p.CustomerID)
	}
}

func TestRestoringACancelledPlanBringsBackTheOneBefore(t *testing.T) {
	s := newShop(goldenToday)
	ctx := t.Context()
	require.NoError(t, s.Renew(ctx, "cus_ben", cancelledPlan))
	c, _ := s.customer("cus_ben")
	assert.Equal(t, "Monthly Basic", c.PrevPlan)
	require.NoError(t, s.Renew(ctx, "cus_ben", cancelledPlan))
	c, _ = s.customer("cus_ben")
	assert.Equal(t, "Monthly Basic", c.PrevPlan, "cancelling twice keeps the plan before")
}

func TestCodeAnswer(t *testing.T) {
	s := newShop(goldenToday)
	assert.Contains(t, s.codeAnswer("cus_ada", "my code doesn't work"), "You have no open discount codes")
	assert.Contains(t, s.codeAnswer("cus_ada", "what is code WINBACK20?"), "I can't find a code WINBACK20 on your account, and you have no open codes")
	_, err := s.Discount(t.Context(), "cus_ada", 10)
	require.NoError(t, err)
	_, err = s.Discount(t.Context(), "cus_ben", 15)
	require.NoError(t, err)
	assert.Contains(t, s.codeAnswer("cus_ada", "my code stay10-0001 is refused"), "STAY10-0001 is your code for 10% off")
	assert.Contains(t, s.codeAnswer("cus_ada", "what about STAY15-0002?"), "I can't find a code STAY15-0002 on your account. Your codes: STAY10-0001 (10%).",
		"another customer's code is not hers")
	assert.Contains(t, s.codeAnswer("cus_ada", "my code doesn't work"), "Your codes: STAY10-0001 (10%).")
}

func TestPlanAnswer(t *testing.T) {
	s := newShop(goldenToday)
	assert.Equal(t, []string{pauseText}, s.planAnswer("cus_ada", "can I pause my plan?"))
	assert.Equal(t, []string{annualText}, s.planAnswer("cus_ada", "how much is annual?"))
	assert.Equal(t, []string{"You're on Monthly Basic at $7 a month. It renews on 2026-12-15."}, s.planAnswer("cus_ben", "how much am I paying?"))
	assert.Equal(t, []string{plansText}, s.planAnswer("nobody", "what plans do you have"))
}
