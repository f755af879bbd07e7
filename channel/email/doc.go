// Package email is the email channel for Parley: inbound RFC 5322
// messages become turns, replies go out over SMTP in the same thread.
//
// # Overview
//
// [New] returns a [channel.Adapter]. Inbound mail reaches its Handler as
// a raw message POSTed by a relay of your own (signed: X-Parley-Signature
// is "sha256=" + hex HMAC-SHA256 of the body under Config.WebhookSecret),
// or as the webhook of an inbound-mail service named by Config.Service:
// "postmark" (its inbound JSON), "sendgrid" (Inbound Parse, parsed fields
// or the raw message) or "mailgun" (a route's forward(), parsed fields or
// body-mime). Mailgun's signature (HMAC-SHA256 of timestamp and token
// under the webhook signing key) is checked; Postmark and SendGrid sign
// nothing, so their webhook URL must carry WebhookSecret as its basic-auth
// password. Parsed fields go through the same steps as a raw message. [Parse] reads the message with net/mail and
// mime/multipart, with golang.org/x/text for the charsets the standard
// library lacks: sender names and subjects in RFC 2047 words of any charset
// (windows-1252, iso-2022-jp, shift_jis, ...), bodies transcoded to UTF-8
// (text labelled UTF-8 that is not is read as windows-1252). It takes the
// text/plain part, or converts the text/html part when there is none, and
// drops the quoted earlier messages: ">" lines and their "On ... wrote:"
// attribution (answers written between quoted lines are kept), and
// everything below an Outlook-style "From: ... Sent: ..." block, an
// "-----Original Message-----" line or a "-- " signature separator;
// forwarded messages are kept. Attachments become [parley.Attachment]s
// with their data (at most 10, 5 MiB each, 10 MiB together; the rest are
// reported). A message without a Message-ID gets a stable one derived
// from its content. Replies go to Reply-To when the sender set one.
// Threads map to conversations: a message whose
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
// (an answer of "2" maps back), cards and media become links. Messages that
// must not be answered (RFC 3834) are reported as
// [channel.EventUnsupported] with Attrs["reason"]: Auto-Submitted other
// than "no" (out-of-office replies), Precedence bulk, list or junk,
// mailing-list mail (List-Id and the other List-* fields), a null
// Return-Path, delivery and disposition reports (multipart/report, RFC
// 3464), and mail from MAILER-DAEMON, postmaster, owner-/-request and
// no-reply addresses.
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
