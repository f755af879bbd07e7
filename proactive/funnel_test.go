package proactive_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/channel/whatsapp"
	"github.com/parleyhq/parley/internal/testutil"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/proactive"
	"github.com/parleyhq/parley/proactive/proactivetest"
)

const (
	waPhone  = "106540352242922"
	waSecret = "app-secret"
)

// waStatuses is a WhatsApp Cloud API status webhook as the platform
// documents it (the same shape as the channel's own tests), for a
// message to wa_id.
func waStatuses(waID string, statuses ...string) []byte {
	body := `{"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{"field":"messages","value":{` +
		`"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"` + waPhone + `"},"statuses":[`
	for i, st := range statuses {
		if i > 0 {
			body += ","
		}
		body += `{"id":"wamid.out1","status":"` + st + `","timestamp":"1700000000","recipient_id":"` + waID + `"}`
	}
	return []byte(body + `]}}]}]}`)
}

// TestCampaignFunnel runs campaigns end to end: a step is sent on
// WhatsApp, the platform's status webhook reports it delivered and read
// (through the channel adapter), the customer answers, the goal event
// comes in; the analytics funnel counts each step.
func TestCampaignFunnel(t *testing.T) {
	cart := &proactive.Campaign{Name: "cart", Trigger: proactive.CartAbandoned, Goal: proactive.OrderPlaced,
		Steps: []proactive.Step{{ID: "nudge", After: time.Hour, Text: "You left something in your cart."}}}
	synctest.Test(t, func(t *testing.T) {
		env := proactivetest.New(t, []*proactive.Campaign{cart})
		agg := analytics.NewAggregator()
		wa, err := whatsapp.New(whatsapp.Config{PhoneNumberID: waPhone, AccessToken: "t", AppSecret: waSecret, VerifyToken: "v",
			BaseURL: "http://127.0.0.1:1", Adapter: channel.Config{Observer: parley.ObserverFunc(func(_ context.Context, e parley.Event) {
				agg.Add(analytics.FromParley(e))
			})}})
		require.NoError(t, err)
		// Four customers on WhatsApp, in the adapter's conversations:
		// ada reads, answers and buys; bob's message is delivered only;
		// cy's is read and she buys without a word; dee hears nothing
		// from the platform and never buys.
		conv := map[string]string{}
		for i, id := range []string{"ada", "bob", "cy", "dee"} {
			waID := "1555000000" + string(rune('1'+i))
			conv[id] = "whatsapp:" + waPhone + ":" + waID
			env.AddCustomer(&customer.Profile{CustomerID: id, TimeZone: "UTC",
				Identities: []customer.Identity{{Channel: "whatsapp", ID: conv[id]}}})
			env.Consent(id)
		}
		at10(env)
		// The customers wrote to the shop this morning: the 24-hour
		// window is open, so the step goes out as text.
		for id := range conv {
			env.Say(id, "hello")
		}
		for id := range conv {
			env.Ingest(proactive.Event{Type: proactive.CartAbandoned, CustomerID: id, ID: "cart-" + id})
		}
		env.Advance(time.Hour)
		for id := range conv {
			require.Contains(t, env.Texts(id), "You left something in your cart.", id)
		}

		webhook := func(id string, statuses ...string) {
			waID := conv[id][len("whatsapp:"+waPhone+":"):]
			req := channeltest.HMACRequest("/webhooks/whatsapp", "application/json", waStatuses(waID, statuses...),
				channeltest.Signed, "X-Hub-Signature-256", "sha256=", waSecret)
			require.Equal(t, 200, testutil.Serve(wa.Handler(env.Bot), req).Code)
		}
		env.Advance(time.Minute)
		webhook("ada", "sent", "delivered", "read")
		webhook("bob", "sent", "delivered")
		webhook("cy", "sent", "delivered", "read")
		webhook("cy", "read") // a repeated receipt counts once
		env.Advance(time.Minute)
		env.Say("ada", "is it still in stock?")
		env.Say("ada", "and in blue?") // one reply per message
		env.Ingest(proactive.Event{Type: proactive.OrderPlaced, CustomerID: "ada", ID: "order-ada", Attributes: map[string]string{"value": "80.50"}})
		env.Ingest(proactive.Event{Type: proactive.OrderPlaced, CustomerID: "cy", ID: "order-cy", Attributes: map[string]string{"value": "19.50"}})
		env.Advance(time.Minute)
		assert.Equal(t, []string{"ok", "You left something in your cart.", "ok", "ok"}, env.Texts("ada"),
			"the conversion's turn replies nothing")

		for _, k := range []parley.EventKind{parley.EventTurn, parley.EventReply, proactive.EventSent,
			analytics.EventReplied, analytics.EventConverted} {
			for _, e := range env.Events(k) {
				agg.Add(analytics.FromParley(e))
			}
		}
		require.Len(t, env.Events(analytics.EventReplied), 1, "ada's first answer only")
		assert.Equal(t, conv["ada"], env.Events(analytics.EventReplied)[0].ConversationID)

		stats := agg.Campaigns(analytics.Window{})
		require.Len(t, stats, 1)
		assert.Equal(t, analytics.CampaignStat{Campaign: "cart", Goal: proactive.OrderPlaced,
			Sent: 4, Delivered: 3, Read: 2, Replied: 1, Converted: 2, Value: 100, ConversionRate: 0.5}, stats[0])
		rec, ok := agg.Record(conv["bob"])
		require.True(t, ok)
		assert.Equal(t, analytics.CampaignOutcome{Campaign: "cart", Goal: proactive.OrderPlaced, Sent: true, Delivered: true}, rec.Campaign)
	})
}

// TestReceiptsBeforeTheCampaignDoNotCount: a read receipt for a message
// sent before the campaign's is not the campaign's.
func TestReceiptsBeforeTheCampaignDoNotCount(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	agg := analytics.NewAggregator()
	add := func(k parley.EventKind, at time.Duration, attrs map[string]string) {
		agg.Add(analytics.Event{Kind: k, Conversation: "c1", Time: t0.Add(at), Attrs: attrs})
	}
	// Out of order on purpose: the fold does not depend on it.
	add(channel.EventStatus, time.Minute, map[string]string{"status": "read", "message_id": "wamid.old"})
	add(proactive.EventSent, time.Hour, map[string]string{"campaign": "winback", "step": "s1"})
	add(channel.EventStatus, 2*time.Minute, map[string]string{"status": "delivered", "message_id": "wamid.old"})
	rec, ok := agg.Record("c1")
	require.True(t, ok)
	assert.Equal(t, analytics.CampaignOutcome{Campaign: "winback", Sent: true}, rec.Campaign)
	add(channel.EventStatus, 2*time.Hour, map[string]string{"status": "read", "message_id": "wamid.new"})
	rec, _ = agg.Record("c1")
	assert.Equal(t, analytics.CampaignOutcome{Campaign: "winback", Sent: true, Delivered: true, Read: true}, rec.Campaign)
}
