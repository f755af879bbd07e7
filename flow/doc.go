// Package flow builds conversation flows in Go: graphs of nodes (say, ask,
// choice, branch, action, subflow call, hand-off, feedback, wait, end)
// that are checked when compiled and run by an [Engine], which is a
// [parley.Handler].
//
// # Overview
//
//	refund := flow.New("refund").Add(
//		&flow.Ask{ID: "order", Slot: "order", Prompt: []string{"Which order?"}, Next: "amount"},
//		&flow.Ask{ID: "amount", Slot: "amount", Type: flow.MoneySlot, Prompt: []string{"How much?"}, Next: "check"},
//		&flow.Branch{ID: "check", Cases: []flow.Case{
//			{Expr: `float(split(slots.amount, " ")[0]) > 50`, Next: "approval"},
//		}, Else: "done"},
//		&flow.Handoff{ID: "approval", Reason: "refund over $50", Next: "done"},
//		&flow.End{ID: "done", Status: flow.Resolved, Text: []string{"Refund of {{slots.amount}} started."}},
//	)
//	engine, err := flow.NewEngine([]*flow.Builder{refund}, flow.WithHandOffer(desk))
//	if err != nil {
//		return err // every problem of every flow at once, a Call to a missing flow included
//	}
//	router := intent.NewRouter()
//	router.Handle("refund", engine.Starter("refund")) // the router maps intents
//	router.Handle(flow.DefaultOwner, engine)          // and gives the engine its answers
//	bot := parley.NewBot(parley.Chain(router, intent.Commands(), intent.Middleware(understander)))
//
// # Templates
//
// Text in Say, Ask, Choice, Feedback and End nodes is a template.
// Placeholders are {{slots.NAME}} (a slot of the flow) and
// {{customer.FIELD}} (a profile field from [Profiles]), optionally with a
// default: {{customer.name | "there"}}. A missing value renders as the
// default, or as nothing. Compile rejects placeholders that name slots no
// node collects (declare slots set by actions with [Builder.Slots]) and
// profile fields outside the standard ones and
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
// in the session, so a restarted process resumes at the same node. It
// does not route: an intent.Router maps intents and signals to
// [Engine.Starter] handlers, and a flow starts there, its Ask slots
// filled from the entities of the starting message. Every Ask, Choice and
// Feedback node opens the conversation's one [dialog.Question]; the
// router gives the next turn to the engine first. A turn that is not an
// answer (a question of the customer's own, a confident new request) is
// handed back with [dialog.ErrNotAnswer] and routed: after a digression
// the form asks its question again ([dialog.Resume]); a feedback question
// is simply dropped ([dialog.Drop]). A new request that another flow
// serves in one turn ("where is order A-1001?" while the refund form asks
// which order), or after one more detail, holds the form in the session
// instead of ending it: once the request is served the form asks its
// question again, introduced ("Back to your refund. Which order is it?";
// [Ask.ResumeText]), in place of the request's feedback question. A
// change of mind in words ("actually", "instead", "forget it", "en
// realidad", "mejor ..."), a global command, a hand-off, or a request
// that goes on as a form of its own or asks the customer to choose
// replaces the form; a menu or an offer (a Choice without a Slot) is
// never held. One form is held at most. A feedback question never stacks
// on another question asked in the same turn. Answers are read by the Ask's [SlotType]; a number or money
// question answered "all of it" or "lo que queda" takes what the flow's
// [Ask.Whole] supplies, and a correction of an earlier answer ("no wait,
// make it A-1002") changes that slot and asks again what follows. The engine reports typed outcomes ([dialog.Report]): resolved,
// unresolved, handed off, or not understood for an answer that did not
// fit. A loop guard stops a conversation that visits one node too often.
//
// Conversations keep the flow version they started with. New ones start
// the newest, or the version the [WithVersion] hook chooses for the
// customer (an experiment's variant, a promoted winner). When an engine
// built without that version meets them, the [WithMigration] hook moves
// them, or they restart with a message to the user.
//
// # Concurrency
//
// A compiled [Flow] is immutable and safe for concurrent use; it owns
// copies of its nodes. An [Engine] is immutable and safe for concurrent
// use. A [Builder] is not safe for concurrent use, and changing it after
// Compile is an error ([ErrCompiled]).
//
// # Errors
//
// [NewEngine] compiles the complete set of flows and returns one
// [*CompileError] listing every [Problem], in each flow and between them,
// each naming its flow and node. [Builder.Compile] checks one flow (for a
// diagram with [Flow.Mermaid], or a test) and lists that flow's. The Engine
// returns [dialog.ErrNoSession] outside a Bot and [ErrUnknownFlow] from a
// Starter of a flow it does not have.
// Errors from actions never reach the Bot: they take the action's OnError
// route after an apology, so an integration failure is told gracefully.
package flow
