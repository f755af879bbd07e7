// Package slack is the Slack channel for Parley: the Events API, Block Kit
// buttons and interactivity, and chat.postMessage. Agents can use it for
// hand-offs.
//
// # Overview
//
// The [Adapter] serves both the Events API request URL and the
// interactivity request URL. Every request is verified with the signing
// secret (X-Slack-Signature, "v0=" + HMAC-SHA256 of "v0:timestamp:body")
// and refused if its timestamp is more than five minutes away
// ([ReplayWindow]). url_verification is answered with the challenge.
// Messages and app mentions become turns, and so do block_actions taps on
// the buttons the adapter renders for quick replies.
//
//	sl, err := slack.New(slack.Config{
//		BotToken:      os.Getenv("SLACK_BOT_TOKEN"),
//		SigningSecret: os.Getenv("SLACK_SIGNING_SECRET"),
//	}, bot)
//	if err != nil {
//		return err
//	}
//	mux.Handle("/slack/events", sl)
//	mux.Handle("/slack/interactivity", sl)
//	defer sl.Close(context.Background())
//
// Conversations are channels, or threads when a message is in one
// ([Conversation]); replies go to the same thread. For hand-offs,
// [Adapter.Post] posts a summary into an agents' channel and returns its
// ts; [Adapter.Writer] with that ts posts into the thread, and agents'
// replies there come back as turns on that thread's conversation.
//
// Bot messages (including the adapter's own) are ignored; edits,
// deletions, reactions and other events are reported as
// [channel.EventUnsupported].
//
// # Concurrency
//
// An Adapter is safe for concurrent use.
//
// # Errors
//
// Webhooks fail with [channel.ErrSignature] or [channel.ErrReplay] (401).
// Sends fail with a [*channel.PlatformError] whose Code and Reason are
// Slack's error string ("channel_not_found"), or the errors of package
// channel.
package slack
