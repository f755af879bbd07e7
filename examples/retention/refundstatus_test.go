package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A refund sent today, a week ago and three weeks ago: the last one
// should have shown by now, and a teammate can trace it.
func TestRefundSentText(t *testing.T) {
	now := time.Date(2026, 12, 6, 15, 0, 0, 0, time.UTC)
	r := sentRefund{Order: "A-1001", Amount: 20}
	r.At = now.Add(-time.Hour)
	require.Equal(t, "Your refund of $20.00 on A-1001 was sent today. It takes 5-10 business days to show on your statement.", refundSentText(r, now))
	r.At = now.AddDate(0, 0, -7)
	require.Equal(t, "Your refund of $20.00 on A-1001 was sent on 2026-11-29. It takes 5-10 business days to show on your statement.", refundSentText(r, now))
	r.At = now.AddDate(0, 0, -21)
	require.Contains(t, refundSentText(r, now), `sent on 2026-11-15, more than 10 business days ago. If it still isn't on your statement, type "human"`)
}
