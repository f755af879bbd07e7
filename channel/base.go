package channel

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"time"

	"github.com/parleyhq/parley"
)

// Options are the settings every adapter shares; each adapter's Config
// embeds them. The zero value gives the documented defaults.
type Options struct {
	// HTTPClient sends API calls (default: a client with a 30s timeout).
	HTTPClient *http.Client
	// Observer receives the adapter's events: rejected webhooks,
	// unsupported messages, delivery statuses, handler errors. nil drops
	// them.
	Observer parley.Observer
	// Deduper drops redelivered webhooks (default: in memory, 24 hours).
	Deduper Deduper
	// Linker fills in customer IDs across channels (default: none).
	Linker Linker
	// Workers is how many turns run at once (default 8).
	Workers int
	// QueueSize is how many acknowledged turns may wait (default 1024).
	QueueSize int
	// TurnTimeout bounds the handling of one turn (default 60s).
	TurnTimeout time.Duration
	// MaxBody is the largest webhook body accepted (default 1 MiB).
	MaxBody int64
	// MaxAttempts bounds the tries of one send (default 4).
	MaxAttempts int
	// MaxRetryWait is the longest wait before a retry (default 60s).
	MaxRetryWait time.Duration
	// Limits overrides the platform's default outbound rate limits.
	Limits *Limits
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Base holds the machinery every adapter shares: the webhook body limit,
// de-duplication, the worker pool, the rate-limited retrying sender,
// numbered options, identity linking and events. Adapters embed a *Base.
// It is safe for concurrent use.
type Base struct {
	name    string
	caps    Capabilities
	obs     parley.Observer
	dedup   Deduper
	linker  Linker
	maxBody int64
	now     func() time.Time
	disp    *Dispatcher
	sender  *Sender
	choices Choices
}

// NewBase returns the Base for the channel name, running turns through h
// with the platform's capabilities and default limits. It panics if h is
// nil.
func NewBase(name string, h parley.Handler, o Options, caps Capabilities, limits Limits) *Base {
	if h == nil {
		panic("channel: nil handler for " + name)
	}
	b := &Base{name: name, caps: caps, obs: o.Observer, dedup: o.Deduper, linker: o.Linker, maxBody: o.MaxBody, now: o.Now}
	if b.now == nil {
		b.now = time.Now
	}
	if b.dedup == nil {
		b.dedup = NewMemoryDeduper(0, 0, b.now)
	}
	if b.maxBody <= 0 {
		b.maxBody = 1 << 20
	}
	if o.Limits != nil {
		limits = *o.Limits
	}
	b.disp = NewDispatcher(h, o.Observer, o.Workers, o.QueueSize, o.TurnTimeout)
	b.sender = NewSender(SenderConfig{Channel: name, Client: o.HTTPClient, Limits: limits,
		MaxAttempts: o.MaxAttempts, MaxWait: o.MaxRetryWait, Now: b.now})
	return b
}

// Name returns the channel name.
func (b *Base) Name() string { return b.name }

// Capabilities returns what the platform supports.
func (b *Base) Capabilities() Capabilities { return b.caps }

// Sender returns the outbound sender.
func (b *Base) Sender() *Sender { return b.sender }

// Choices returns the numbered options remembered per conversation.
func (b *Base) Choices() *Choices { return &b.choices }

// Now returns the current time by the configured clock.
func (b *Base) Now() time.Time { return b.now() }

// ReadBody reads a webhook body of at most MaxBody bytes, returning
// [ErrBodyTooLarge] beyond it.
func (b *Base) ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > b.maxBody {
		return nil, ErrBodyTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, b.maxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, ErrBodyTooLarge
	}
	if err != nil {
		return nil, fmt.Errorf("%w: read body: %w", ErrMalformed, err)
	}
	return body, nil
}

// Reject answers a refused webhook with the status that fits err
// (413 for [ErrBodyTooLarge], 401 for [ErrSignature] and [ErrReplay], 400
// for [ErrMalformed], 503 for [ErrQueueFull] and [ErrClosed], 500
// otherwise) and reports it as [EventRejected].
func (b *Base) Reject(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		status = http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrSignature), errors.Is(err, ErrReplay):
		status = http.StatusUnauthorized
	case errors.Is(err, ErrMalformed):
		status = http.StatusBadRequest
	case errors.Is(err, ErrQueueFull), errors.Is(err, ErrClosed):
		status = http.StatusServiceUnavailable
	}
	b.Emit(r.Context(), parley.Event{Kind: EventRejected, Err: &RejectError{Status: status, Err: err},
		Attrs: map[string]string{"path": r.URL.Path}})
	http.Error(w, http.StatusText(status), status)
}

// Emit sends e to the Observer, filling in the channel and time.
func (b *Base) Emit(ctx context.Context, e parley.Event) {
	if b.obs == nil {
		return
	}
	if e.Channel == "" {
		e.Channel = b.name
	}
	if e.Time.IsZero() {
		e.Time = b.now()
	}
	b.obs.Observe(ctx, e)
}

// Unsupported reports an inbound message of a kind that is not passed on
// ([EventUnsupported]).
func (b *Base) Unsupported(ctx context.Context, conversation, messageID, kind string) {
	b.Emit(ctx, parley.Event{Kind: EventUnsupported, ConversationID: conversation, MessageID: messageID,
		Attrs: map[string]string{"type": kind}})
}

// Status reports a delivery status callback ([EventStatus]).
func (b *Base) Status(ctx context.Context, conversation, messageID, status string, err error) {
	b.Emit(ctx, parley.Event{Kind: EventStatus, ConversationID: conversation, Err: err,
		Attrs: map[string]string{"status": status, "message_id": messageID}})
}

// Accept de-duplicates t by its ConversationID and MessageID, and
// queues it for a worker. A duplicate is reported and dropped (nil error).
// On [ErrQueueFull] or [ErrClosed] the claim is released, so the platform's
// redelivery will be handled; the webhook must then be answered with an
// error status ([Base.Reject] does).
func (b *Base) Accept(ctx context.Context, t *parley.Turn, w parley.ReplyWriter) error {
	if t.Channel == "" {
		t.Channel = b.name
	}
	if t.Time.IsZero() {
		t.Time = b.now()
	}
	key := ""
	if t.MessageID != "" {
		key = b.name + "/" + t.ConversationID + "/" + t.MessageID
		fresh, err := b.dedup.Claim(ctx, key)
		if err != nil {
			return err
		}
		if !fresh {
			b.Emit(ctx, parley.Event{Kind: EventDuplicate, ConversationID: t.ConversationID, MessageID: t.MessageID})
			return nil
		}
	}
	if err := b.disp.Dispatch(t, w); err != nil {
		if key != "" {
			if rerr := b.dedup.Release(ctx, key); rerr != nil {
				return errors.Join(err, rerr)
			}
		}
		return err
	}
	return nil
}

// Claim records an inbound message that the adapter answers itself
// (not through a turn) and reports whether it is new; a duplicate is
// reported as [EventDuplicate].
func (b *Base) Claim(ctx context.Context, conversation, messageID string) (bool, error) {
	fresh, err := b.dedup.Claim(ctx, b.name+"/"+conversation+"/"+messageID)
	if err == nil && !fresh {
		b.Emit(ctx, parley.Event{Kind: EventDuplicate, ConversationID: conversation, MessageID: messageID})
	}
	return fresh, err
}

// Identify returns the customer ID for the user, linking it first when the
// platform verified a contact. A linker failure is reported as
// [EventIdentityError] and gives "", so the turn goes on unlinked.
func (b *Base) Identify(ctx context.Context, userID string, verified Contact) string {
	if b.linker == nil || userID == "" {
		return ""
	}
	id := Identity{Channel: b.name, UserID: userID}
	var customer string
	var err error
	if verified != (Contact{}) {
		customer, err = b.linker.Link(ctx, id, verified)
	} else {
		customer, err = b.linker.Resolve(ctx, id)
		if errors.Is(err, ErrNotLinked) {
			return ""
		}
	}
	if err != nil {
		b.Emit(ctx, parley.Event{Kind: EventIdentityError, Err: err, Attrs: map[string]string{"user": userID}})
		return ""
	}
	return customer
}

// Close stops accepting turns and waits for the accepted ones.
func (b *Base) Close(ctx context.Context) error { return b.disp.Close(ctx) }

// EqualSecret compares a received secret or signature with the expected
// one in constant time.
func EqualSecret(got, want []byte) bool {
	return len(want) > 0 && hmac.Equal(got, want)
}

// ResolveChoice maps an inbound text to the value of the numbered option
// it picks in conversation, if the adapter sent numbered options there;
// otherwise it returns text unchanged.
func (b *Base) ResolveChoice(conversation, text string) string {
	if q, ok := b.choices.Resolve(conversation, text, b.now()); ok {
		return q.Value()
	}
	return text
}

// HMACHex returns the lower-case hex HMAC of msg under secret with the
// hash h, the form of X-Hub-Signature-256 and Slack's signature.
func HMACHex(h func() hash.Hash, secret, msg []byte) string {
	m := hmac.New(h, secret)
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}
