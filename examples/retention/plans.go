package main

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
	"github.com/parleyhq/parley/sentiment"
)

// This file is the shop's subscription plans: what they cost and
// include, the renewal flow (keep, switch, cancel, with the price and
// the date confirmed before anything changes), the win-back offer with
// its reason question and answers to the usual objections, undoing a
// cancellation while the plan is still active, complaints, and the
// discount codes the shop's messages give out.

// shopPlan is one of the shop's subscription plans.
type shopPlan struct {
	Name  string
	Price int    // dollars per Per
	Per   string // "month" or "year"
}

// The plans and their prices. The half-price win-back offer is Plus at
// halfPrice a month for three months.
var (
	basicPlan   = shopPlan{Name: "Monthly Basic", Price: 7, Per: "month"}
	plusPlan    = shopPlan{Name: "Monthly Plus", Price: 12, Per: "month"}
	annualPlan  = shopPlan{Name: "Annual Plus", Price: 115, Per: "year"}
	halfPrice   = plusPlan.Price / 2
	offerMonths = 3
)

// Plan names the shop records besides the plans themselves.
const (
	halfPricePlan = "Monthly Plus (50% off for 3 months)"
	cancelledPlan = "Cancelled at period end"
)

// plansText lists the plans, for "what plans do you have?".
var plansText = fmt.Sprintf("We have three plans: Monthly Basic at $%d a month (standard support), Monthly Plus at $%d a month "+
	"(priority support and members' prices) and Annual Plus at $%d a year (Plus for 20%% less than paying monthly).",
	basicPlan.Price, plusPlan.Price, annualPlan.Price)

// Answers to questions about plans (planQuestion).
var (
	pauseText    = fmt.Sprintf(`Plans can't be paused, sorry. What I can do: switch you to Monthly Basic at $%d a month, or cancel at the end of the period, with everything kept until then. Type "renew" to change your plan.`, basicPlan.Price)
	includedText = "Basic comes with standard support. Plus, monthly or annual, adds priority support and members' prices."
	annualText   = fmt.Sprintf("Annual Plus is $%d a year: 20%% less than 12 months of Monthly Plus at $%d ($%d).", annualPlan.Price, plusPlan.Price, 12*plusPlan.Price)
)

// Objections to the win-back offer, answered while it is open.
var (
	expensiveText = fmt.Sprintf("I understand. With the offer you'd pay $%d a month for the next %d months instead of $%d: $%d less. If that's still too much, Monthly Basic is $%d a month.",
		halfPrice, offerMonths, plusPlan.Price, offerMonths*(plusPlan.Price-halfPrice), basicPlan.Price)
	notUsingText = fmt.Sprintf("Then Monthly Basic may suit you better: $%d a month instead of $%d, with standard support, and you can switch back any time.", basicPlan.Price, plusPlan.Price)
)

// complaintText answers a complaint with no request in it ("I hate
// this", "your service is terrible").
// The escalation policy says sorry and offers a person when the mood is
// low: this asks what to put right.
const complaintText = "That's not how it should be. " + complaintAskText

// complaintAskText is complaintText without its word of empathy, when
// the escalation policy said one this turn.
const complaintAskText = "Tell me what went wrong and I'll do my best to put it right."

var (
	pausePattern    = regexp.MustCompile(`(?i)\b(pause|paus(ar|a)|freeze|congelar|on hold|suspend|suspender)`)
	includedPattern = regexp.MustCompile(`(?i)\b(includ|incluy|incluid|come with|comes with|benefit|ventaja|what do i get|what's in|what is in|qué tiene|que tiene)`)
	minePattern     = regexp.MustCompile(`(?i)\b(am i|i'?m paying|do i pay|will i pay|my plan|my subscription|i pay|mi plan|plan tengo|pago|estoy pagando|mi suscripci|charged|billed|charge me|bill me|cobr|next (payment|charge|bill))`)
	// billingPattern asks when the customer is charged next, or how
	// much: their own plan answers it (QA13 G45: "when do I get charged
	// next" got "Tell me what went wrong", "cuánto pago al mes" "No
	// estoy seguro").
	billingPattern   = regexp.MustCompile(`(?i)\b(when (do|will|am|would) i (get |be )?(charged|billed)|next (charge|payment|bill|billing|renewal)|when .{0,20}\b(charge|bill) me|how much (do|will|would) i (pay|be charged)|how much am i (paying|charged)|what do i pay|cu[aá]ndo me (cobr|van a cobr)|pr[oó]ximo (cobro|pago|cargo)|cu[aá]nto pago|cu[aá]nto me (cobr|van a cobr)|cu[aá]nto estoy pagando)`)
	annualPattern    = regexp.MustCompile(`(?i)\b(annual|yearly|a year|per year|anual|al año)`)
	cancelPattern    = regexp.MustCompile(`(?i)\bcancel`)
	notCancelPattern = regexp.MustCompile(`(?i)\b(don'?t|do not|not|no)\s+(want to\s+|quiero\s+)?cancel`)
	leavingPattern   = regexp.MustCompile(`(?i)\b(leav(e|ing)|quit(ting)?|go elsewhere|switch(ing)? to (a )?competitor|dejar(os|los)?|irme|darme de baja)\b`)
	pricePattern     = regexp.MustCompile(`(?i)(expensive|too (high|much)|can'?t afford|cost(s)? too|pricey|caro|caros|car[ií]simo|precio)`)
	unusedPattern    = regexp.MustCompile(`(?i)(don'?t use|do not use|not using|never use|barely use|hardly use|don'?t need|no longer need|no lo uso|no lo necesito|casi no lo uso|no uso)`)
)

// cancelSynonyms are the ways customers pick "Cancel my plan".
var cancelSynonyms = []string{"cancel plan", "end my plan", "cancelar mi plan", "cancelar el plan", "too expensive", "demasiado caro",
	"don't renew", "do not renew", "don't renew it", "don't want to renew", "do not want to renew", "no renovar", "no quiero renovar", "no lo renueves"}

// keepSynonyms are the ways customers pick "Keep it".
var keepSynonyms = []string{"renew", "keep my plan", "mantener", "mantener mi plan", "renovar"}

// renewalFlow is the plan flow: a reminder of the renewal date, then
// keep, switch (the new price and its start date confirmed first) or
// cancel (a reason asked once, an offer with its price, and the date the
// plan stays active until). A cancelled plan still active can be
// restored.
func renewalFlow(d deps) *flow.Builder {
	cost := func(p shopPlan) string { return fmt.Sprintf("$%d a %s", p.Price, p.Per) }
	return flow.New("renewal").Slots("code", "why", "until", "before", "confirm", "offer", "feature", "reason").Add(
		&flow.Branch{ID: "plan", Cases: append([]flow.Case{{Expr: `customer.plan == "` + cancelledPlan + `"`, Next: "undo"}}, entryCases()...), Else: "remind"},
		// A plan already cancelled does not "renew": no reminder and no
		// second offer; while it is still active it can be restored.
		&flow.Action{ID: "undo", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			c, ok := d.shop.customer(s.Turn.CustomerID)
			if !ok || c.PrevPlan == "" {
				return "ask_human", nil
			}
			if end, err := time.Parse(time.DateOnly, c.RenewalDate); err == nil && end.Before(d.shop.today()) {
				return "ended", nil
			}
			s.SetSlot("before", c.PrevPlan)
			return "", nil
		}, Routes: map[string]string{"ask_human": "ending", "ended": "ended"}, Next: "restore", OnError: "ending"},
		&flow.End{ID: "ending", Status: flow.Resolved, Text: []string{`Your plan is already cancelled and ends on {{customer.renewal_date | "your renewal date"}}. Changed your mind? Type "human" and a teammate will restore it.`}},
		&flow.End{ID: "ended", Status: flow.Resolved, Text: []string{`Your plan ended on {{customer.renewal_date | "its renewal date"}}, so I can't restore it here. Type "human" and a teammate will start a new one for you.`}},
		&flow.Choice{ID: "restore", Slot: "confirm", MaxAttempts: 1, OnFail: "not_restored",
			Prompt: []string{`Your plan is cancelled but still active until {{customer.renewal_date}}. Shall I restore it? Your {{slots.before}} plan would then renew on {{customer.renewal_date}} as before.`},
			Options: []flow.Option{
				{Title: "Yes, keep my plan", Payload: "yes", Synonyms: []string{"yes", "yes please", "keep it", "restore it", "sí", "si", "mantenerlo"}, Next: "restoring"},
				{Title: "No, leave it cancelled", Payload: "no", Synonyms: []string{"no", "no thanks", "leave it", "no, gracias"}, Next: "not_restored"},
			}},
		&flow.Action{ID: "restoring", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			return d.run(ctx, s, actChangePlan, planArgs{Plan: s.Slot("before")}, true)
		}, Routes: map[string]string{"refused": "refused"}, Next: "restored", OnError: "done"},
		&flow.End{ID: "restored", Status: flow.Resolved, Text: []string{`Done: your {{slots.before}} plan is back and renews on {{customer.renewal_date}} as before.`}},
		&flow.End{ID: "not_restored", Status: flow.Resolved, Text: []string{`OK, your plan stays cancelled and active until {{customer.renewal_date}}.`}},

		&flow.Say{ID: "remind", Text: []string{`Your {{customer.plan | "current"}} plan renews on {{customer.renewal_date | "your renewal date"}}.`}, Next: "intent"},
		// "I want to cancel my plan" and "I'm thinking of leaving" go
		// straight to the reason question; "it's too expensive" and "I
		// don't use it" have given their reason already.
		&flow.Branch{ID: "intent", Cases: []flow.Case{
			{If: func(s *flow.Scope) bool {
				text := s.Turn.Text()
				return (cancelPattern.MatchString(text) && !notCancelPattern.MatchString(text)) || leavingPattern.MatchString(text)
			}, Next: "winback"},
			{If: func(s *flow.Scope) bool { return pricePattern.MatchString(s.Turn.Text()) }, Next: "price"},
			{If: func(s *flow.Scope) bool { return unusedPattern.MatchString(s.Turn.Text()) }, Next: "unused"},
			// "stop my plan", "how do I stop the renewal?": asked, as
			// "cancel" to the reminder is.
			{If: func(s *flow.Scope) bool { return stopPlanSaid(campaignWords(s.Turn.Text())) }, Next: "cancel_ask"},
		}, Else: "which"},
		// "cancel" to the renewal reminder may mean the plan or "stop
		// this": asked before the cancellation starts (qa12 F51).
		&flow.Choice{ID: "cancel_ask", Slot: "confirm", MaxAttempts: 1, OnFail: "undecided",
			Prompt: []string{`Do you want to cancel your {{customer.plan | "current"}} plan?`},
			Options: []flow.Option{
				{Title: "Yes, cancel my plan", Payload: "yes", Synonyms: []string{"yes", "yes please", "cancel it", "cancel my plan", "sí", "si", "cancélalo", "cancelar mi plan"}, Next: "winback"},
				{Title: "No, keep it", Payload: "no", Synonyms: []string{"no", "no thanks", "keep it", "keep my plan", "no, gracias", "mantenerlo", "mantener mi plan"}, Next: "kept"},
			}},
		// On the annual plan the switch goes the other way.
		&flow.Branch{ID: "which", Cases: []flow.Case{{Expr: `customer.plan matches "(?i)annual"`, Next: "ask_annual"},
			{Expr: `customer.plan == "` + basicPlan.Name + `"`, Next: "ask_basic"}}, Else: "ask"},
		&flow.Choice{ID: "ask_annual", Prompt: []string{"What would you like to do?"}, Options: []flow.Option{
			{Title: "Keep it", Payload: "keep", Synonyms: keepSynonyms, Next: "kept"},
			{Title: "Switch to monthly", Payload: "monthly", Synonyms: []string{"monthly", "mensual", "plan mensual"}, Next: "to_monthly"},
			{Title: "Cancel my plan", Payload: "cancel_plan", Synonyms: cancelSynonyms, Next: "winback"},
		}, OnFail: "kept"},
		// A switch says the new price and when it starts, and asks.
		&flow.Choice{ID: "to_monthly", Slot: "confirm", MaxAttempts: 1, OnFail: "unchanged",
			Prompt:  []string{fmt.Sprintf(`Shall I switch you to Monthly Plus, at $%d a month from {{customer.renewal_date | "your next renewal"}}?`, plusPlan.Price)},
			Options: confirmSwitch("monthly", []string{"annual", "keep annual", "stay annual", "anual"})},
		&flow.Action{ID: "monthly", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			return d.run(ctx, s, actChangePlan, planArgs{Plan: plusPlan.Name}, true)
		}, Routes: map[string]string{"refused": "refused"}, Next: "monthly_ok", OnError: "done"},
		&flow.End{ID: "monthly_ok", Status: flow.Resolved, Text: []string{fmt.Sprintf(`Done: you're on Monthly Plus from {{customer.renewal_date | "your next renewal"}}, at %s.`, cost(plusPlan))}},
		&flow.Choice{ID: "ask", Prompt: []string{"What would you like to do?"}, Options: []flow.Option{
			{Title: "Keep it", Payload: "keep", Synonyms: keepSynonyms, Next: "kept"},
			{Title: "Switch to annual (save 20%)", Payload: "annual", Synonyms: []string{"annual", "yearly", "anual", "plan anual"}, Next: "to_annual"},
			{Title: "Cancel my plan", Payload: "cancel_plan", Synonyms: cancelSynonyms, Next: "winback"},
		}, OnFail: "kept"},
		&flow.End{ID: "kept", Status: flow.Resolved, Text: []string{"Great, nothing to do: your plan renews automatically."}},
		// On Basic the annual plan saves nothing: it is Plus, for more
		// than Basic costs a year. The question says so before the
		// customer agrees ("save 20%" was 20% off Monthly Plus, which a
		// Basic customer does not pay: qa13 G32).
		&flow.Choice{ID: "ask_basic", Prompt: []string{"What would you like to do?"}, Options: []flow.Option{
			{Title: "Keep it", Payload: "keep", Synonyms: keepSynonyms, Next: "kept"},
			{Title: fmt.Sprintf("Switch to Annual Plus ($%d a year)", annualPlan.Price), Payload: "annual", Synonyms: []string{"annual", "yearly", "anual", "plan anual"}, Next: "to_annual_basic"},
			{Title: "Cancel my plan", Payload: "cancel_plan", Synonyms: cancelSynonyms, Next: "winback"},
		}, OnFail: "kept"},
		&flow.Choice{ID: "to_annual_basic", Slot: "confirm", MaxAttempts: 1, OnFail: "unchanged",
			Prompt: []string{fmt.Sprintf(`Shall I switch you to Annual Plus, at $%d a year from {{customer.renewal_date | "your next renewal"}}? That's $%d a year more than Monthly Basic at $%d a month, for priority support and members' prices.`,
				annualPlan.Price, annualPlan.Price-12*basicPlan.Price, basicPlan.Price)},
			Options: confirmSwitch("annual", []string{"monthly", "keep monthly", "stay monthly", "mensual", "basic", "keep basic", "básico"})},
		&flow.Choice{ID: "to_annual", Slot: "confirm", MaxAttempts: 1, OnFail: "unchanged",
			Prompt: []string{fmt.Sprintf(`Shall I switch you to Annual Plus, at $%d a year from {{customer.renewal_date | "your next renewal"}} (20%% less than 12 months at $%d)?`,
				annualPlan.Price, plusPlan.Price)},
			Options: confirmSwitch("annual", []string{"monthly", "keep monthly", "stay monthly", "mensual"})},
		&flow.Action{ID: "annual", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			return d.run(ctx, s, actChangePlan, planArgs{Plan: annualPlan.Name}, true)
		}, Routes: map[string]string{"refused": "refused"}, Next: "annual_ok", OnError: "done"},
		&flow.End{ID: "annual_ok", Status: flow.Resolved, Text: []string{fmt.Sprintf(`Done: you're on Annual Plus from {{customer.renewal_date | "your next renewal"}}, at %s.`, cost(annualPlan))}},
		// A change of mind to Basic while cancelling (changeOfMind):
		// its price and start date confirmed first, as the other switches.
		&flow.Choice{ID: "to_basic", Slot: "confirm", MaxAttempts: 1, OnFail: "unchanged",
			Prompt:  []string{fmt.Sprintf(`Shall I switch you to Monthly Basic, at $%d a month from {{customer.renewal_date | "your next renewal"}}?`, basicPlan.Price)},
			Options: confirmSwitch("basic", []string{"plus", "keep plus", "stay on plus", "monthly plus"})},
		&flow.End{ID: "unchanged", Status: flow.Resolved, Text: []string{`OK, I haven't changed anything: you stay on {{customer.plan | "your plan"}}.`}},

		// The regret is said once; the offer is then the question, asked
		// again as it is after a question in between or an objection
		// ("it's too expensive"). "Cancel it, it's too expensive" has
		// said why, and the offer follows on from it.
		&flow.Say{ID: "winback", Text: []string{"Sorry to see you go."}, Next: "reason_given"},
		&flow.Branch{ID: "reason_given", Cases: []flow.Case{
			{If: func(s *flow.Scope) bool { return pricePattern.MatchString(s.Turn.Text()) }, Next: "offer_until"},
			{If: func(s *flow.Scope) bool { return unusedPattern.MatchString(s.Turn.Text()) }, Next: "unused"},
		}, Else: "reason"},
		// No reason given: asked once, and the answer picks the offer (the
		// price: half price; not used: Basic first; a missing feature:
		// noted for the team). Any other answer is a reason too: the
		// offer follows, never the question again.
		&flow.Choice{ID: "reason", Slot: "reason", Prompt: []string{"Can I ask why you're leaving?"}, MaxAttempts: 1, OnFail: "reason_typed",
			Options: []flow.Option{
				{Title: "Too expensive", Payload: "price", Synonyms: []string{"expensive", "price", "the price", "cost", "caro", "demasiado caro", "precio"}, Next: "price"},
				{Title: "Don't use it", Payload: "unused", Synonyms: []string{"don't use it", "not using it", "i don't use it", "no lo uso", "no lo uso mucho"}, Next: "unused"},
				{Title: "Missing feature", Payload: "feature", Synonyms: []string{"feature", "a feature", "missing a feature", "le falta algo", "falta una función"}, Next: "feature"},
				{Title: "Other", Payload: "other", Synonyms: []string{"other", "something else", "another reason", "otro", "otra cosa", "otro motivo",
					"no", "nope", "no thanks", "rather not say", "i'd rather not say", "prefer not to say", "no, gracias", "prefiero no decirlo"}, Next: "offer_until"},
			}},
		&flow.Branch{ID: "reason_typed", Cases: []flow.Case{
			{If: func(s *flow.Scope) bool { return pricePattern.MatchString(s.Turn.Text()) }, Next: "price"},
			{If: func(s *flow.Scope) bool { return unusedPattern.MatchString(s.Turn.Text()) }, Next: "unused"},
		}, Else: "offer_until"},
		&flow.Ask{ID: "feature", Slot: "feature", Prompt: []string{"What's missing for you? I'll pass it on to the team."}, MaxAttempts: 1, OnFail: "offer_until", Next: "note_feature"},
		&flow.Action{ID: "note_feature", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			_, err := d.act.call(ctx, s, actTicket, ticketArgs{Subject: "Missing feature (customer cancelling their plan)",
				Body: "The customer is cancelling their plan and said this is missing: " + s.Slot("feature")}, false)
			return "", err
		}, Next: "noted", OnError: "offer_until"},
		&flow.Say{ID: "noted", Text: []string{"Thank you: I've passed it on to the team."}, Next: "offer_until"},
		&flow.Say{ID: "price", Text: []string{"I hear you on the price: here's what I can do."}, Next: "offer_until"},
		&flow.Branch{ID: "unused", Cases: []flow.Case{{Expr: `customer.plan == "` + basicPlan.Name + `"`, Next: "offer_until"}}, Else: "unused_say"},
		&flow.Say{ID: "unused_say", Text: []string{notUsingText}, Next: "offer_until"},
		&flow.Action{ID: "offer_until", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			s.SetSlot("until", offerEnd(s.Customer()["renewal_date"], d.shop.today()))
			if s.Customer()["plan"] == basicPlan.Name {
				return "basic", nil
			}
			return "", nil
		}, Routes: map[string]string{"basic": "offer_basic"}, Next: "offer", OnError: "offer"},
		&flow.Choice{ID: "offer", Slot: "offer", OnFail: "undecided",
			Prompt: []string{fmt.Sprintf("Would %d months of Plus at half price change your mind? You'd pay $%d a month until {{slots.until}}, then $%d: $%d less.",
				offerMonths, halfPrice, plusPlan.Price, offerMonths*(plusPlan.Price-halfPrice))},
			Options: []flow.Option{
				{Title: "Yes, I'll stay", Payload: "stay", Next: "stay"},
				{Title: "No, cancel", Payload: "cancel_anyway", Synonyms: cancelAnyway, Next: "cancelled"},
				{Title: fmt.Sprintf("Switch to Basic ($%d a month)", basicPlan.Price), Payload: "basic", Synonyms: []string{"basic", "switch to basic", "básico", "el básico"}, Next: "basic"},
			}},
		// Basic customers are offered Plus at half price, for less than
		// they pay now, and told what Plus costs after (qa13 G32: it was
		// said only once they had said yes).
		&flow.Choice{ID: "offer_basic", Slot: "offer", OnFail: "undecided",
			Prompt: []string{fmt.Sprintf("Would %d months of Plus at half price change your mind? You'd pay $%d a month until {{slots.until}}, less than Basic's $%d, with priority support and members' prices; after that, Plus is $%d a month.",
				offerMonths, halfPrice, basicPlan.Price, plusPlan.Price)},
			Options: []flow.Option{
				{Title: "Yes, I'll stay", Payload: "stay", Next: "stay"},
				{Title: "No, cancel", Payload: "cancel_anyway", Synonyms: cancelAnyway, Next: "cancelled"},
			}},
		// Never cancel on answers we could not read.
		&flow.End{ID: "undecided", Status: flow.Unresolved, Text: []string{"I've left your plan as it is. Say \"cancel my plan\" whenever you're sure, or \"human\" to talk it over with a person."}},
		&flow.Action{ID: "stay", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			return d.run(ctx, s, actChangePlan, planArgs{Plan: halfPricePlan}, true)
		}, Routes: map[string]string{"refused": "refused"}, Next: "stayed", OnError: "done"},
		&flow.End{ID: "stayed", Status: flow.Resolved, Text: []string{fmt.Sprintf("Wonderful! Half price is applied: you pay $%d a month until {{slots.until}}, then $%d a month.", halfPrice, plusPlan.Price)}},
		&flow.Action{ID: "basic", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			return d.run(ctx, s, actChangePlan, planArgs{Plan: basicPlan.Name}, true)
		}, Routes: map[string]string{"refused": "refused"}, Next: "basic_ok", OnError: "done"},
		&flow.End{ID: "basic_ok", Status: flow.Resolved, Text: []string{fmt.Sprintf(`Done: you're on Monthly Basic from {{customer.renewal_date | "your next renewal"}}, at %s.`, cost(basicPlan))}},
		&flow.Action{ID: "cancelled", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			return d.run(ctx, s, actChangePlan, planArgs{Plan: cancelledPlan}, true)
		}, Routes: map[string]string{"refused": "refused"}, Next: "code", OnError: "done"},
		// Win-back: a code for when they come back.
		&flow.Action{ID: "code", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			res, err := d.act.call(ctx, s, actDiscount, discountArgs{Percent: 20, Reason: "win-back after cancellation"}, false)
			if err != nil {
				return "none", nil // the cancellation stands; the code is a bonus
			}
			var c discountCode
			if err := json.Unmarshal(res.Output, &c); err != nil {
				return "none", nil
			}
			s.SetSlot("code", c.Code)
			return "", nil
		}, Routes: map[string]string{"none": "bye_nocode"}, Next: "bye", OnError: "bye_nocode"},
		&flow.End{ID: "bye", Status: flow.Resolved, Text: []string{`Your plan is cancelled: it stays active until {{customer.renewal_date | "the end of the period"}}, with no further charge. If you change your mind, code {{slots.code}} takes 20% off when you come back.`}},
		&flow.End{ID: "bye_nocode", Status: flow.Resolved, Text: []string{`Your plan is cancelled: it stays active until {{customer.renewal_date | "the end of the period"}}, with no further charge. You can come back any time.`}},
		&flow.End{ID: "refused", Status: flow.Unresolved, Text: []string{"{{slots.why}}"}},
		&flow.End{ID: "done", Status: flow.Unresolved},
	)
}

// renewalEntryKey names the node the renewal flow starts at for a turn
// that said where it goes: "intent" for a reply to the renewal reminder,
// which said the date already, "cancel_ask" for "cancel" to it
// (campaignreply.go), a switch or "kept" for a change of mind
// while cancelling (changeOfMind). Without it the flow reminds of the
// date first.
var renewalEntryKey = parley.NewKey[string]("retention.renewal_entry")

// renewalEntries are the nodes renewalEntryKey may name.
var renewalEntries = []string{"intent", "cancel_ask", "to_annual", "to_monthly", "to_basic", "kept"}

// entryCases are the renewal flow's first cases: the node the turn's
// renewalEntryKey names.
func entryCases() []flow.Case {
	var cs []flow.Case
	for _, node := range renewalEntries {
		cs = append(cs, flow.Case{If: func(s *flow.Scope) bool {
			v, ok := parley.Value(s.Turn, renewalEntryKey)
			return ok && v == node
		}, Next: node})
	}
	return cs
}

// Plans named in a change of mind (planChoice), and the words of one.
var (
	annualWords    = regexp.MustCompile(`(?i)\b(annual|yearly|a year|per year|anual|al año|al ano|por año)`)
	basicWords     = regexp.MustCompile(`(?i)\b(basic|b[aá]sico|cheaper plan|plan m[aá]s barato)\b`)
	monthlyWords   = regexp.MustCompile(`(?i)\b(monthly|mensual|pay monthly|pagar al mes|plus)\b`)
	switchWords    = regexp.MustCompile(`(?i)\b(switch|change|move|go|go for|rather|prefer|instead|try|downgrade|upgrade|put me|give me|how about|what about|c[aá]mbi\w*|p[aá]sa\w*|prefiero|prefer[ií]a|mejor|en vez|en lugar|me quedo con|qu[eé] tal|y si)\b`)
	keepWords      = regexp.MustCompile(`(?i)\b(i'?ll keep|i will keep|i'?d rather keep|i want to keep|let me keep|keep (it|my plan|the plan|my subscription)|i'?ll stay|i will stay|i'?m staying|stay on my plan|me quedo( con mi plan| con el plan)?$|mejor me quedo|lo mantengo|mantenerlo|mantener mi plan|sigo con (mi|el) plan)\b`)
	ifWords        = regexp.MustCompile(`(?i)\b(if|unless|only if|as long as|siempre que|a menos que)\b`)
	notChangeWords = regexp.MustCompile(`(?i)\b(how much|what is|what's|cu[aá]nto|qu[eé] (es|incluye))\b`)
)

// planChoice reads a change of mind while the plan is being cancelled
// ("actually no, I'd rather switch to annual", "mejor pásame al
// básico", "actually I'll keep it"): the renewal flow's node for it, or
// "" for none. A plan the customer is on already (plan) is kept. A
// question about a plan ("how much is annual?") is no change of mind.
func planChoice(text, plan string) string {
	if len(text) > 200 || notChangeWords.MatchString(text) {
		return ""
	}
	onAnnual := strings.Contains(strings.ToLower(plan), "annual")
	switch {
	case keepWords.MatchString(text) && !ifWords.MatchString(text): // "I'll stay if it's cheaper" is a reason
		return "kept"
	case !switchWords.MatchString(text):
		return ""
	case annualWords.MatchString(text):
		if onAnnual {
			return "kept"
		}
		return "to_annual"
	case basicWords.MatchString(text):
		if plan == basicPlan.Name {
			return "kept"
		}
		return "to_basic"
	case monthlyWords.MatchString(text) && onAnnual:
		return "to_monthly"
	}
	return ""
}

// cancelQuestions are the questions of the cancellation (the reason, the
// win-back offer, "Do you want to cancel?"; not "What's missing?", whose
// answer may name a plan), at which a change of mind to another
// plan leaves the cancellation for it (qa12 F8: "actually no, I'd rather
// switch to annual" at the reason question was read as the reason
// "Other" and the offer followed).
var cancelQuestions = map[string]bool{"renewal/reason": true, "renewal/offer": true,
	"renewal/offer_basic": true, "renewal/cancel_ask": true}

// changeOfMind is the middleware that reads a change of mind while the
// plan is being cancelled: the cancellation stops and the renewal flow
// starts at the switch (its price confirmed first) or keeps the plan. At
// the win-back offer, whose "Yes, I'll stay" and "Switch to Basic" are
// its own options, only a switch it does not offer (to annual) is one.
func changeOfMind(s *shop, e *flow.Engine) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			q, open := dialog.OpenQuestion(t)
			if t.Signal != nil || !open || q.Owner != flow.DefaultOwner || !cancelQuestions[q.ID] {
				return next.HandleTurn(ctx, w, t)
			}
			if _, cmd := parley.Value(t, dialog.CommandKey); cmd {
				return next.HandleTurn(ctx, w, t)
			}
			c, _ := s.customer(t.CustomerID)
			node := planChoice(t.Text(), c.Plan)
			offer := q.ID == "renewal/offer" || q.ID == "renewal/offer_basic"
			if node == "" || (offer && node != "to_annual" && node != "to_monthly") || (q.ID == "renewal/cancel_ask" && node == "kept") {
				return next.HandleTurn(ctx, w, t)
			}
			if err := e.Cancel("").HandleTurn(ctx, w, t); err != nil {
				return err
			}
			return e.Starter("renewal").HandleTurn(ctx, w, parley.With(t, renewalEntryKey, node))
		})
	}
}

// confirmSwitch are the options of the question that confirms a switch
// to plan next ("annual" or "monthly", its step); stay are the words of
// a customer who keeps the plan they have ("actually, monthly").
func confirmSwitch(next string, stay []string) []flow.Option {
	return []flow.Option{
		{Title: "Yes, switch", Payload: "yes", Synonyms: []string{"yes", "yes please", "switch", "ok", "sure", "sí", "si", "vale", "cámbialo"}, Next: next},
		{Title: "No, keep my plan", Payload: "no", Synonyms: append([]string{"no", "no thanks", "keep it", "keep my plan", "no, gracias"}, stay...), Next: "unchanged"},
	}
}

// offerEnd returns the day the half-price months end (2006-01-02): three
// months from the renewal date, or from today without one.
func offerEnd(renewal string, today time.Time) string {
	from, err := time.Parse(time.DateOnly, renewal)
	if err != nil {
		from = today
	}
	return from.AddDate(0, offerMonths, 0).Format(time.DateOnly)
}

// planRoutes mounts the plan questions, the objections to the win-back
// offer, complaints and discount codes on the router. Answers given
// while a form asks something are followed by its question again.
func planRoutes(r *intent.Router, e *flow.Engine, s *shop) {
	renew := e.Starter("renewal")
	r.HandleFunc("plan_info", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return answer(ctx, w, t, s.planAnswer(t.CustomerID, t.Text())...)
	})
	// "It's too expensive" while the offer is open is an objection to
	// it; said out of the blue it is where a save starts.
	// At "Can I ask why you're leaving?" it is the answer: the option
	// reason names, as if tapped.
	objection := func(text, reason string) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			q, open := dialog.OpenQuestion(t)
			if open && q.Owner == flow.DefaultOwner && q.ID == "renewal/reason" {
				tapped := *t
				tapped.Message.Text = reason
				return e.HandleTurn(ctx, w, &tapped)
			}
			if open && strings.HasPrefix(q.ID, "renewal/") {
				return answer(ctx, w, t, text)
			}
			return renew.HandleTurn(ctx, w, t)
		})
	}
	r.Handle("too_expensive", objection(expensiveText, "price"))
	r.Handle("not_using", objection(notUsingText, "unused"))
	r.HandleFunc("promo_code", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return answer(ctx, w, t, s.codeAnswer(t.CustomerID, t.Text()))
	})
}

// codeWords name a discount code, or look like one ("SAVE20").
var codeWords = regexp.MustCompile(`(?i)\b(?:code|codes|coupon|discount|promo|voucher|cup[oó]n|c[oó]digo|descuento)\b|\b[A-Z]{3,}[0-9]+\b`)

// notACode keeps "doesn't work" at a form's question ("How much should I
// refund for the lamp?") from the discount-code answer (QA12 F2: "You
// have no open discount codes with us"): without a word for a code it is
// about the item, so the form has the turn, and says what it needs.
func notACode(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		u, ok := parley.Value(t, nlu.UnderstandingKey)
		if !ok || u.Intent.Name != "promo_code" || codeWords.MatchString(t.Text()) {
			return next.HandleTurn(ctx, w, t)
		}
		if q, open := dialog.OpenQuestion(t); !open || q.Owner != flow.DefaultOwner || q.Policy != dialog.Resume {
			return next.HandleTurn(ctx, w, t)
		}
		u.Status, u.Intent = nlu.Unsure, nlu.Intent{}
		return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
	})
}

// complaints answers an unhappy message the intents cannot place ("I
// hate this", "your service is terrible", "this shop has gone
// downhill"), which got "didn't get that", the menu or a help-centre
// answer close to none of it: the escalation policy around it says sorry
// and offers a person; this asks what to put right. A form's question
// keeps its turn; the menu, an offer or a feedback question gives way. A
// complaint that follows another is answered too, in other words.
func complaints(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if sig := t.Signal; sig != nil && sig.Name == dialog.SignalResume {
			return askAfterDecline(ctx, w, t, next)
		}
		if !unplacedComplaint(t) {
			return next.HandleTurn(ctx, w, t)
		}
		q, open := dialog.OpenQuestion(t)
		if open && !isMenu(q) && q.Policy == dialog.Resume {
			return next.HandleTurn(ctx, w, t) // a form's question keeps its turn
		}
		s := t.Session()
		if s == nil {
			return next.HandleTurn(ctx, w, t)
		}
		at, asked, err := complainedKey.Get(s)
		if err != nil {
			return err
		}
		// A complaint in a row is a complaint too (it got the menu, or
		// "didn't get that"), but not the same words again.
		text := complaintText
		switch {
		case asked && s.Turns-at < complaintGap:
			text = complaintAgainText
		case escalation.Empathized(t):
			// The escalation policy said sorry this turn: one word of
			// empathy is enough; this asks what to put right.
			text = complaintAskText
		}
		if err := complainedKey.Set(s, s.Turns); err != nil {
			return err
		}
		if open {
			// The menu, or an offer or feedback question the complaint
			// passed by: dropped, as its policy says.
			dialog.CloseQuestion(t)
		}
		// Asking what went wrong is a clarification: when the escalation
		// policy offers a person this turn, its offer takes the place of
		// this question (one question per turn, QA12 F13), which follows
		// if the customer declines (askAfterDecline).
		if err := dialog.Report(t, dialog.NotUnderstood); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text(text))
	})
}

// askAfterDecline handles the turn the escalator passes on when the
// customer declined its offer of a person: a form the offer paused asks
// again (the router); otherwise, if the offer answered a complaint in the
// turn before, in place of asking what went wrong, that is asked now.
func askAfterDecline(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, next parley.Handler) error {
	cw := &countingWriter{ReplyWriter: w}
	if err := next.HandleTurn(ctx, cw, t); err != nil || cw.n > 0 {
		return err
	}
	s := t.Session()
	if s == nil || !plainNo(t) { // angry.go: "never mind" drops the matter
		return nil
	}
	if at, ok, err := complainedKey.Get(s); err != nil || !ok || at != s.Turns-1 {
		return err
	}
	if err := complainedKey.Set(s, s.Turns); err != nil {
		return err
	}
	return w.Reply(ctx, parley.Text(complaintAskText))
}

// countingWriter counts the replies written through it.
type countingWriter struct {
	parley.ReplyWriter
	n int
}

// Reply implements [parley.ReplyWriter].
func (c *countingWriter) Reply(ctx context.Context, m parley.Message) error {
	c.n++
	return c.ReplyWriter.Reply(ctx, m)
}

// Unwrap returns the writer c wraps.
func (c *countingWriter) Unwrap() parley.ReplyWriter { return c.ReplyWriter }

// complaintAgainText answers a complaint that follows another within
// complaintGap turns: what to tell the bot, and the way to a person.
const complaintAgainText = `I really do want to fix this. Is it about an order, a refund or your plan? Tell me and I'll sort it out, or type "human" to talk to a person from our team.`

// complainedKey holds the turn at which complaints last answered;
// complaintGap is how many turns pass before a complaint is no longer one
// in a row and hears complaintText again.
var complainedKey = memory.NewStateKey[int]("retention.complained")

const complaintGap = 5

// unplacedComplaint reports whether t is a customer's negative message
// that no intent understood.
func unplacedComplaint(t *parley.Turn) bool {
	if _, cmd := parley.Value(t, dialog.CommandKey); cmd || t.Signal != nil || understood(t) {
		return false
	}
	if complaintPattern.MatchString(t.Text()) {
		return true
	}
	m, ok := parley.Value(t, nlu.MoodKey)
	return ok && m.Label == string(sentiment.Negative)
}

// complaintPattern finds complaints the mood may read as neutral ("this
// shop has gone downhill").
var complaintPattern = regexp.MustCompile(`(?i)\b(gone downhill|hate (this|you|it)|terrible|awful|horrible|worst|useless|rubbish|disappointed|fed up|unhappy|not happy|odio|fatal|horrible|p[eé]simo|harto|harta|decepcionad[oa]|ha ido a peor)\b`)

// planIntents are the intents the renewal flow serves between them: it
// reads the reason from the text.
var planIntents = map[string]bool{"renew_plan": true, "too_expensive": true, "not_using": true}

// planReasons reads a message torn between wanting to cancel and saying
// why ("I don't use it enough, cancel my plan": "Did you mean: Renew my
// plan / Renew my plan?") as the renewal request it is. It goes after
// the understander.
func planReasons(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		u, ok := parley.Value(t, nlu.UnderstandingKey)
		if ok && u.Status == nlu.Ambiguous && len(u.Ranked) >= 2 && planIntents[u.Ranked[0].Name] && planIntents[u.Ranked[1].Name] {
			u.Status, u.Intent = nlu.Understood, nlu.Intent{Name: "renew_plan", Confidence: u.Ranked[0].Confidence}
			t = parley.With(t, nlu.UnderstandingKey, u)
		}
		return next.HandleTurn(ctx, w, t)
	})
}

// answer replies with texts and reports the turn resolved.
func answer(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, texts ...string) error {
	if err := dialog.Report(t, dialog.Resolved); err != nil {
		return err
	}
	for _, text := range texts {
		if err := w.Reply(ctx, parley.Text(text)); err != nil {
			return err
		}
	}
	return nil
}

// planAnswer answers a question about plans from the plans above and the
// customer's own plan.
func (s *shop) planAnswer(customerID, text string) []string {
	c, ok := s.customer(customerID)
	switch {
	case pausePattern.MatchString(text):
		return []string{pauseText}
	case includedPattern.MatchString(text):
		return []string{includedText}
	case ok && minePattern.MatchString(text):
		return []string{s.ownPlan(c)}
	case annualPattern.MatchString(text):
		return []string{annualText}
	}
	if !ok {
		return []string{plansText}
	}
	return []string{plansText, s.ownPlan(c)}
}

// ownPlan says what customer c pays and when their plan renews.
func (s *shop) ownPlan(c customer) string {
	switch c.Plan {
	case cancelledPlan:
		return fmt.Sprintf("Your plan is cancelled: it stays active until %s, with no further charge.", c.RenewalDate)
	case halfPricePlan:
		return fmt.Sprintf("You're on Monthly Plus at half price: $%d a month until %s, then $%d a month.", halfPrice, c.OfferUntil, plusPlan.Price)
	}
	for _, p := range []shopPlan{basicPlan, plusPlan, annualPlan} {
		if p.Name == c.Plan {
			return fmt.Sprintf("You're on %s at $%d a %s. It renews on %s.", p.Name, p.Price, p.Per, c.RenewalDate)
		}
	}
	return fmt.Sprintf("You're on %s. It renews on %s.", c.Plan, c.RenewalDate)
}

// codePattern finds a discount code in a message: letters then digits,
// as the shop's codes are written (STAY10-0001) and as campaigns print
// others (WINBACK20).
var codePattern = regexp.MustCompile(`\b[A-Za-z]{3,}\d{1,3}(?:-\d{4})?\b`)

// codeAnswer answers a question about a discount code: the code named,
// or the customer's own codes.
func (s *shop) codeAnswer(customerID, text string) string {
	named := strings.ToUpper(codePattern.FindString(text))
	mine := s.codesOf(customerID)
	for _, c := range mine {
		if c.Code == named {
			return fmt.Sprintf(`%s is your code for %d%% off your next order. Enter it at checkout, in the "Discount code" box, exactly as written; it works once, before the date in the message that sent it. If it still isn't accepted, type "human" and a teammate will check it.`, c.Code, c.Percent)
		}
	}
	var list []string
	for _, c := range mine {
		list = append(list, fmt.Sprintf("%s (%d%%)", c.Code, c.Percent))
	}
	switch {
	case named != "" && len(list) > 0:
		return fmt.Sprintf(`I can't find a code %s on your account. Your codes: %s. Codes work once, typed exactly as sent; type "human" if a teammate should check it.`, named, strings.Join(list, ", "))
	case named != "":
		return fmt.Sprintf(`I can't find a code %s on your account, and you have no open codes with us. Check it's typed exactly as sent, or type "human" and a teammate will look into it.`, named)
	case len(list) > 0:
		return fmt.Sprintf(`Your codes: %s. Enter one at checkout, in the "Discount code" box, exactly as written; each works once. If it still isn't accepted, type "human" and a teammate will check it.`, strings.Join(list, ", "))
	}
	return `You have no open discount codes with us. If a message of ours gave you one, tell me the code, or type "human" and a teammate will check it.`
}

// customer returns customer id's record.
func (s *shop) customer(id string) (customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.customers[id]
	return c, ok
}

// codesOf returns the discount codes given to customer id.
func (s *shop) codesOf(id string) []discountCode {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []discountCode
	for _, c := range s.codes {
		if c.Customer == id {
			out = append(out, c)
		}
	}
	return out
}

// today is the shop's today: the day its demo data is dated from.
func (s *shop) today() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.day
}

// cancelAnyway are answers to the win-back offer that cancel all the
// same: "yes, cancel it" got the half price of "Yes, I'll stay" from its
// "yes" (QA13 G1).
var cancelAnyway = []string{"cancel", "cancel it", "cancel my plan", "just cancel", "cancel anyway", "cancelar", "cancelalo", "cancélalo", "cancela"}

// billingQuestions reads a question about the customer's next charge or
// what they pay ("when do I get charged next", "¿cuánto pago al mes?") as
// a question about their plan, which their plan answers, whatever the
// intents made of it.
func billingQuestions(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		u, ok := parley.Value(t, nlu.UnderstandingKey)
		if !ok || t.Signal != nil || len(strings.Fields(t.Text())) > 15 || !billingPattern.MatchString(t.Text()) {
			return next.HandleTurn(ctx, w, t)
		}
		u.Status, u.Intent = nlu.Understood, nlu.Intent{Name: "plan_info", Confidence: 0.9}
		return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
	})
}
