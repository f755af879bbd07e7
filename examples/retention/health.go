package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/health"
	custprofile "github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/proactive"
)

// This file wires customer health (package health) into the shop: every
// message a customer writes updates their health score and churn risk
// (the sentiment of their recent messages, how long since their last
// order, how often they log in), the agents' workspace shows both on the
// customer card, and a risk above 70% starts the urgent "churn_rescue"
// campaign (a 20% code, and what went wrong, for the team). The campaign goes through the proactive engine like any other,
// so consent, quiet hours and caps still apply: a customer who said STOP
// gets nothing.

// evChurnRisk is the event the health tracker reports for a customer whose
// churn risk went above 70%.
const evChurnRisk = "churn_risk_high"

// churnWatch keeps the shop's engagement data the tracker reads (logins a
// week, which the simulator changes) and the tracker itself.
type churnWatch struct {
	tracker *health.Tracker
	ret     *retention

	mu     sync.Mutex
	logins map[string]float64
}

// newChurnWatch builds the tracker over the campaigns' profiles; when a
// customer's risk goes above 70% it reports evChurnRisk to the campaigns.
func newChurnWatch(ret *retention) *churnWatch {
	cw := &churnWatch{ret: ret, logins: map[string]float64{"cus_ada": 4, "cus_ben": 3}}
	ret.churn = cw
	cw.tracker = health.NewTracker(ret.profiles,
		health.WithSignals(cw.signals),
		health.OnRisk(health.DefaultThreshold, func(ctx context.Context, t *parley.Turn, a health.Assessment) error {
			return cw.report(ctx, t.CustomerID, t.MessageID, a)
		}))
	return cw
}

// signals adds what the shop knows beyond the conversation: logins a week.
func (cw *churnWatch) signals(_ context.Context, p *custprofile.Profile, s *health.Signals) error {
	cw.mu.Lock()
	defer cw.mu.Unlock()
	s.LoginsPerWeek = cw.logins[p.CustomerID]
	s.FeatureUsage = min(1, s.LoginsPerWeek/4)
	return nil
}

// report tells the campaigns a customer is at risk, once per crossing.
func (cw *churnWatch) report(ctx context.Context, customerID, cause string, a health.Assessment) error {
	err := cw.ret.eng.Ingest(ctx, proactive.Event{ID: "churn/" + customerID + "/" + cause, Type: evChurnRisk,
		CustomerID: customerID, Time: cw.ret.now(),
		Attributes: map[string]string{"risk": fmt.Sprintf("%.0f%%", 100*a.Risk), "reasons": strings.Join(a.Reasons, "; ")}})
	if errors.Is(err, proactive.ErrDuplicateEvent) {
		return nil
	}
	return err
}

// lapse is the simulator's "churn": the shop reports that the customer has
// not ordered for 50 days and logs in once a week now. Their health is
// re-assessed at once; their next messages decide whether they cross 70%.
func (cw *churnWatch) lapse(ctx context.Context, customerID string) (string, error) {
	now := cw.ret.now()
	cw.mu.Lock()
	cw.logins[customerID] = 1
	cw.mu.Unlock()
	if _, err := cw.ret.profiles.Update(ctx, customerID, func(p *custprofile.Profile) error {
		p.LastOrderDate = now.Add(-50 * day)
		return nil
	}); err != nil {
		return "", err
	}
	a, crossed, err := cw.tracker.Refresh(ctx, customerID, now)
	if err != nil {
		return "", err
	}
	if crossed {
		if err := cw.report(ctx, customerID, now.Format(time.RFC3339Nano), a); err != nil {
			return "", err
		}
		if _, err := cw.ret.advance(ctx, 0); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("No order for 50 days, 1 login a week: health %.0f/100, churn risk %.0f%% (%s).",
		a.Score, 100*a.Risk, strings.Join(a.Reasons, "; ")), nil
}

// profileWithHealth is the shop's profile with the customer's health
// added, for the customer card of the agents' workspace.
func (a *app) profileWithHealth(ctx context.Context, id string) (map[string]string, error) {
	return a.health.withHealth(a.shop.Profile)(ctx, id)
}

// withHealth adds the customer's health to the profile the agents'
// workspace shows on the customer card.
func (cw *churnWatch) withHealth(profile func(context.Context, string) (map[string]string, error)) func(context.Context, string) (map[string]string, error) {
	return func(ctx context.Context, id string) (map[string]string, error) {
		m, err := profile(ctx, id)
		if err != nil || id == "" {
			return m, err
		}
		p, err := cw.ret.profiles.Load(ctx, id)
		if err != nil {
			return m, nil // no profile, no health yet: the card shows the rest
		}
		a, ok := health.Stored(p)
		if !ok {
			return m, nil
		}
		if m == nil {
			m = map[string]string{}
		}
		m["health_score"] = fmt.Sprintf("%.0f/100", a.Score)
		risk := fmt.Sprintf("%.0f%%", 100*a.Risk)
		if len(a.Reasons) > 0 {
			risk += ": " + strings.Join(a.Reasons, "; ")
		}
		m["churn_risk"] = risk
		return m, nil
	}
}

// churnCampaign is the urgent retention campaign: at once, a 20% code and
// a question about what went wrong. At most once a month.
func churnCampaign() *proactive.Campaign {
	return &proactive.Campaign{
		Name: "churn_rescue", Trigger: evChurnRisk, Goal: proactive.OrderPlaced,
		Cap: proactive.Cap{Max: 1, Window: 30 * day},
		// "why did you message me?" (campaignreply.go) says this.
		Reason: `things haven't been going well for you with us lately, and we'd like to make up for it`,
		Steps: []proactive.Step{{ID: "now", Flow: "churn_rescue",
			Text: `{{profile.first_name | "Hi"}}, I'm sorry things haven't been going well with us lately. ` +
				`As a thank-you for sticking with ShopCo, here's 20% off your next order: {{offer.code}} (valid until {{offer.expires}}).`,
			Offer: &proactive.Offer{Action: actDiscount, Args: map[string]any{"percent": 20, "reason": "retention campaign",
				"campaign": "churn_rescue"}, Valid: 7 * day}}},
	}
}

// churnFlow asks the at-risk customer what went wrong, for the team.
func churnFlow() *flow.Builder {
	return flow.New("churn_rescue").Add(
		&flow.Choice{ID: "ask", Prompt: []string{"Would you tell us what went wrong? It goes straight to the team."}, Slot: "tell",
			Options: []flow.Option{
				{Title: "Tell the team", Payload: "yes", Synonyms: []string{"yes", "sure", "ok", "yeah", "yep", "si", "sí", "vale"}, Next: "what"},
				{Title: "No thanks", Payload: "no", Synonyms: []string{"no", "nope", "no thank you", "no thanks", "not now", "no gracias", "no, gracias"}, Next: "no"},
			}, MaxAttempts: 1, OnFail: "skip"},
		&flow.Ask{ID: "what", Slot: "what_went_wrong", Type: flow.TextSlot, Prompt: []string{"What went wrong?"}, Next: "thanks"},
		&flow.End{ID: "thanks", Status: flow.Resolved, Text: []string{`Thank you. I've passed it on to the team, and your code still stands.`}},
		&flow.End{ID: "no", Status: flow.Resolved, Text: []string{`No problem. The code is yours either way, and I'm here if you need anything.`}},
		&flow.End{ID: "skip", Status: flow.Resolved},
	)
}
