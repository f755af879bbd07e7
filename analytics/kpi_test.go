package analytics_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/roi"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/kb/kbbot"
	"github.com/parleyhq/parley/sentiment"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday

// ev builds an event of conversation conv at t0+sec seconds.
func ev(kind parley.EventKind, conv string, sec int, attrs ...string) analytics.Event {
	e := analytics.Event{Kind: kind, Conversation: conv, Time: t0.Add(time.Duration(sec) * time.Second), Channel: "web"}
	if len(attrs) > 0 {
		e.Attrs = map[string]string{}
		for i := 0; i+1 < len(attrs); i += 2 {
			e.Attrs[attrs[i]] = attrs[i+1]
		}
	}
	return e
}

func turn(conv string, sec int, d time.Duration) analytics.Event {
	e := ev(parley.EventTurn, conv, sec)
	e.Duration = d
	e.Message = conv + "-" + time.Duration(sec).String()
	return e
}

// fixture is six conversations whose KPIs are worked out by hand in
// TestKPIDefinitions.
func fixture() []analytics.Event {
	return []analytics.Event{
		// c1: resolved by a flow, helpful, CSAT 5, NPS 10, CES 5.
		turn("c1", 1, 1*time.Second),
		ev(intent.EventClassified, "c1", 1, "intent", "track_order", "status", "understood", "confidence", "0.900"),
		ev(flow.EventStart, "c1", 1, "flow", "order_status"),
		ev(flow.EventNode, "c1", 1, "flow", "order_status", "node", "ask"),
		turn("c1", 10, 2*time.Second),
		ev(flow.EventNode, "c1", 10, "flow", "order_status", "node", "tell"),
		ev(flow.EventEnd, "c1", 11, "flow", "order_status", "status", "resolved"),
		ev(flow.EventFeedback, "c1", 20, "kind", "helpful", "value", "yes"),
		ev(flow.EventFeedback, "c1", 21, "kind", "rating", "value", "5"),
		ev(flow.EventFeedback, "c1", 22, "kind", "nps", "value", "10"),
		ev(flow.EventFeedback, "c1", 23, "kind", "effort", "value", "5"),
		ev(sentiment.EventScored, "c1", 1, "score", "0.800", "label", "positive"),
		// c2: escalated (requested, assigned after 60s, resolved 300s later).
		turn("c2", 100, 3*time.Second),
		ev(intent.EventClassified, "c2", 100, "intent", "refund", "status", "understood", "confidence", "0.700"),
		ev(escalation.EventTriggered, "c2", 100, "action", "handoff", "rule", "refund over limit", "reason", "refund over limit"),
		ev(escalation.EventRequested, "c2", 101, "reason", "refund over limit"),
		withDuration(ev(escalation.EventAssigned, "c2", 161, "agent", "ana"), time.Minute),
		ev(escalation.EventResolved, "c2", 461, "agent", "ana"),
		ev(sentiment.EventScored, "c2", 100, "score", "0.200", "label", "negative"),
		ev(flow.EventFeedback, "c2", 470, "kind", "rating", "value", "3"),
		ev(flow.EventFeedback, "c2", 471, "kind", "nps", "value", "5"),
		// c3: a fallback last: unresolved; a KB miss.
		turn("c3", 200, 4*time.Second),
		ev(intent.EventFallback, "c3", 200, "status", "unknown", "count", "1"),
		turn("c3", 210, 1*time.Second),
		ev(kbbot.EventUnsure, "c3", 210, "question", "Can I pay  with BITCOIN", "confidence", "0.100"),
		ev(sentiment.EventScored, "c3", 200, "score", "0.500", "label", "neutral"),
		// c4: flow dropped mid-way: abandoned.
		turn("c4", 300, 5*time.Second),
		ev(intent.EventClassified, "c4", 300, "intent", "refund", "status", "understood", "confidence", "0.500"),
		ev(flow.EventStart, "c4", 300, "flow", "order_status"),
		ev(flow.EventNode, "c4", 300, "flow", "order_status", "node", "ask"),
		// c5: asked for a person, then left the queue: not escalated;
		// helpful said no: unresolved.
		turn("c5", 400, 6*time.Second),
		ev(escalation.EventRequested, "c5", 400, "reason", "asked for a person"),
		ev(escalation.EventLeft, "c5", 430),
		ev(flow.EventFeedback, "c5", 440, "kind", "helpful", "value", "no"),
		// c6: KB answered, CSAT 4: resolved; a fallback came earlier.
		turn("c6", 500, 7*time.Second),
		ev(intent.EventFallback, "c6", 500, "status", "unknown", "count", "1"),
		turn("c6", 520, 8*time.Second),
		ev(kbbot.EventAnswered, "c6", 520, "kind", "extractive", "sources", "refund,ship", "confidence", "0.900"),
		ev(flow.EventFeedback, "c6", 530, "kind", "rating", "value", "4"),
		ev(flow.EventFeedback, "c6", 531, "kind", "effort", "value", "4"),
	}
}

func withDuration(e analytics.Event, d time.Duration) analytics.Event {
	e.Duration = d
	return e
}

func aggregate(t testing.TB, events []analytics.Event) *analytics.Aggregator {
	t.Helper()
	a := analytics.NewAggregator()
	require.NoError(t, a.Write(t.Context(), events))
	return a
}

func TestResolutions(t *testing.T) {
	a := aggregate(t, fixture())
	want := map[string]analytics.Resolution{"c1": analytics.Resolved, "c2": analytics.Escalated, "c3": analytics.Unresolved,
		"c4": analytics.Abandoned, "c5": analytics.Unresolved, "c6": analytics.Resolved}
	for conv, res := range want {
		r, ok := a.Record(conv)
		require.True(t, ok, conv)
		assert.Equal(t, res, r.Resolution, conv)
	}
}

// TestKPIDefinitions pins every KPI's definition on the fixture.
func TestKPIDefinitions(t *testing.T) {
	k := aggregate(t, fixture()).KPIs(analytics.Week(t0))
	assert.Equal(t, 6, k.Conversations)
	assert.Equal(t, 9, k.Turns)
	// First responses 1..6s (c3's first turn is 4s, c6's 7s): sorted 1,3,4,5,6,7.
	// Nearest rank: p50 = 3rd = 4s, p95 = 6th = 7s.
	assert.Equal(t, analytics.Percentiles{P50: 4 * time.Second, P95: 7 * time.Second, N: 6}, k.FRT)
	assert.Equal(t, []int{2, 2, 1, 1}, []int{k.Resolved, k.Unresolved, k.Escalated, k.Abandoned})
	assert.InDelta(t, 2.0/6, k.SelfService, 1e-9, "containment: resolved without a person / all")
	assert.InDelta(t, 2.0/3, k.Deflection, 1e-9, "resolved / (resolved + escalated)")
	assert.InDelta(t, 1.0/6, k.EscalationRate, 1e-9)
	assert.Equal(t, 2, k.Fallbacks)
	assert.InDelta(t, 2.0/9, k.FallbackRate, 1e-9, "fallbacks / turns")
	assert.InDelta(t, 2.0, k.TurnsToResolution, 1e-9, "c1 and c6: 2 turns each")
	// c1: from 0s (arrival of its first turn) to 23s; c6: 493s to 531s.
	assert.Equal(t, (23*time.Second+38*time.Second)/2, k.TimeToResolution)
	assert.Equal(t, 3, k.CSATResponses)
	assert.InDelta(t, 2.0/3, k.CSAT, 1e-9, "ratings of 4-5 / ratings")
	assert.InDelta(t, 4.0, k.CSATAverage, 1e-9)
	assert.Equal(t, 2, k.NPSResponses)
	assert.InDelta(t, 0.0, k.NPS, 1e-9, "one promoter (10), one detractor (5): 50% - 50%")
	assert.InDelta(t, 4.5, k.CES, 1e-9)
	assert.InDelta(t, 0.5, k.Helpful, 1e-9)
	assert.InDelta(t, 0.5, k.Sentiment, 1e-6, "(0.8 + 0.2 + 0.5) / 3")
	assert.Equal(t, 5*time.Minute, k.AgentTime, "assigned at 161s, resolved at 461s")
}

// TestOrderAndDuplicates: shuffled and repeated events give the same
// records and KPIs.
func TestOrderAndDuplicates(t *testing.T) {
	events := fixture()
	want := aggregate(t, events)
	for seed := range uint64(20) {
		shuffled := append(append([]analytics.Event(nil), events...), events...)
		rng := rand.New(rand.NewPCG(seed, 1))
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := aggregate(t, shuffled)
		assert.Equal(t, uint64(len(events)), got.Stats().Duplicates)
		if diff := cmp.Diff(want.KPIs(analytics.Week(t0)), got.KPIs(analytics.Week(t0))); diff != "" {
			t.Fatalf("seed %d: KPIs (-want +got):\n%s", seed, diff)
		}
		if diff := cmp.Diff(want.Records(analytics.Window{}), got.Records(analytics.Window{})); diff != "" {
			t.Fatalf("seed %d: records (-want +got):\n%s", seed, diff)
		}
	}
}

func TestRecord(t *testing.T) {
	r, ok := aggregate(t, fixture()).Record("c1")
	require.True(t, ok)
	assert.Equal(t, "web", r.Channel)
	assert.Equal(t, t0, r.Start)
	assert.Equal(t, 2, r.Turns)
	assert.Equal(t, time.Second, r.FirstResponse)
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second}, r.ResponseTimes)
	assert.Equal(t, []analytics.FlowVisit{{Flow: "order_status", Nodes: []string{"ask", "tell"}, Status: "resolved"}}, r.Flows)
	assert.Equal(t, analytics.Feedback{Helpful: "yes", CSAT: 5, NPS: 10, CES: 5}, r.Feedback)
	assert.Equal(t, []analytics.IntentHit{{Time: t0.Add(time.Second), Intent: "track_order", Confidence: 0.9, Status: "understood"}}, r.Intents)

	r, _ = aggregate(t, fixture()).Record("c2")
	assert.Equal(t, analytics.Feedback{CSAT: 3, NPS: 5}, r.Feedback)
	require.Len(t, r.Escalations, 4)
	assert.Equal(t, "refund over limit", r.Escalations[1].Reason)
	assert.Equal(t, time.Minute, r.Escalations[2].Wait)
}

func TestTopFailingIntentsAndQuestions(t *testing.T) {
	a := aggregate(t, fixture())
	// refund: c2 (escalated) and c4 (abandoned); track_order resolved.
	got := a.TopFailingIntents(analytics.Week(t0), 10)
	require.Len(t, got, 1)
	assert.Equal(t, "refund", got[0].Intent)
	assert.Equal(t, 2, got[0].Failed)
	assert.InDelta(t, 1.0, got[0].FailureRate, 1e-9)
	assert.Equal(t, []analytics.Question{{Text: "can i pay with bitcoin", Count: 1}}, a.UnansweredQuestions(analytics.Week(t0), 10))
}

// TestTopFailingIntentsLeaveOutSmallTalk: a greeting, thanks or a
// goodbye in a conversation that did not end resolved is no unresolved
// request; what the customer asked for in it is.
func TestTopFailingIntentsLeaveOutSmallTalk(t *testing.T) {
	a := analytics.NewAggregator()
	for i, intents := range [][]string{{"greeting", "refund", "thanks"}, {"Greeting", "goodbye"}, {"thank_you", "track_order", "bye"}} {
		conv := fmt.Sprint("s", i)
		for j, in := range intents {
			a.Add(analytics.Event{Kind: intent.EventClassified, Conversation: conv, Time: t0.Add(time.Duration(j) * time.Minute),
				Attrs: map[string]string{"intent": in, "status": "understood", "confidence": "0.9"}})
		}
	}
	var names []string
	for _, s := range a.TopFailingIntents(analytics.Week(t0), 10) {
		names = append(names, s.Intent)
	}
	assert.Equal(t, []string{"refund", "track_order"}, names)
}

func TestDropOffAndFunnel(t *testing.T) {
	a := aggregate(t, fixture())
	assert.Equal(t, []analytics.NodeStat{
		{Node: "ask", Reached: 2, DroppedOff: 1, DropOffRate: 0.5},
		{Node: "tell", Reached: 1},
	}, a.DropOff(analytics.Week(t0), "order_status"))
	assert.Equal(t, []analytics.FunnelStep{{Node: "ask", Conversations: 2}, {Node: "tell", Conversations: 1}},
		a.Funnel(analytics.Week(t0), "order_status", "ask", "tell"))
}

func TestCampaigns(t *testing.T) {
	var events []analytics.Event
	for i, steps := range [][]parley.EventKind{
		{analytics.EventSent, analytics.EventDelivered, analytics.EventRead, analytics.EventReplied, analytics.EventConverted},
		{analytics.EventSent, analytics.EventDelivered, analytics.EventDelivered},
		{analytics.EventSent},
	} {
		conv := string(rune('a' + i))
		for j, k := range steps {
			attrs := []string{"campaign", "cart", "variant", "A", "goal", "cart"}
			if k == analytics.EventConverted {
				attrs = append(attrs, "value", "59.90")
			}
			events = append(events, ev(k, conv, j, attrs...))
		}
	}
	events = append(events, ev(analytics.EventSent, "r1", 0, "campaign", "renew", "goal", "renewal"),
		ev(analytics.EventClicked, "r1", 5, "campaign", "renew", "goal", "renewal"),
		ev(analytics.EventSent, "r2", 0, "campaign", "renew", "goal", "renewal"))
	got := aggregate(t, events).Campaigns(analytics.Week(t0))
	assert.Equal(t, []analytics.CampaignStat{
		{Campaign: "cart", Variant: "A", Goal: "cart", Sent: 3, Delivered: 2, Read: 1, Replied: 1, Converted: 1, Value: 59.9, ConversionRate: 1.0 / 3},
		{Campaign: "renew", Goal: "renewal", Sent: 2, Clicked: 1, ClickRate: 0.5},
	}, got)
}

// TestCostOfWeek: the token counts and agent time the fold keeps price
// the week's conversations.
func TestCostOfWeek(t *testing.T) {
	events := fixture()
	events = append(events, ev("llm.call", "c6", 520, "model", "m", "input_tokens", "1000000", "output_tokens", "500000"))
	c := roi.CostOf(aggregate(t, events).KPIs(analytics.Week(t0)), roi.Costs{InputPerMillion: 3, OutputPerMillion: 10, AgentPerHour: 36, Fixed: 6})
	// Tokens: 3 + 5; agents: 5 minutes at 36/h = 3; fixed 6; 6 conversations.
	assert.Equal(t, roi.Cost{Conversations: 6, Model: 8, Agents: 3, Fixed: 6, Total: 17, PerConversation: 17.0 / 6}, c)
}

func TestLiveAndTrend(t *testing.T) {
	a := aggregate(t, fixture())
	// At t0+9m: c4 (300s), c5 (440s), c6 (531s) had events in the last 5
	// minutes; c5 is unresolved, c4 abandoned: active; c6 resolved.
	l := a.Live(t0.Add(9 * time.Minute))
	assert.Equal(t, 2, l.Active)
	assert.Equal(t, 0, l.Waiting)
	assert.Equal(t, 6, l.FRT.N)
	trend := a.SentimentTrend(analytics.Window{From: t0, To: t0.Add(6 * time.Minute)}, 2*time.Minute)
	require.Len(t, trend, 3)
	assert.Equal(t, []int{2, 1, 0}, []int{trend[0].N, trend[1].N, trend[2].N})
	assert.InDelta(t, 0.5, trend[0].Value, 1e-6)
	trend = a.SentimentTrend(analytics.Window{From: t0, To: t0.Add(6 * time.Minute)}, 3*time.Minute)
	assert.Equal(t, []int{2, 1}, []int{trend[0].N, trend[1].N})
}

func TestWindows(t *testing.T) {
	wed := time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)
	assert.Equal(t, analytics.Window{From: t0.Truncate(24 * time.Hour), To: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)}, analytics.Week(wed))
	assert.Equal(t, analytics.Window{From: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)}, analytics.Day(wed))
	assert.Equal(t, analytics.Window{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}, analytics.Month(wed))
	assert.Equal(t, analytics.Window{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}, analytics.Quarter(wed))
	assert.Equal(t, analytics.Window{From: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}, analytics.Quarter(time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)))
	assert.Equal(t, analytics.Window{From: wed.Add(-30 * 24 * time.Hour), To: wed}, analytics.BaselineBefore(wed, 30*24*time.Hour))
	assert.Len(t, analytics.Month(wed).Split(7*24*time.Hour), 5)

	// A conversation belongs to the window its first event is in.
	a := aggregate(t, []analytics.Event{turn("late", 0, 0), ev(flow.EventEnd, "late", 7*24*3600, "flow", "f", "status", "resolved")})
	assert.Equal(t, 1, a.KPIs(analytics.Week(t0)).Conversations)
	assert.Equal(t, 0, a.KPIs(analytics.Week(t0.AddDate(0, 0, 7))).Conversations)
	base := a.Compare(analytics.BaselineBefore(t0, 30*24*time.Hour), analytics.Week(t0))
	assert.Equal(t, []int{0, 1}, []int{base.Baseline.Conversations, base.Current.Conversations})
}

func TestBoundedNames(t *testing.T) {
	// Three names: "a", the status "understood" and "b"; the rest are
	// Other.
	a := analytics.NewAggregator(analytics.WithMaxNames(3))
	for i := range 10 {
		a.Add(ev(intent.EventClassified, "c", i, "intent", string(rune('a'+i)), "status", "understood"))
	}
	r, _ := a.Record("c")
	var names []string
	for _, h := range r.Intents {
		names = append(names, h.Intent)
	}
	assert.Equal(t, []string{"a", "b", analytics.Other, analytics.Other, analytics.Other, analytics.Other, analytics.Other, analytics.Other, analytics.Other, analytics.Other}, names)
}

func TestPrune(t *testing.T) {
	a := aggregate(t, fixture())
	// Last events: c1 23s, c3 210s; c4 300s is kept.
	assert.Equal(t, 2, a.Prune(t0.Add(300*time.Second)))
	var left []string
	for _, r := range a.Records(analytics.Window{}) {
		left = append(left, r.Conversation)
	}
	assert.Equal(t, []string{"c2", "c4", "c5", "c6"}, left)
	a.Add(turn("c1", 1000, time.Second))
	r, _ := a.Record("c1")
	assert.Equal(t, 1, r.Turns, "a pruned conversation starts again")
}

// TestIntentsAreRequests: a conversation's intents are the requests the
// router served, not the classifier's guesses on the answers to the
// bot's questions ("A-1002" as track_order, "yes" as greeting), in any
// order of arrival.
func TestIntentsAreRequests(t *testing.T) {
	events := []analytics.Event{
		turn("r1", 1, time.Second),
		ev(intent.EventClassified, "r1", 1, "intent", "refund", "status", "understood", "confidence", "0.900"),
		ev(intent.EventRouted, "r1", 1, "intent", "refund"),
		turn("r1", 2, time.Second), // "A-1002" to "Which order is it?"
		ev(intent.EventClassified, "r1", 2, "intent", "track_order", "status", "understood", "confidence", "0.800"),
		turn("r1", 3, time.Second), // "yes" to the confirmation
		ev(intent.EventClassified, "r1", 3, "intent", "greeting", "status", "understood", "confidence", "0.600"),
		turn("r1", 4, time.Second), // "where is A-1001?" in passing: routed
		ev(intent.EventClassified, "r1", 4, "intent", "track_order", "status", "understood", "confidence", "0.950"),
		ev(intent.EventRouted, "r1", 4, "intent", "track_order"),
		ev(escalation.EventRequested, "r1", 5, "reason", "asked for a person"),
		// r2: a bot without a router: the classified turns count.
		turn("r2", 10, time.Second),
		ev(intent.EventClassified, "r2", 10, "intent", "billing", "status", "understood", "confidence", "0.700"),
		ev(escalation.EventRequested, "r2", 11, "reason", "asked for a person"),
	}
	want := []analytics.IntentHit{
		{Time: t0.Add(time.Second), Intent: "refund", Confidence: 0.9, Status: "understood"},
		{Time: t0.Add(4 * time.Second), Intent: "track_order", Confidence: 0.95, Status: "understood"},
	}
	for seed := range uint64(10) {
		shuffled := slices.Clone(events)
		rand.New(rand.NewPCG(seed, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		a := aggregate(t, shuffled)
		r, ok := a.Record("r1")
		require.True(t, ok)
		assert.Equal(t, want, r.Intents, "seed %d", seed)
		var names []string
		for _, s := range a.TopFailingIntents(analytics.Week(t0), 10) {
			names = append(names, s.Intent)
		}
		assert.Equal(t, []string{"billing", "refund", "track_order"}, names, "seed %d", seed)
	}
}

// TestHandOffRatingIsCSAT: the 1-5 rating a customer gives after an
// agent handed back counts in CSAT (the example's only rating question;
// its dashboard said "no data yet" after a 5), the latest rating of a
// conversation winning; it does not make the conversation resolved by
// the bot.
func TestHandOffRatingIsCSAT(t *testing.T) {
	a := aggregate(t, []analytics.Event{
		turn("h1", 1, time.Second),
		ev(escalation.EventRequested, "h1", 2, "reason", "asked for a person"),
		ev(escalation.EventAssigned, "h1", 10, "agent", "ana"),
		ev(escalation.EventResolved, "h1", 60, "agent", "ana"),
		ev(escalation.EventFeedback, "h1", 70, "rating", "5"),
		// h2: a flow's rating (2), then the hand-off's (4): the latest counts.
		turn("h2", 100, time.Second),
		ev(flow.EventFeedback, "h2", 101, "kind", "rating", "value", "2"),
		ev(escalation.EventRequested, "h2", 102, "reason", "asked for a person"),
		ev(escalation.EventResolved, "h2", 160, "agent", "ana"),
		ev(escalation.EventFeedback, "h2", 170, "rating", "4"),
	})
	k := a.KPIs(analytics.Week(t0))
	assert.Equal(t, 2, k.CSATResponses)
	assert.InDelta(t, 1.0, k.CSAT, 1e-9)
	assert.InDelta(t, 4.5, k.CSATAverage, 1e-9)
	assert.Equal(t, 0, k.Resolved, "an agent's rating is no resolution by the bot")
	r, ok := a.Record("h1")
	require.True(t, ok)
	assert.Equal(t, 5, r.Feedback.AgentRating)
}
