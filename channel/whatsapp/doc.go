// Package whatsapp is the WhatsApp Cloud API channel for Parley.
//
// # Overview
//
// [New] returns a [channel.Adapter]. Its Handler serves the webhook: GET
// answers the verification handshake (hub.mode, hub.verify_token,
// hub.challenge); POST checks X-Hub-Signature-256 (HMAC-SHA256 of the raw
// body with the app secret) and hands each message to the Bot, answering
// at once. As the Bot's Sender it renders replies for WhatsApp: up to 3
// quick replies as reply buttons, up to 10 as a list, more as numbered
// options ("2" maps back), media by link, long text split at 4096
// characters.
//
// Nothing the Cloud API refuses is sent: the text sent with buttons or a
// list is split so that the interactive body stays within 1,024
// characters; button titles are cut to 20 and row titles to 24, and when
// cutting leaves two titles equal the options fall back to a list, then to
// numbered text; button IDs over 256 characters (row IDs over 200) are
// kept server-side and sent as a short token that the tap maps back (a
// token from before a restart falls back to the tapped title).
//
//	wa, err := whatsapp.New(whatsapp.Config{
//		PhoneNumberID: os.Getenv("WA_PHONE_NUMBER_ID"),
//		AccessToken:   os.Getenv("WA_TOKEN"),
//		AppSecret:     os.Getenv("WA_APP_SECRET"),
//		VerifyToken:   os.Getenv("WA_VERIFY_TOKEN"),
//	})
//	if err != nil {
//		return err
//	}
//	bot := parley.NewBot(handler, parley.WithSender("whatsapp", wa))
//	mux.Handle("/webhooks/whatsapp", wa.Handler(bot))
//
// Outside the 24-hour customer-service window only templates may be sent:
// put a [Template] in the message's Extras under "whatsapp" and the adapter
// sends it when the window is closed (or when the platform says so with
// error 131047), and for a message to someone it has not heard from.
// Status callbacks (sent, delivered, read, failed) become
// [channel.EventStatus] events; stickers, locations, reactions and other
// kinds become [channel.EventUnsupported]. Inbound media arrive as
// attachments whose URL is "media:<id>"; fetch them with the Graph API.
// Turns carry the sender's number as Recipient and, with a
// [channel.Linker], the customer who owns that (platform-verified) number.
//
// # Concurrency
//
// The Adapter is safe for concurrent use.
//
// # Errors
//
// Sends fail with a [*channel.PlatformError] carrying the Graph API code
// and message (throttling codes are Temporary and retried),
// [ErrOutsideWindow], or the errors of package channel.
package whatsapp
