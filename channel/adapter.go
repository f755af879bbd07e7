package channel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/parleyhq/parley"
)

// Config configures an [Adapter]. The platform packages fill in their
// defaults for the zero fields.
type Config struct {
	// Channel names the channel on turns and addresses ("whatsapp").
	// Required.
	Channel string
	// Capabilities says what one message can show on the platform. The
	// platform packages use their platform's documented limits when
	// MaxText is zero.
	Capabilities Capabilities
	// Limits are the outbound rate limits. The platform packages use
	// their platform's documented limits when Rate is zero.
	Limits Limits
	// MaxBody is the largest webhook body accepted (default 1 MiB).
	MaxBody int64
	// MaxAttempts bounds the tries of one part of a reply (default 4).
	MaxAttempts int
	// MaxRetryWait is the longest wait before a retry (default 60s); a
	// Retry-After beyond it fails the send at once.
	MaxRetryWait time.Duration
	// Observer receives the adapter's events: rejected webhooks,
	// unsupported messages, delivery statuses. nil drops them.
	Observer parley.Observer
	// Linker fills in customer IDs across channels (default: none).
	Linker Linker
}

// Limits are a platform's outbound rate limits: a global rate and a rate
// per conversation. A zero rate means unlimited.
type Limits struct {
	Rate  rate.Limit
	Burst int
	// PerConversation limits the sends to one conversation.
	PerConversation      rate.Limit
	PerConversationBurst int
}

// An Enqueuer accepts turns for handling and returns once they are
// recorded, before any handler runs. [*parley.Bot] is one.
type Enqueuer interface {
	Enqueue(ctx context.Context, t *parley.Turn) error
}

// Adapter connects a [Platform] to a Bot. Its [Adapter.Handler] is the
// webhook endpoint: it reads at most MaxBody bytes, verifies, parses,
// resolves numbered options and customer IDs, and enqueues each message
// with the Bot, acknowledging at once (a redelivered message is
// acknowledged and dropped, as the Bot reports it a duplicate). Its
// [Adapter.Send] makes it the Bot's [parley.Sender] for the channel: it
// renders a message for the platform's [Capabilities] and sends each part
// under the rate limits, retrying 429s and 5xx with backoff that honours
// Retry-After, never retrying a send whose outcome is unknown.
//
// An Adapter is safe for concurrent use.
type Adapter struct {
	p       Platform
	name    string
	caps    Capabilities
	limits  Limits
	maxBody int64
	tries   int
	maxWait time.Duration
	obs     parley.Observer
	linker  Linker
	global  *rate.Limiter
	choices choices

	sentMu sync.Mutex
	sent   map[string]time.Time // Outgoing.Key -> when it was delivered

	mu   sync.Mutex
	conv map[string]*rate.Limiter
}

var _ parley.Sender = (*Adapter)(nil)

// New returns an Adapter for p. It returns an error if c.Channel is empty
// or p is nil.
func New(p Platform, c Config) (*Adapter, error) {
	if p == nil {
		return nil, errors.New("channel: New: nil Platform")
	}
	if c.Channel == "" {
		return nil, errors.New("channel: New: Config.Channel is required")
	}
	a := &Adapter{p: p, name: c.Channel, caps: c.Capabilities, limits: c.Limits, maxBody: c.MaxBody,
		tries: c.MaxAttempts, maxWait: c.MaxRetryWait, obs: c.Observer, linker: c.Linker,
		conv: make(map[string]*rate.Limiter), sent: make(map[string]time.Time)}
	if a.maxBody <= 0 {
		a.maxBody = 1 << 20
	}
	if a.tries <= 0 {
		a.tries = 4
	}
	if a.maxWait <= 0 {
		a.maxWait = 60 * time.Second
	}
	if c.Limits.Rate > 0 {
		a.global = rate.NewLimiter(c.Limits.Rate, max(c.Limits.Burst, 1))
	}
	return a, nil
}

// Handler returns the webhook endpoint, which hands messages to q
// (usually the [*parley.Bot]). It answers 200 once every message of the
// webhook is recorded by q, 401 for a bad signature, 400 for a malformed
// body, 413 for one over MaxBody, 405 for a method other than GET and
// POST, and 503 when q cannot accept a message (the Bot is shutting down,
// its store failed), so that the platform redelivers; messages already
// accepted are then dropped as duplicates.
func (a *Adapter) Handler(q Enqueuer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { a.serve(w, r, q) })
}

func (a *Adapter) serve(w http.ResponseWriter, r *http.Request, q Enqueuer) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		a.reject(w, r, http.StatusMethodNotAllowed, fmt.Errorf("method %s", r.Method))
		return
	}
	body, err := a.readBody(w, r)
	if err != nil {
		a.reject(w, r, status(err), err)
		return
	}
	if err := a.p.Verify(r, body); err != nil {
		a.reject(w, r, status(err), err)
		return
	}
	b, err := a.p.Parse(r, body)
	if err != nil {
		a.reject(w, r, status(err), err)
		return
	}
	ctx := r.Context()
	for _, e := range b.Events {
		a.emit(ctx, e)
	}
	for _, in := range b.Inbound {
		t := in.Turn
		if t == nil {
			continue
		}
		if t.Signal != nil && InternalSignal(t.Signal.Name) {
			// A platform's payload is the customer's input: it can never
			// carry an agent's message, a hand-off or an approval.
			a.emit(ctx, parley.Event{Kind: EventRejected, ConversationID: t.ConversationID, MessageID: t.MessageID,
				Err: &RejectError{Status: http.StatusForbidden, Err: fmt.Errorf("%w: internal signal %q from outside", ErrMalformed, t.Signal.Name)}})
			continue
		}
		t.Channel = a.name
		if t.Time.IsZero() {
			t.Time = time.Now()
		}
		if t.Message.Text != "" {
			if o, ok := a.choices.resolve(t.ConversationID, t.Message.Text); ok {
				t.Message.Text = o.Value()
			}
		}
		t.CustomerID = a.identify(ctx, in.UserID, in.Verified)
		if err := q.Enqueue(ctx, t); err != nil && !errors.Is(err, parley.ErrDuplicate) {
			a.reject(w, r, http.StatusServiceUnavailable, err)
			return
		}
	}
	if b.Body != nil {
		if b.ContentType != "" {
			w.Header().Set("Content-Type", b.ContentType)
		}
		_, _ = w.Write(b.Body) //nolint:errcheck // acknowledged; the platform retries a failed answer
		return
	}
	w.WriteHeader(http.StatusOK)
}

func status(err error) int {
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrSignature), errors.Is(err, ErrReplay):
		return http.StatusUnauthorized
	case errors.Is(err, ErrMalformed):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

func (a *Adapter) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > a.maxBody {
		return nil, ErrBodyTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.maxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, ErrBodyTooLarge
	}
	if err != nil {
		return nil, fmt.Errorf("%w: read body: %w", ErrMalformed, err)
	}
	return body, nil
}

func (a *Adapter) reject(w http.ResponseWriter, r *http.Request, code int, err error) {
	a.emit(r.Context(), parley.Event{Kind: EventRejected, Err: &RejectError{Status: code, Err: err},
		Attrs: map[string]string{"path": r.URL.Path}})
	http.Error(w, http.StatusText(code), code)
}

func (a *Adapter) emit(ctx context.Context, e parley.Event) {
	if a.obs == nil {
		return
	}
	if e.Channel == "" {
		e.Channel = a.name
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	a.obs.Observe(ctx, e)
}

// identify returns the customer ID for the user, linking it first when the
// platform verified a contact. A linker failure is reported as
// [EventIdentityError] and gives "", so the turn goes on unlinked.
func (a *Adapter) identify(ctx context.Context, userID string, verified Contact) string {
	if a.linker == nil || userID == "" {
		return ""
	}
	id := Identity{Channel: a.name, UserID: userID}
	var customer string
	var err error
	if verified != (Contact{}) {
		customer, err = a.linker.Link(ctx, id, verified)
	} else {
		customer, err = a.linker.Resolve(ctx, id)
		if errors.Is(err, ErrNotLinked) {
			return ""
		}
	}
	if err != nil {
		a.emit(ctx, parley.Event{Kind: EventIdentityError, Err: err, Attrs: map[string]string{"user": userID}})
		return ""
	}
	return customer
}

// Send delivers m to the conversation at to (to.Recipient is the
// platform's address), implementing [parley.Sender]: m is fitted to the
// platform with [Render] and each part is sent in order, under the rate
// limits, with retries. It returns the first part's error that is not
// retried away: a [*PlatformError], [ErrAmbiguous], [ErrUnsupported] or
// [ErrOptedOut], or ctx's error. When the Bot sends a message again after
// such an error, the parts of it this Adapter already delivered (known by
// m.ID, for a day) are not sent twice.
func (a *Adapter) Send(ctx context.Context, to parley.Address, m parley.Message) error {
	parts, err := Render(m, a.caps)
	if err != nil {
		return fmt.Errorf("%s: %w", a.name, err)
	}
	if to.Channel == "" {
		to.Channel = a.name
	}
	for i, p := range parts {
		if len(p.Numbered) > 0 {
			// Before sending: the answer may arrive before our send returns.
			a.choices.remember(to.ConversationID, p.Numbered, time.Now())
		}
		o := &Outgoing{To: to, Part: p, Index: i, Message: m}
		if m.ID != "" {
			o.Key = m.ID + "#" + strconv.Itoa(i)
			if a.delivered(o.Key) {
				continue
			}
		}
		if err := a.retry(ctx, to.ConversationID, func(ctx context.Context) error { return a.p.Send(ctx, o) }); err != nil {
			return a.platformErr(err)
		}
		if o.Key != "" {
			a.markDelivered(o.Key)
		}
	}
	return nil
}

const (
	sentTTL = 24 * time.Hour
	sentMax = 100_000
)

func (a *Adapter) delivered(key string) bool {
	a.sentMu.Lock()
	defer a.sentMu.Unlock()
	at, ok := a.sent[key]
	return ok && time.Since(at) < sentTTL
}

func (a *Adapter) markDelivered(key string) {
	now := time.Now()
	a.sentMu.Lock()
	defer a.sentMu.Unlock()
	if len(a.sent) >= sentMax {
		for k, at := range a.sent {
			if now.Sub(at) >= sentTTL {
				delete(a.sent, k)
			}
		}
		if len(a.sent) >= sentMax {
			clear(a.sent) // all recent: forget them rather than grow
		}
	}
	a.sent[key] = now
}

// Drivers may implement these to show a typing indicator and read
// receipts (WhatsApp, Messenger, Telegram).
type (
	typer interface {
		Typing(ctx context.Context, to parley.Address, inbound string) error
	}
	readMarker interface {
		MarkRead(ctx context.Context, to parley.Address, messageID string) error
	}
)

// Typing shows a typing indicator in the conversation at to until the next
// message, in answer to the inbound message with the platform's ID inbound
// (WhatsApp shows it only in answer to a message). It makes one attempt and
// returns [parley.ErrNotSupported] where the platform has no indicator. A
// Bot uses it to give the writer of an enqueued turn the [parley.Typer]
// capability.
func (a *Adapter) Typing(ctx context.Context, to parley.Address, inbound string) error {
	t, ok := a.p.(typer)
	if !ok {
		return parley.ErrNotSupported
	}
	return a.platformErr(t.Typing(ctx, to, inbound))
}

// MarkRead marks the inbound message with the platform's ID messageID as
// read, making one attempt; [parley.ErrNotSupported] where the platform
// has no read receipts.
func (a *Adapter) MarkRead(ctx context.Context, to parley.Address, messageID string) error {
	m, ok := a.p.(readMarker)
	if !ok {
		return parley.ErrNotSupported
	}
	return a.platformErr(m.MarkRead(ctx, to, messageID))
}

func (a *Adapter) platformErr(err error) error {
	var pe *PlatformError
	if errors.As(err, &pe) && pe.Channel == "" {
		pe.Channel = a.name
	}
	return err
}

// wait blocks until the rate limits allow one more send to conversation.
func (a *Adapter) wait(ctx context.Context, conversation string) error {
	if a.global != nil {
		if err := a.global.Wait(ctx); err != nil {
			return err
		}
	}
	if conversation == "" || a.limits.PerConversation <= 0 {
		return nil
	}
	now := time.Now()
	a.mu.Lock()
	l, ok := a.conv[conversation]
	if !ok {
		if len(a.conv) >= 10_000 {
			// Forget the idle limiters: a full bucket is the same as none.
			for k, v := range a.conv {
				if v.TokensAt(now) >= float64(v.Burst()) {
					delete(a.conv, k)
				}
			}
		}
		l = rate.NewLimiter(a.limits.PerConversation, max(a.limits.PerConversationBurst, 1))
		a.conv[conversation] = l
	}
	a.mu.Unlock()
	return l.Wait(ctx)
}

// retry runs attempt under the rate limits until it succeeds, fails with
// an error that is not a temporary [*PlatformError], or MaxAttempts is
// reached. Between attempts it waits for the error's RetryAfter, or an
// exponential backoff with jitter (0.5s, 1s, 2s, ...); a RetryAfter beyond
// MaxRetryWait ends the retries with that error.
func (a *Adapter) retry(ctx context.Context, conversation string, attempt func(ctx context.Context) error) error {
	var err error
	for i := range a.tries {
		if werr := a.wait(ctx, conversation); werr != nil {
			if err != nil {
				return errors.Join(err, werr)
			}
			return werr
		}
		err = attempt(ctx)
		var pe *PlatformError
		if err == nil || !errors.As(err, &pe) || !pe.Temporary || i == a.tries-1 {
			return err
		}
		wait := pe.RetryAfter
		if wait == 0 {
			base := 500 * time.Millisecond << i
			wait = base/2 + rand.N(base/2+1)
		}
		if wait > a.maxWait {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
	}
	return err
}
