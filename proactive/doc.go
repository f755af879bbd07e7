// Package proactive reaches customers before they leave: business events
// start campaigns, whose steps go out at their offsets through the Bot,
// under one delivery policy that no message gets around.
//
// # Overview
//
// The application reports what happens to its customers as [Event]s
// (a cart abandoned, a plan about to expire, a product page viewed), in Go
// with [Engine.Ingest] or over HTTP, signed, with [Engine.Endpoint].
// [Campaign]s are plain Go values: who they are for, the event that starts
// them, steps at offsets, what ends them early, what counts as a
// conversion. [New] checks them all and reports every problem at once.
//
//	policy := proactive.NewPolicy(store, profiles)           // caps, quiet hours, consent
//	sched := schedule.New(schedule.NewMemory())              // or a durable store
//	eng, err := proactive.New(policy, sched, []*proactive.Campaign{{
//		Name: "renewal", Trigger: proactive.SubscriptionExpiring, Anchor: "expires_at",
//		Goal: "plan_renewed",
//		Steps: []proactive.Step{
//			{ID: "day-7", After: -7 * 24 * time.Hour, Text: "{{profile.first_name}}, your plan renews soon."},
//			{ID: "day-3", After: -3 * 24 * time.Hour, Text: "Here's 15% off: {{offer.code}}, valid until {{offer.expires}}.",
//				Offer: &proactive.Offer{Action: "generate_discount_code", Args: map[string]any{"percent": 15}, Valid: 48 * time.Hour}},
//		},
//	}}, proactive.WithEventTypes("plan_renewed"), proactive.WithActions(registry))
//	bot := parley.NewBot(parley.Chain(router, proactive.Middleware(eng), escalation.Middleware(esc)), parley.WithStore(store), ...)
//	sched.Handle(proactive.JobKind, eng.Jobs(bot))
//	go sched.Run(ctx)
//	router.HandleCommand(dialog.CommandStop, eng.OptOut(parley.Text("Done: no more offers from us.")))
//	err = eng.Ingest(ctx, proactive.Event{Type: proactive.SubscriptionExpiring, CustomerID: "ada",
//		Attributes: map[string]string{"expires_at": "2026-03-01T10:00:00Z"}})
//
// When a step is due the scheduler fires the engine's job, which enqueues
// an internal turn ("proactive.step") into the customer's conversation with
// [parley.Bot.Enqueue], under a MessageID derived from the campaign,
// customer, run and step (a job fired twice is taken once). In that turn,
// ordered with the customer's own messages, [Middleware] applies
// the exit rules and asks the [Policy]; the message then goes out
// through the Bot's outbox and Sender like any reply, or is recorded as a
// [Suppression] with its [Reason].
//
// # Replies to a campaign message
//
// A campaign, or a step, may say why it writes ([Campaign.Reason], a
// template: "you left the {{event.item}} in your cart"). During the
// customer's next turns, a handler behind [Middleware] reads the
// conversation's latest campaign message with [LastMessage]: its reason,
// its offer and expiry, and whether the turn is within its reply window
// (48 hours), so
// that "why did you message me?" can be answered. [Engine.Decline] takes
// a "no thanks" to it: the campaign's run ends for the customer, and the
// decline is recorded as the run's exit ([ReasonExited], Detail
// "declined ...", reported as [EventSuppressed]).
//
// # The delivery policy
//
// [Policy] is the one owner of what may be sent proactively (DESIGN.md,
// section 11). It reads consent from the customer's profile
// ([customer.Profile.ConsentOn]): marketing needs a yes, service
// (transactional) messages need none; a STOP on any channel, recorded by
// [Engine.OptOut] or [Policy.OptOut], stops marketing everywhere and
// service messages on that channel at once. Marketing counts against a
// global cap (2 per customer per rolling 7 days by default) and each
// campaign's own [Cap]. Quiet hours (21:00-09:00 in the customer's time
// zone by default) hold a message until they end. On WhatsApp, outside
// the 24-hour window, the step's [Template] is sent, or the message is
// dropped. A person in the conversation makes the message wait, and so
// does an open question, by its policy: a form or a confirmation in
// progress ([dialog.Resume]) while the customer is at it, a menu, an offer
// or a feedback question ([dialog.Drop], or one [WithBriefHold] names) for
// a moment only, after which the message takes its place and the question
// is closed.
//
// # Testing
//
// Package proactivetest runs an engine, an in-memory scheduler and a Bot
// inside testing/synctest, so that "advance 7 days, expect the day -3
// reminder" takes milliseconds.
//
// # Concurrency
//
// [Engine] and [Policy] are safe for concurrent use and start no
// goroutines: the scheduler fires jobs, the Bot runs turns. A customer's
// runs and send records are updated with conditional writes, so replicas
// sharing a store agree.
//
// # Errors
//
// [Engine.Ingest] returns an [*EventError] (wrapping [ErrUnknownEvent],
// [ErrUnknownCustomer] or [ErrBadTimeZone]) for an event it refuses, with
// nothing recorded, and [ErrDuplicateEvent] for an event it already took.
// The endpoint refuses a request with an HTTP status and a JSON body
// {"error": code, "message": ...}: [ErrBadSignature], [ErrStale] and
// [ErrReplayed] for forged or replayed requests. [New]
// returns a [*CompileError]. Store and scheduler errors are returned as
// they are, wrapped: the scheduler and the Bot retry, so an outage delays
// messages and loses or repeats none.
package proactive
