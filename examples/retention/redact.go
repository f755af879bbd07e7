package main

import (
	"context"

	"github.com/parleyhq/parley/privacy"
)

// newRedactor masks what the shop never needs to read back in a chat:
// card numbers, security codes, IBANs and national ID numbers. Phone
// numbers and email addresses are kept, because the call-back flow and
// identity linking use them.
func newRedactor() *privacy.Redactor {
	return privacy.NewRedactor(privacy.WithMode(privacy.KindPhone, privacy.Keep), privacy.WithMode(privacy.KindEmail, privacy.Keep))
}

// redactWeb is the web widget's Config.Redact: visitor text is masked
// before it is echoed, kept in the transcript or given to the Bot.
func redactWeb(r *privacy.Redactor) func(ctx context.Context, conversationID, text string) (string, error) {
	return func(ctx context.Context, _, text string) (string, error) {
		out, _, err := r.Redact(ctx, "", text)
		return out, err
	}
}
