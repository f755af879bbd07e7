// Package flow builds conversation flows in Go: graphs of nodes (say, ask,
// choice, branch, action, subflow call, hand-off, feedback, wait, end)
// that are checked when compiled and run by an [Engine], which is a
// [parley.Handler].
//
// # Overview
//
//	refund := flow.New("refund").TriggeredBy("refund").Add(
//		&flow.Ask{ID: "order", Slot: "order", Prompt: []string{"Which order?"}, Next: "amount"},
//		&flow.Ask{ID: "amount", Slot: "amount", Type: flow.MoneySlot, Prompt: []string{"How much?"}, Next: "check"},
//		&flow.Branch{ID: "check", Cases: []flow.Case{
//			{Expr: `float(split(slots.amount, " ")[0]) > 50`, Next: "approval"},
//		}, Else: "done"},
//		&flow.Handoff{ID: "approval", Reason: "refund over $50", Next: "done"},
//		&flow.End{ID: "done", Status: flow.Resolved, Text: []string{"Refund of {{slots.amount}} started."}},
//	)
//	f, err := refund.Compile() // every wiring problem at once
//	if err != nil {
//		return err
//	}
//	engine := flow.NewEngine(flow.WithHandOffer(desk), flow.WithProfiles(crm))
//	if err := engine.Register(f); err != nil {
//		return err
//	}
//	bot := parley.NewBot(engine)
//
// # Templates
//
// Text in Say, Ask, Choice, Feedback and End nodes is a template.
// Placeholders are {{slots.NAME}} (a slot of the flow) and
// {{customer.FIELD}} (a profile field from [Profiles]), optionally with a
// default: {{customer.name | "there"}}. A missing value renders as the
// default, or as nothing. Compile rejects placeholders that name slots no
// node collects (declare slots set by actions with [Builder.Slots]) and
// profile fields outside [StandardCustomerFields] and
// [Builder.CustomerFields], so a typo never reaches a customer. Several
// texts on one node rotate per conversation.
//
// # Expressions
//
// A [Case] may hold an expr-lang expression (github.com/expr-lang/expr)
// instead of a Go predicate, compiled by Compile. It sees slots and
// customer (maps of strings), entities (type to normalised value), intent
// and confidence, sentiment (the 0-1 score, 0.5 when unknown), mood
// (compound, score, frustration, confusion, urgency, delight, trend) and
// text. Slots hold text: convert with float() or int() to compare numbers.
//
// # Running
//
// The Engine keeps each conversation's position, slots and subflow stack
// in the session, so a restarted process resumes at the same node. An idle
// conversation starts the flow whose [Builder.TriggeredBy] intent the turn
// was understood as ([parley.UnderstandingKey]), or whose
// [Builder.OnSignal] signal arrived, or the start flow ([WithStart]), or the
// fallback handler ([WithFallback]). Entities in the starting message fill
// the flow's Ask slots directly; further intents of a multi-intent message
// run after the first flow ends. [Global] routes ("human", "cancel",
// "help") work anywhere; a question in the middle of a form goes to the
// digression handler and the form resumes at the same slot. A loop guard
// stops a conversation that visits one node too often.
//
// Conversations keep the flow version they started with. When that
// version is unregistered, the [MigrateFunc] moves them, or they restart
// with a message to the user.
//
// # Concurrency
//
// A compiled [Flow] is immutable and safe for concurrent use. An [Engine]
// is safe for concurrent use and may register flows while serving. A
// [Builder] is not safe for concurrent use.
//
// # Errors
//
// Compile returns a [*CompileError] listing every [Problem]. The Engine
// returns [ErrNoSession] outside a Bot and [ErrUnknownFlow] for a call to a
// flow that is not registered; Register returns [ErrDuplicateVersion].
// Errors from actions never reach the Bot: they take the action's OnError
// route after an apology, so an integration failure is told gracefully.
package flow
