package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/memory"
	custprofile "github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/proactive"
	"github.com/parleyhq/parley/schedule"
)

// retention wires the campaigns: the delivery policy, the scheduler
// (in the example's store: SQLite unless -memory), the engine, and a small
// simulator for the demo page and the terminal ("abandon the cart",
// "make the plan expire", "advance the clock by a day").
type retention struct {
	store    memory.Store
	profiles *custprofile.Profiles
	policy   *proactive.Policy
	jobs     schedule.Store
	sched    *schedule.Scheduler
	eng      *proactive.Engine
	bot      proactive.Enqueuer
	shop     *shop                       // the simulator moves the plan's renewal date
	start    func(string) parley.Handler // starts a flow: "cancel" to the renewal reminder starts the plan's (campaignreply.go)
	churn    *churnWatch                 // the simulator lapses a customer (health.go)
	quiet    string                      // the quiet hours as -quiet gives them ("21-9"), for the simulator page

	// sim is held by a simulation from its event to the last step it
	// made due, and by the scheduler's claims (claimGate): the steps a
	// simulation makes due are fired by the simulation, not by the
	// scheduler a moment later, so the terminal prints them before its
	// next prompt.
	sim sync.Mutex

	mu   sync.Mutex
	seen map[string]parley.Address // where each customer last talked to us
	skew time.Duration             // how far the simulator moved the clock
	seq  int
}

// demoProfiles are the stored profiles of the example's two customers:
// Ada said yes to tips when she signed up; Ben was never asked. Their
// last orders are the shop's (shop.go: Ada's A-1010 a day ago, Ben's
// A-1003 four days ago), so the customer card's churn reasons agree with
// its order dates; the simulator's "inactive" and "churn" lapse them.
func demoProfiles(now time.Time) []*custprofile.Profile {
	ada := &custprofile.Profile{CustomerID: "cus_ada", Name: "Ada Lovelace", Email: "ada@example.com", TimeZone: "Europe/London",
		Tier: "gold", LastOrderDate: now.Add(-1 * day)}
	ada.RecordConsent(custprofile.Consent{Purpose: string(proactive.Marketing), Granted: true, Time: now.Add(-90 * day),
		Channel: "web", Source: "sign-up form v3"})
	ben := &custprofile.Profile{CustomerID: "cus_ben", Name: "Ben Okafor", Email: "ben@example.com", TimeZone: "America/New_York",
		LastOrderDate: now.Add(-4 * day)}
	return []*custprofile.Profile{ada, ben}
}

// newRetention builds the policy, scheduler and engine over store. start
// starts the campaigns' flows; reg makes their offers' codes.
func newRetention(ctx context.Context, store memory.Store, jobs schedule.Store, reg *action.Registry, policy []proactive.PolicyOption, start func(string) parley.Handler) (*retention, error) {
	r := &retention{store: store, profiles: custprofile.NewProfiles(store), jobs: jobs, seen: map[string]parley.Address{}, start: start}
	for _, p := range demoProfiles(time.Now()) {
		// A stored profile (a durable store, after a restart) keeps the
		// consents and facts the customer gave since.
		if _, err := r.profiles.Load(ctx, p.CustomerID); err == nil {
			continue
		} else if !errors.Is(err, memory.ErrNotFound) {
			return nil, err
		}
		if err := r.profiles.Save(ctx, p); err != nil {
			return nil, err
		}
	}
	// The main menu (ack.go isMenu), which the flows keep open through a
	// question answered in passing, holds a campaign's message for a
	// moment only, as offers and feedback questions do; a form's question
	// holds it while the customer is at it (issue 11).
	r.policy = proactive.NewPolicy(store, r.profiles, append([]proactive.PolicyOption{proactive.WithBusy(escalation.HumanOwns), proactive.WithBriefHold(isMenu)}, policy...)...)
	r.sched = schedule.New(gateClaims(r.jobs, &r.sim))
	eng, err := proactive.New(r.policy, r.sched, append(campaigns(), churnCampaign()),
		proactive.WithEventTypes(evPlanRenewed, evOrderDelivered, evPromoter, evChurnRisk),
		proactive.WithFlows(start, campaignFlows...),
		proactive.WithActions(reg),
		proactive.WithRoute(r.route))
	if err != nil {
		return nil, err
	}
	r.eng = eng
	return r, nil
}

// attach gives the engine the Bot its steps go through; call it once,
// before the scheduler runs.
func (r *retention) attach(bot proactive.Enqueuer) {
	r.bot = bot
	r.sched.Handle(proactive.JobKind, r.eng.Jobs(bot))
}

// route sends a customer's campaign messages to the conversation they
// last used. A real shop would know their phone or e-mail address.
func (r *retention) route(_ context.Context, p *custprofile.Profile) (parley.Address, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	to, ok := r.seen[p.CustomerID]
	if !ok {
		return parley.Address{}, proactive.ErrNoRoute
	}
	return to, nil
}

// remember notes where each customer talks to us, for route.
func (r *retention) remember(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.CustomerID != "" && t.Channel != "" && t.Signal == nil { // a customer's own message, not a campaign step or timer
			r.mu.Lock()
			r.seen[t.CustomerID] = parley.AddressOf(t)
			r.mu.Unlock()
		}
		return next.HandleTurn(ctx, w, t)
	})
}

// widgetSignals maps the web widget's track frames to behaviour events.
var widgetSignals = map[string]string{
	"product_view": proactive.ProductViewed,
	"page_view":    proactive.PageViewed,
	"page.idle":    proactive.TimeOnPage,
}

// signals passes the widget's page events to the campaigns as behaviour
// events, and on to the rest of the bot (which may nudge on its own).
func (r *retention) signals(next parley.Handler) parley.Handler {
	track := map[string]parley.Handler{}
	for name, ev := range widgetSignals {
		track[name] = r.eng.Track(ev)
	}
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Signal != nil {
			if h, ok := track[t.Signal.Name]; ok {
				if err := h.HandleTurn(ctx, w, t); err != nil {
					return err
				}
			}
		}
		return next.HandleTurn(ctx, w, t)
	})
}

// consent records the answer to the tips question.
func (r *retention) consent(ctx context.Context, t *parley.Turn, yes bool) error {
	if t.CustomerID == "" {
		return nil
	}
	return r.policy.Consent(ctx, t.CustomerID, t.Channel, yes, "asked in chat: tips", time.Now())
}

// decided reports whether the turn's customer has a marketing decision,
// yes or no, that covers the turn's channel.
func (r *retention) decided(ctx context.Context, t *parley.Turn) (bool, error) {
	p, err := r.profileOf(ctx, t)
	if p == nil || err != nil {
		return false, err
	}
	_, ok := p.ConsentOn(string(proactive.Marketing), t.Channel)
	return ok, nil
}

// profileOf loads the turn's customer's stored profile: nil, and no
// error, for a visitor or a customer with none.
func (r *retention) profileOf(ctx context.Context, t *parley.Turn) (*custprofile.Profile, error) {
	if t.CustomerID == "" {
		return nil, nil
	}
	p, err := r.profiles.Load(ctx, t.CustomerID)
	if errors.Is(err, memory.ErrNotFound) {
		return nil, nil
	}
	return p, err
}

// promoter reports an NPS of 9 or 10, which starts the referral prompt.
func (r *retention) promoter(ctx context.Context, t *parley.Turn) error {
	if t.CustomerID == "" {
		return nil
	}
	err := r.eng.Ingest(ctx, proactive.Event{ID: "promoter/" + t.MessageID, Type: evPromoter, CustomerID: t.CustomerID, Time: r.now()})
	if errors.Is(err, proactive.ErrDuplicateEvent) {
		return nil
	}
	return err
}

// now is the simulator's clock: the real one plus the days it skipped.
func (r *retention) now() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return time.Now().Add(r.skew)
}

// remindRenewal makes customerID's plan expire in a week, so that the
// renewal campaign sends its first reminder (day -7) now, through the
// delivery policy, to where the customer last talked to us: how the
// terminal's -renewal starts.
func (r *retention) remindRenewal(ctx context.Context, customerID string) error {
	_, err := r.simulate(ctx, customerID, "expire")
	return err
}

// simulations are what the simulator can do, by name.
var simulations = []struct{ name, help string }{
	{"cart", "abandon the cart"},
	{"expire", "make the plan expire in a week"},
	{"order", "place an order"},
	{"delivered", "have the order delivered"},
	{"delay", "delay the order"},
	{"payment", "fail the plan's payment"},
	{"inactive", "report 46 days without an order"},
	{"churn", "report 50 days without an order and 1 login a week (churn risk)"},
	{"day", "advance the clock by a day"},
	{"log", "show what the policy held back, and why"},
}

// simulate runs one simulation for customerID and says what it did. Days
// pass for the campaigns only: steps due within the skipped time fire at
// once (quiet hours and caps still apply, by the real clock).
func (r *retention) simulate(ctx context.Context, customerID, what string) (string, error) {
	r.sim.Lock()
	defer r.sim.Unlock()
	r.mu.Lock()
	r.seq++
	id := fmt.Sprintf("sim-%d-%d", time.Now().UnixNano(), r.seq)
	r.mu.Unlock()
	now := r.now()
	ev := proactive.Event{ID: id, CustomerID: customerID, Time: now}
	switch what {
	case "cart":
		ev.Type, ev.Attributes = proactive.CartAbandoned, map[string]string{"item": "Trail Runner 2",
			"checkout_url": fmt.Sprintf("https://shop.example/checkout?cart=C-%d", 1000+r.seq)}
	case "expire":
		exp := now.Add(7 * day)
		plan := "plan"
		if r.shop != nil {
			plan = r.shop.expireOn(customerID, exp) + " plan"
		}
		ev.Type, ev.Attributes = proactive.SubscriptionExpiring, map[string]string{"plan": plan,
			"expires_at": exp.Format(time.RFC3339), "expires_on": exp.Format(time.DateOnly)} // written out in the reply's language (i18n.WithDates)
	case "order":
		ev.Type, ev.Attributes = proactive.OrderPlaced, map[string]string{"order_id": "A-2001", "item": "Trail Runner 2"}
	case "delivered":
		ev.Type, ev.Attributes = evOrderDelivered, map[string]string{"order_id": "A-2001"}
	case "delay":
		ev.Type, ev.Attributes = proactive.OrderDelayed, map[string]string{"order_id": "A-1001",
			"new_date": now.Add(3 * day).Format("Monday, January 2")}
	case "payment":
		ev.Type, ev.Attributes = proactive.PaymentFailed, map[string]string{"plan": "Monthly Plus plan",
			"update_url": "https://shop.example/account/card"}
	case "inactive":
		// The win-back audience is customers with no order for over 45
		// days: the shop's record says so first.
		if _, err := r.profiles.Update(ctx, customerID, func(p *custprofile.Profile) error {
			p.LastOrderDate = now.Add(-46 * day)
			return nil
		}); err != nil {
			return "", err
		}
		ev.Type, ev.Attributes = proactive.Inactivity, map[string]string{"days": "46"}
	case "churn":
		return r.churn.lapse(ctx, customerID)
	case "log":
		lines, err := r.report(ctx, customerID)
		if err != nil {
			return "", err
		}
		if len(lines) == 0 {
			return "Nothing held back.", nil
		}
		return "Held back:\n  " + strings.Join(lines, "\n  "), nil
	case "day":
		n, err := r.advance(ctx, day)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("The clock moved on a day (%d step(s) came due).", n), nil
	default:
		var names []string
		for _, s := range simulations {
			names = append(names, s.name+" ("+s.help+")")
		}
		return "", fmt.Errorf("unknown simulation %q; try %s", what, strings.Join(names, ", "))
	}
	if err := r.eng.Ingest(ctx, ev); err != nil {
		return "", err
	}
	// Steps due now (a service message, day -7) go at once.
	if _, err := r.advance(ctx, 0); err != nil {
		return "", err
	}
	return "Event " + ev.Type + " sent to the campaigns.", nil
}

// advance moves the simulated clock by d and fires every job due by then
// through the engine, in due order, as the scheduler would have.
func (r *retention) advance(ctx context.Context, d time.Duration) (int, error) {
	r.mu.Lock()
	r.skew += d
	r.mu.Unlock()
	h := r.eng.Jobs(r.bot)
	n := 0
	for range 100 { // a step held for quiet hours comes back due each round
		now := r.now()
		claims, err := r.jobs.Claim(ctx, now, now.Add(time.Minute), 16)
		if err != nil {
			return n, err
		}
		if len(claims) == 0 {
			return n, nil
		}
		for _, c := range claims {
			if c.Job.Kind != proactive.JobKind {
				continue
			}
			n++
			j := c.Job
			herr := h.HandleJob(ctx, &j)
			next := time.Time{}
			if herr != nil {
				next = time.Now().Add(time.Minute)
			}
			// A job the engine replaced (the next step) is no longer
			// this claim: that is expected.
			if err := r.jobs.Release(ctx, c, next); err != nil && !errors.Is(err, schedule.ErrLeaseLost) {
				return n, err
			}
			if herr != nil {
				return n, herr
			}
		}
	}
	return n, nil
}

// report lists what the policy held back for customerID, for the demo.
func (r *retention) report(ctx context.Context, customerID string) ([]string, error) {
	return r.heldSince(ctx, customerID, time.Time{})
}

// heldSince lists what the policy held back for customerID at or after
// since: the terminal says so after a simulation, so that a reminder
// held for quiet hours is not silently missing (qa12 F29).
func (r *retention) heldSince(ctx context.Context, customerID string, since time.Time) ([]string, error) {
	sup, err := r.eng.Suppressed(ctx, customerID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range sup {
		if s.Time.Before(since) {
			continue
		}
		line := s.Campaign
		if s.Step != "" {
			line += "/" + s.Step
		}
		line += ": " + string(s.Reason)
		if s.Detail != "" {
			line += " (" + s.Detail + ")"
		}
		if !s.Until.IsZero() {
			line += ", held until " + s.Until.Format("Mon 15:04 MST")
		}
		out = append(out, line)
	}
	return out, nil
}

// alreadyOptedOutText answers a STOP from a customer who said STOP on
// this channel before: the opt-out stands, and "Done" again would read
// as if the first had not worked.
const alreadyOptedOutText = "You're already unsubscribed: we won't send you reminders or offers. Type START if you ever want them back."

// optOut answers STOP with confirm (proactive.Engine.OptOut records it)
// or, for a customer already opted out on this channel, with
// alreadyOptedOutText.
func (r *retention) optOut(confirm parley.Message) parley.Handler {
	record := r.eng.OptOut(confirm)
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		already, err := r.optedOut(ctx, t)
		if err != nil {
			return err
		}
		if already {
			return w.Reply(ctx, parley.Text(alreadyOptedOutText))
		}
		return record.HandleTurn(ctx, w, t)
	})
}

// optedOut reports whether the turn's customer said STOP on its channel
// and has not opted back in: only a STOP turns this channel's service
// messages off (proactive.Policy.OptOut); "no" to tips does not.
func (r *retention) optedOut(ctx context.Context, t *parley.Turn) (bool, error) {
	p, err := r.profileOf(ctx, t)
	if p == nil || err != nil {
		return false, err
	}
	service, ok := p.ConsentOn(string(proactive.Service), t.Channel)
	if !ok || service.Granted {
		return false, nil
	}
	marketing, ok := p.ConsentOn(string(proactive.Marketing), t.Channel)
	return ok && !marketing.Granted, nil
}
