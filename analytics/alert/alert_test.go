package alert_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/alert"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/notify"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/sentiment"
)

type fakeNotifier struct {
	tickets []escalation.Ticket
	fail    bool
}

func (f *fakeNotifier) Notify(_ context.Context, t escalation.Ticket) error {
	if f.fail {
		return errors.New("slack down")
	}
	f.tickets = append(f.tickets, t)
	return nil
}

// conversations adds n conversations at now, the first resolved of
// them resolved, with sentiment score.
func conversations(a *analytics.Aggregator, now time.Time, prefix string, n, resolved int, score string) {
	for i := range n {
		conv := fmt.Sprint(prefix, i)
		status := "unresolved"
		if i < resolved {
			status = "resolved"
		}
		a.Add(analytics.Event{Kind: flow.EventEnd, Conversation: conv, Time: now, Attrs: map[string]string{"flow": "f", "status": status}})
		a.Add(analytics.Event{Kind: sentiment.EventScored, Conversation: conv, Time: now, Attrs: map[string]string{"score": score}})
	}
}

// TestAlertsOncePerBreach: a breach is notified once while it lasts, and
// its clearing once; a failed notification is retried.
func TestAlertsOncePerBreach(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		agg := analytics.NewAggregator()
		n := &fakeNotifier{}
		al := alert.New(agg, []notify.Notifier{n}, alert.WithWindow(time.Hour), alert.WithMinConversations(10))
		ctx := context.Background()

		conversations(agg, time.Now(), "few", 5, 0, "0.1")
		got, err := al.Check(ctx, time.Now())
		require.NoError(t, err)
		assert.Empty(t, got, "fewer than 10 conversations: not judged")

		time.Sleep(2 * time.Hour)
		conversations(agg, time.Now(), "bad", 20, 10, "0.7") // 50% resolved
		time.Sleep(time.Second)
		got, err = al.Check(ctx, time.Now())
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, "resolution", got[0].Rule)
		assert.True(t, got[0].Breached)
		assert.Equal(t, "Alert: self-service resolution is 50.0%, below 55.0% (last 1h0m0s, 20 conversations)", got[0].Message)
		time.Sleep(time.Minute)
		got, err = al.Check(ctx, time.Now())
		require.NoError(t, err)
		assert.Empty(t, got, "still breached: not again")
		require.Len(t, n.tickets, 1)
		assert.Equal(t, "high", string(n.tickets[0].Priority))

		time.Sleep(2 * time.Hour)
		conversations(agg, time.Now(), "good", 20, 18, "0.7")
		time.Sleep(time.Second)
		n.fail = true
		got, err = al.Check(ctx, time.Now())
		require.Error(t, err)
		assert.Empty(t, got, "nobody was told: try again")
		n.fail = false
		got, err = al.Check(ctx, time.Now())
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.False(t, got[0].Breached)
		assert.Equal(t, "Cleared: self-service resolution is back to 90.0% (last 1h0m0s, 20 conversations)", got[0].Message)
		require.Len(t, n.tickets, 2)
	})
}

func TestDefaultAlertRules(t *testing.T) {
	tests := []struct {
		name     string
		resolved int
		score    string
		esc      int
		want     []string
	}{
		{"healthy", 16, "0.7", 0, nil},
		{"resolution", 10, "0.7", 0, []string{"resolution"}},
		{"sentiment", 16, "0.5", 0, []string{"sentiment"}},
		{"escalation", 12, "0.7", 7, []string{"escalation"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
			agg := analytics.NewAggregator()
			conversations(agg, now, "c", 20, tt.resolved, tt.score)
			for i := range tt.esc {
				agg.Add(analytics.Event{Kind: escalation.EventRequested, Conversation: fmt.Sprint("c", 19-i), Time: now.Add(time.Second)})
			}
			got, err := alert.New(agg, nil).Check(context.Background(), now.Add(time.Minute))
			require.NoError(t, err)
			var rules []string
			for _, a := range got {
				rules = append(rules, a.Rule)
			}
			assert.Equal(t, tt.want, rules)
		})
	}
}

func TestAlertsRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		agg := analytics.NewAggregator()
		conversations(agg, time.Now(), "c", 20, 0, "0.7")
		n := &fakeNotifier{}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- alert.New(agg, []notify.Notifier{n}).Run(ctx, time.Minute, nil) }()
		time.Sleep(time.Hour)
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
		require.Len(t, n.tickets, 1, "checked 60 times, told once")
	})
}
