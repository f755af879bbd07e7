// Package messenger is the Messenger and Instagram direct-message channel
// for Parley, over the Messenger Platform (Graph API).
//
// # Overview
//
// [New] returns a [channel.Adapter] for one page's webhook, for Messenger
// (object "page", channel "messenger") or Instagram (Config.Instagram:
// object "instagram", channel "instagram"). GET answers the verification
// handshake; POST checks X-Hub-Signature-256 (HMAC-SHA256 of the raw body
// with the app secret) and hands each message, quick reply and postback to
// the Bot, answering at once.
//
//	m, err := messenger.New(messenger.Config{
//		PageAccessToken: os.Getenv("PAGE_TOKEN"),
//		AppSecret:       os.Getenv("META_APP_SECRET"),
//		VerifyToken:     os.Getenv("META_VERIFY_TOKEN"),
//	})
//	if err != nil {
//		return err
//	}
//	bot := parley.NewBot(handler, parley.WithSender("messenger", m))
//	mux.Handle("/webhooks/messenger", m.Handler(bot))
//	err = messenger.SetPersistentMenu(ctx, cfg, []parley.Button{{Title: "Talk to a human", Payload: "human"}})
//
// Replies: quick replies (up to 13, 20-character titles), cards as a
// generic-template carousel (up to 10, 3 buttons each), media by URL.
// Payloads over the Send API's 1,000 characters are kept server-side and
// sent as a short token that the tap maps back (a token from before a
// restart falls back to the tapped title).
// Echoes of the page's own messages are ignored; stickers and reactions
// are reported as [channel.EventUnsupported]. Attachments the API cannot
// show (locations, shared links and posts, story mentions, reels) and
// Instagram's is_unsupported messages reach the Bot described in text
// ("[sent a location: geo:52.52,13.405]") and are reported too; unsends
// (is_deleted, message_deletes) never become turns and are reported with
// Attrs["type"] "unsend" and the removed message's ID. Delivery and read
// receipts become [channel.EventStatus]. Outside the 24-hour window put a
// [Tag] in the message's Extras under the channel name.
//
// # Concurrency
//
// The Adapter is safe for concurrent use.
//
// # Errors
//
// Sends fail with a [*channel.PlatformError] carrying the Graph API code
// and message (throttling codes are Temporary), or the errors of package
// channel.
package messenger
