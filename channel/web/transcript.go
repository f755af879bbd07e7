package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// eventStoreError is emitted when the consent state or transcript could not
// be read from or written to [Config.Store]; Err holds the cause. The
// message itself was still delivered to the open connections.
const eventStoreError parley.EventKind = "web.store_error"

// transcriptKey is the store key of a conversation's consent and
// transcript.
func transcriptKey(conv string) string { return "web/transcript/" + conv }

// transcriptRecord is what a [Config.Store] holds per conversation.
type transcriptRecord struct {
	Consent string `json:"consent"`
	// Customer is the customer the conversation was identified as (see
	// [Config.Linker]), so that erasing the customer finds the record
	// (privacy.StoreSources reads this field).
	Customer string  `json:"customer,omitempty"`
	Entries  []entry `json:"entries,omitempty"`
}

// maxConflictRetries bounds the read-modify-write retries when another
// replica writes the same conversation at the same moment.
const maxConflictRetries = 10

// consentAndHistory returns the consent state and, if granted, the kept
// transcript of a conversation.
func (h *Chat) consentAndHistory(ctx context.Context, conv string) (string, []entry, error) {
	if h.cfg.Store == nil {
		cv := h.lookup(conv, false)
		if cv == nil {
			return consentUnknown, nil, nil
		}
		consent, hist := cv.state()
		return consent, hist, nil
	}
	r, _, err := h.loadRecord(ctx, conv)
	if err != nil {
		return consentUnknown, nil, err
	}
	if r.Consent != consentGranted {
		return r.Consent, nil, nil
	}
	return r.Consent, r.Entries, nil
}

// setConsent records the visitor's answer; declining drops the transcript.
func (h *Chat) setConsent(ctx context.Context, cv *conversation, granted bool) (string, error) {
	if h.cfg.Store == nil {
		return cv.setConsent(granted), nil
	}
	state := consentDeclined
	if granted {
		state = consentGranted
	}
	customer := h.customer(ctx, cv)
	err := h.updateRecord(ctx, cv, func(r *transcriptRecord) bool {
		r.Consent = state
		relink(&r.Customer, &r.Entries, customer)
		if !granted {
			r.Entries = nil
		}
		return true
	})
	return state, err
}

// keep appends e to the transcript of cv if the visitor consented. The
// visitor's messages shown read since are marked read in the same write
// (the bot's reply is what shows them read, most of the time).
func (h *Chat) keep(ctx context.Context, cv *conversation, e entry) {
	customer := h.customer(ctx, cv)
	if h.cfg.Store == nil {
		cv.record(e, customer, h.cfg.HistoryLimit, e.Time)
		return
	}
	cv.touch(e.Time)
	read := cv.readIDs()
	err := h.updateRecord(ctx, cv, func(r *transcriptRecord) bool {
		if r.Consent != consentGranted {
			return false
		}
		relink(&r.Customer, &r.Entries, customer)
		markReadEntries(r.Entries, read)
		r.Entries = append(r.Entries, e)
		if over := len(r.Entries) - h.cfg.HistoryLimit; over > 0 {
			r.Entries = slices.Delete(r.Entries, 0, over)
		}
		return true
	})
	if err != nil {
		h.emit(ctx, parley.Event{Kind: eventStoreError, ConversationID: cv.id, MessageID: e.ID, Err: err})
	}
}

// keepRead records in the kept transcript that the visitor's message id
// shows as read, for a read receipt that no reply follows (an agent
// reading the message).
func (h *Chat) keepRead(ctx context.Context, cv *conversation, id string) {
	if h.cfg.Store == nil {
		cv.keepRead(id)
		return
	}
	err := h.updateRecord(ctx, cv, func(r *transcriptRecord) bool {
		return r.Consent == consentGranted && markReadEntries(r.Entries, []string{id})
	})
	if err != nil {
		h.emit(ctx, parley.Event{Kind: eventStoreError, ConversationID: cv.id, MessageID: id, Err: err})
	}
}

// relink links a kept transcript (its customer *owner and entries) to
// customer, the Linker's answer now; "" keeps the link it has. When the conversation now belongs to another
// customer than the one its kept transcript was written for, the
// transcript starts afresh: the previous customer's messages are not
// shown to the new one on their next reload, and erasing either customer
// finds only their own.
func relink(owner *string, entries *[]entry, customer string) {
	if customer == "" || customer == *owner {
		return
	}
	if *owner != "" {
		*entries = nil
	}
	*owner = customer
}

func (h *Chat) loadRecord(ctx context.Context, conv string) (transcriptRecord, int64, error) {
	r := transcriptRecord{Consent: consentUnknown}
	rec, err := h.cfg.Store.Get(ctx, transcriptKey(conv))
	if errors.Is(err, memory.ErrNotFound) {
		return r, memory.Absent, nil
	}
	if err != nil {
		return r, 0, fmt.Errorf("web: load transcript %q: %w", conv, err)
	}
	if err := json.Unmarshal(rec.Value, &r); err != nil {
		return transcriptRecord{Consent: consentUnknown}, 0, &memory.CorruptError{Key: rec.Key, Err: err}
	}
	return r, rec.Version, nil
}

// updateRecord applies fn to the stored record with optimistic
// concurrency. Writers in this process take turns per conversation; when
// another replica got there first, it retries after a short random pause.
// fn reports whether it changed anything. Writes outlive the request: they
// use ctx's values but not its cancellation.
func (h *Chat) updateRecord(ctx context.Context, cv *conversation, fn func(*transcriptRecord) bool) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	cv.storeMu.Lock()
	defer cv.storeMu.Unlock()
	conv := cv.id
	for attempt := range maxConflictRetries {
		if attempt > 0 {
			pause := time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 6)))
			select {
			case <-time.After(pause):
			case <-ctx.Done():
				return fmt.Errorf("web: save transcript %q: %w", conv, ctx.Err())
			}
		}
		r, version, err := h.loadRecord(ctx, conv)
		var corrupt *memory.CorruptError
		if errors.As(err, &corrupt) {
			// An unreadable record must not block the conversation: start
			// it afresh over the old one.
			h.emit(ctx, parley.Event{Kind: eventStoreError, ConversationID: conv, Err: err})
			r, version, err = transcriptRecord{Consent: consentUnknown}, memory.AnyVersion, nil
		}
		if err != nil {
			return err
		}
		if !fn(&r) {
			return nil
		}
		b, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("web: encode transcript %q: %w", conv, err)
		}
		_, err = h.cfg.Store.Set(ctx, memory.Put{Key: transcriptKey(conv), Value: b, IfVersion: version, TTL: h.cfg.TokenTTL})
		if errors.Is(err, memory.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("web: save transcript %q: %w", conv, err)
		}
		return nil
	}
	return fmt.Errorf("web: save transcript %q: %w after %d attempts", conv, memory.ErrConflict, maxConflictRetries)
}
