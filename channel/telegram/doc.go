// Package telegram is the Telegram Bot API channel for Parley.
//
// # Overview
//
// [New] returns a [channel.Adapter]. Its Handler serves the bot's webhook:
// it compares X-Telegram-Bot-Api-Secret-Token with the secret_token given
// to setWebhook in constant time and hands each message to the Bot,
// answering at once. Quick replies become an inline keyboard (one button
// per row); a tap arrives as a callback_query whose data is the quick
// reply's payload (or its number, when the payload exceeds Telegram's 64
// bytes, mapped back), and is answered (answerCallbackQuery) in the
// webhook response itself.
//
//	tg, err := telegram.New(telegram.Config{
//		Token:       os.Getenv("TELEGRAM_TOKEN"),
//		SecretToken: os.Getenv("TELEGRAM_WEBHOOK_SECRET"),
//	})
//	if err != nil {
//		return err
//	}
//	bot := parley.NewBot(handler, parley.WithSender("telegram", tg))
//	mux.Handle("/webhooks/telegram", tg.Handler(bot))
//
// Every callback_query is answered, including taps on buttons of inline-mode
// messages (inline_message_id), which have no chat to reply in and are
// reported as [channel.EventUnsupported].
//
// Conversations are chats ("telegram:<chat id>", Recipient the chat ID),
// or in forum supergroups topics ("telegram:<chat id>:<thread id>",
// Recipient "<chat id>:<thread id>"): replies carry message_thread_id so
// they land in the topic, not in General;
// turns carry the user's language_code as Locale. Photos, documents, voice
// notes, audio and video arrive as attachments whose URL is
// "file:<file_id>". Stickers, locations, contacts, polls, edited messages
// and messages from bots are acknowledged and reported as
// [channel.EventUnsupported].
//
// # Concurrency
//
// The Adapter is safe for concurrent use.
//
// # Errors
//
// Sends fail with a [*channel.PlatformError] carrying Telegram's
// error_code and description (RetryAfter from parameters.retry_after), or
// the errors of package channel.
package telegram
