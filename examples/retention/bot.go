package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/sentiment"
)

var orderPattern = regexp.MustCompile(`(?i)\bA-?\d{4}\b`)

// deps are what the bot needs from the application.
type deps struct {
	shop    *shop
	handoff dialog.HandOffer
	act     *actions
	extra   []*flow.Builder  // the campaigns' flows (campaigns.go)
	hours   escalation.Hours // the team's: call-backs are booked within them (callback.go)
	// greeted tells how to greet a customer: new, again in their first
	// conversation, or back (greeting.go).
	greeted func(ctx context.Context, customerID string) (string, error)
}

// newEngine builds the shop's flows, the complete set: a greeting menu,
// order status, returns and refunds, plan renewal with a win-back offer,
// address changes, call-backs, and feedback.
func newEngine(d deps) (*flow.Engine, error) {
	builders := []*flow.Builder{mainFlow(d), menuFlow(), feedbackFlow(), orderFlow(d), refundFlow(d), renewalFlow(d), nudgeFlow(), addressFlow(d), callbackFlow(d), cancelOrderFlow(d)}
	builders = append(builders, d.extra...)
	builders = append(builders, careFlows(d)...) // care.go: damaged and missing parcels
	return flow.NewEngine(builders, flow.WithProfiles(d.shop), flow.WithHandOffer(d.handoff), flow.WithTone(toneOf))
}

// routes are the handlers the router needs besides the flows.
type routes struct {
	answers  parley.Handler                            // the help centre: questions asked in passing
	human    parley.Handler                            // a hand-off the customer asked for
	optOut   parley.Handler                            // "STOP": no more proactive messages
	optIn    func(start parley.Handler) parley.Handler // "START" after a STOP
	fallback parley.Handler                            // optional: what no intent covers (a language model)
	pending  parley.Handler                            // "is my refund approved yet?"
	act      *actions                                  // refunds waiting for approval, for "cancel"
	shop     *shop                                     // what an order cost (price.go)
}

// newRouter mounts the flows on the one intent router: intents and
// signals start flows, the engine reads the answers to its questions,
// and global commands work in every state.
func newRouter(e *flow.Engine, r routes) *intent.Router {
	opts := []intent.RouterOption{
		intent.WithMenu("I can help with:", "track_order", "refund", "renew_plan", "human"),
		intent.WithTitles(map[string]string{
			"track_order": "Track my order", "refund": "Return or refund", "renew_plan": "Renew my plan",
			"refund_status": "Check on a refund", "human": "Talk to a human", "shipping_info": "Shipping and returns info", "greeting": "Main menu",
			"change_address": "Change a delivery address", "callback": "Book a call-back", "cancel_order": "Cancel an order",
			"plan_info": "Plans and prices", "too_expensive": "Renew my plan", "not_using": "Renew my plan", "promo_code": "Discount codes", // plans.go
		}),
		intent.WithQuestions(r.answers),
		intent.WithOutOfScope("That's not something I can help with here, sorry. I can help with:"),
	}
	if r.fallback != nil {
		opts = append(opts, intent.WithNotUnderstood(r.fallback))
	}
	router := intent.NewRouter(opts...)
	router.Handle(flow.DefaultOwner, e)
	router.Handle("greeting", e.Starter("main"))
	router.Handle("track_order", e.Starter("order_status"))
	router.Handle("refund", e.Starter("refund"))
	router.Handle("return_item", e.Starter("refund"))
	router.Handle("renew_plan", e.Starter("renewal"))
	router.Handle("change_address", e.Starter("address"))
	router.Handle("cancel_order", e.Starter("cancel_order"))
	router.Handle("callback", e.Starter("callback"))
	careRoutes(router, e) // care.go
	router.Handle("shipping_info", r.answers)
	if r.shop != nil {
		router.Handle(orderPriceIntent, priceOfOrder(r.shop)) // price.go: "how much was the lamp?"
	}
	router.Handle(faqIntent, r.answers) // faq.go: helpCentreFirst
	router.Handle("human", r.human)
	router.Handle("help", helpHandler()) // help.go
	if r.pending != nil {
		router.Handle("refund_status", r.pending)
	}
	router.Handle("thanks", closing("You're welcome! Anything else I can help with?", false))
	router.Handle("goodbye", closing(`Thanks for chatting. Have a great day! Type "menu" if you need me again.`, true))
	router.HandleSignal("renewal.due", e.Starter("renewal"))
	router.HandleSignal("product.interested", unlessAsking(e.Starter("nudge")))
	router.HandleSignal("page.idle", unlessAsking(e.Starter("nudge")))
	router.HandleSignal(dialog.SignalHandoffResolved, e)
	router.HandleCommand(dialog.CommandCancel, cancelling(e, r.act))
	router.HandleCommand(dialog.CommandUndo, e) // "no wait" right after the cancel: the engine asks the form again (flow/takeback.go)
	router.HandleCommand(dialog.CommandMenu, e.Starter("menu"))
	router.HandleCommand(dialog.CommandHuman, r.human)
	if r.optIn != nil {
		router.HandleCommand(dialog.CommandStart, r.optIn(e.Starter("main")))
	}
	router.HandleCommand(dialog.CommandStop, stopHandler(e, r.optOut))
	return router
}

// stopHandler opts the customer out of proactive messages. A form in
// progress asks its question again afterwards (the router resumes it);
// the main menu and a campaign's own question are not asked again: the
// customer has just said they want no more of those.
func stopHandler(e *flow.Engine, optOut parley.Handler) parley.Handler {
	quiet := append([]string{"main", "menu"}, campaignFlows...)
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if q, ok := dialog.OpenQuestion(t); ok && q.Owner == flow.DefaultOwner {
			name, _, _ := strings.Cut(q.ID, "/")
			if slices.Contains(quiet, name) || bareStop(t.Text()) { // cancelnote.go
				if err := e.Cancel("").HandleTurn(ctx, w, t); err != nil {
					return err
				}
				if !slices.Contains(quiet, name) {
					if err := optOut.HandleTurn(ctx, w, t); err != nil {
						return err
					}
					return w.Reply(ctx, parley.Text(stoppedTooText))
				}
			}
		}
		return optOut.HandleTurn(ctx, w, t)
	})
}

// refundStatus answers "where is my refund?" / "is my refund approved
// yet?": the customer's refunds that wait for a teammate's OK, and those
// sent in the last 30 days, with when they were sent (one the bot made a
// minute ago is not "not found").
func refundStatus(a *actions, s *shop) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		waiting, err := waitingRefunds(ctx, a, t.CustomerID)
		if err != nil {
			return err
		}
		if err := dialog.Report(t, dialog.Resolved); err != nil {
			return err
		}
		var sent []sentRefund
		if s != nil && t.CustomerID != "" {
			sent = s.recentRefunds(t.CustomerID, time.Now().AddDate(0, 0, -30))
		}
		if len(waiting) == 0 && len(sent) == 0 {
			if o, ok := lastOrderUnrefunded(ctx, s, t); ok {
				// "and the refund?" right after an order's status.
				return w.Reply(ctx, parley.Text(`Nothing has been refunded on your `+o.itemIn(t.Locale)+` (`+o.ID+`) so far, and no refund is waiting for a teammate's OK. Type "refund it" to start one.`))
			}
			return w.Reply(ctx, parley.Text(`I don't see a refund waiting for a teammate's OK. Refunds that went through take 5-10 business days to show; type "I want a refund" to start a new one.`))
		}
		if len(waiting) > 0 {
			if err := w.Reply(ctx, parley.Text("Your refund of "+strings.Join(waiting, " and ")+" is still waiting for a teammate's OK. I'll tell you here as soon as they decide.")); err != nil {
				return err
			}
		}
		for _, r := range sent {
			if err := w.Reply(ctx, parley.Text(refundSentText(r, time.Now()))); err != nil {
				return err
			}
		}
		return nil
	})
}

// refundSentText says when refund r was sent and when it shows, seen at
// now: after 10 business days (two weeks) it should have, and a teammate
// can trace it.
func refundSentText(r sentRefund, now time.Time) string {
	amount := fmt.Sprintf("$%.2f on %s", r.Amount, r.Order)
	switch day := r.At.Format(time.DateOnly); {
	case day == now.Format(time.DateOnly):
		return "Your refund of " + amount + " was sent today. It takes 5-10 business days to show on your statement."
	case now.Sub(r.At) > 14*24*time.Hour:
		return "Your refund of " + amount + " was sent on " + day + `, more than 10 business days ago. If it still isn't on your statement, type "human" and a teammate will trace it.`
	default:
		return "Your refund of " + amount + " was sent on " + day + ". It takes 5-10 business days to show on your statement."
	}
}

// waitingRefunds lists the customer's refunds that wait for a teammate's
// OK ("$120.00 on A-1002").
func waitingRefunds(ctx context.Context, a *actions, customerID string) ([]string, error) {
	pending, err := a.customerRefunds(ctx, customerID)
	var waiting []string
	for _, p := range pending {
		waiting = append(waiting, p.text)
	}
	return waiting, err
}

// pendingRefund is a refund of the customer's that waits for a
// teammate's OK.
type pendingRefund struct {
	id, order string
	text      string // "$120.00 on A-1002"
}

// customerRefunds lists the customer's refunds that wait for a
// teammate's OK, oldest first.
func (a *actions) customerRefunds(ctx context.Context, customerID string) ([]pendingRefund, error) {
	if a == nil || customerID == "" {
		return nil, nil
	}
	pending, err := a.awaiting(ctx)
	if err != nil {
		return nil, err
	}
	var out []pendingRefund
	for _, p := range pending {
		if p.Request.Action != actRefund || p.Request.Customer != customerID {
			continue
		}
		var args refundArgs
		if json.Unmarshal(p.Request.Args, &args) == nil {
			out = append(out, pendingRefund{id: p.Request.ID, order: args.OrderID, text: fmt.Sprintf("$%.2f on %s", args.Amount, args.OrderID)})
		}
	}
	return out, nil
}

// cancelling stops what the bot is doing, and says so; a refund waiting
// for a teammate's OK is not withdrawn by "cancel", and the customer is
// told, rather than left to think it was.
func cancelling(e *flow.Engine, a *actions) parley.Handler {
	stop := e.Cancel(`No problem, I've stopped that. Type "menu" whenever you need me.`)
	// "cancel" while cancelling an order stops the cancellation; the
	// customer must not read "I've stopped that" as "it's cancelled".
	keptOrder := e.Cancel(`OK, I've stopped there: no order was cancelled, and it goes ahead as planned. If you do want to cancel it, type "cancel my order".`)
	nothing := e.Cancel(nothingToStopText)
	menu := e.Starter("menu")
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		h := stop
		snap, err := flow.SnapshotOf(t.Session())
		if err == nil && snap.Flow == "" && snap.LastFlow == "cancel_order" && snap.Last == flow.Abandoned {
			h = keptOrder // the router dropped its question for this "cancel"
		}
		_, asking := dialog.OpenQuestion(t)
		idle := err == nil && !asking && snap.Flow == "" && snap.Last != flow.Abandoned
		waiting, werr := waitingRefunds(ctx, a, t.CustomerID)
		if werr != nil {
			return werr
		}
		if s := t.Session(); s != nil {
			// "cancel" right after "cancel", nothing started in between:
			// "I've stopped that" again would be the same sentence twice,
			// and not true; a third shows what there is to do.
			last, _, _ := cancelledKey.Get(s)
			run := 1
			if last.Turn != 0 && s.Turns-last.Turn == 1 && !asking && err == nil && snap.Flow == "" {
				run = last.Run + 1
			}
			if err := cancelledKey.Set(s, cancelRun{Turn: s.Turns, Run: run}); err != nil {
				return err
			}
			if run > 1 && len(waiting) == 0 {
				if run > 2 {
					return menu.HandleTurn(ctx, w, t)
				}
				return nothing.HandleTurn(ctx, w, t)
			}
		}
		if idle && len(waiting) > 0 {
			// Nothing was in progress but the refund: "I've stopped that"
			// followed by "it still waits" contradicted itself (QA12 F33).
			if err := dialog.Report(t, dialog.Served); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text("There's nothing in progress to stop. Your refund of "+strings.Join(waiting, " and ")+
				` is still waiting for a teammate's OK; if you don't want it any more, type "withdraw my refund".`))
		}
		if err := h.HandleTurn(ctx, w, t); err != nil {
			return err
		}
		if kept, _ := parley.Value(t, planKeptKey); kept { // cancelnote.go
			if err := w.Reply(ctx, parley.Text(planKeptText)); err != nil {
				return err
			}
		}
		if len(waiting) == 0 {
			return nil
		}
		return w.Reply(ctx, parley.Text("Your refund of "+strings.Join(waiting, " and ")+
			` still waits for a teammate's OK: "cancel" doesn't withdraw it. Type "withdraw my refund" if you don't want it any more.`))
	})
}

// nothingToStopText answers a "cancel" right after a "cancel".
const nothingToStopText = `There's nothing left to stop. Tell me what you need, or type "menu" to see what I can do.`

// cancelledKey holds the customer's latest "cancel": its turn, and how
// many came in a row.
var cancelledKey = memory.NewStateKey[cancelRun]("example.cancelled")

type cancelRun struct {
	Turn int `json:"turn"`
	Run  int `json:"run"`
}

// welcomeText answers a thank-you when a question follows it.
const welcomeText = "You're welcome!"

// closing answers thanks and goodbyes: the customer is done, so the
// conversation counts as resolved; a goodbye also closes the open
// question.
func closing(text string, bye bool) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if err := dialog.Report(t, dialog.Resolved); err != nil {
			return err
		}
		if bye {
			// The customer is leaving: the menu or form left open is not
			// asked again after the goodbye (after a thank-you it is).
			dialog.CloseQuestion(t)
		} else if q, open := dialog.OpenQuestion(t); open && (q.Policy == dialog.Resume || isMenu(q)) {
			// The menu or the form's question is asked again after the
			// thank-you: "Anything else I can help with?" before it
			// would be two questions at once.
			text = welcomeText
		}
		return w.Reply(ctx, parley.Text(text))
	})
}

// unlessAsking runs h only when the conversation has no open question: a
// nudge about the page never interrupts a conversation in progress.
func unlessAsking(h parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if _, open := dialog.OpenQuestion(t); open {
			return nil
		}
		return h.HandleTurn(ctx, w, t)
	})
}

// optOutText confirms a STOP, which the campaigns' delivery policy
// records (proactive.Engine.OptOut); the conversation itself goes on.
const optOutText = "Done: you won't get reminders or offers from us any more. You can still chat with me here whenever you like."

// toneOf picks a Say node's tone variant from the turn's mood:
// empathetic for complaints and frustration, enthusiastic for success
// moments, professional for money matters and by default.
func toneOf(t *parley.Turn) string { return string(sentiment.ToneOf(t)) }

// mainFlow greets the customer and shows the menu: an introduction the
// first time, "Hi again" later in their first conversation, "Welcome
// back" for a customer who talked to us in an earlier one.
// An upset customer hears the escalator's word of empathy (once, for the
// turn): the greeting does not say it again.
func mainFlow(d deps) *flow.Builder {
	return flow.New("main").Add(
		&flow.Action{ID: "seen", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			if d.greeted == nil {
				return "", nil
			}
			return d.greeted(ctx, s.Customer()["id"])
		}, Routes: map[string]string{greetBack: "welcome", greetAgain: "again"}, Next: "greet", OnError: "greet"},
		&flow.Say{ID: "greet", Text: []string{`Hi {{customer.first_name | "there"}}! I'm the ShopCo assistant.`}, Next: "menu"},
		&flow.Say{ID: "welcome", Text: []string{`Welcome back, {{customer.first_name | "there"}}!`}, Next: "menu"},
		&flow.Say{ID: "again", Text: []string{`Hi again, {{customer.first_name | "there"}}!`}, Next: "menu"},
		&flow.Call{ID: "menu", Flow: "menu", Next: "done"},
		&flow.End{ID: "done", Status: flow.Resolved},
	)
}

// menuFlow is the main menu, also shown for "menu" and "start over".
func menuFlow() *flow.Builder {
	return flow.New("menu").Add(
		&flow.Choice{ID: "menu", Prompt: []string{"What can I help you with?", "What would you like to do?"}, Options: []flow.Option{
			{Title: "Track my order", Payload: "track", Synonyms: []string{"track order", "where is my order", "order status", "tracking"}, Next: "track"},
			{Title: "Return or refund", Payload: "refund", Synonyms: []string{"return", "refund", "money back", "return an item"}, Next: "refund"},
			{Title: "Renew my plan", Payload: "renew", Synonyms: []string{"renew", "renewal", "subscription", "my plan", "cancel my plan"}, Next: "renew"},
			{Title: "Talk to a human", Payload: "human", Next: "human"},
		}, MaxAttempts: 2, OnFail: "human"},
		&flow.Call{ID: "track", Flow: "order_status", Next: "done"},
		&flow.Call{ID: "refund", Flow: "refund", Next: "done"},
		&flow.Call{ID: "renew", Flow: "renewal", Next: "done"},
		// Chosen, or two answers that fit nothing: escalation offers a
		// person unless the customer asked for one.
		&flow.Handoff{ID: "human", Reason: "customer asked for a human"},
		&flow.End{ID: "done", Status: flow.Resolved},
	)
}

// feedbackFlow asks whether the conversation helped; every task flow ends
// with it.
func feedbackFlow() *flow.Builder {
	return flow.New("feedback").Add(
		// A message that asked for more ("where is A-1001 and also
		// change the address of A-1010") goes on to the next request:
		// "Was this helpful?" would stop it.
		&flow.Branch{ID: "more", Cases: []flow.Case{{If: moreRequests, Next: "next"}}, Else: "ask"},
		&flow.End{ID: "next", Status: flow.Resolved},
		&flow.Feedback{ID: "ask", Kind: flow.Helpful, Prompt: []string{"Was this helpful?"}, Next: "thanks"},
		&flow.Branch{ID: "thanks", Cases: []flow.Case{{Expr: `slots.feedback == "no"`, Next: "sorry"}}, Else: "bye"},
		&flow.End{ID: "sorry", Status: flow.Unresolved, Text: []string{`Sorry about that. Tell me what you need, or type "menu" to see what else I can do.`}},
		&flow.End{ID: "bye", Status: flow.Resolved, Text: []string{"Glad I could help! Type \"menu\" if you need anything else."}},
	)
}

// validOrder normalises an order number such as "a1001" to "A-1001".
func validOrder(_ context.Context, v string) (string, error) {
	m := orderPattern.FindString(v)
	if m == "" && saysNoOrderNumber(v) {
		return "", &flow.InputError{Slot: "order", Message: `No problem: it's in the confirmation email we sent when you ordered, and starts with A-. If you can't find it, type "human" and a person will look it up.`}
	}
	if m == "" {
		return "", &flow.InputError{Slot: "order", Message: "Order numbers look like A-1234."}
	}
	m = strings.ToUpper(strings.ReplaceAll(m, "-", ""))
	return m[:1] + "-" + m[1:], nil
}

func orderFlow(d deps) *flow.Builder {
	return flow.New("order_status").Slots("item", "status", "tracking", "why", "retried", "orders", "when", "due", "told").Add(
		// "When will it arrive?" is answered with the day it should.
		&flow.Action{ID: "asks", Do: func(_ context.Context, s *flow.Scope) (string, error) {
			if asksWhen(s.Turn.Text()) { // followup.go
				s.SetSlot("when", "yes")
			}
			return "", nil
		}, Next: "named", OnError: "named"},
		pickNamedOrder(d, "list"), // itemname.go: "return the lamp"
		listOrders(d, "order"),    // followup.go: a known customer picks from her orders
		pickOrder("Which order is it?", "Back to your order status.", "lookup", "human"),
		&flow.Ask{ID: "order", Slot: "order", Entity: "order_id", Prompt: []string{"What's your order number? It starts with A-, like A-1234."},
			Validate: validOrder, MaxAttempts: 3, OnFail: "human", Next: "lookup"},
		&flow.Action{ID: "lookup", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			o, route, err := d.lookupStep(ctx, s)
			if route != "" || err != nil {
				return route, err
			}
			rememberOrder(s.Turn, o.ID) // followup.go: "when will it arrive?"
			// When it comes is what a customer asking about an order in
			// the warehouse wants to know ("is processing." told them
			// nothing, QA12 F7, F19): its status says so, asked or not.
			if due := dueText(o, s.Turn.Locale); due != "" && (s.Slot("when") != "" || o.Status == "processing") {
				s.SetSlot("due", due)
				return "due", nil
			}
			s.SetSlot("item", o.itemIn(s.Turn.Locale))
			s.SetSlot("status", o.Status)
			s.SetSlot("tracking", o.Tracking)
			if o.Status == "delivered" && reportedMissing(s.Turn, o.ID) { // care.go
				s.SetSlot("told", "yes")
				return "reported", nil
			}
			if o.Tracking != "" {
				return "tracked", nil
			}
			return "", nil
		}, Routes: map[string]string{"retry": "retry", "missing": "missing", "tracked": "tracked", "refused": "refused", "due": "due", "reported": "reported"}, Next: "status",
			OnError: "down", ErrorText: []string{"I can't see your order right now: our order system isn't answering."}},
		&flow.Say{ID: "refused", Text: []string{"{{slots.why}}"}, Next: "done"},
		&flow.Say{ID: "due", Text: []string{"{{slots.due}}"}, Next: "done"},
		&flow.Say{ID: "tracked", Text: []string{"Your {{slots.item}} ({{slots.order}}) has {{slots.status}}. Tracking number: {{slots.tracking}}."}, Next: "done"},
		&flow.Say{ID: "status", Text: []string{"Your {{slots.item}} ({{slots.order}}) is {{slots.status}}."}, Next: "done"},
		// Marked delivered, but the customer told us it never came: not
		// "it is delivered" again, but what can be done about it.
		&flow.Say{ID: "reported", Text: []string{"Our records say your {{slots.item}} ({{slots.order}}) was delivered, so I can't see where it is now."}, Next: "put_right"},
		&flow.Call{ID: "put_right", Flow: "missing", Next: "end"},
		retryOrder(),
		reaskOrder(),
		notFound(),
		&flow.Choice{ID: "down", Prompt: []string{"Would you like a person to look it up, or shall I email you when it's back?"}, Options: []flow.Option{
			{Title: "Talk to a person", Payload: "human", Next: "human"},
			{Title: "Email me", Payload: "email", Next: "email"},
		}, OnFail: "email"},
		&flow.Action{ID: "email", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			_, err := d.act.call(ctx, s, actTicket, ticketArgs{Subject: "Order status for " + s.Slot("order"),
				Body: "The customer asked about order " + s.Slot("order") + " while order lookups were down: email them its status."}, false)
			return "", err
		}, Next: "emailed", OnError: "done", ErrorText: []string{"I couldn't file that either, sorry: please try again in a little while."}},
		&flow.Say{ID: "emailed", Text: []string{"Done: we'll email you as soon as order lookups are back."}, Next: "done"},
		&flow.Handoff{ID: "human", Reason: "order lookup needs a person"},
		&flow.Call{ID: "done", Flow: "feedback", Next: "end"},
		&flow.End{ID: "end", Status: flow.Resolved},
	)
}

// retryOrder says a lookup found nothing, in the customer's tone.
func retryOrder() *flow.Say {
	return &flow.Say{ID: "retry", Text: []string{"I couldn't find order {{slots.order}} on your account."},
		Tones: map[string][]string{"empathetic": {"I'm sorry, I couldn't find order {{slots.order}} on your account."}}, Next: "reask"}
}

// reaskOrder asks for the order number again and looks it up again.
func reaskOrder() *flow.Ask {
	return &flow.Ask{ID: "reask", Slot: "order", Entity: "order_id", Always: true,
		Prompt:   []string{"Could you check the number in your confirmation email and type it again?"},
		Validate: validOrder, MaxAttempts: 2, OnFail: "missing", Next: "lookup"}
}

// notFound ends a flow whose order was not found twice: the bot could
// not help, which escalation counts.
func notFound() *flow.End {
	return &flow.End{ID: "missing", Status: flow.Unresolved, Text: []string{"I still couldn't find order {{slots.order}} on your account. The number is near the top of your confirmation email; type \"menu\" to see what else I can do."}}
}

func refundFlow(d deps) *flow.Builder {
	return flow.New("refund").Slots("item", "paid", "prompt", "why", "retried", "refunded", "total", "refunded_on", "orders", "whole").Add(
		&flow.Action{ID: "amount_in", Do: amountInRequest, Next: "named", OnError: "named"}, // followup.go: "refund A-1001 10"
		pickNamedOrder(d, "list"), // itemname.go: "return the lamp"
		listOrders(d, "order"),    // followup.go: a known customer picks from her orders
		pickOrder("Which order is it?", "Back to your refund.", "lookup", "human"),
		&flow.Ask{ID: "order", Slot: "order", Entity: "order_id", Prompt: []string{"Which order is it? The number starts with A-."},
			Validate: validOrder, OnFail: "human", Next: "lookup"},
		&flow.Action{ID: "lookup", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			o, route, err := d.lookupStep(ctx, s)
			if route != "" || err != nil {
				return route, err
			}
			rememberOrder(s.Turn, o.ID) // followup.go: "when will it arrive?"
			s.SetSlot("item", o.itemIn(s.Turn.Locale))
			s.SetSlot("paid", fmt.Sprintf("%.2f", o.Paid-o.Refunded))
			if s.Slot("whole") == "yes" && s.Slot("amount") == "" && o.Paid-o.Refunded >= 0.005 {
				s.SetSlot("amount", leftToRefund(s)) // "refund A-1002 in full"
			}
			if o.Paid-o.Refunded < 0.005 {
				// Nothing left to refund: say when it was refunded
				// rather than ask for an amount no answer can give.
				s.SetSlot("total", fmt.Sprintf("%.2f", o.Refunded))
				s.SetSlot("refunded_on", o.RefundedOn)
				switch o.RefundedOn {
				case "":
					return "full", nil
				case time.Now().Format(time.DateOnly):
					return "full_today", nil
				}
				return "full_on", nil
			}
			return "", nil
		}, Routes: map[string]string{"retry": "retry", "missing": "missing", "refused": "refused", "full": "full", "full_today": "full_today", "full_on": "full_on"},
			Next: "amount", OnError: "down", ErrorText: []string{"I can't reach our order system right now, so I can't start the refund."}},
		&flow.Say{ID: "full_today", Text: []string{`Your {{slots.item}} ({{slots.order}}) has been refunded in full: ${{slots.total}}, sent today. It takes 5-10 business days to show on your statement, so there's nothing more to refund on it. If that doesn't look right, type "human".`}, Next: "done"},
		&flow.Say{ID: "full_on", Text: []string{`Your {{slots.item}} ({{slots.order}}) has been refunded in full: ${{slots.total}}, sent on {{slots.refunded_on}}. It takes 5-10 business days to show on your statement, so there's nothing more to refund on it. If that doesn't look right, type "human".`}, Next: "done"},
		&flow.Say{ID: "full", Text: []string{`Your {{slots.item}} ({{slots.order}}) has been refunded in full (${{slots.total}}), so there's nothing more to refund on it. Refunds take 5-10 business days to show on your statement. If that doesn't look right, type "human".`}, Next: "done"},
		retryOrder(),
		reaskOrder(),
		notFound(),
		&flow.Ask{ID: "amount", Slot: "amount", Type: flow.MoneySlot,
			Prompt:   []string{"How much should I refund for the {{slots.item}}? There's ${{slots.paid}} left to refund on it."},
			Whole:    leftToRefund, // "all of it", "todo"
			Validate: validRefundAmount, OnFail: "no_amount", Next: "check"},
		&flow.Branch{ID: "check", Cases: []flow.Case{
			{Expr: `float(split(slots.amount, " ")[0]) > float(slots.paid)`, Next: "too_much"},
		}, Else: "ask"},
		&flow.Say{ID: "too_much", Text: []string{"That's more than the ${{slots.paid}} left to refund on {{slots.order}}."}, Next: "reamount"},
		&flow.Ask{ID: "reamount", Slot: "amount", Type: flow.MoneySlot, Always: true,
			Prompt: []string{"How much should I refund? It can be up to ${{slots.paid}}."},
			Whole:  leftToRefund, Validate: validRefundAmount, MaxAttempts: 2, OnFail: "no_amount", Next: "check"},
		// No amount after a few tries: say so, refund nothing, and let the
		// customer choose a person (never a silent end of the form).
		&flow.Say{ID: "no_amount", Text: []string{"I couldn't get an amount I can refund, so I haven't refunded anything."}, Next: "down"},
		// The registry words the confirmation and refuses what the
		// guardrails forbid before anyone is asked anything.
		&flow.Action{ID: "ask", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			amt, _ := splitMoney(s.Slot("amount"))
			s.SetSlot("refunded", fmt.Sprintf("$%.2f", amt))
			return d.run(ctx, s, actRefund, d.refundArgs(s), false)
		}, Routes: map[string]string{"confirm": "confirm", "refused": "refused", "already": "again"}, Next: "refunded", OnError: "down",
			ErrorText: []string{"The refund didn't go through on our side, and nothing was charged or refunded."}},
		// The same refund again in this chat: a double tap, or a second
		// fault of the same price. Ask, rather than refuse with no way on.
		&flow.Ask{ID: "again", Slot: "confirm", Type: flow.YesNoSlot, Next: "again_go",
			Prompt: []string{"You already got {{slots.refunded}} back on {{slots.order}} earlier in this chat. Do you want another {{slots.refunded}} refund on top of it?"}},
		&flow.Branch{ID: "again_go", Cases: []flow.Case{{Expr: `slots.confirm == "yes"`, Next: "refund_again"}}, Else: "kept"},
		&flow.Action{ID: "refund_again", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			return d.runAgain(ctx, s, actRefund, d.refundArgs(s))
		}, Routes: map[string]string{"approval": "approval", "refused": "refused", "already": "already"}, Next: "refunded", OnError: "down",
			ErrorText: []string{"The refund didn't go through on our side, and nothing was charged or refunded."}},
		&flow.Ask{ID: "confirm", Slot: "confirm", Type: flow.YesNoSlot, Prompt: []string{"{{slots.prompt}}"}, Next: "go"},
		&flow.Branch{ID: "go", Cases: []flow.Case{{Expr: `slots.confirm == "yes"`, Next: "refund"}}, Else: "kept"},
		&flow.Say{ID: "kept", Text: []string{"OK, I haven't refunded anything."}, Next: "done"},
		&flow.Action{ID: "refund", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			// One currency format for the customer: "$20.00", as in the
			// confirmation, never the slot's "20 USD".
			amt, _ := splitMoney(s.Slot("amount"))
			s.SetSlot("refunded", fmt.Sprintf("$%.2f", amt))
			return d.run(ctx, s, actRefund, d.refundArgs(s), true)
		}, Routes: map[string]string{"approval": "approval", "refused": "refused", "already": "already"}, Next: "refunded", OnError: "down",
			ErrorText: []string{"The refund didn't go through on our side, and nothing was charged or refunded."}},
		&flow.Say{ID: "refunded", Text: []string{"Done! {{slots.refunded}} is on its way back to you; it takes 5-10 business days to show."},
			Tones: map[string][]string{
				// Money: calm and precise unless the customer is upset.
				"professional": {"Your refund of {{slots.refunded}} has been issued. It takes 5-10 business days to show on your statement."},
			}, Next: "done"},
		&flow.End{ID: "approval", Status: flow.Escalated, Text: []string{
			fmt.Sprintf("Refunds over $%d need a quick OK from a teammate: I've passed yours on with the details, and they'll confirm here.", autoRefundLimit)}},
		&flow.Say{ID: "refused", Text: []string{"{{slots.why}}"}, Next: "down"},
		&flow.Say{ID: "already", Text: []string{"{{slots.why}}"}, Next: "done"},
		&flow.Choice{ID: "down", Prompt: []string{"Would you like a person to handle it?"}, Options: []flow.Option{
			{Title: "Yes, get a person", Payload: "human", Next: "human"},
			{Title: "I'll try later", Payload: "later", Next: "done"},
		}, OnFail: "done"},
		&flow.Handoff{ID: "human", Reason: "refund needs a person"},
		&flow.Call{ID: "done", Flow: "feedback", Next: "end"},
		&flow.End{ID: "end", Status: flow.Resolved},
	)
}

// leftToRefund is the amount "all of it" or "todo" means: what is left
// to refund on the order.
func leftToRefund(s *flow.Scope) string {
	if s.Slot("paid") == "" {
		return ""
	}
	return s.Slot("paid") + " USD"
}

// validRefundAmount accepts a refund amount in the currency paid in, above
// zero; the flow checks it against what is left to refund.
func validRefundAmount(_ context.Context, v string) (string, error) {
	amt, cur := splitMoney(v)
	if cur != "USD" {
		return "", &flow.InputError{Slot: "amount", Message: "Refunds are paid in US dollars, the currency you paid in: please give me the amount in dollars."}
	}
	if amt <= 0 {
		return "", &flow.InputError{Slot: "amount", Message: "The amount must be more than zero."}
	}
	return v, nil
}

// lookup reads the order in slot "order" through the registry, as the
// turn's customer: someone else's order is "not found".
func (d deps) lookup(ctx context.Context, s *flow.Scope) (orderView, error) {
	res, err := d.act.call(ctx, s, actLookupOrder, orderArgs{OrderID: s.Slot("order")}, false)
	if err != nil {
		return orderView{}, err
	}
	var o orderView
	if err := json.Unmarshal(res.Output, &o); err != nil {
		return o, err
	}
	return o, nil
}

// lookupStep reads the order in slot "order" for a flow step and names
// the outcome: "retry" the first time the order is unknown or someone
// else's (never saying which), "missing" the second time, "refused" for a registry refusal (slot "why" says
// why), or "" with the order.
func (d deps) lookupStep(ctx context.Context, s *flow.Scope) (orderView, string, error) {
	o, err := d.lookup(ctx, s)
	switch {
	case errors.Is(err, errNoOrder) || errors.Is(err, action.ErrForbidden):
		if s.Slot("retried") == "" {
			// A typo is the usual reason: ask once more before giving up.
			s.SetSlot("retried", "yes")
			return o, "retry", nil
		}
		return o, "missing", nil
	case refusal(err) != "":
		s.SetSlot("why", refusal(err))
		return o, "refused", nil
	}
	return o, "", err
}

func (d deps) refundArgs(s *flow.Scope) refundArgs {
	amt, _ := splitMoney(s.Slot("amount"))
	return refundArgs{OrderID: s.Slot("order"), Amount: amt, Reason: "customer asked in chat"}
}

// runAgain runs, confirmed, an action call that repeats one made earlier
// in the conversation, which the registry would otherwise replay: the
// customer has just said they want it once more. Its idempotency key
// comes from the turn that said so, so a redelivery of that turn still
// runs it only once.
func (d deps) runAgain(ctx context.Context, s *flow.Scope, name string, args any) (string, error) {
	key := fmt.Sprintf("again/%s/%s/%s/%d", name, s.Turn.ConversationID, s.Turn.MessageID, s.Turn.Session().Turns)
	res, err := d.act.callKeyed(ctx, s, name, args, key)
	return d.outcome(s, res, err)
}

// run calls an action from a flow step and names the outcome for the
// step's routes: "confirm" (slot "prompt" holds the question),
// "approval" (a person decides), "refused" (slot "why" says why),
// "already" (the same request ran before; slot "why" says so), or ""
// when it ran. Other errors are the action's own failures.
func (d deps) run(ctx context.Context, s *flow.Scope, name string, args any, confirmed bool) (string, error) {
	res, err := d.act.call(ctx, s, name, args, confirmed)
	return d.outcome(s, res, err)
}

// outcome names the outcome of a registry call for a flow step's routes,
// as run documents.
func (d deps) outcome(s *flow.Scope, res action.Result, err error) (string, error) {
	if err != nil {
		if why := refusal(err); why != "" {
			s.SetSlot("why", why)
			return "refused", nil
		}
		return "", err
	}
	if res.Replayed {
		s.SetSlot("why", "I've already done exactly that earlier, so I haven't done it again.")
		return "already", nil
	}
	switch res.Status {
	case action.NeedsConfirmation:
		s.SetSlot("prompt", res.Prompt)
		return "confirm", nil
	case action.PendingApproval:
		return "approval", nil
	}
	return "", nil
}

// addressFlow changes the delivery address of an order that has not
// shipped.
func addressFlow(d deps) *flow.Builder {
	return flow.New("address").Slots("item", "prompt", "why", "retried", "tracking", "orders").Add(
		pickNamedOrder(d, "list"), // itemname.go: "return the lamp"
		listOrders(d, "order"),    // followup.go: a known customer picks from her orders
		pickOrder("Which order should go to a new address?", "Back to your address change.", "lookup", "done"),
		&flow.Ask{ID: "order", Slot: "order", Entity: "order_id", Prompt: []string{"Which order should go to a new address? The number starts with A-."}, ResumeText: "Back to your address change.",
			Validate: validOrder, OnFail: "done", Next: "lookup"},
		&flow.Action{ID: "lookup", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			o, route, err := d.lookupStep(ctx, s)
			if route != "" || err != nil {
				return route, err
			}
			rememberOrder(s.Turn, o.ID) // followup.go: "when will it arrive?"
			s.SetSlot("item", o.itemIn(s.Turn.Locale))
			switch o.Status {
			case "processing":
			case "cancelled":
				s.SetSlot("why", "That order is cancelled, so there's no delivery to change.")
				return "late", nil
			default:
				if o.Tracking != "" {
					// Shipped: the carrier may still redirect it (QA9 F4).
					s.SetSlot("tracking", o.Tracking)
					return "shipped", nil
				}
				s.SetSlot("why", refusal(errTooLate))
				return "late", nil
			}
			return "", nil
		}, Routes: map[string]string{"retry": "retry", "missing": "missing", "refused": "refused", "late": "refused", "shipped": "shipped"}, Next: "address", OnError: "done",
			ErrorText: []string{"I can't reach our order system right now; please try again in a little while."}},
		retryOrder(),
		reaskOrder(),
		notFound(),
		// Only an address is an answer (address.go): a question or a
		// request typed here is served and the question asked again; a
		// new address typed at the confirmation corrects this one.
		&flow.Ask{ID: "address", Slot: "address", Entity: "address", Prompt: []string{"What's the new delivery address for the {{slots.item}}? Please include the house number and postcode."},
			Reprompt:   []string{"I need the full address, with the house number and postcode. What's the new delivery address for the {{slots.item}}?"},
			ResumeText: "Back to your address change.", Validate: validAddress, Correctable: true, MaxAttempts: 3, OnFail: "done", Next: "known"},
		&flow.Branch{ID: "known", Cases: []flow.Case{{If: addressUnknown, Next: "later"}}, Else: "ask"},
		&flow.Say{ID: "later", Text: []string{`No problem, I've left the address as it is. The {{slots.item}} hasn't left our warehouse yet, so it can still be changed: just say "change my address" when you have the new one.`}, Next: "end"},
		&flow.Action{ID: "ask", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			return d.run(ctx, s, actAddress, addressArgs{OrderID: s.Slot("order"), Address: s.Slot("address")}, false)
		}, Routes: map[string]string{"confirm": "confirm", "refused": "refused", "already": "already"}, Next: "changed", OnError: "done",
			ErrorText: []string{"That didn't work on our side, and nothing was changed."}},
		&flow.Ask{ID: "confirm", Slot: "confirm", Type: flow.YesNoSlot, Prompt: []string{"{{slots.prompt}}"}, ResumeText: "Back to your address change.",
			Reprompt: []string{"Please answer yes or no, or type the address again if it should be different. {{slots.prompt}}"}, Next: "go"},
		&flow.Branch{ID: "go", Cases: []flow.Case{{Expr: `slots.confirm == "yes"`, Next: "change"}}, Else: "kept"},
		&flow.Say{ID: "kept", Text: []string{"OK, I've left the address as it was."}, Next: "done"},
		&flow.Action{ID: "change", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			return d.run(ctx, s, actAddress, addressArgs{OrderID: s.Slot("order"), Address: s.Slot("address")}, true)
		}, Routes: map[string]string{"refused": "refused", "already": "already"}, Next: "changed", OnError: "done",
			ErrorText: []string{"That didn't work on our side, and nothing was changed."}},
		&flow.Say{ID: "changed", Text: []string{"Done: {{slots.order}} will go to {{slots.address}}."},
			Tones: map[string][]string{"empathetic": {"Sorry for the hassle. Done: {{slots.order}} will go to {{slots.address}}."}}, Next: "done"},
		&flow.Say{ID: "refused", Text: []string{"{{slots.why}}"}, Next: "done"},
		&flow.Say{ID: "already", Text: []string{"{{slots.why}}"}, Next: "done"},
		// A shipped order: what the customer can do next, and a person
		// if the carrier cannot help (it was a dead end, then "Was this
		// helpful?"). Escalation offers the person; the customer chooses.
		&flow.Say{ID: "shipped", Text: []string{"The {{slots.item}} has already left our warehouse, so I can't change its address any more. The carrier can often redirect a parcel: contact them with tracking number {{slots.tracking}}."}, Next: "person"},
		&flow.Handoff{ID: "person", Reason: "address change on a shipped order", Next: "unresolved"},
		&flow.End{ID: "unresolved", Status: flow.Unresolved},
		&flow.Call{ID: "done", Flow: "feedback", Next: "end"},
		&flow.End{ID: "end", Status: flow.Resolved},
	)
}

// nudgeFlow reacts to behaviour on the shop's pages: a product viewed
// again and again, or a visitor idle on a page.
func nudgeFlow() *flow.Builder {
	return flow.New("nudge").Add(
		&flow.Say{ID: "offer", Text: []string{"Need help with this product? I can answer questions about sizing, shipping and returns."},
			QuickReplies: []parley.QuickReply{{Title: "Shipping times"}, {Title: "Return policy"}, {Title: "Talk to a human", Payload: "human"}},
			Next:         "done"},
		&flow.End{ID: "done", Status: flow.Resolved},
	)
}

// behaviour turns raw page events from the web chat into the signals the
// flows react to: the third view of a product in 24 hours means interest.
func behaviour(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if sig := t.Signal; sig != nil && sig.Name == "product_view" && sig.Data["count_24h"] == "3" {
			t2 := *t
			t2.Signal = &parley.Signal{Name: "product.interested", Data: sig.Data}
			t = &t2
		}
		return next.HandleTurn(ctx, w, t)
	})
}

// splitMoney reads "49.99 USD".
func splitMoney(v string) (float64, string) {
	amt, cur, _ := strings.Cut(v, " ")
	f, err := strconv.ParseFloat(amt, 64)
	if err != nil {
		return 0, cur
	}
	return f, cur
}
