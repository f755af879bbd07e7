// Package email is the email channel for Parley: inbound RFC 5322
// messages become turns, replies go out over SMTP in the same thread.
//
// # Overview
//
// [New] returns a [channel.Adapter]. Inbound mail reaches its Handler as
// a raw message POSTed by an inbound-mail service (signed:
// X-Parley-Signature is "sha256=" + hex HMAC-SHA256 of the body under
// Config.WebhookSecret). [Parse] reads the message with net/mail, takes the
// text/plain part (quoted-printable and base64 decoded) and drops the
// quoted earlier message. Threads map to conversations: a message whose
// In-Reply-To or References name a message of a known conversation joins
// it; otherwise the conversation is the thread's root ("email:<root
// Message-ID>"). A turn's Recipient is the sender's address.
//
//	em, err := email.New(email.Config{
//		From:          "Shop Support <help@shop.example>",
//		SMTPAddr:      "smtp.example.com:587",
//		Auth:          smtp.PlainAuth("", user, pass, "smtp.example.com"),
//		TLS:           &tls.Config{ServerName: "smtp.example.com"},
//		WebhookSecret: os.Getenv("INBOUND_MAIL_SECRET"),
//	})
//	if err != nil {
//		return err
//	}
//	bot := parley.NewBot(handler, parley.WithSender("email", em))
//	mux.Handle("/inbound/email", em.Handler(bot))
//
// Replies are plain-text emails with In-Reply-To, References and
// "Auto-Submitted: auto-replied"; quick replies become numbered options
// (an answer of "2" maps back), cards and media become links. Automatic
// messages (out-of-office, bounces) are never answered: they are reported
// as [channel.EventUnsupported].
//
// # Concurrency
//
// The Adapter is safe for concurrent use.
//
// # Errors
//
// Sends fail with a [*channel.PlatformError] whose Status is the SMTP
// reply code (4xx Temporary, retried after Config.RetryWait; 5xx
// permanent), [channel.ErrAmbiguous] when the connection drops after the
// message data was sent (never retried), or the errors of package channel.
// Inline attachments (Data) are not supported yet ([channel.ErrUnsupported]).
package email
