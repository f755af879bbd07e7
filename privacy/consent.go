package privacy

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/tee"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
)

// PurposeMemory is the consent purpose for remembering a customer beyond
// the current conversation: profile facts and cross-channel history.
const PurposeMemory = "memory"

// ConsentKey annotates a turn with whether the customer consented to
// [WithPurpose]. Code that stores anything beyond the current
// session checks it with [Allowed].
var ConsentKey = parley.NewKey[bool]("privacy.consent")

// noticeKey records in the session that the privacy notice was sent.
var noticeKey = memory.NewStateKey[bool]("privacy.notice")

// Allowed reports whether the turn's customer consented to long-term
// memory, as found by [RequireConsent]. A turn that did not pass through
// it is not allowed.
func Allowed(t *parley.Turn) bool {
	ok, _ := parley.Value(t, ConsentKey)
	return ok
}

// A ConsentOption configures the middleware [RequireConsent] returns.
type ConsentOption func(*consentConfig)

type consentConfig struct {
	purpose string
	optOut  bool
}

// WithPurpose sets the consent purpose checked (default [PurposeMemory]).
func WithPurpose(purpose string) ConsentOption {
	return func(c *consentConfig) { c.purpose = purpose }
}

// WithOptOut remembers a customer who has not decided yet, unless they
// refuse. By default consent is opt-in, the usual reading of privacy law:
// a customer without a decision is not remembered.
func WithOptOut() ConsentOption { return func(c *consentConfig) { c.optOut = true } }

// RequireConsent returns middleware that looks up the customer's consent
// in profiles, annotates the turn with [ConsentKey], and sends notice,
// the privacy notice, once per conversation to a customer who has not
// decided (they must be told before being asked). The handler runs either
// way: consent gates what is remembered, not whether the customer is
// helped. It panics if profiles is nil or notice has no text.
func RequireConsent(profiles *customer.Profiles, notice parley.Message, opts ...ConsentOption) parley.Middleware {
	if profiles == nil || notice.Text == "" {
		panic("privacy: RequireConsent needs profiles and a notice")
	}
	cfg := consentConfig{purpose: PurposeMemory}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.purpose == "" {
		cfg.purpose = PurposeMemory
	}
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			decided, granted := false, false
			if t.CustomerID != "" {
				p, err := profiles.Load(ctx, t.CustomerID)
				switch {
				case errors.Is(err, memory.ErrNotFound):
				case err != nil:
					return fmt.Errorf("privacy: consent of %q: %w", t.CustomerID, err)
				default:
					var c customer.Consent
					c, decided = p.ConsentFor(cfg.purpose)
					granted = c.Granted
				}
			}
			allowed := granted || (!decided && cfg.optOut)
			if !decided {
				if s := t.Session(); s != nil {
					sent, _, err := noticeKey.Get(s)
					if err != nil {
						return err
					}
					if !sent {
						if err := w.Reply(ctx, notice); err != nil {
							return err
						}
						if err := noticeKey.Set(s, true); err != nil {
							return err
						}
					}
				}
			}
			return next.HandleTurn(ctx, w, parley.With(t, ConsentKey, allowed))
		})
	}
}

// RecordConsent saves the customer's decision for purpose, made now on
// channel, in their profile.
func RecordConsent(ctx context.Context, profiles *customer.Profiles, customerID, purpose string, granted bool, channel string) error {
	if customerID == "" {
		return errors.New("privacy: consent without a customer ID")
	}
	_, err := profiles.Update(ctx, customerID, func(p *customer.Profile) error {
		p.RecordConsent(customer.Consent{Purpose: purpose, Granted: granted, Time: time.Now(), Channel: channel})
		return nil
	})
	return err
}

// RedactInbound returns middleware that redacts the inbound text before
// the next handler sees it. Put it in front of the Bot
// (parley.Chain(bot, privacy.RedactInbound(r))) so that the session
// history, logs and anything sent to a language model get the redacted
// text; with [Tokenize], handlers that need a value get it back with
// [Redactor.Restore].
func RedactInbound(r *Redactor) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			text, found, err := r.Redact(ctx, t.CustomerID, t.Message.Text)
			if err != nil {
				return err
			}
			if len(found) > 0 {
				t2 := *t
				t2.Message.Text = text
				t = &t2
			}
			return next.HandleTurn(ctx, w, t)
		})
	}
}

// Remember returns middleware that appends each turn (the inbound text and
// the replies, redacted by r) to the customer's cross-channel history h,
// only when [Allowed] says the customer consented. Put it inside
// [RequireConsent].
func Remember(h *customer.History, r *Redactor) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if !Allowed(t) || t.CustomerID == "" {
				return next.HandleTurn(ctx, w, t)
			}
			rec := &recordingWriter{next: w}
			if err := next.HandleTurn(ctx, rec, t); err != nil {
				return err
			}
			entries := []memory.Entry{{Role: memory.RoleUser, Text: t.Message.Text, Time: t.Time, MessageID: t.MessageID, Channel: t.Channel}}
			for _, m := range rec.sent() {
				entries = append(entries, memory.Entry{Role: memory.RoleBot, Text: m, Channel: t.Channel})
			}
			for i := range entries {
				text, _, err := r.Redact(ctx, t.CustomerID, entries[i].Text)
				if err != nil {
					return err
				}
				entries[i].Text = text
			}
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			return h.Append(ctx, t.CustomerID, t.ConversationID, entries...)
		})
	}
}

// recordingWriter keeps the text of the replies written through it. It
// claims no capability of its own: [parley.Typing] and [parley.MarkRead]
// reach the channel through Unwrap. It intercepts streaming only to
// record the text.
type recordingWriter struct {
	next parley.ReplyWriter
	mu   sync.Mutex
	text []string
}

// Reply implements [parley.ReplyWriter].
func (w *recordingWriter) Reply(ctx context.Context, m parley.Message) error {
	if err := w.next.Reply(ctx, m); err != nil {
		return err
	}
	w.mu.Lock()
	w.text = append(w.text, m.Text)
	w.mu.Unlock()
	return nil
}

// Unwrap returns the writer it wraps, so that the channel's typing
// indicator and read receipts stay reachable.
func (w *recordingWriter) Unwrap() parley.ReplyWriter { return w.next }

// StreamReply keeps the wrapped writer's streaming and records the text.
func (w *recordingWriter) StreamReply(ctx context.Context, chunks iter.Seq2[string, error]) error {
	var b strings.Builder
	chunks = tee.Text(chunks, &b)
	if err := parley.Stream(ctx, w.next, chunks); err != nil {
		return err
	}
	w.mu.Lock()
	w.text = append(w.text, b.String())
	w.mu.Unlock()
	return nil
}

func (w *recordingWriter) sent() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.text...)
}
