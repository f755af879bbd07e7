// Package whatsapp is the WhatsApp Cloud API channel for Parley.
//
// # Overview
//
// The [Adapter] is an http.Handler for the webhook: GET answers the
// verification handshake (hub.mode, hub.verify_token, hub.challenge); POST
// checks X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the app
// secret), acknowledges at once and runs the handler for each message on a
// worker. Replies are rendered for WhatsApp: up to 3 quick replies as reply
// buttons, up to 10 as a list, more as numbered options ("2" maps back),
// media by link, long text split at 4096 characters.
//
//	wa, err := whatsapp.New(whatsapp.Config{
//		PhoneNumberID: os.Getenv("WA_PHONE_NUMBER_ID"),
//		AccessToken:   os.Getenv("WA_TOKEN"),
//		AppSecret:     os.Getenv("WA_APP_SECRET"),
//		VerifyToken:   os.Getenv("WA_VERIFY_TOKEN"),
//	}, bot)
//	if err != nil {
//		return err
//	}
//	mux.Handle("/webhooks/whatsapp", wa)
//	defer wa.Close(context.Background())
//
// Outside the 24-hour customer-service window only templates may be sent:
// put a [Template] in the message's Extras under "whatsapp" and the adapter
// sends it when the window is closed (or when the platform says so with
// error 131047). Read receipts ([parley.ReadMarker]) and the typing
// indicator ([parley.Typer]) are supported. Status callbacks (sent,
// delivered, read, failed) become [channel.EventStatus] events; stickers,
// locations, reactions and other kinds become [channel.EventUnsupported].
// Inbound media arrive as attachments whose URL is "media:<id>"; fetch them
// with the Graph API.
//
// # Concurrency
//
// An Adapter is safe for concurrent use; see package channel for the
// worker pool and Close.
//
// # Errors
//
// Sends fail with a [*channel.PlatformError] carrying the Graph API code
// and message, [ErrOutsideWindow], or the errors of package channel.
package whatsapp
