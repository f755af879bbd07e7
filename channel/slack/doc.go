// Package slack is the Slack channel for Parley: the Events API, Block Kit
// buttons and interactivity, and chat.postMessage.
//
// # Overview
//
// [New] returns a [channel.Adapter] whose Handler serves both the Events
// API request URL and the interactivity request URL. Every request is
// verified with the signing secret (X-Slack-Signature, "v0=" + HMAC-SHA256
// of "v0:timestamp:body") and refused if its timestamp is more than five
// minutes away ([channel.ErrReplay]). url_verification is answered with
// the challenge. Messages and app mentions become turns, and so do
// block_actions taps on the buttons the adapter renders for quick replies.
//
//	sl, err := slack.New(slack.Config{
//		BotToken:      os.Getenv("SLACK_BOT_TOKEN"),
//		SigningSecret: os.Getenv("SLACK_SIGNING_SECRET"),
//	})
//	if err != nil {
//		return err
//	}
//	bot := parley.NewBot(handler, parley.WithSender("slack", sl))
//	mux.Handle("/slack/events", sl.Handler(bot))
//	mux.Handle("/slack/interactivity", sl.Handler(bot))
//
// Conversations are channels, or threads when a message is in one
// ("slack:<team>:<channel>[:<thread ts>]"); a turn's Recipient is
// "<channel>" or "<channel>:<thread ts>", and replies go to the same
// thread. To post into an agents' channel, Send to a Recipient naming it.
// Messages with files (subtype file_share) keep their text and carry the
// files as attachments (url_private, fetched with the bot token); thread
// replies also sent to the channel (thread_broadcast) are answered in
// their thread. Bot messages (including the adapter's own) are ignored;
// edits, deletions, reactions and other events are reported as
// [channel.EventUnsupported], and so is app_rate_limited, which is
// answered 200 as Slack requires.
//
// Outbound text is escaped (&, < and > become entities, as Slack's
// formatting reference asks), and inbound text unescaped. Button values
// over Block Kit's 2,000 characters are kept server-side and sent as a
// short token that the tap maps back; a token from before a restart falls
// back to the button's text.
//
// # Concurrency
//
// The Adapter is safe for concurrent use.
//
// # Errors
//
// Webhooks fail with [channel.ErrSignature] or [channel.ErrReplay] (401).
// Sends fail with a [*channel.PlatformError] whose Code and Reason are
// Slack's error string ("channel_not_found"), or the errors of package
// channel.
package slack
