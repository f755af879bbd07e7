// Package parley is a Go SDK for customer-support and retention chatbots
// that live inside your own Go service.
//
// The central idea is the turn: one inbound user event in a conversation.
// A [Handler] responds to a [Turn] by writing [Message] replies to a
// [ReplyWriter], much as an http.Handler responds to a request. A [Bot] is
// the only runtime, as http.Server is: it alone keeps the turns of one
// conversation in order, runs conversations concurrently, drops redelivered
// messages, applies deadlines, loads and saves the session, and turns
// panics and errors into a polite fallback reply and an [Event].
//
// # Overview
//
//	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
//		return w.Reply(ctx, parley.Text("You said: "+t.Text()))
//	})
//	bot := parley.NewBot(h, parley.WithStore(store), parley.WithSender("whatsapp", wa))
//	defer bot.Shutdown(context.Background())
//	if _, err := bot.Recover(ctx); err != nil { // finish what a crash left
//		return err
//	}
//
//	// A webhook: record the turn and acknowledge at once; the Bot runs it
//	// and sends the replies through the channel's Sender.
//	err := bot.Enqueue(ctx, &parley.Turn{
//		ConversationID: "c1", Channel: "whatsapp", Recipient: "+15550100",
//		MessageID: "wamid.1", Message: parley.Text("hello"),
//	})
//
//	// A live connection (a terminal, a test): run the turn now.
//	err = bot.HandleTurn(ctx, replyWriter, turn)
//
// Turns that do not come from a channel (an agent's message, a timer, an
// approval decision) enter through [Bot.Enqueue] too, ordered with the
// customer's own. With a durable store an accepted turn survives a crash:
// its replies are recorded in the same write that marks it handled and
// sent afterwards, so after a restart they are re-sent, never re-generated.
//
// Within a turn, package dialog holds turn-taking: at most one open
// question per conversation (dialog.Ask, dialog.OpenQuestion), typed
// outcomes that escalation reads (dialog.Report), global commands that
// work in every state (dialog.CommandKey), and hand-off requests
// (dialog.HandOffer).
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
// Packages meet through typed [Turn] annotations ([With], [Value]) rather
// than by importing each other: package nlu defines the shared ones, what
// language understanding made of a turn (nlu.UnderstandingKey) and its
// mood (nlu.MoodKey).
//
// # Concurrency
//
// [Bot] is safe for concurrent use. It owns the goroutines that run
// enqueued turns; [Bot.Shutdown] waits for them. A [Turn] belongs to one
// goroutine: the one running its handler. Handlers must be safe for
// concurrent use across conversations.
//
// # Errors
//
// Handlers return errors; the Bot handles them once, by replying with the
// fallback and emitting [EventTurnError]. [Bot.HandleTurn] returns an error
// only when a turn could not run at all ([ErrClosed], [ErrNoConversation],
// [ErrLeaseTimeout], a store failure), after asking the user to send the
// message again. [Bot.Enqueue] returns [ErrDuplicate] for a message it
// already accepted, and any other error when the turn was not accepted, so
// that the platform delivers it again.
package parley
