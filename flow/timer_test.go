package flow_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/schedule"
)

// sentLog records what a Bot sent, with the time.
type sentLog struct {
	mu  sync.Mutex
	got []string
	at  []time.Time
}

func (l *sentLog) Send(_ context.Context, _ parley.Address, m parley.Message) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, m.Text)
	l.at = append(l.at, time.Now())
	return nil
}

// TestWaitTimeoutFiresThroughTheScheduler: with WithTimers, a Wait's
// timeout runs at its time as its own turn, with nobody writing.
func TestWaitTimeoutFiresThroughTheScheduler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := flow.New("cart").Add(
			&flow.Say{ID: "nudge", Text: []string{"You left something in your cart."}, Next: "wait"},
			&flow.Wait{ID: "wait", Signal: "checkout.done", Timeout: time.Hour, Next: "thanks", OnTimeout: "remind"},
			&flow.End{ID: "thanks", Status: flow.Resolved, Text: []string{"Thanks for your order!"}},
			&flow.End{ID: "remind", Status: flow.Unresolved, Text: []string{"Your cart expires soon."}},
		)
		sched := schedule.New(schedule.NewMemory())
		e, err := flow.NewEngine([]*flow.Builder{f}, flow.WithTimers(sched))
		require.NoError(t, err)
		r := intent.NewRouter()
		r.HandleSignal("cart.abandoned", e.Starter("cart"))
		r.HandleSignal("checkout.done", e)
		r.HandleSignal(flow.SignalTimer, e)
		out := &sentLog{}
		bot := parley.NewBot(r, parley.WithSender("web", out))
		sched.Handle(flow.SignalTimer, flow.TimerHandler(bot))
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- sched.Run(ctx) }()

		t0 := time.Now()
		signal := func(conv, name string) {
			require.NoError(t, bot.Enqueue(context.Background(), &parley.Turn{ConversationID: conv, Channel: "web",
				Signal: &parley.Signal{Name: name}}))
		}
		signal("a", "cart.abandoned")
		signal("b", "cart.abandoned")
		time.Sleep(30 * time.Minute)
		signal("b", "checkout.done") // b buys before the timeout
		time.Sleep(2 * time.Hour)
		stop()
		<-done
		require.NoError(t, bot.Shutdown(context.Background()))

		out.mu.Lock()
		defer out.mu.Unlock()
		var remindedAt []time.Time
		for i, txt := range out.got {
			if txt == "Your cart expires soon." {
				remindedAt = append(remindedAt, out.at[i])
			}
		}
		assert.Equal(t, []time.Time{t0.Add(time.Hour)}, remindedAt, "a is reminded once, at the timeout; b bought")
		assert.Contains(t, out.got, "Thanks for your order!")
		assert.Len(t, out.got, 4)
	})
}
