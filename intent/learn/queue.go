package learn

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/idkey"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// ReasonLowConfidence is the reason recorded for an utterance the bot
// understood, but with less than the queue's minimum confidence. The
// other reasons are the understanding's status ("unsure", "ambiguous",
// "out_of_scope").
const ReasonLowConfidence = "low_confidence"

// Event kinds the queue's middleware reports to the Bot's observer.
const (
	// EventQueued: the turn's text was queued for review; Attrs
	// "reason", "intent" and "item".
	EventQueued parley.EventKind = "learn.queued"
	// EventQueueError: queuing failed (the redactor or the store); Err
	// holds the cause. The turn goes on.
	EventQueueError parley.EventKind = "learn.error"
)

// ErrNotFound is returned for an item that is not in the queue.
var ErrNotFound = errors.New("learn: no such item")

// An Item is one utterance waiting for review, or labelled.
type Item struct {
	// ID identifies the item: the same for the same turn.
	ID           string    `json:"id"`
	Time         time.Time `json:"time"`
	Conversation string    `json:"conversation,omitempty"`
	Channel      string    `json:"channel,omitempty"`
	Locale       string    `json:"locale,omitempty"`
	// Text is the customer's words, redacted.
	Text string `json:"text"`
	// Guess is the model's best intent and Confidence its confidence.
	Guess      string  `json:"guess,omitempty"`
	Confidence float64 `json:"confidence"`
	// Reason says why it was queued: an [nlu.Status] or
	// [ReasonLowConfidence].
	Reason string `json:"reason"`
	// Label is the intent a reviewer gave it ("oos" for out of scope),
	// empty while it waits; By and Labelled say who and when.
	Label    string    `json:"label,omitempty"`
	By       string    `json:"by,omitempty"`
	Labelled time.Time `json:"labelled,omitzero"`
}

// A Queue holds the utterances to review in a [memory.Store].
type Queue struct {
	store  memory.Store
	redact func(ctx context.Context, customerID, text string) (string, error)
	min    float64
	ttl    time.Duration
}

// A QueueOption configures a [Queue].
type QueueOption func(*Queue)

// WithRedactor sets the function that removes personal data from a
// turn's text before it is stored (privacy.Redactor's Redact, adapted).
// Without one the queue keeps no text: "[text not kept]".
func WithRedactor(f func(ctx context.Context, customerID, text string) (string, error)) QueueOption {
	return func(q *Queue) { q.redact = f }
}

// WithMinConfidence queues understood turns whose confidence is below c
// too (default 0.85).
func WithMinConfidence(c float64) QueueOption { return func(q *Queue) { q.min = c } }

// WithTTL sets how long an item is kept (default 90 days).
func WithTTL(d time.Duration) QueueOption { return func(q *Queue) { q.ttl = d } }

// NewQueue returns a queue keeping its items in store, under keys that
// start with "learn/item/", and an index of each customer's items under
// "learn/customer/" (the customer ID hashed), for [PrivacySource].
func NewQueue(store memory.Store, opts ...QueueOption) *Queue {
	q := &Queue{store: store, min: 0.85, ttl: 90 * 24 * time.Hour}
	for _, o := range opts {
		o(q)
	}
	return q
}

const (
	itemPrefix     = "learn/item/"
	customerPrefix = "learn/customer/"
)

// customerKey is the prefix of customerID's index entries: the ID is
// hashed, so that a key listing does not show it.
func customerKey(customerID string) string {
	return customerPrefix + idkey.Segment("customer", customerID) + "/"
}

// notKept stands for the text when the queue has no redactor.
const notKept = "[text not kept]"

// Middleware returns middleware that queues in q the turns the
// understander (whose middleware, intent.Middleware, must run before it)
// was not sure about, then passes every turn on. Queuing never fails the
// turn: an error is reported as [EventQueueError]. It panics if q is nil.
func Middleware(q *Queue) parley.Middleware {
	if q == nil {
		panic("learn: Middleware with nil Queue")
	}
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if it, ok := q.item(t); ok {
				if err := q.add(ctx, t.CustomerID, it); err != nil {
					t.Emit(ctx, parley.Event{Kind: EventQueueError, Err: err})
				} else {
					t.Emit(ctx, parley.Event{Kind: EventQueued, Attrs: map[string]string{"reason": it.Reason, "intent": it.Guess, "item": it.ID}})
				}
			}
			return next.HandleTurn(ctx, w, t)
		})
	}
}

// item returns the item for t, if t is to be reviewed.
func (q *Queue) item(t *parley.Turn) (Item, bool) {
	u, ok := parley.Value(t, nlu.UnderstandingKey)
	text := strings.TrimSpace(t.Text())
	if !ok || text == "" || t.Signal != nil {
		return Item{}, false
	}
	top := u.Intent
	if top.Name == "" && len(u.Ranked) > 0 {
		top = u.Ranked[0]
	}
	reason := string(u.Status)
	if u.Status == nlu.Understood {
		if top.Confidence >= q.min {
			return Item{}, false
		}
		reason = ReasonLowConfidence
	}
	at := t.Time
	if at.IsZero() {
		at = time.Now()
	}
	return Item{ID: itemID(t.ConversationID, t.MessageID, text), Time: at, Conversation: t.ConversationID, Channel: t.Channel,
		Locale: u.Locale, Text: text, Guess: top.Name, Confidence: top.Confidence, Reason: reason}, true
}

// itemID derives an item's ID from its turn.
func itemID(conversation, message, text string) string {
	h := sha256.Sum256([]byte(conversation + "\x00" + message + "\x00" + text))
	return hex.EncodeToString(h[:8])
}

// Add queues it (its Text is redacted as the middleware's would be);
// an empty ID is derived from its conversation and text. Adding an item
// already queued changes nothing.
func (q *Queue) Add(ctx context.Context, customerID string, it Item) error {
	if it.ID == "" {
		it.ID = itemID(it.Conversation, "", it.Text)
	}
	if it.Time.IsZero() {
		it.Time = time.Now()
	}
	return q.add(ctx, customerID, it)
}

func (q *Queue) add(ctx context.Context, customerID string, it Item) error {
	if q.redact == nil {
		it.Text = notKept
	} else {
		red, err := q.redact(ctx, customerID, it.Text)
		if err != nil {
			return fmt.Errorf("learn: redact: %w", err)
		}
		it.Text = red
	}
	raw, err := json.Marshal(it)
	if err != nil {
		return err
	}
	if customerID != "" {
		// The index entry first: a crash between the writes leaves an
		// entry for nothing, never an item its customer cannot reach.
		if _, err := q.store.Set(ctx, memory.Put{Key: customerKey(customerID) + it.ID, Value: []byte(it.ID),
			IfVersion: memory.AnyVersion, TTL: q.ttl}); err != nil {
			return fmt.Errorf("learn: queue: %w", err)
		}
	}
	_, err = q.store.Set(ctx, memory.Put{Key: itemPrefix + it.ID, Value: raw, IfVersion: memory.Absent, TTL: q.ttl})
	if errors.Is(err, memory.ErrConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("learn: queue: %w", err)
	}
	return nil
}

// Items returns the queued items, oldest first: those waiting for a
// label, or with labelled true those labelled.
func (q *Queue) Items(ctx context.Context, labelled bool) ([]Item, error) {
	var keys []string
	if err := q.store.Keys(ctx, itemPrefix, func(k string) bool { keys = append(keys, k); return true }); err != nil {
		return nil, fmt.Errorf("learn: list: %w", err)
	}
	out := make([]Item, 0, len(keys))
	for _, k := range keys {
		it, _, err := q.get(ctx, k)
		if errors.Is(err, ErrNotFound) {
			continue // expired meanwhile
		}
		if err != nil {
			return nil, err
		}
		if (it.Label != "") == labelled {
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b Item) int { return a.Time.Compare(b.Time) })
	return out, nil
}

func (q *Queue) get(ctx context.Context, key string) (Item, int64, error) {
	rec, err := q.store.Get(ctx, key)
	if errors.Is(err, memory.ErrNotFound) {
		return Item{}, 0, ErrNotFound
	}
	if err != nil {
		return Item{}, 0, fmt.Errorf("learn: read %s: %w", key, err)
	}
	var it Item
	if err := json.Unmarshal(rec.Value, &it); err != nil {
		return Item{}, 0, fmt.Errorf("learn: %s: %w", key, err)
	}
	return it, rec.Version, nil
}

// Label records that the item's text means intent (a name of the
// model's, or "oos" for out of scope), as said by who. Labelling again
// replaces the label. It returns [ErrNotFound] for an unknown item.
func (q *Queue) Label(ctx context.Context, id, intent, who string) error {
	intent = strings.TrimSpace(intent)
	if intent == "" {
		return errors.New("learn: empty label")
	}
	for {
		it, ver, err := q.get(ctx, itemPrefix+id)
		if err != nil {
			return err
		}
		it.Label, it.By, it.Labelled = intent, who, time.Now()
		raw, err := json.Marshal(it)
		if err != nil {
			return err
		}
		_, err = q.store.Set(ctx, memory.Put{Key: itemPrefix + id, Value: raw, IfVersion: ver, TTL: q.ttl})
		if errors.Is(err, memory.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("learn: label: %w", err)
		}
		return nil
	}
}

// Discard removes an item that is not worth labelling (gibberish, a
// test).
func (q *Queue) Discard(ctx context.Context, id string) error {
	if err := q.store.Delete(ctx, itemPrefix+id, memory.AnyVersion); err != nil {
		return fmt.Errorf("learn: discard: %w", err)
	}
	return nil
}
