package proactive_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/proactive"
	"github.com/parleyhq/parley/proactive/proactivetest"
	"github.com/parleyhq/parley/schedule"
)

// replyBot answers "why?" from the latest campaign message and takes
// "no thanks" as a decline of it, as an application's handler would.
func replyBot(env **proactivetest.Env) proactivetest.Option {
	return proactivetest.WithHandler(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Signal != nil {
			return nil
		}
		switch t.Text() {
		case "why?", "¿por qué?":
			if t.Text() == "¿por qué?" {
				t.Locale = "es" // as an i18n middleware around the engine sets it
			}
			m, ok := proactive.LastMessage(t)
			if !ok {
				return w.Reply(ctx, parley.Text("no campaign"))
			}
			return w.Reply(ctx, parley.Text(fmt.Sprintf("%s/%s: %s [%s until %s] window=%v", m.Campaign, m.Step, m.Reason,
				m.OfferCode, m.OfferExpires, m.InWindow)))
		case "no thanks":
			m, ok, err := (*env).Engine.Decline(ctx, t)
			if err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text(fmt.Sprintf("declined=%v %s/%s", ok, m.Campaign, m.Step)))
		}
		return w.Reply(ctx, parley.Text("ok"))
	}))
}

func renewalWithReason() *proactive.Campaign {
	c := renewal()
	c.Reason = "your plan renews on {{event.expires_on}}"
	c.Steps[2].Reason = "your plan ended"
	return c
}

// renewalStarted is an engine with renewalWithReason, Ada at 10:00, and
// her plan expiring in 10 days: the renewal run has started.
func renewalStarted(t *testing.T) *proactivetest.Env {
	var env *proactivetest.Env
	env = proactivetest.New(t, []*proactive.Campaign{renewalWithReason()}, replyBot(&env),
		proactivetest.WithEngineOptions(proactive.WithEventTypes("plan_renewed")))
	ada(env)
	at10(env)
	expires := time.Now().Add(10 * day)
	env.Ingest(proactive.Event{Type: proactive.SubscriptionExpiring, CustomerID: "ada", Attributes: map[string]string{
		"expires_at": expires.Format(time.RFC3339), "expires_on": expires.Format("January 2")}})
	return env
}

func TestDeclineEndsTheRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := renewalStarted(t)
		env.Advance(3 * day)
		env.Say("ada", "why?")
		env.Say("ada", "no thanks")
		env.Say("ada", "no thanks")
		env.Advance(10 * day)
		assert.Equal(t, []string{
			"Ada, your plan renews on January 11.",
			"renewal/day-7: your plan renews on January 11 [ until ] window=true",
			"declined=true renewal/day-7",
			"declined=false renewal/day-7",
		}, env.Texts("ada"), "no day -3 or day +1 message after the decline")
		sup := env.Suppressed("ada")
		require.Len(t, sup, 1)
		assert.Equal(t, proactive.ReasonExited, sup[0].Reason)
		assert.Equal(t, "day-7", sup[0].Step)
		assert.Equal(t, `declined "no thanks"; ended before day-3`, sup[0].Detail)
		ev := env.Events(proactive.EventSuppressed)
		require.Len(t, ev, 1)
		assert.Equal(t, `declined "no thanks"; ended before day-3`, ev[0].Attrs["detail"])
		assert.Equal(t, "renewal", ev[0].Attrs["campaign"])
		assert.Equal(t, "day-7", ev[0].Attrs["step"])
	})
}

func TestReplyWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := renewalStarted(t)
		env.Advance(3 * day)                    // day -7
		env.Advance(48*time.Hour + time.Minute) // past the reply window
		env.Say("ada", "why?")
		env.Say("ada", "no thanks")
		env.Advance(12 * day)
		assert.Equal(t, []string{
			"Ada, your plan renews on January 11.",
			"renewal/day-7: your plan renews on January 11 [ until ] window=false",
			"declined=false renewal/day-7",
			"3 days left on your plan.",
			"Your plan has ended. Come back any time.",
		}, env.Texts("ada"), "a late 'no thanks' is no decline: the run goes on")
		assert.Empty(t, env.Suppressed("ada"))
		assert.Empty(t, env.Events(proactive.EventSuppressed))
	})
}

func TestReasonWithOffer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var backend codes
		c := &proactive.Campaign{Name: "cart", Trigger: proactive.CartAbandoned, Reason: `you left the {{event.item | "items"}} in your cart`,
			Steps: []proactive.Step{{ID: "offer", Text: "Here's 10% off: {{offer.code}}.",
				Offer: &proactive.Offer{Action: "discount", Args: map[string]any{"percent": 10}, Valid: day}}}}
		var env *proactivetest.Env
		env = proactivetest.New(t, []*proactive.Campaign{c}, replyBot(&env),
			proactivetest.WithEngineOptions(proactive.WithActions(backend.registry(t))))
		ada(env)
		at10(env)
		env.Ingest(proactive.Event{Type: proactive.CartAbandoned, CustomerID: "ada", Attributes: map[string]string{"item": "Trail Runner 2"}})
		env.Say("ada", "why?")
		// The message went out in English; asked in Spanish, the offer's
		// expiry is Spanish too (QA12 q2: "válido hasta el Mon Dec 14 at 06:27").
		env.Say("ada", "¿por qué?")
		env.Say("ada", "no thanks")
		assert.Equal(t, []string{
			"Here's 10% off: SAVE2-ada.",
			"cart/offer: you left the Trail Runner 2 in your cart [SAVE2-ada until Sun Jan 2 at 10:00] window=true",
			"cart/offer: you left the Trail Runner 2 in your cart [SAVE2-ada until dom 2 ene a las 10:00] window=true",
			"declined=true cart/offer",
		}, env.Texts("ada"))
		sup := env.Suppressed("ada")
		require.Len(t, sup, 1, "a completed run's decline is recorded too")
		assert.Equal(t, proactive.ReasonExited, sup[0].Reason)
		assert.Equal(t, `declined "no thanks"`, sup[0].Detail)
	})
}

func TestReasonTemplateChecked(t *testing.T) {
	c := welcome("tips", proactive.Marketing)
	c.Steps[0].Reason = "{{oops"
	other := welcome("other", proactive.Marketing)
	other.Reason = "because {{offer.code}}" // no offer in its step
	store := memory.NewMap()
	_, err := proactive.New(proactive.NewPolicy(store, customer.NewProfiles(store)), schedule.New(schedule.NewMemory()),
		[]*proactive.Campaign{c, other}, proactive.WithEventTypes("tips_event", "other_event"))
	var ce *proactive.CompileError
	require.ErrorAs(t, err, &ce)
	require.Len(t, ce.Problems, 2)
	assert.Equal(t, "tips/now", ce.Problems[0].Campaign+"/"+ce.Problems[0].Step)
	assert.Contains(t, ce.Problems[0].Reason, "reason: bad template")
	assert.Equal(t, "other/now", ce.Problems[1].Campaign+"/"+ce.Problems[1].Step)
	assert.Contains(t, ce.Problems[1].Reason, "reason: ")
}
