// Package escalation decides when a conversation goes to a person and
// runs the hand-off, from the offer to the way back to the bot.
//
// # Overview
//
// The [Escalator] is the one component that decides a hand-off. Others
// report what happened (the router that it did not understand, a flow
// that it gave up) and its [Policy] of [Rule]s decides, from the support
// playbook by default ([DefaultRules]): an explicit request ("human",
// "agent", "speak to someone") hands off; a complaint, a legal threat, a
// billing dispute and a refund over $100 offer a person; a sentiment
// below 0.4 or frustration words get a word of empathy and one offer
// while the request itself is still served; the third message in a row
// the bot does not understand, and more than 8 turns without resolution,
// offer a person. An offer is one open question, never stacked on
// another. One offer is made until the conversation is resolved, with one
// exception: more than 8 turns without resolution offers once more, five
// turns or more after an earlier offer was declined or passed by.
//
// Waiting for a person is humane: the wait message says what the
// customer can do, "cancel" and "menu" leave the queue (the ticket is
// withdrawn), the bot still answers what it understands, and after a
// time-out, outside [Hours] or with no agent free a call-back is offered
// at times in the customer's time zone, asking for a phone number when
// none is known. The agent gets a [Ticket] whose [Summary] says what the
// customer wants in their own words, with their frustration as measured.
//
// Desks live in subpackages: desk (an in-memory desk with the agents'
// web console), desk/zendesk and desk/freshdesk (tickets in those hosted
// help desks) and notify (Slack and email notifications, and a desk that
// posts signed webhooks). Wire it in main:
//
//	var bot *parley.Bot
//	deliver := escalation.DeliverFunc(func(ctx context.Context, t *parley.Turn) error {
//		return bot.HandleTurn(ctx, channelWriter(t.ConversationID), t)
//	})
//	agents := desk.NewMemory(deliver, desk.WithAgents(5))
//	esc, err := escalation.New(agents,
//		escalation.WithRules(append(escalation.DefaultRules(),
//			escalation.Rule{Name: "VIP billing dispute", Expr: `intent == "billing_dispute" && profile.tier == "vip"`,
//				Action: escalation.HandOff, Priority: dialog.PriorityUrgent},
//		)...),
//		escalation.WithWaker(store, deliver, 5*time.Second))
//	if err != nil {
//		return err // a rule that does not compile fails here
//	}
//	router.HandleCommand(dialog.CommandHuman, esc) // "human", "agent": hand off
//	bot = parley.NewBot(parley.Chain(router, intent.Commands(), intent.Middleware(understander), sentiment.Middleware(an), escalation.Middleware(esc)),
//		parley.WithStore(store))
//	go esc.Run(ctx, onErr) // call-back offers and retries while customers wait
//	http.Handle("/console/", http.StripPrefix("/console", desk.NewConsole(agents)))
//
// # Concurrency
//
// Policies, the Escalator and desks are safe for concurrent use. The
// Escalator starts no goroutines; [Escalator.Run] runs until its context
// ends. Lifecycle turns go through the Bot, so they are ordered with the
// customer's turns. Time is [time.Now]; tests use testing/synctest.
//
// # Errors
//
// [NewPolicy] and [New] return [*RuleError]s for rules that do not
// compile. Desks return [ErrUnknownTicket], [ErrClosedTicket] and
// [ErrDeskUnavailable]; the escalator shields the customer from desk
// failures (the ticket is kept and retried, the customer told) and
// reports them as [EventRetry] and [EventError] events.
//
// # Implementing Desk
//
// A [Desk] has three methods, ctx first and error last. Submit must be
// idempotent on the ticket ID. Agent activity comes back as lifecycle
// turns ([LifecycleTurn]) through a [Deliverer]. An implementation that
// knows agent availability also implements [AgentCounter]. Check it with
// escalationtest.Run.
package escalation
