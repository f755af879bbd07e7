// Package sms is the SMS (and MMS) channel for Parley, over Twilio
// Programmable Messaging.
//
// # Overview
//
// [New] returns a [channel.Adapter] whose Handler serves the
// incoming-message webhook and the status callback. It validates
// X-Twilio-Signature ([Signature]: base64 HMAC-SHA1 of the configured
// public URL followed by the sorted POST parameters; the URL with or
// without its port, with the default port added, as Twilio's helper
// libraries accept), hands the message to
// the Bot and acknowledges with empty TwiML at once; replies go over the
// REST API (Messages.json). Quick replies become numbered options and the
// reply "2" (or the option's title) maps back to the option's payload;
// cards become text plus a link; long text is split at 1600 characters;
// images go as MMS media. A WhatsApp location (sent through Twilio's
// WhatsApp sender to the same webhook) arrives as text naming the place
// and its geo URI ("Location: Moscone Center, 747 Howard St
// (geo:37.7843,-122.4016)").
//
//	s, err := sms.New(sms.Config{
//		AccountSID: os.Getenv("TWILIO_ACCOUNT_SID"),
//		AuthToken:  os.Getenv("TWILIO_AUTH_TOKEN"),
//		From:       "+15550001111",
//		PublicURL:  "https://bot.example.com/twilio/sms",
//		HelpText:   "Acme support. Reply STOP to opt out.",
//	})
//	if err != nil {
//		return err
//	}
//	bot := parley.NewBot(handler, parley.WithSender("sms", s))
//	mux.Handle("/twilio/sms", s.Handler(bot))
//
// STOP, START and HELP follow Twilio's opt-out handling: STOP (or STOPALL,
// UNSUBSCRIBE, CANCEL, END, QUIT) and START (or UNSTOP, or YES while opted
// out) reach the Bot as turns, which records the opt-out on the customer,
// and are reported as [channel.EventOptOut]; until START, the number's
// other messages are dropped and nothing is sent to it
// ([channel.ErrOptedOut]). HELP is answered with HelpText in the webhook's
// TwiML. Status callbacks become [channel.EventStatus] events.
//
// # Concurrency
//
// The Adapter is safe for concurrent use.
//
// # Errors
//
// Sends fail with a [*channel.PlatformError] carrying Twilio's error code
// and message, [channel.ErrOptedOut] (also for Twilio's error 21610), or the
// errors of package channel.
package sms
