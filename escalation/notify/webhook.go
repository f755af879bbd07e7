package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/internal/httpjson"
	"github.com/parleyhq/parley/memory"
)

// Webhook headers.
const (
	// HeaderSignature carries "sha256=" and the hex HMAC-SHA256 of
	// timestamp + "." + body under the shared secret.
	HeaderSignature = "X-Parley-Signature"
	// HeaderTimestamp carries the Unix time of the request, in seconds.
	HeaderTimestamp = "X-Parley-Timestamp"
	// HeaderIdempotencyKey carries the event's unique key; a receiver
	// must process a key once.
	HeaderIdempotencyKey = "Idempotency-Key"
)

// ErrBadSignature is returned for a webhook whose signature or timestamp
// does not verify.
var ErrBadSignature = errors.New("notify: bad webhook signature")

// Sign returns the signature header value of body sent at ts.
func Sign(secret []byte, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a webhook's signature and that its timestamp is within
// tolerance of now. It returns [ErrBadSignature] (wrapped) otherwise.
func Verify(secret []byte, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	tsv := h.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(tsv, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q", ErrBadSignature, tsv)
	}
	ts := time.Unix(sec, 0)
	if d := now.Sub(ts); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: timestamp %s outside %v of now", ErrBadSignature, ts.UTC().Format(time.RFC3339), tolerance)
	}
	want := Sign(secret, ts, body)
	if !hmac.Equal([]byte(want), []byte(h.Get(HeaderSignature))) {
		return fmt.Errorf("%w: signature mismatch", ErrBadSignature)
	}
	return nil
}

// A WebhookEvent is the JSON body the webhook desk posts.
type WebhookEvent struct {
	// Type is "ticket", "message" or "cancel".
	Type string `json:"type"`
	// Key is the idempotency key, also sent as a header.
	Key string `json:"key"`
	// Ticket is set for "ticket".
	Ticket *escalation.Ticket `json:"ticket,omitempty"`
	// TicketID, Text and Reason are set for "message" and "cancel".
	TicketID string `json:"ticket_id,omitempty"`
	Text     string `json:"text,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// WebhookConfig configures a [Webhook] desk.
type WebhookConfig struct {
	// URL receives the events. Required.
	URL string
	// Secret signs them. Required, at least 16 bytes.
	Secret []byte
	// Client sends them; nil means a client with a 10s timeout.
	Client *http.Client
	// Attempts is how many times an event is tried (default 4); Backoff
	// the first delay between tries (default 500ms), doubling.
	Attempts int
	Backoff  time.Duration
}

// Webhook is an [escalation.Desk] that posts signed JSON events to a URL: a generic
// integration for help-desks that accept webhooks. Each event carries an
// idempotency key (the ticket ID for a ticket), so retries never create a
// second ticket at a receiver that honours it. Network errors, 408, 429
// and 5xx answers are retried with exponential back-off; after the last
// attempt the error wraps [escalation.ErrDeskUnavailable]. 404 on a
// message or cancel maps to [escalation.ErrUnknownTicket], 409 or 410 to
// [escalation.ErrClosedTicket].
//
// The agents' side comes back through [WebhookHandler].
//
// A Webhook is safe for concurrent use.
type Webhook struct {
	cfg WebhookConfig
}

var _ escalation.Desk = (*Webhook)(nil)

// NewWebhook validates cfg and returns the desk.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	if !strings.HasPrefix(cfg.URL, "https://") && !strings.HasPrefix(cfg.URL, "http://") {
		return nil, fmt.Errorf("notify: webhook: URL %q is not an http(s) URL", cfg.URL)
	}
	if len(cfg.Secret) < 16 {
		return nil, errors.New("notify: webhook: secret must be at least 16 bytes")
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 4
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	return &Webhook{cfg: cfg}, nil
}

// Submit implements [escalation.Desk].
func (w *Webhook) Submit(ctx context.Context, t escalation.Ticket) error {
	if t.ID == "" {
		return errors.New("notify: webhook submit: ticket has no ID")
	}
	return w.post(ctx, WebhookEvent{Type: "ticket", Key: "ticket:" + t.ID, Ticket: &t})
}

// Relay implements [escalation.Desk]. The idempotency key is derived from the
// message ID when the message has one.
func (w *Webhook) Relay(ctx context.Context, id string, m parley.Message) error {
	key := "message:" + id + ":" + m.ID
	if m.ID == "" {
		sum := sha256.Sum256([]byte(m.Text))
		key = "message:" + id + ":" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":" + hex.EncodeToString(sum[:6])
	}
	return w.post(ctx, WebhookEvent{Type: "message", Key: key, TicketID: id, Text: m.Text})
}

// Cancel implements [escalation.Desk].
func (w *Webhook) Cancel(ctx context.Context, id, reason string) error {
	err := w.post(ctx, WebhookEvent{Type: "cancel", Key: "cancel:" + id, TicketID: id, Reason: reason})
	if errors.Is(err, escalation.ErrClosedTicket) {
		return nil
	}
	return err
}

func (w *Webhook) post(ctx context.Context, ev WebhookEvent) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("notify: webhook: %w", err)
	}
	var last error
	for attempt := 0; attempt < w.cfg.Attempts; attempt++ {
		if attempt > 0 {
			if err := httpjson.Sleep(ctx, w.cfg.Backoff<<(attempt-1)); err != nil {
				return errors.Join(err, last)
			}
		}
		retry, err := w.try(ctx, ev, body)
		if err == nil {
			return nil
		}
		last = err
		if !retry {
			return err
		}
		if ctx.Err() != nil {
			return errors.Join(ctx.Err(), last)
		}
	}
	return fmt.Errorf("%w: %d attempts: %w", escalation.ErrDeskUnavailable, w.cfg.Attempts, last)
}

func (w *Webhook) try(ctx context.Context, ev WebhookEvent, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("notify: webhook: %w", err)
	}
	now := time.Now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, Sign(w.cfg.Secret, now, body))
	req.Header.Set(HeaderIdempotencyKey, ev.Key)
	resp, err := w.cfg.Client.Do(req)
	if err != nil {
		return true, fmt.Errorf("notify: webhook: %w", err)
	}
	defer resp.Body.Close()
	msg := snippet(resp.Body)
	code := resp.StatusCode
	switch {
	case code/100 == 2:
		return false, nil
	case code == http.StatusNotFound && ev.Type != "ticket":
		return false, fmt.Errorf("%w: %q", escalation.ErrUnknownTicket, ev.TicketID)
	case code == http.StatusConflict || code == http.StatusGone:
		if ev.Type == "ticket" {
			// Already there: the receiver de-duplicated it.
			return false, nil
		}
		return false, fmt.Errorf("%w: %q", escalation.ErrClosedTicket, ev.TicketID)
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return true, fmt.Errorf("notify: webhook: HTTP %d: %s", code, bytes.TrimSpace(msg))
	}
	return false, fmt.Errorf("%w: webhook refused: HTTP %d: %s", escalation.ErrDeskUnavailable, code, bytes.TrimSpace(msg))
}

// snippet reads the start of an error response body for the error
// message; a failed read says so instead.
func snippet(r io.Reader) []byte {
	b, err := io.ReadAll(io.LimitReader(r, 512))
	if err != nil {
		return append(b, []byte(" (body read: "+err.Error()+")")...)
	}
	return b
}

// An AgentEvent is what a help-desk posts back to [WebhookHandler].
type AgentEvent struct {
	// ID is unique per event; a repeated ID is acknowledged and ignored.
	ID string `json:"id"`
	// Type is "assigned", "message" or "resolved".
	Type           string `json:"type"`
	TicketID       string `json:"ticket_id"`
	ConversationID string `json:"conversation_id"`
	CustomerID     string `json:"customer_id,omitempty"`
	Channel        string `json:"channel,omitempty"`
	Agent          string `json:"agent,omitempty"`
	Text           string `json:"text,omitempty"`
}

// parseAgentEvent decodes and validates an agent event.
func parseAgentEvent(body []byte) (AgentEvent, error) {
	var ev AgentEvent
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		return ev, fmt.Errorf("notify: agent event: %w", err)
	}
	switch {
	case ev.ID == "" || ev.TicketID == "" || ev.ConversationID == "":
		return ev, errors.New("notify: agent event: id, ticket_id and conversation_id are required")
	case ev.Type == "message" && ev.Text == "":
		return ev, errors.New("notify: agent event: message without text")
	case ev.Type != "assigned" && ev.Type != "message" && ev.Type != "resolved":
		return ev, fmt.Errorf("notify: agent event: unknown type %q", ev.Type)
	}
	return ev, nil
}

// WebhookHandlerConfig configures [WebhookHandler].
type WebhookHandlerConfig struct {
	// Secret verifies signatures. Required, at least 16 bytes.
	Secret []byte
	// Deliver injects the turns. Required.
	Deliver escalation.Deliverer
	// Seen de-duplicates event IDs (create-only keys with a TTL).
	// Required: a shared store when several replicas receive webhooks.
	Seen memory.Store
	// Tolerance is the accepted clock skew (default 5 minutes), MaxBody
	// the largest body (default 64 KiB).
	Tolerance time.Duration
	MaxBody   int64
	// OnError, if set, receives delivery and store failures (the sender
	// gets a 503 and retries).
	OnError func(error)
}

// WebhookHandler returns the HTTP handler a help-desk posts [AgentEvent]s
// to, signed like the [Webhook] desk's events. It verifies the signature
// (401 otherwise), rejects malformed events (400), acknowledges a repeated
// event ID without delivering it again (200), and delivers the event as a
// lifecycle turn (202 when the turn ran; 503 when delivery failed, so the
// sender retries).
func WebhookHandler(cfg WebhookHandlerConfig) (http.Handler, error) {
	if len(cfg.Secret) < 16 {
		return nil, errors.New("notify: webhook handler: secret must be at least 16 bytes")
	}
	if cfg.Deliver == nil || cfg.Seen == nil {
		return nil, errors.New("notify: webhook handler: Deliver and Seen are required")
	}
	if cfg.Tolerance <= 0 {
		cfg.Tolerance = 5 * time.Minute
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 64 << 10
	}
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			rw.Header().Set("Allow", http.MethodPost)
			http.Error(rw, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, cfg.MaxBody+1))
		if err != nil {
			http.Error(rw, "read error", http.StatusBadRequest)
			return
		}
		if int64(len(body)) > cfg.MaxBody {
			http.Error(rw, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := Verify(cfg.Secret, r.Header, body, time.Now(), cfg.Tolerance); err != nil {
			http.Error(rw, "bad signature", http.StatusUnauthorized)
			return
		}
		ev, err := parseAgentEvent(body)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		key := "escalation/agent-event/" + ev.ID
		ctx := r.Context()
		if _, err := cfg.Seen.Set(ctx, memory.Put{Key: key, Value: []byte("1"), IfVersion: memory.Absent, TTL: 7 * 24 * time.Hour}); err != nil {
			if errors.Is(err, memory.ErrConflict) {
				rw.WriteHeader(http.StatusOK)
				return
			}
			if cfg.OnError != nil {
				cfg.OnError(fmt.Errorf("notify: agent event %q: %w", ev.ID, err))
			}
			http.Error(rw, "store error", http.StatusServiceUnavailable)
			return
		}
		tk := escalation.Ticket{ID: ev.TicketID, ConversationID: ev.ConversationID, CustomerID: ev.CustomerID, Channel: ev.Channel}
		var turn *parley.Turn
		switch ev.Type {
		case "assigned":
			turn = escalation.LifecycleTurn(tk, escalation.SignalAssigned, map[string]string{escalation.DataAgent: ev.Agent})
		case "message":
			turn = escalation.LifecycleTurn(tk, dialog.SignalAgentMessage, map[string]string{escalation.DataAgent: ev.Agent, escalation.DataText: ev.Text})
		case "resolved":
			turn = escalation.LifecycleTurn(tk, dialog.SignalHandoffResolved, map[string]string{escalation.DataAgent: ev.Agent})
		}
		turn.MessageID = "agent-event:" + ev.ID
		if err := cfg.Deliver.Deliver(context.WithoutCancel(ctx), turn); err != nil {
			// Let the sender retry: forget the event ID.
			if derr := cfg.Seen.Delete(context.WithoutCancel(ctx), key, memory.AnyVersion); derr != nil {
				err = errors.Join(err, derr)
			}
			if cfg.OnError != nil {
				cfg.OnError(fmt.Errorf("notify: agent event %q: %w", ev.ID, err))
			}
			http.Error(rw, "delivery failed", http.StatusServiceUnavailable)
			return
		}
		rw.WriteHeader(http.StatusAccepted)
	}), nil
}
