// Package sms is the SMS (and MMS) channel for Parley, over Twilio
// Programmable Messaging.
//
// # Overview
//
// The [Adapter] is an http.Handler for the incoming-message webhook and
// the status callback. It validates X-Twilio-Signature ([Signature]: base64
// HMAC-SHA1 of the configured public URL followed by the sorted POST
// parameters) and acknowledges with empty TwiML at once; the turn runs on a
// worker and replies over the REST API (Messages.json). Quick replies
// become numbered options and the reply "2" (or the option's title) maps
// back to the option's payload; cards become text plus a link; long text
// is split at 1600 characters; images go as MMS media.
//
//	s, err := sms.New(sms.Config{
//		AccountSID: os.Getenv("TWILIO_ACCOUNT_SID"),
//		AuthToken:  os.Getenv("TWILIO_AUTH_TOKEN"),
//		From:       "+15550001111",
//		PublicURL:  "https://bot.example.com/twilio/sms",
//		HelpText:   "Acme support. Reply STOP to opt out.",
//	}, bot)
//	if err != nil {
//		return err
//	}
//	mux.Handle("/twilio/sms", s)
//
// STOP, START and HELP are honoured: after STOP (or STOPALL, UNSUBSCRIBE,
// CANCEL, END, QUIT) nothing is sent to the number ([channel.ErrOptedOut])
// and its messages are not passed on, until START (or UNSTOP, or YES while
// opted out). HELP is answered with HelpText in the webhook's TwiML. Opt-outs
// are kept in [OptOuts] (in memory by default; share one across replicas).
// Status callbacks become [channel.EventStatus] events.
//
// # Concurrency
//
// An Adapter and [MemoryOptOuts] are safe for concurrent use.
//
// # Errors
//
// Sends fail with a [*channel.PlatformError] carrying Twilio's error code
// and message, [channel.ErrOptedOut] (also for Twilio's error 21610), or the
// errors of package channel.
package sms
