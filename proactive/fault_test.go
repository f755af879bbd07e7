package proactive_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/proactive"
	"github.com/parleyhq/parley/proactive/proactivetest"
	"github.com/parleyhq/parley/schedule"
)

var errDown = errors.New("store down")

// flaky is a store whose records under prefix fail while down.
type flaky struct {
	memory.Store
	prefix string
	down   atomic.Bool
}

func (f *flaky) fail(key string) error {
	if f.down.Load() && strings.HasPrefix(key, f.prefix) {
		return errDown
	}
	return nil
}

func (f *flaky) Get(ctx context.Context, key string) (memory.Record, error) {
	if err := f.fail(key); err != nil {
		return memory.Record{}, err
	}
	return f.Store.Get(ctx, key)
}

func (f *flaky) Set(ctx context.Context, p memory.Put) (int64, error) {
	if err := f.fail(p.Key); err != nil {
		return 0, err
	}
	return f.Store.Set(ctx, p)
}

func TestStoreOutageDelaysNeverLosesOrDuplicates(t *testing.T) {
	for _, prefix := range []string{"proactive/", "proactive/ledger/", ""} {
		name := prefix
		if name == "" {
			name = "everything"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				store := &flaky{Store: memory.NewMap(), prefix: prefix}
				c := &proactive.Campaign{Name: "onboarding", Trigger: proactive.OrderPlaced, Steps: []proactive.Step{
					{ID: "day1", After: day, Text: "Day 1 tip."}, {ID: "day2", After: 2 * day, Text: "Day 2 tip."}}}
				env := proactivetest.New(t, []*proactive.Campaign{c}, proactivetest.WithStore(store))
				ada(env)
				at10(env)
				env.Ingest(proactive.Event{Type: proactive.OrderPlaced, CustomerID: "ada"})
				env.Advance(day - time.Minute)
				store.down.Store(true)
				env.Advance(6 * time.Hour)
				assert.Empty(t, env.Texts("ada"), "nothing while the store is down")
				store.down.Store(false)
				env.Advance(2 * time.Hour)
				assert.Equal(t, []string{"Day 1 tip."}, env.Texts("ada"), "sent after the outage, once")
				env.Advance(day)
				assert.Equal(t, []string{"Day 1 tip.", "Day 2 tip."}, env.Texts("ada"))
			})
		})
	}
}

func TestRefiredStepIsTakenOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Every step turn is enqueued twice, as when a job fires again on
		// another replica: the second has the same MessageID, which the
		// Bot turns away.
		var mu sync.Mutex
		var dups int
		wrap := func(next proactive.Enqueuer) proactive.Enqueuer {
			return enqueueFunc(func(ctx context.Context, turn *parley.Turn) error {
				if err := next.Enqueue(ctx, turn); err != nil {
					return err
				}
				again := *turn
				err := next.Enqueue(ctx, &again)
				if errors.Is(err, parley.ErrDuplicate) {
					mu.Lock()
					dups++
					mu.Unlock()
					return nil
				}
				return err
			})
		}
		env := tipsForAda(t, proactivetest.WithEnqueuer(wrap))
		env.Ingest(proactive.Event{Type: "tips_event", CustomerID: "ada"})
		env.Advance(time.Hour)
		assert.Equal(t, []string{"tips message"}, env.Texts("ada"))
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, 1, dups)
	})
}

func TestFailedEnqueueIsRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		wrap := func(next proactive.Enqueuer) proactive.Enqueuer {
			return enqueueFunc(func(ctx context.Context, turn *parley.Turn) error {
				if calls.Add(1) <= 12 { // the Bot is down for a while: more than the scheduler's own 8 attempts
					return errDown
				}
				return next.Enqueue(ctx, turn)
			})
		}
		env := tipsForAda(t, proactivetest.WithEnqueuer(wrap))
		env.Ingest(proactive.Event{Type: "tips_event", CustomerID: "ada"})
		assert.Empty(t, env.Texts("ada"))
		env.Advance(12 * time.Hour)
		assert.Equal(t, []string{"tips message"}, env.Texts("ada"), "delayed, not lost")
		assert.Equal(t, int32(13), calls.Load())
	})
}

type enqueueFunc func(ctx context.Context, t *parley.Turn) error

func (f enqueueFunc) Enqueue(ctx context.Context, t *parley.Turn) error { return f(ctx, t) }

// codes is a fake discount backend.
type codes struct {
	mu sync.Mutex
	n  int
}

func (c *codes) registry(t *testing.T) *action.Registry {
	r := action.NewRegistry(action.WithWrites(true))
	type args struct {
		Percent int `json:"percent"`
	}
	type out struct {
		Code string `json:"code"`
	}
	require.NoError(t, action.Register(r, action.Def[args, out]{Name: "discount", Description: "make a code", Writes: true,
		Run: func(ctx context.Context, a args) (out, error) {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.n++
			return out{Code: "SAVE" + string(rune('0'+a.Percent/5)) + "-" + action.CustomerFrom(ctx)}, nil
		}}))
	return r
}

func TestOfferCodeFromActionRegistry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var backend codes
		c := &proactive.Campaign{Name: "winback", Trigger: proactive.Inactivity, Steps: []proactive.Step{{ID: "offer",
			Text:  "{{profile.first_name}}, here's 15% off: {{offer.code}}, valid until {{offer.expires}}.",
			Offer: &proactive.Offer{Action: "discount", Args: map[string]any{"percent": 15}, Valid: 48 * time.Hour}}}}
		env := proactivetest.New(t, []*proactive.Campaign{c}, proactivetest.WithEngineOptions(proactive.WithActions(backend.registry(t))))
		ada(env)
		at10(env)
		env.Ingest(proactive.Event{Type: proactive.Inactivity, CustomerID: "ada"})
		assert.Equal(t, []string{"Ada, here's 15% off: SAVE3-ada, valid until Mon Jan 3 at 10:00."}, env.Texts("ada"))
		assert.Equal(t, 1, backend.n)
	})
}

func TestMissingFieldIsNotSent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &proactive.Campaign{Name: "cart", Trigger: proactive.CartAbandoned, Steps: []proactive.Step{{ID: "s", Text: "Your cart: {{event.cart_url}}"}}}
		env := proactivetest.New(t, []*proactive.Campaign{c})
		ada(env)
		at10(env)
		env.Ingest(proactive.Event{Type: proactive.CartAbandoned, CustomerID: "ada"})
		assert.Empty(t, env.Texts("ada"))
		sup := env.Suppressed("ada")
		require.Len(t, sup, 1)
		assert.Equal(t, proactive.ReasonRenderFailed, sup[0].Reason)
		assert.Contains(t, sup[0].Detail, "event.cart_url")
	})
}

func TestFlowStepStartsTheFlow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		survey := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			return w.Reply(ctx, parley.Text("How likely are you to recommend us, 0-10?"))
		})
		c := &proactive.Campaign{Name: "nps", Trigger: proactive.OrderShipped, Steps: []proactive.Step{{ID: "ask", After: 7 * day, Flow: "nps"}}}
		env := proactivetest.New(t, []*proactive.Campaign{c}, proactivetest.WithEngineOptions(
			proactive.WithFlows(func(string) parley.Handler { return survey }, "nps")))
		ada(env)
		at10(env)
		env.Ingest(proactive.Event{Type: proactive.OrderShipped, CustomerID: "ada"})
		env.Advance(7 * day)
		assert.Equal(t, []string{"How likely are you to recommend us, 0-10?"}, env.Texts("ada"))
		raw, err := json.Marshal(env.Events(proactive.EventSent))
		require.NoError(t, err)
		assert.Contains(t, string(raw), `"campaign":"nps"`)
	})
}

func TestCatchUpWindowSkipsLateSteps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store := &flaky{Store: memory.NewMap(), prefix: "proactive/"}
		c := &proactive.Campaign{Name: "flash", Trigger: proactive.ProductRestocked, CatchUp: time.Hour,
			Steps: []proactive.Step{{ID: "now", After: time.Hour, Text: "Back in stock, for today only."}}}
		env := proactivetest.New(t, []*proactive.Campaign{c}, proactivetest.WithStore(store))
		ada(env)
		at10(env)
		env.Ingest(proactive.Event{Type: proactive.ProductRestocked, CustomerID: "ada"})
		env.Advance(59 * time.Minute)
		store.down.Store(true)
		env.Advance(3 * time.Hour)
		store.down.Store(false)
		env.Advance(2 * time.Hour)
		assert.Empty(t, env.Texts("ada"), "too late to be worth sending")
		assert.Equal(t, []proactive.Reason{proactive.ReasonLate}, env.Reasons("ada"))
	})
}

func TestPersonOwningTheConversation(t *testing.T) {
	var agent atomic.Bool
	busy := proactivetest.WithPolicyOptions(proactive.WithBusy(func(*parley.Turn) bool { return agent.Load() }))
	t.Run("waits", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			agent.Store(true)
			env := proactivetest.New(t, []*proactive.Campaign{welcome("shipped", proactive.Service)}, busy,
				proactivetest.WithEngineOptions(proactive.WithEventTypes("shipped_event")))
			ada(env)
			at10(env)
			env.Ingest(proactive.Event{Type: "shipped_event", CustomerID: "ada"})
			env.Advance(time.Hour)
			assert.Empty(t, env.Texts("ada"), "not while a person has the conversation")
			agent.Store(false)
			env.Advance(15 * time.Minute)
			assert.Equal(t, []string{"shipped message"}, env.Texts("ada"), "sent once the person is done")
			assert.Contains(t, env.Suppressed("ada")[0].Detail, "a person owns the conversation")
		})
	})
	t.Run("exits", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			agent.Store(true)
			c := welcome("tips", proactive.Marketing)
			c.ExitOnHuman = true
			env := proactivetest.New(t, []*proactive.Campaign{c}, busy, proactivetest.WithEngineOptions(proactive.WithEventTypes("tips_event")))
			ada(env)
			at10(env)
			env.Ingest(proactive.Event{Type: "tips_event", CustomerID: "ada"})
			agent.Store(false)
			env.Advance(time.Hour)
			assert.Empty(t, env.Texts("ada"))
			sup := env.Suppressed("ada")
			require.Len(t, sup, 1)
			assert.Equal(t, proactive.ReasonExited, sup[0].Reason)
			assert.Equal(t, "a person took over", sup[0].Detail)
		})
	})
}

// A replica whose clock is behind fires a held step before its quiet
// hours end: the step is held again, under a new MessageID, and goes out
// once when they end.
func TestEarlyFireInQuietHoursIsHeldAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := tips(t)
		ada(env)
		env.Advance(22 * time.Hour)
		env.Ingest(proactive.Event{Type: "tips_event", CustomerID: "ada"})
		sup := env.Suppressed("ada")
		require.Len(t, sup, 1)
		open := sup[0].Until
		env.AdvanceTo(open.Add(-time.Minute))

		rec, err := env.Store.Get(context.Background(), "proactive/run/ada/tips")
		require.NoError(t, err)
		var run struct {
			Run string `json:"run"`
		}
		require.NoError(t, json.Unmarshal(rec.Value, &run))
		payload, err := json.Marshal(map[string]any{"run": run.Run, "step": 0, "turn": 1})
		require.NoError(t, err)
		early := schedule.Job{ID: "proactive/tips/ada", Kind: proactive.JobKind, Key: "ada", Due: open, Payload: payload}
		require.NoError(t, env.Engine.Jobs(env.Bot).HandleJob(context.Background(), &early))
		synctest.Wait()
		assert.Empty(t, env.Texts("ada"), "still quiet by this clock")

		env.Advance(time.Minute)
		assert.Equal(t, []string{"tips message"}, env.Texts("ada"), "sent when the quiet hours end, once")
		env.Advance(time.Hour)
		assert.Len(t, env.Texts("ada"), 1)
	})
}
