package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
)

// A Source is one place that holds personal data about customers: a
// profile store, conversation history, sessions, a vault, analytics
// identifiers, scheduled messages. Every package that keeps customer data
// offers one, so that one [Eraser] call reaches everything.
//
// Implementations must be safe for concurrent use. Erase of a customer
// with no data is not an error.
type Source interface {
	// Name names the source in exports ("profile", "history").
	Name() string
	// Export returns everything the source holds about the customer, as a
	// JSON-encodable value.
	Export(ctx context.Context, customerID string) (any, error)
	// Erase deletes everything the source holds about the customer.
	Erase(ctx context.Context, customerID string) error
}

// Eraser carries out the rights of access and erasure over every
// [Source] it was given. It is safe for concurrent use.
type Eraser struct {
	sources []Source
}

// NewEraser returns an Eraser over sources. It panics if two sources
// share a name.
func NewEraser(sources ...Source) *Eraser {
	seen := map[string]bool{}
	for _, s := range sources {
		if seen[s.Name()] {
			panic("privacy: two sources named " + s.Name())
		}
		seen[s.Name()] = true
	}
	return &Eraser{sources: sources}
}

// An Export is everything Parley holds about one customer.
type Export struct {
	CustomerID string         `json:"customer"`
	Time       time.Time      `json:"exported"`
	Sources    map[string]any `json:"sources"`
}

// Export collects what every source holds about customerID and returns it
// as indented JSON. A source that fails is reported in the error (naming
// it) and the others are still exported.
func (e *Eraser) Export(ctx context.Context, customerID string) ([]byte, error) {
	if customerID == "" {
		return nil, errors.New("privacy: export: empty customer ID")
	}
	x := Export{CustomerID: customerID, Time: time.Now().UTC(), Sources: map[string]any{}}
	var errs []error
	for _, s := range e.sources {
		v, err := s.Export(ctx, customerID)
		if err != nil {
			errs = append(errs, fmt.Errorf("privacy: export %s: %w", s.Name(), err))
		}
		if v != nil {
			x.Sources[s.Name()] = v
		}
	}
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("privacy: export: %w", err)
	}
	return b, errors.Join(errs...)
}

// Erase deletes everything every source holds about customerID. It tries
// every source even when one fails and returns an [*EraseError] naming
// the sources that failed; call it again to finish an erasure that failed
// part way (every source's Erase is idempotent). The profile source
// ([ProfileSource], also in [StoreSources]) goes last, and only once
// every other source succeeded, so that a retry can still find the
// customer's identities.
func (e *Eraser) Erase(ctx context.Context, customerID string) error {
	if customerID == "" {
		return errors.New("privacy: erase: empty customer ID")
	}
	var first, last []Source
	for _, s := range e.sources {
		if _, ok := s.(erasedLast); ok {
			last = append(last, s)
		} else {
			first = append(first, s)
		}
	}
	ee := &EraseError{CustomerID: customerID}
	for _, s := range first {
		if err := s.Erase(ctx, customerID); err != nil {
			ee.Failed = append(ee.Failed, SourceError{Source: s.Name(), Err: err})
		}
	}
	for _, s := range last {
		if len(ee.Failed) > 0 {
			ee.Skipped = append(ee.Skipped, s.Name())
			continue
		}
		if err := s.Erase(ctx, customerID); err != nil {
			ee.Failed = append(ee.Failed, SourceError{Source: s.Name(), Err: err})
		}
	}
	if len(ee.Failed) > 0 {
		return ee
	}
	return nil
}

// erasedLast marks a source other sources depend on to find a customer's
// data (the identity links): [Eraser.Erase] erases it last.
type erasedLast interface{ erasedLast() }

// An EraseError reports an erasure that did not finish. Everything not
// listed was erased; calling [Eraser.Erase] again retries the rest.
type EraseError struct {
	CustomerID string
	// Failed lists the sources whose Erase failed, in order.
	Failed []SourceError
	// Skipped names the sources left for the retry because another
	// failed (the profile, which the others need to find the customer's
	// records).
	Skipped []string
}

// A SourceError is the failure of one [Source].
type SourceError struct {
	Source string
	Err    error
}

// Error implements error: "privacy: erase cust-1: history: <cause>;
// profile not attempted".
func (e *EraseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "privacy: erase %s:", e.CustomerID)
	for i, f := range e.Failed {
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, " %s: %v", f.Source, f.Err)
	}
	if len(e.Skipped) > 0 {
		fmt.Fprintf(&b, "; %s not attempted (retry)", strings.Join(e.Skipped, ", "))
	}
	return b.String()
}

// Unwrap returns the sources' errors, for [errors.Is] and [errors.As].
func (e *EraseError) Unwrap() []error {
	errs := make([]error, len(e.Failed))
	for i, f := range e.Failed {
		errs[i] = f.Err
	}
	return errs
}

// ProfileSource is the [Source] of customer profiles and linked
// identities.
func ProfileSource(p *customer.Profiles) Source { return profileSource{p} }

type profileSource struct{ p *customer.Profiles }

// Name implements [Source].
func (profileSource) Name() string { return "profile" }

func (profileSource) erasedLast() {}

// Export implements [Source].
func (s profileSource) Export(ctx context.Context, id string) (any, error) {
	p, err := s.p.Load(ctx, id)
	if errors.Is(err, memory.ErrNotFound) {
		return nil, nil
	}
	return p, err
}

// Erase implements [Source].
func (s profileSource) Erase(ctx context.Context, id string) error { return s.p.Delete(ctx, id) }

// HistorySource is the [Source] of cross-channel conversation history.
func HistorySource(h *customer.History) Source { return historySource{h} }

type historySource struct{ h *customer.History }

// Name implements [Source].
func (historySource) Name() string { return "history" }

// Export implements [Source].
func (s historySource) Export(ctx context.Context, id string) (any, error) {
	return s.h.Recent(ctx, id, 0)
}

// Erase implements [Source].
func (s historySource) Erase(ctx context.Context, id string) error { return s.h.Delete(ctx, id) }

// SessionSource is the [Source] of conversation sessions whose
// CustomerID is the customer. It reads every session in the store to
// find them, so erasure costs time in proportion to the number of live
// sessions; sessions expire on their own after their TTL.
func SessionSource(ss *memory.Sessions) Source { return sessionSource{ss} }

type sessionSource struct{ ss *memory.Sessions }

// Name implements [Source].
func (sessionSource) Name() string { return "sessions" }

func (s sessionSource) each(ctx context.Context, id string, fn func(*memory.Session) error) error {
	var errs []error
	st := s.ss.Store()
	err := st.Keys(ctx, "session/", func(k string) bool {
		conv := strings.TrimPrefix(k, "session/")
		sess, err := s.ss.Load(ctx, conv)
		var ce *memory.CorruptError
		switch {
		case errors.Is(err, memory.ErrNotFound):
			return true
		case errors.As(err, &ce):
			// Unreadable: it may hold the customer's data, so look for
			// the ID in the raw record.
			rec, gerr := st.Get(ctx, k)
			if gerr == nil && strings.Contains(string(rec.Value), `"`+id+`"`) {
				errs = append(errs, fn(&memory.Session{ID: conv, CustomerID: id}))
			}
			return true
		case err != nil:
			errs = append(errs, err)
			return true
		}
		if sess.CustomerID == id {
			errs = append(errs, fn(sess))
		}
		return true
	})
	return errors.Join(append(errs, err)...)
}

// Export implements [Source].
func (s sessionSource) Export(ctx context.Context, id string) (any, error) {
	var out []*memory.Session
	err := s.each(ctx, id, func(sess *memory.Session) error {
		out = append(out, sess)
		return nil
	})
	return out, err
}

// Erase implements [Source].
func (s sessionSource) Erase(ctx context.Context, id string) error {
	return s.each(ctx, id, func(sess *memory.Session) error { return s.ss.Delete(ctx, sess.ID) })
}

// PrefixSource is a [Source] for data another package keeps in a
// [memory.Store] under a per-customer key prefix (analytics identifiers,
// scheduled messages): prefix returns the prefix for a customer. Values
// are exported as JSON when they are JSON, as strings when they are
// text, and base64-encoded otherwise.
func PrefixSource(name string, store memory.Store, prefix func(customerID string) string) Source {
	return prefixSource{name: name, store: store, prefix: prefix}
}

type prefixSource struct {
	name   string
	store  memory.Store
	prefix func(string) string
}

// Name implements [Source].
func (s prefixSource) Name() string { return s.name }

// Export implements [Source].
func (s prefixSource) Export(ctx context.Context, id string) (any, error) {
	keys, err := keysUnder(ctx, s.store, s.prefix(id))
	out := map[string]any{}
	getErr := getEach(ctx, s.store, keys, func(rec memory.Record) { out[rec.Key] = exportValue(rec.Value) })
	return out, errors.Join(getErr, err)
}

// Erase implements [Source].
func (s prefixSource) Erase(ctx context.Context, id string) error {
	return deletePrefix(ctx, s.store, s.prefix(id))
}

// exportValue returns a stored value for an export: JSON as it is, text
// as a string, anything else as bytes (base64 in JSON).
func exportValue(v []byte) any {
	switch {
	case json.Valid(v):
		return json.RawMessage(v)
	case utf8.Valid(v):
		return string(v)
	default:
		return v
	}
}
