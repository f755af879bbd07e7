// Package telegram is the Telegram Bot API channel for Parley.
//
// # Overview
//
// The [Adapter] is an http.Handler for the bot's webhook. It compares
// X-Telegram-Bot-Api-Secret-Token with the secret_token given to
// setWebhook in constant time, acknowledges at once and runs the handler
// for each message on a worker. Quick replies become an inline keyboard
// (one button per row); a tap arrives as a callback_query whose data is the
// quick reply's payload, and is answered (answerCallbackQuery) in the
// webhook response itself. Typing ([parley.Typer]) is the "typing" chat
// action.
//
//	tg, err := telegram.New(telegram.Config{
//		Token:       os.Getenv("TELEGRAM_TOKEN"),
//		SecretToken: os.Getenv("TELEGRAM_WEBHOOK_SECRET"),
//	}, bot)
//	if err != nil {
//		return err
//	}
//	mux.Handle("/webhooks/telegram", tg)
//	defer tg.Close(context.Background())
//
// Conversations are chats ("telegram:<chat id>"); turns carry the user's
// language_code as Locale. Photos, documents, voice notes, audio and video
// arrive as attachments whose URL is "file:<file_id>". Stickers, locations,
// contacts, polls, edited messages and messages from bots are acknowledged
// and reported as [channel.EventUnsupported].
//
// # Concurrency
//
// An Adapter is safe for concurrent use.
//
// # Errors
//
// Sends fail with a [*channel.PlatformError] carrying Telegram's
// error_code and description (RetryAfter from parameters.retry_after), or
// the errors of package channel.
package telegram
