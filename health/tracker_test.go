package health_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/health"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/nlu"
	"github.com/parleyhq/parley/parleytest"
)

// moodOf stands in for the sentiment package: "bad" in a message scores
// it 0.1, "good" 0.9, anything else carries no sentiment evidence.
func moodOf(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		switch {
		case strings.Contains(t.Text(), "bad"):
			t = parley.With(t, nlu.MoodKey, nlu.Mood{Score: 0.1, Label: "negative", Confidence: 0.9})
		case strings.Contains(t.Text(), "good"):
			t = parley.With(t, nlu.MoodKey, nlu.Mood{Score: 0.9, Label: "positive", Confidence: 0.9})
		default:
			t = parley.With(t, nlu.MoodKey, nlu.Mood{Score: 0.5, Label: "neutral"})
		}
		return next.HandleTurn(ctx, w, t)
	})
}

var echo = parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	return w.Reply(ctx, parley.Text("ok"))
})

func TestTrackerStartsRetentionAboveThreshold(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	profiles := customer.NewProfiles(store)
	require.NoError(t, profiles.Save(ctx, &customer.Profile{CustomerID: "ada", LastOrderDate: time.Now().Add(-50 * 24 * time.Hour)}))
	var started []health.Assessment
	tr := health.NewTracker(profiles,
		health.WithSignals(func(_ context.Context, p *customer.Profile, s *health.Signals) error {
			s.LoginsPerWeek, s.FeatureUsage = 1, 0.5
			return nil
		}),
		health.OnRisk(0.7, func(_ context.Context, turn *parley.Turn, a health.Assessment) error {
			assert.Equal(t, "ada", turn.CustomerID)
			started = append(started, a)
			return nil
		}))
	c := parleytest.NewTester(t, parley.Chain(echo, moodOf, health.Middleware(tr)), parleytest.WithStore(store), parleytest.WithCustomer("ada"))
	stored := func() health.Assessment {
		p, err := profiles.Load(ctx, "ada")
		require.NoError(t, err)
		a, ok := health.Stored(p)
		require.True(t, ok)
		return a
	}

	// A message without sentiment counts the recency and the logins only.
	c.Send("hi").Expect(parleytest.Exact("ok")).ExpectEvent(health.EventAssessed, map[string]string{"risk": "0.50", "at_risk": "false"})
	assert.Equal(t, []string{"no order for 50 days", "logs in 1.0 times a week (fewer than 2)"}, stored().Reasons)
	// Three negative messages: 3 of 3 recent messages negative.
	c.Send("bad").Send("bad again")
	assert.Empty(t, started)
	c.Send("still bad").ExpectEvent(health.EventAssessed, map[string]string{"risk": "0.80", "at_risk": "true"})
	require.Len(t, started, 1)
	assert.InDelta(t, 0.8, started[0].Risk, 1e-9)
	assert.Equal(t, []string{"no order for 50 days", "100% of recent messages negative", "logs in 1.0 times a week (fewer than 2)"}, started[0].Reasons)
	p, err := profiles.Load(ctx, "ada")
	require.NoError(t, err)
	assert.Contains(t, p.Segments, health.SegmentAtRisk)
	assert.Equal(t, "0.10,0.10,0.10", p.Custom[health.FieldMoods])
	assert.InDelta(t, stored().Score, started[0].Score, 0.5)

	// Still at risk: the hook does not run again.
	c.Send("bad")
	assert.Len(t, started, 1)
	// Two good messages bring it down (2 of the last 5 positive)...
	c.Send("good").Send("good")
	assert.InDelta(t, 0.5, stored().Risk, 1e-9)
	p, err = profiles.Load(ctx, "ada")
	require.NoError(t, err)
	assert.NotContains(t, p.Segments, health.SegmentAtRisk)
	// ...and when it goes back up (4 of the last 5 negative), the hook
	// runs again.
	c.Send("bad").Send("bad").Send("bad")
	assert.Len(t, started, 1)
	c.Send("bad")
	assert.Len(t, started, 2)
}

func TestTrackerSkipsSignalsAndAnonymous(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	profiles := customer.NewProfiles(store)
	tr := health.NewTracker(profiles)
	anon := parleytest.NewTester(t, parley.Chain(echo, moodOf, health.Middleware(tr)), parleytest.WithStore(store))
	anon.Send("bad").Expect(parleytest.Exact("ok"))
	for _, ev := range anon.Events() {
		assert.NotEqual(t, health.EventAssessed, ev.Kind)
	}
	c := parleytest.NewTester(t, parley.Chain(echo, moodOf, health.Middleware(tr)), parleytest.WithStore(store), parleytest.WithCustomer("ben"))
	c.Signal("proactive.step", nil)
	_, err := profiles.Load(ctx, "ben")
	require.ErrorIs(t, err, memory.ErrNotFound)

	// A customer with no history: no order, no moods, no logins known.
	c.Send("hello").ExpectEvent(health.EventAssessed, map[string]string{"risk": "0.20", "at_risk": "false"})
	p, err := profiles.Load(ctx, "ben")
	require.NoError(t, err)
	a, ok := health.Stored(p)
	require.True(t, ok)
	assert.Equal(t, []string{"logs in 0.0 times a week (fewer than 2)"}, a.Reasons)
	assert.Empty(t, p.Custom[health.FieldMoods])

	_, ok = health.Stored(&customer.Profile{CustomerID: "new"})
	assert.False(t, ok)
}

func TestTrackerFailureDoesNotStopTheTurn(t *testing.T) {
	store := memory.NewMap()
	tr := health.NewTracker(customer.NewProfiles(store), health.WithSignals(func(context.Context, *customer.Profile, *health.Signals) error {
		return errors.New("crm down")
	}))
	c := parleytest.NewTester(t, parley.Chain(echo, moodOf, health.Middleware(tr)), parleytest.WithStore(store), parleytest.WithCustomer("ada"))
	c.Send("bad").Expect(parleytest.Exact("ok")).ExpectEvent(health.EventFailed, map[string]string{"error": "crm down"})
}

func TestTrackerHookErrorFailsTheTurn(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	profiles := customer.NewProfiles(store)
	tr := health.NewTracker(profiles, health.OnRisk(0.1, func(context.Context, *parley.Turn, health.Assessment) error {
		return errors.New("campaigns down")
	}))
	h := parley.Chain(echo, moodOf, health.Middleware(tr))
	rec := parleytest.NewRecorder()
	err := h.HandleTurn(ctx, rec, parleytest.NewTurn("hi", parleytest.WithCustomer("ada")))
	require.EqualError(t, err, "campaigns down")
	// The profile was saved before the hook ran.
	p, err := profiles.Load(ctx, "ada")
	require.NoError(t, err)
	assert.Contains(t, p.Segments, health.SegmentAtRisk)
}

func TestTrackerRefresh(t *testing.T) {
	ctx := context.Background()
	profiles := customer.NewProfiles(memory.NewMap())
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	require.NoError(t, profiles.Save(ctx, &customer.Profile{CustomerID: "ada", LastOrderDate: now.Add(-100 * 24 * time.Hour)}))
	tr := health.NewTracker(profiles, health.OnRisk(0.4, nil))
	a, crossed, err := tr.Refresh(ctx, "ada", now)
	require.NoError(t, err)
	assert.True(t, crossed)
	assert.InDelta(t, 0.5, a.Risk, 1e-9)
	p, err := profiles.Load(ctx, "ada")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{health.SegmentAtRisk, health.SegmentLapsed}, p.Segments)
	_, crossed, err = tr.Refresh(ctx, "ada", now)
	require.NoError(t, err)
	assert.False(t, crossed)
}

// BenchmarkTrackerTurn is the tracker's cost on one customer message: a
// profile read, an assessment and a conditional write to an in-memory
// store.
func BenchmarkTrackerTurn(b *testing.B) {
	ctx := context.Background()
	store := memory.NewMap()
	profiles := customer.NewProfiles(store)
	if err := profiles.Save(ctx, &customer.Profile{CustomerID: "ada", LastOrderDate: time.Now().Add(-20 * 24 * time.Hour)}); err != nil {
		b.Fatal(err)
	}
	tr := health.NewTracker(profiles)
	h := parley.Chain(parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil }), health.Middleware(tr))
	turn := parley.With(parleytest.NewTurn("this is useless", parleytest.WithCustomer("ada")), nlu.MoodKey,
		nlu.Mood{Score: 0.2, Label: "negative", Confidence: 0.8})
	w := parleytest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		if err := h.HandleTurn(ctx, w, turn); err != nil {
			b.Fatal(err)
		}
	}
}
