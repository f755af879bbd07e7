// Package parley is a Go SDK for customer-support and retention chatbots
// that live inside your own Go service.
//
// The central idea is the turn: one inbound user event in a conversation.
// A [Handler] responds to a [Turn] by writing [Message] replies to a
// [ReplyWriter], much as an http.Handler responds to a request. A [Bot]
// runs handlers the way http.Server does: it keeps the turns of one
// conversation in order, runs conversations concurrently, drops redelivered
// webhooks, loads and saves the session, and turns panics and errors into a
// polite fallback reply and an [Event].
//
// # Overview
//
//	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
//		return w.Reply(ctx, parley.Text("You said: "+t.Text()))
//	})
//	bot := parley.NewBot(h, parley.WithTurnTimeout(5*time.Second))
//	defer bot.Shutdown(context.Background())
//
//	err := bot.HandleTurn(ctx, replyWriter, &parley.Turn{
//		ConversationID: "c1", Channel: "web", MessageID: "m1",
//		Message: parley.Text("hello"),
//	})
//
// The packages build on this:
//
//   - flow: conversation graphs written in Go (say, ask, branch, action,
//     hand-off, feedback), compiled and checked before they run;
//   - intent: a trainable intent classifier with calibrated confidence,
//     entities and out-of-scope detection;
//   - sentiment and escalation: mood on every turn and hand-off to humans;
//   - kb and llm: grounded answers from your documents, pluggable models;
//   - channel: web chat, WhatsApp, Messenger, Telegram, Slack, SMS, email
//     and a terminal;
//   - memory: sessions, customer profiles and cross-channel history, with
//     Redis, PostgreSQL and SQLite stores in nested modules;
//   - privacy: consent gating, PII redaction, erasure and export;
//   - parleytest: handler tests without a channel, scripted conversations
//     and golden transcripts (flow/flowtest adds flow checks).
//
// Several replicas of a service can share one store (Redis, PostgreSQL):
// give the Bot a [memory.Locker] with [WithLocker] so that the turns of a
// conversation never overlap across replicas; de-duplication is shared
// through the store.
//
// Packages meet through typed [Turn] annotations ([With], [Value],
// [UnderstandingKey], [MoodKey]) rather than by importing each other.
//
// # Concurrency
//
// [Bot] is safe for concurrent use. A [Turn] belongs to one goroutine: the
// one running its handler. Handlers must be safe for concurrent use across
// conversations.
//
// # Errors
//
// Handlers return errors; the Bot handles them once, by replying with the
// fallback and emitting [EventTurnError]. [Bot.HandleTurn] returns an error
// only when a turn could not run at all ([ErrClosed], [ErrNoConversation],
// a store failure).
package parley
