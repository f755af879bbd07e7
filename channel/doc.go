// Package channel holds what Parley's messaging-platform adapters share:
// the [Adapter] contract, platform [Capabilities] with the fallback
// [Render]ing of rich messages, a rate-limited retrying [Sender] that never
// sends twice, webhook de-duplication ([Deduper]), the owned worker pool
// that lets webhooks be acknowledged at once ([Dispatcher]), identity
// linking across channels ([Linker]) and the typed [*PlatformError].
//
// The adapters live in sub-packages: whatsapp, messenger (Messenger and
// Instagram), telegram, slack, sms (Twilio) and email; web and cli too.
//
// # Overview
//
// An adapter is an [http.Handler] for the platform's webhooks. It verifies
// the signature on the raw body, parses the payload, drops redeliveries,
// acknowledges at once and hands each message to a worker as a
// [parley.Turn]; replies go back through a [parley.ReplyWriter] that maps
// each [parley.Message] onto what the platform can show.
//
//	bot := parley.NewBot(handler)
//	wa, err := whatsapp.New(whatsapp.Config{
//		PhoneNumberID: "1234567890",
//		AccessToken:   os.Getenv("WA_TOKEN"),
//		AppSecret:     os.Getenv("WA_APP_SECRET"),
//		VerifyToken:   os.Getenv("WA_VERIFY_TOKEN"),
//	}, bot)
//	if err != nil {
//		return err
//	}
//	http.Handle("/webhooks/whatsapp", wa)
//	// On shutdown: stop the HTTP server, then
//	err = wa.Close(ctx) // waits for every acknowledged message
//
// # Delivery guarantees
//
// A webhook is answered 2xx only once its messages are queued; if the queue
// is full or the adapter is closing it is answered 503 and the platform
// redelivers. A redelivered message is acknowledged and dropped
// ([EventDuplicate]). Sends are retried on 429 and 5xx, honouring
// Retry-After, but never after an ambiguous failure (the request reached
// the platform and no answer came back): that is [ErrAmbiguous], because a
// retry could deliver the message twice.
//
// # Concurrency
//
// Adapters, [Base], [Sender], [Dispatcher], [Choices] and the Deduper and
// Linker implementations are safe for concurrent use. Turns of one
// conversation run in arrival order on one worker; different conversations
// run concurrently on Options.Workers workers. The workers start with the
// first webhook; Close waits for them.
//
// # Errors
//
// Webhooks are refused with a [*RejectError] event and status 401
// ([ErrSignature], [ErrReplay]), 400 ([ErrMalformed]), 413
// ([ErrBodyTooLarge]) or 503 ([ErrQueueFull], [ErrClosed]). Replies fail
// with a [*PlatformError] carrying the platform's status, code and reason,
// [ErrAmbiguous], [ErrUnsupported] or [ErrOptedOut]. Problems that have no
// caller to return to (unsupported inbound kinds, handler errors, failed
// deliveries) are reported to the [parley.Observer] as events.
//
// # Implementing an adapter
//
// Embed a *[Base] built with [NewBase]. In ServeHTTP: [Base.ReadBody],
// verify the signature in constant time ([EqualSecret]), parse, and for each
// message build a Turn with a stable ConversationID and the platform's
// MessageID and call [Base.Accept]; answer any error with [Base.Reject].
// The ReplyWriter calls [Render] with the platform's Capabilities and sends
// each [Part] with [Sender.Do]. Test it with channeltest.Run.
package channel
