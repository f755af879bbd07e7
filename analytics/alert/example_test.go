package alert_test

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/alert"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/notify"
	"github.com/parleyhq/parley/flow"
)

// printer stands in for a Slack or email notifier.
type printer struct{}

func (printer) Notify(_ context.Context, t escalation.Ticket) error {
	fmt.Printf("[%s] %s\n", t.Priority, t.Summary)
	return nil
}

// A Monitor tells people once when a KPI crosses its threshold and once
// when it clears. In production Run calls Check every few minutes.
func ExampleNew() {
	ctx := context.Background()
	agg := analytics.NewAggregator()
	m := alert.New(agg, []notify.Notifier{printer{}}, alert.WithWindow(time.Hour), alert.WithMinConversations(10))

	// resolve records n conversations ending at, the first ok of them
	// resolved by the bot.
	resolve := func(at time.Time, prefix string, n, ok int) {
		for i := range n {
			status := "unresolved"
			if i < ok {
				status = "resolved"
			}
			agg.Add(analytics.Event{Kind: flow.EventEnd, Conversation: fmt.Sprint(prefix, i), Time: at,
				Attrs: map[string]string{"flow": "refund", "status": status}})
		}
	}

	morning := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	resolve(morning, "a", 20, 8) // 40% resolved
	if _, err := m.Check(ctx, morning.Add(time.Minute)); err != nil {
		fmt.Println(err)
	}
	// Still breached five minutes later: no second message.
	if _, err := m.Check(ctx, morning.Add(5*time.Minute)); err != nil {
		fmt.Println(err)
	}

	noon := morning.Add(3 * time.Hour)
	resolve(noon, "b", 20, 17) // 85% resolved
	if _, err := m.Check(ctx, noon.Add(time.Minute)); err != nil {
		fmt.Println(err)
	}
	// Output:
	// [high] Alert: self-service resolution is 40.0%, below 55.0% (last 1h0m0s, 20 conversations)
	// [low] Cleared: self-service resolution is back to 85.0% (last 1h0m0s, 20 conversations)
}
