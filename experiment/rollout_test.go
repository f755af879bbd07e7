package experiment_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/experiment"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
)

// surveyVersion is version v of a two-question flow whose texts name v.
func surveyVersion(v string) *flow.Builder {
	return flow.New("survey").Version(v).Add(
		&flow.Ask{ID: "q", Slot: "a", Prompt: []string{"Question " + v + "?"}, Next: "end"},
		&flow.End{ID: "end", Status: flow.Resolved, Text: []string{"Done with " + v + "."}},
	)
}

// customerIn returns the first customer "c0", "c1"... assigned to variant
// whose index is not in skip.
func customerIn(t *testing.T, exp *experiment.Experiment[string], variant string, skip map[string]bool) string {
	for i := range 1000 {
		id := fmt.Sprintf("c%d", i)
		if v, _ := exp.Assign(id); v.Name == variant && !skip[id] {
			return id
		}
	}
	t.Fatalf("no customer in %s", variant)
	return ""
}

func TestRolloutPromotePinsRunningConversations(t *testing.T) {
	exp, err := experiment.New("survey-v2", []experiment.Variant[string]{
		{Name: "control", Value: "1"}, {Name: "shorter", Value: "2"},
	})
	require.NoError(t, err)
	ro := experiment.NewRollout("survey", exp)
	e, err := flow.NewEngine([]*flow.Builder{surveyVersion("1"), surveyVersion("2")}, flow.WithVersion(ro.Version))
	require.NoError(t, err)
	// Answers go to the engine; anything else starts the survey.
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if err := e.HandleTurn(ctx, w, t); !errors.Is(err, dialog.ErrNotAnswer) {
			return err
		}
		return e.Starter("survey").HandleTurn(ctx, w, t)
	})
	store := memory.NewMap()
	chat := func(customer string) *parleytest.Tester {
		return parleytest.NewTester(t, h, parleytest.WithStore(store), parleytest.WithCustomer(customer),
			parleytest.WithConversation("conv-"+customer))
	}
	used := map[string]bool{}
	pick := func(variant string) string {
		id := customerIn(t, exp, variant, used)
		used[id] = true
		return id
	}

	// During the experiment each customer starts their variant's version,
	// and the start is the exposure.
	midControl := chat(pick("control"))
	midControl.Send("start survey").Expect(parleytest.Exact("Question 1?")).
		ExpectEvent(analytics.EventAssigned, map[string]string{"experiment": "survey-v2", "variant": "control"})
	midShorter := chat(pick("shorter"))
	midShorter.Send("start survey").Expect(parleytest.Exact("Question 2?")).
		ExpectEvent(analytics.EventAssigned, map[string]string{"experiment": "survey-v2", "variant": "shorter"})
	_, promoted := ro.Promoted()
	assert.False(t, promoted)

	require.NoError(t, ro.Promote("shorter"))
	name, promoted := ro.Promoted()
	assert.True(t, promoted)
	assert.Equal(t, "shorter", name)

	// The conversation mid-flow on version 1 finishes on version 1...
	midControl.Send("fine").Expect(parleytest.Exact("Done with 1."))
	midShorter.Send("fine").Expect(parleytest.Exact("Done with 2."))
	// ...while a new conversation of a customer assigned to the control
	// starts the winner, with no exposure recorded.
	fresh := chat(pick("control"))
	fresh.Send("start survey").Expect(parleytest.Exact("Question 2?"))
	for _, ev := range fresh.Events() {
		assert.NotEqual(t, analytics.EventAssigned, ev.Kind)
	}
	fresh.Send("ok").Expect(parleytest.Exact("Done with 2."))
	// The control customer's next survey, too.
	midControl.Send("start survey").Expect(parleytest.Exact("Question 2?"))
}

func TestRolloutPromoteUnknown(t *testing.T) {
	exp, err := experiment.New("survey-v2", []experiment.Variant[string]{{Name: "control", Value: "1"}, {Name: "shorter", Value: "2"}})
	require.NoError(t, err)
	ro := experiment.NewRollout("survey", exp)
	require.EqualError(t, ro.Promote(""), `experiment "survey-v2": no variant to promote (the report has no winner)`)
	require.EqualError(t, ro.Promote("longer"), `experiment "survey-v2": no variant "longer" to promote`)
	_, promoted := ro.Promoted()
	assert.False(t, promoted)
	// Another flow's versions are left to the engine.
	assert.Empty(t, ro.Version(context.Background(), parleytest.NewTurn("hi"), "refund"))
}

func TestRolloutHoldoutGetsControl(t *testing.T) {
	exp, err := experiment.New("survey-v2", []experiment.Variant[string]{{Name: "control", Value: "1"}, {Name: "shorter", Value: "2"}},
		experiment.WithHoldout(0.5))
	require.NoError(t, err)
	ro := experiment.NewRollout("survey", exp)
	id := customerIn(t, exp, experiment.Holdout, nil)
	assert.Equal(t, "1", ro.Version(context.Background(), parleytest.NewTurn("hi", parleytest.WithCustomer(id)), "survey"))
}

func ExampleRollout() {
	exp, err := experiment.New("renewal-flow", []experiment.Variant[string]{
		{Name: "control", Value: "3"}, // flow versions, as flow.Builder.Version names them
		{Name: "one-step", Value: "4"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ro := experiment.NewRollout("renewal", exp)
	// flow.NewEngine(flows, flow.WithVersion(ro.Version)) starts each
	// customer's version; later, with the report's winner:
	rep := experiment.Report{Winner: "one-step"}
	if err := ro.Promote(rep.Winner); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ro.Promoted())
	// Output: one-step true
}
