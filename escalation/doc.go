// Package escalation decides when a conversation needs a human and runs
// the hand-off from request to resolution.
//
// # Overview
//
// A [Policy] of [Rule]s is evaluated on every turn: an explicit request
// for a human in several languages, keywords (legal, chargeback), a
// sentiment score below a threshold or a falling trend, frustration,
// repeated fallbacks, long conversations without resolution, intents,
// entities (a refund over $100), customer attributes, any Go predicate,
// combined with [And], [Or] and [Not], and expr-lang expressions compiled
// at start-up. A rule offers a human or hands off at once, optionally
// de-escalating first, with a priority.
//
// The [Escalator] runs the lifecycle: requested, queued (retried while the
// [Desk] is down), assigned, agent messages relayed to the user on the same
// channel while the bot stays silent, resolved, back to the bot, which
// asks for feedback. With no agent, outside [Hours] or after a queue
// time-out it offers a call-back with time slots or email. Agents get a
// [Ticket]: transcript, profile, intents and entities, sentiment trend,
// reason, summary and suggested reply. Desks: [MemoryDesk] (with the
// agents' [Console]), the signed [Webhook], plus [Slack] and [Email]
// notifications through [Notifying].
//
// Wire it in main; the deliverer closes the loop from the desk to the bot:
//
//	var bot *parley.Bot
//	deliver := escalation.DeliverFunc(func(ctx context.Context, t *parley.Turn) error {
//		return bot.HandleTurn(ctx, channelWriter(t.ConversationID), t)
//	})
//	desk := escalation.NewMemoryDesk(deliver)
//	esc, err := escalation.New(desk,
//		escalation.WithRules(append(escalation.DefaultRules(),
//			escalation.Rule{Name: "refund over $100", When: escalation.AmountOver(100, "USD"), Priority: parley.PriorityHigh},
//			escalation.Rule{Name: "VIP billing dispute", Expr: `intent == "billing_dispute" && profile.tier == "vip"`, Priority: parley.PriorityUrgent},
//		)...),
//		escalation.WithWaker(store, deliver, 5*time.Second))
//	if err != nil {
//		return err // a rule that does not compile fails here
//	}
//	bot = parley.NewBot(parley.Chain(app, nlu, sentiment.Middleware(an), esc.Middleware), parley.WithStore(store))
//	go esc.Run(ctx, onErr) // call-back offers and retries while users wait
//	http.Handle("/console/", http.StripPrefix("/console", escalation.NewConsole(desk)))
//
// # Concurrency
//
// Policies, the Escalator, desks and notifiers are safe for concurrent use.
// The Escalator starts no goroutines; [Escalator.Run] runs until its
// context ends. Lifecycle turns go through the Bot, so they are ordered
// with the user's turns.
//
// # Errors
//
// [NewPolicy] and [New] return [*RuleError]s for rules that do not
// compile. Desks return [ErrUnknownTicket], [ErrClosedTicket] and
// [ErrDeskUnavailable]; the escalator shields the user from desk
// failures (the ticket is kept and retried, the user told) and reports
// them as [EventRetry] and [EventError] events. A [*NotifyError] means the
// ticket was submitted but a notification failed. Webhooks that fail to
// verify give [ErrBadSignature].
//
// # Implementing Desk
//
// A [Desk] has three methods, ctx first and error last. Submit must be
// idempotent on the ticket ID. Agent activity comes back as lifecycle
// turns ([LifecycleTurn]) through a [Deliverer]. An implementation that
// knows agent availability also implements [AgentCounter]. Check it with
// escalationtest.Run.
package escalation
