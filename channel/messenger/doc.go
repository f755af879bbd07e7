// Package messenger is the Messenger and Instagram direct-message channel
// for Parley, over the Messenger Platform (Graph API).
//
// # Overview
//
// One [Adapter] serves one page's webhook, for Messenger (object "page")
// or Instagram (object "instagram", Config.Platform = [Instagram]). GET
// answers the verification handshake; POST checks X-Hub-Signature-256
// (HMAC-SHA256 of the raw body with the app secret), acknowledges at once
// and runs the handler for each message, quick reply and postback on a
// worker.
//
//	m, err := messenger.New(messenger.Config{
//		PageAccessToken: os.Getenv("PAGE_TOKEN"),
//		AppSecret:       os.Getenv("META_APP_SECRET"),
//		VerifyToken:     os.Getenv("META_VERIFY_TOKEN"),
//	}, bot)
//	if err != nil {
//		return err
//	}
//	mux.Handle("/webhooks/messenger", m)
//	err = m.SetPersistentMenu(ctx, []parley.Button{{Title: "Talk to a human", Payload: "human"}})
//
// Replies: quick replies (up to 13, 20-character titles), cards as a
// generic-template carousel (up to 10, 3 buttons each), media by URL,
// typing_on ([parley.Typer]) and mark_seen ([parley.ReadMarker]). Echoes of
// the page's own messages are ignored; stickers, locations and reactions
// are reported as [channel.EventUnsupported]; delivery and read receipts as
// [channel.EventStatus]. Outside the 24-hour window put a [Tag] in the
// message's Extras under the platform name.
//
// # Concurrency
//
// An Adapter is safe for concurrent use.
//
// # Errors
//
// Sends fail with a [*channel.PlatformError] carrying the Graph API code
// and message (throttling codes are Temporary), or the errors of package
// channel.
package messenger
