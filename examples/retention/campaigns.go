package main

import (
	"context"
	"strconv"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/flow"
	custprofile "github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/proactive"
)

// This file holds the shop's retention campaigns (package proactive):
// what the shop says first, and when. Every message goes through the
// delivery policy: marketing only to customers who said yes, at most two
// a week, never at night in the customer's time zone, never in the middle
// of a question or a conversation with a person.

const day = 24 * time.Hour

// The shop's own event types, besides the package's business events.
const (
	evPlanRenewed    = "plan_renewed"
	evOrderDelivered = "order_delivered"
	evPromoter       = "nps_promoter" // the NPS survey scored 9 or 10
)

// campaigns returns the shop's ready-made campaigns.
func campaigns() []*proactive.Campaign {
	// One code per customer per campaign: the registry counts the
	// discount action per customer and campaign (discountArgs.Campaign).
	offer := func(campaign string, percent int, valid time.Duration) *proactive.Offer {
		return &proactive.Offer{Action: actDiscount, Args: map[string]any{"percent": percent, "reason": "retention campaign",
			"campaign": campaign}, Valid: valid}
	}
	// The quick replies a customer may tap under a message; "Not now"
	// declines it (campaignreply.go).
	notNow := parley.QuickReply{Title: "Not now", Payload: "not now"}
	renew := parley.QuickReply{Title: "Renew my plan", Payload: "renew"}
	track := parley.QuickReply{Title: "Track my order", Payload: "track"}
	return []*proactive.Campaign{
		{
			// Abandoned cart: wait an hour for the purchase, then one
			// message with a code and the checkout link.
			Name: "abandoned_cart", Trigger: proactive.CartAbandoned, Goal: proactive.OrderPlaced,
			Hold:   &proactive.Hold{Event: proactive.OrderPlaced, Timeout: time.Hour},
			Cap:    proactive.Cap{Max: 1, Window: 7 * day},
			Reason: `you left the {{event.item | "items"}} in your cart`,
			Steps: []proactive.Step{{ID: "offer",
				QuickReplies: []parley.QuickReply{{Title: "Check out now", Payload: "checkout"}, notNow},
				Text: `{{profile.first_name | "Hi"}}, you left the {{event.item | "items"}} in your cart. ` +
					`Here's 10% off if you finish today: {{offer.code}} (valid until {{offer.expires}}). Checkout: {{event.checkout_url}}`,
				Offer: offer("abandoned_cart", 10, day)}},
		},
		{
			// Renewal: day -7, day -3 with a 48-hour offer, day +1. A
			// reply (renewing, asking) hands over to the conversation.
			Name: "renewal", Trigger: proactive.SubscriptionExpiring, Anchor: "expires_at", Goal: evPlanRenewed,
			ExitOnReply: true, Reason: `your {{event.plan | "plan"}} renews on {{event.expires_on}}`,
			Steps: []proactive.Step{
				{ID: "day-7", After: -7 * day,
					Text:         `{{profile.first_name | "Hi"}}, your {{event.plan | "plan"}} renews on {{event.expires_on}}. Nothing to do if you're staying; type "renew" to change it.`,
					QuickReplies: []parley.QuickReply{renew, notNow}},
				{ID: "day-3", After: -3 * day,
					Text:         `{{profile.first_name | "Hi"}}, here's 15% off your renewal, valid for 48 hours: {{offer.code}} (until {{offer.expires}}).`,
					Offer:        offer("renewal", 15, 48*time.Hour),
					QuickReplies: []parley.QuickReply{renew, notNow}},
				{ID: "day+1", After: day, Reason: `your {{event.plan | "plan"}} ended yesterday`,
					Text:         `Your {{event.plan | "plan"}} ended yesterday. We keep your settings for 30 days: type "renew" to pick up where you left off.`,
					QuickReplies: []parley.QuickReply{renew}},
			},
		},
		{
			// After an order: a thank-you (a service message) that asks
			// whether the customer wants tips at all.
			Name: "order_thanks", Purpose: proactive.Service, Trigger: proactive.OrderPlaced,
			Reason: `you placed order {{event.order_id | "with us"}}`,
			Steps: []proactive.Step{{ID: "thanks", Flow: "tips_consent",
				Text: `Thanks for your order {{event.order_id | ""}}! We'll tell you when it ships.`}},
		},
		{
			// Post-purchase onboarding: day 1, 7 and 15, for those who said
			// yes; it stops when the customer writes back.
			Name: "onboarding", Trigger: proactive.OrderPlaced, ExitOnReply: true,
			Reason: `you ordered the {{event.item | "items"}} and said yes to tips`,
			Steps: []proactive.Step{
				{ID: "day1", After: day, Text: `Tip: your order page shows live tracking. Type "track" here any time.`,
					QuickReplies: []parley.QuickReply{track}},
				{ID: "day7", After: 7 * day, Text: `How are you getting on with your {{event.item | "order"}}? Reply here if anything's not right.`},
				{ID: "day15", After: 15 * day, Text: `Returns are free for 30 days, so there's still time if it isn't right. Type "return" to start one.`,
					QuickReplies: []parley.QuickReply{{Title: "Start a return", Payload: "return"}, notNow}},
			},
		},
		{
			// Win-back for customers with no order for 45 days.
			Name: "win_back", Trigger: proactive.Inactivity, ExitOnLeavingAudience: true,
			Reason: `you haven't ordered from us for a while`,
			Audience: func(p *custprofile.Profile) bool {
				return !p.LastOrderDate.IsZero() && time.Since(p.LastOrderDate) > 45*day
			},
			Steps: []proactive.Step{{ID: "offer", Offer: offer("win_back", 15, 7*day), QuickReplies: []parley.QuickReply{notNow},
				Text: `We miss you, {{profile.first_name | "friend"}}! Here's 15% off your next order: {{offer.code}}, valid until {{offer.expires}}.`}},
		},
		{
			Name: "shipping_delay", Purpose: proactive.Service, Trigger: proactive.OrderDelayed,
			Reason: `your order {{event.order_id}} is running late`,
			Steps: []proactive.Step{{ID: "sorry", QuickReplies: []parley.QuickReply{track},
				Text:     `Sorry, {{profile.first_name | "there"}}: order {{event.order_id}} is running late. It should arrive by {{event.new_date}}. Type "track" for the latest.`,
				Template: &proactive.Template{Name: "shipping_delay", Language: "en_US", Params: []string{"{{event.order_id}}", "{{event.new_date}}"}}}},
		},
		{
			Name: "failed_payment", Purpose: proactive.Service, Trigger: proactive.PaymentFailed, Goal: evPlanRenewed,
			Reason: `we couldn't take the payment for your {{event.plan | "plan"}}`,
			Steps: []proactive.Step{
				{ID: "now", Text: `We couldn't take the payment for your {{event.plan | "plan"}}. You can update your card here: {{event.update_url}}`},
				{ID: "day3", After: 3 * day, Text: `A reminder: your {{event.plan | "plan"}} payment still needs a new card: {{event.update_url}}`},
			},
		},
		{
			// NPS three days after delivery; the survey flow asks a
			// follow-up question and reports promoters.
			Name: "nps", Trigger: evOrderDelivered, Reason: `your order {{event.order_id | "with us"}} was delivered a few days ago`,
			Steps: []proactive.Step{{ID: "survey", After: 3 * day, Flow: "nps"}},
		},
		{
			// Referral prompt for promoters, with a code to share.
			Name: "referral", Trigger: evPromoter, Cap: proactive.Cap{Max: 1, Window: 90 * day},
			Reason: `you told us you'd recommend ShopCo`,
			Steps: []proactive.Step{{ID: "ask", After: time.Hour, Offer: offer("referral", 10, 30*day),
				Text: `Thanks again for the kind words, {{profile.first_name | "friend"}}! Friends get 10% off their first order with your code {{offer.code}}.`}},
		},
	}
}

// campaignFlows are the flows campaign steps start.
var campaignFlows = []string{"tips_consent", "nps", "churn_rescue"}

// retentionFlows builds the campaigns' flows: the consent question and
// the NPS survey with its follow-up. rec records consent and reports
// promoters; it is set once the engine exists.
func retentionFlows(rec *retention) []*flow.Builder {
	return []*flow.Builder{
		flow.New("tips_consent").Add(
			// A customer who has decided on this channel already (Ada
			// said yes at sign-up) is not asked again (QA9 F54).
			&flow.Action{ID: "known", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
				decided, err := rec.decided(ctx, s.Turn)
				if err != nil || !decided {
					return "", nil // asking is harmless
				}
				return "known", nil
			}, Routes: map[string]string{"known": "skip"}, Next: "ask", OnError: "ask"},
			&flow.Choice{ID: "ask", Prompt: []string{"Would you like us to send helpful tips occasionally?"}, Slot: "tips",
				Options: []flow.Option{
					{Title: "Yes please", Payload: "yes", Synonyms: []string{"yes", "sure", "ok", "yeah", "yep", "si", "sí"}, Next: "record"},
					{Title: "No thanks", Payload: "no", Synonyms: []string{"no", "nope", "no thank you"}, Next: "record"},
				}, MaxAttempts: 1, OnFail: "skip"},
			&flow.Action{ID: "record", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
				yes := s.Slot("tips") == "yes"
				if err := rec.consent(ctx, s.Turn, yes); err != nil {
					return "", err
				}
				return strconv.FormatBool(yes), nil
			}, Routes: map[string]string{"true": "yes", "false": "no"}, OnError: "skip",
				ErrorText: []string{"Sorry, I couldn't save that just now."}},
			&flow.End{ID: "yes", Status: flow.Resolved, Text: []string{`Great, we'll send a tip now and then. Reply STOP any time to stop them.`}},
			&flow.End{ID: "no", Status: flow.Resolved, Text: []string{`No problem, we won't send any.`}},
			&flow.End{ID: "skip", Status: flow.Resolved},
		),
		flow.New("nps").Add(
			&flow.Feedback{ID: "score", Kind: flow.NPS, Slot: "nps",
				Prompt: []string{`Quick question: how likely are you to recommend ShopCo to a friend, from 0 to 10?`}, Next: "why"},
			&flow.Ask{ID: "why", Slot: "nps_reason", Type: flow.TextSlot, Prompt: []string{`Thanks! What's the main reason for your score?`},
				Next: "sort"},
			&flow.Branch{ID: "sort", Cases: []flow.Case{{If: func(s *flow.Scope) bool {
				n, err := strconv.Atoi(s.Slot("nps"))
				return err == nil && n >= 9
			}, Next: "promoter"}}, Else: "thanks"},
			&flow.Action{ID: "promoter", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
				return "", rec.promoter(ctx, s.Turn)
			}, Next: "thanks", OnError: "thanks"},
			&flow.End{ID: "thanks", Status: flow.Resolved, Text: []string{`Thank you, that really helps us.`}},
		),
	}
}
