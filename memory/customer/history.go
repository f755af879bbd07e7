package customer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/memory"
)

// DefaultRetention is how long [History] keeps a customer's conversation
// history unless configured otherwise.
const DefaultRetention = 30 * 24 * time.Hour

// A HistoryEntry is one message of a customer's history, with the
// conversation it belongs to.
type HistoryEntry struct {
	memory.Entry
	Conversation string `json:"conv"`
}

// History keeps every customer's conversation history across sessions and
// channels for a retention period (default [DefaultRetention]), so that a
// conversation started on the web can continue on WhatsApp where it left
// off. Each appended batch is its own record under
// "history/<customer>/<time>-<conversation>-<n>" with the retention as its
// TTL, so expiry needs no sweeper and works in every [memory.Store].
//
// History is safe for concurrent use.
type History struct {
	store     memory.Store
	retention time.Duration
}

// A HistoryOption configures [History].
type HistoryOption func(*History)

// WithRetention keeps history for d (default 30 days). Zero keeps it
// forever, which privacy rules rarely allow.
func WithRetention(d time.Duration) HistoryOption {
	return func(h *History) { h.retention = max(d, 0) }
}

// NewHistory returns a history over store. It panics if store is nil.
func NewHistory(store memory.Store, opts ...HistoryOption) *History {
	if store == nil {
		panic("customer: NewHistory with nil store")
	}
	h := &History{store: store, retention: DefaultRetention}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Retention returns how long history is kept.
func (h *History) Retention() time.Duration { return h.retention }

// HistoryPrefix returns the store key prefix of a customer's history.
func HistoryPrefix(customerID string) string { return "history/" + customerID + "/" }

// Append records entries of conversation conv for customerID. Entries
// without a time get the current time.
func (h *History) Append(ctx context.Context, customerID, conv string, entries ...memory.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	if customerID == "" || strings.Contains(customerID, "/") {
		return &memory.KeyError{Key: customerID, Reason: "history needs a customer ID without '/'"}
	}
	now := time.Now()
	batch := make([]HistoryEntry, len(entries))
	for i, e := range entries {
		if e.Time.IsZero() {
			e.Time = now
		}
		batch[i] = HistoryEntry{Entry: e, Conversation: conv}
	}
	b, err := json.Marshal(historyRecord{Format: 1, Entries: batch})
	if err != nil {
		return fmt.Errorf("customer: encode history of %q: %w", customerID, err)
	}
	// The key sorts by time; the suffix keeps two batches of the same
	// nanosecond apart.
	base := fmt.Sprintf("%s%020d-%s", HistoryPrefix(customerID), now.UnixNano(), conv)
	for n := 0; ; n++ {
		_, err = h.store.Set(ctx, memory.Put{Key: fmt.Sprintf("%s-%d", base, n), Value: b, IfVersion: memory.Absent, TTL: h.retention})
		if !errors.Is(err, memory.ErrConflict) || n > 100 {
			return err
		}
	}
}

type historyRecord struct {
	Format  int            `json:"v"`
	Entries []HistoryEntry `json:"entries"`
}

// Recent returns the customer's last n entries across every conversation
// and channel, oldest first (all of them if n <= 0). A record that cannot
// be decoded is skipped and reported in the returned error, a
// [*memory.CorruptError], alongside the entries that could be read.
func (h *History) Recent(ctx context.Context, customerID string, n int) ([]HistoryEntry, error) {
	var keys []string
	if err := h.store.Keys(ctx, HistoryPrefix(customerID), func(k string) bool {
		keys = append(keys, k)
		return true
	}); err != nil {
		return nil, err
	}
	var out []HistoryEntry
	var errs []error
	// Read from the newest record back until n entries are found.
	for i := len(keys) - 1; i >= 0 && (n <= 0 || len(out) < n); i-- {
		rec, err := h.store.Get(ctx, keys[i])
		if errors.Is(err, memory.ErrNotFound) {
			continue // expired meanwhile
		}
		if err != nil {
			return nil, err
		}
		var r historyRecord
		if err := json.Unmarshal(rec.Value, &r); err != nil {
			errs = append(errs, &memory.CorruptError{Key: keys[i], Err: err})
			continue
		}
		if r.Format > 1 {
			errs = append(errs, &memory.CorruptError{Key: keys[i], Err: fmt.Errorf("format %d written by a newer version", r.Format)})
			continue
		}
		out = append(r.Entries, out...)
	}
	if n > 0 && len(out) > n {
		out = out[len(out)-n:]
	}
	return out, errors.Join(errs...)
}

// Last returns the customer's most recent entry, to continue a
// conversation on another channel where it left off, or [memory.ErrNotFound].
func (h *History) Last(ctx context.Context, customerID string) (HistoryEntry, error) {
	es, err := h.Recent(ctx, customerID, 1)
	if len(es) == 0 {
		if err == nil {
			err = memory.ErrNotFound
		}
		return HistoryEntry{}, err
	}
	return es[0], nil
}

// Delete removes all of a customer's history.
func (h *History) Delete(ctx context.Context, customerID string) error {
	var errs []error
	if err := h.store.Keys(ctx, HistoryPrefix(customerID), func(k string) bool {
		if err := h.store.Delete(ctx, k, memory.AnyVersion); err != nil {
			errs = append(errs, err)
		}
		return true
	}); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
