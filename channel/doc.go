// Package channel connects messaging platforms to a [parley.Bot]: one
// concrete [Adapter] over a small [Platform] driver, as database/sql sits
// over database/sql/driver.
//
// The drivers live in sub-packages: whatsapp, messenger (Messenger and
// Instagram), telegram, slack, sms (Twilio) and email. Each exports a
// Config and a New that returns a *[Adapter]. The web chat (package web)
// and the terminal (package cli) hold live connections and are not
// webhook drivers.
//
// # Overview
//
// The Adapter does, once for every platform, what a channel needs besides
// the platform's wire format: it reads at most [Config].MaxBody bytes of a
// webhook, has the driver verify and parse it, maps a typed "2" back to
// the second numbered option, fills in customer IDs through a [Linker],
// and hands each message to the Bot's Enqueue, answering the webhook at
// once. The Bot, not the adapter, orders, de-duplicates and runs turns.
// Replies reach the platform through [Adapter.Send], which makes the
// Adapter the Bot's [parley.Sender] for the channel: it fits each message
// to the platform's [Capabilities] with [Render] and sends the parts under
// the platform's [Limits], retrying 429s and 5xx.
//
//	wa, err := whatsapp.New(whatsapp.Config{
//		PhoneNumberID: "1234567890",
//		AccessToken:   os.Getenv("WA_TOKEN"),
//		AppSecret:     os.Getenv("WA_APP_SECRET"),
//		VerifyToken:   os.Getenv("WA_VERIFY_TOKEN"),
//	})
//	if err != nil {
//		return err
//	}
//	bot := parley.NewBot(handler, parley.WithSender("whatsapp", wa))
//	http.Handle("/webhooks/whatsapp", wa.Handler(bot))
//
// Platform limits and capabilities are configuration: each driver fills
// [Config].Capabilities and [Config].Limits with its platform's documented
// values when they are zero, and an application may set its own.
//
// # Delivery guarantees
//
// A webhook is answered 2xx only once the Bot has recorded every message
// in it; if the Bot cannot (it is shutting down, its store failed), the
// webhook is answered 503 and the platform redelivers. A redelivered
// message is acknowledged and dropped: the Bot reports it as
// [parley.ErrDuplicate]. Sends are retried on 429 and 5xx, honouring
// Retry-After, but never after an ambiguous failure (the request reached
// the platform and no answer came back): that is [ErrAmbiguous], because a
// retry could deliver the message twice. Each part carries a stable key
// ([Outgoing].Key) derived from the message's ID, which drivers pass to
// platforms that de-duplicate on one.
//
// # Concurrency
//
// Adapters and the [Linker] implementations are safe for concurrent use,
// and so must drivers be.
//
// # Errors
//
// Webhooks are refused with a [*RejectError] event and status 401
// ([ErrSignature], [ErrReplay]), 400 ([ErrMalformed]), 413
// ([ErrBodyTooLarge]), 405 (a method other than GET and POST) or 503 (the
// Bot did not accept a message). Sends fail with a [*PlatformError]
// carrying the platform's status, code and reason, [ErrAmbiguous],
// [ErrUnsupported] or [ErrOptedOut]. Problems that have no caller to
// return to (unsupported inbound kinds, delivery failures reported by the
// platform) are reported to the [parley.Observer] as events.
//
// # Writing a driver
//
// Implement [Platform]: Verify checks the signature on the raw body in
// constant time ([EqualSecret], [HMACHex]); Parse returns a [Batch] of
// turns with a stable ConversationID, the platform's MessageID and the
// Recipient replies go to; Send makes one attempt at one [Part], with [Do]
// for HTTP APIs. Test it with channeltest.Run against an httptest server
// that speaks the platform's API.
package channel
