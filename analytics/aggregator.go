package analytics

import (
	"context"
	"iter"
	"sync"
	"time"
)

// DefaultMaxNames bounds the distinct names (intents, flows, nodes,
// statuses, models, actions, campaigns, variants) an [Aggregator]
// tracks; see [WithMaxNames].
const DefaultMaxNames = 10_000

// An Aggregator folds events into one [Record] per conversation, in
// memory, and answers KPI queries over them. It is the default [Sink]
// and what `parley report` and the dashboard read.
//
// Folding is idempotent and order-independent: an event seen twice
// (same [Event.Hash], as when a log is replayed or a batch retried) is
// counted once, and records do not depend on the order events arrive
// in. Events without a conversation are counted in [AggregatorStats] and
// otherwise ignored, except a privacy.EventErased event (from
// privacy.ObserverSource), which drops every record of its customer.
//
// Memory grows with the conversations kept; [Aggregator.Prune] drops
// old ones. An Aggregator is safe for concurrent use.
type Aggregator struct {
	mu      sync.RWMutex
	names   names
	index   map[string]int32
	recs    recs
	events  uint64
	dups    uint64
	skipped uint64
}

// An AggregatorOption configures an [Aggregator].
type AggregatorOption func(*Aggregator)

// WithMaxNames bounds the distinct names the Aggregator tracks (default
// [DefaultMaxNames]); past it, new names count as [Other]. This keeps
// memory, KPI tables and exporters' label sets bounded whatever the
// events say.
func WithMaxNames(n int) AggregatorOption {
	return func(a *Aggregator) { a.names.max = max(n, 1) }
}

// NewAggregator returns an empty Aggregator.
func NewAggregator(opts ...AggregatorOption) *Aggregator {
	a := &Aggregator{names: newNames(DefaultMaxNames), index: map[string]int32{}}
	for _, o := range opts {
		o(a)
	}
	return a
}

// AggregatorStats counts what an [Aggregator] took in.
type AggregatorStats struct {
	// Events counts the events folded into records.
	Events uint64
	// Duplicates counts events dropped because they were seen before.
	Duplicates uint64
	// Skipped counts events with no conversation.
	Skipped uint64
	// Conversations is the number of records kept.
	Conversations int
}

// Stats returns what the Aggregator took in so far.
func (a *Aggregator) Stats() AggregatorStats {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return AggregatorStats{Events: a.events, Duplicates: a.dups, Skipped: a.skipped, Conversations: a.recs.n}
}

// Write folds events into their records. It implements [Sink] and never
// fails.
func (a *Aggregator) Write(_ context.Context, events []Event) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range events {
		a.add(&events[i])
	}
	return nil
}

// Add folds one event into its record and reports whether it was new
// (not a duplicate, and with a conversation).
func (a *Aggregator) Add(e Event) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.add(&e)
}

func (a *Aggregator) add(e *Event) bool {
	if isErasure(e) {
		a.erase(e.Customer)
		return true
	}
	if e.Conversation == "" {
		a.skipped++
		return false
	}
	i, ok := a.index[e.Conversation]
	if !ok {
		i = a.recs.add(e.Conversation)
		a.index[e.Conversation] = i
	}
	r := a.recs.at(i)
	if !r.seen.add(e.Hash()) {
		a.dups++
		return false
	}
	a.events++
	var at int64
	if !e.Time.IsZero() {
		at = e.Time.UnixNano()
	}
	r.fold(&a.names, e, at)
	return true
}

// Record returns the record of one conversation.
func (a *Aggregator) Record(conversation string) (Record, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	i, ok := a.index[conversation]
	if !ok {
		return Record{}, false
	}
	return a.recs.at(i).record(&a.names), true
}

// Records returns the records of the conversations that started in w,
// oldest first: those the KPIs count, not visits of page events only
// (see [KPIs]).
func (a *Aggregator) Records(w Window) []Record {
	a.mu.RLock()
	defer a.mu.RUnlock()
	var out []Record
	for r := range a.conversations() {
		if w.has(r.start) {
			out = append(out, r.record(&a.names))
		}
	}
	sortRecords(out)
	return out
}

// Prune drops the records of conversations whose last event is before
// t, and returns how many it dropped. An event of a pruned conversation
// that arrives later starts a new record.
func (a *Aggregator) Prune(t time.Time) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	cut := t.UnixNano()
	var kept recs
	a.index = make(map[string]int32, a.recs.n)
	for r := range a.all() {
		if r.end >= cut {
			i := kept.add("")
			*kept.at(i) = *r
			a.index[r.conv] = i
		}
	}
	n := a.recs.n - kept.n
	a.recs = kept
	return n
}

// chunkBits sets the records per chunk (1,024): records are stored in
// fixed chunks so that adding one never copies the others.
const chunkBits = 10

// recs is an append-only sequence of records in fixed-size chunks.
type recs struct {
	chunks [][]rec
	n      int
}

func (s *recs) add(conv string) int32 {
	if s.n>>chunkBits == len(s.chunks) {
		s.chunks = append(s.chunks, make([]rec, 1<<chunkBits))
	}
	i := int32(s.n)
	s.n++
	s.at(i).conv = conv
	return i
}

func (s *recs) at(i int32) *rec { return &s.chunks[i>>chunkBits][i&(1<<chunkBits-1)] }

// conversations yields the records of conversations, those the KPIs
// and [Aggregator.Records] count (see [rec.counted]); the caller holds
// a.mu.
func (a *Aggregator) conversations() iter.Seq[*rec] {
	return func(yield func(*rec) bool) {
		for r := range a.all() {
			if r.counted() && !yield(r) {
				return
			}
		}
	}
}

// all yields every record; the caller holds a.mu.
func (a *Aggregator) all() iter.Seq[*rec] {
	return func(yield func(*rec) bool) {
		for c, chunk := range a.recs.chunks {
			n := min(len(chunk), a.recs.n-c<<chunkBits)
			for i := range n {
				if !yield(&chunk[i]) {
					return
				}
			}
		}
	}
}
