package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
)

// StoreSources returns a [Source] for every kind of record Parley's own
// packages keep about a customer in one [memory.Store], so that one
// [Eraser] over them reaches all of it:
//
//   - "profile": the profile, its identity links and the verified
//     contacts of the channel package's StoreLinker (erased last, so
//     that a retry still finds everything else);
//   - "history": cross-channel conversation history;
//   - "sessions": the Bot's sessions of the customer's conversations;
//   - "vault": tokenised values ([StoreVault]);
//   - "web_transcripts": the web chat's kept transcripts
//     ("web/transcript/", the conversations the customer was identified
//     in);
//   - "escalation_wake": the escalation wake index ("escalation/wake/");
//   - "proactive": campaign runs, the delivery log and the suppression
//     ledger ("proactive/run/", "proactive/log/", "proactive/ledger/").
//
// Data kept outside the store have sources of their own: scheduled jobs
// ([JobsSource]), pending approvals and the audit log (action's
// PrivacySource), desk tickets (escalation/desk's Memory), analytics
// ([ObserverSource] given the analytics Recorder), the intent review
// queue (intent/learn's PrivacySource, which keeps its items in the
// store under a hashed per-customer index). The knowledge-base
// gap log keeps questions without a customer ID: redact before it.
func StoreSources(store memory.Store) []Source {
	return []Source{
		HistorySource(customer.NewHistory(store)),
		SessionSource(memory.NewSessions(store)),
		NewStoreVault(store),
		RecordSource("web_transcripts", store, "web/transcript/", "customer"),
		RecordSource("escalation_wake", store, "escalation/wake/", "customer"),
		KeySource("proactive", store, func(id string) (keys, prefixes []string) {
			return []string{"proactive/log/" + id, "proactive/ledger/" + id}, []string{"proactive/run/" + id + "/"}
		}),
		ProfileSource(customer.NewProfiles(store)),
	}
}

// RecordSource is a [Source] for JSON records kept under prefix of store
// that name their customer in the top-level string field field (the web
// chat's transcripts and the escalation wake index name it "customer"). It
// reads every record under prefix to find the customer's, so erasure
// costs time in proportion to their number. A record that is not JSON is
// left alone.
func RecordSource(name string, store memory.Store, prefix, field string) Source {
	return recordSource{name: name, store: store, prefix: prefix, field: field}
}

type recordSource struct {
	name, prefix, field string
	store               memory.Store
}

// Name implements [Source].
func (s recordSource) Name() string { return s.name }

// mine returns the customer's records under the prefix.
func (s recordSource) mine(ctx context.Context, id string) ([]memory.Record, error) {
	keys, err := keysUnder(ctx, s.store, s.prefix)
	if err != nil {
		return nil, err
	}
	var out []memory.Record
	err = getEach(ctx, s.store, keys, func(rec memory.Record) {
		var fields map[string]json.RawMessage
		if json.Unmarshal(rec.Value, &fields) != nil {
			return
		}
		var who string
		if json.Unmarshal(fields[s.field], &who) == nil && who == id {
			out = append(out, rec)
		}
	})
	return out, err
}

// Export implements [Source]: the customer's records by key.
func (s recordSource) Export(ctx context.Context, id string) (any, error) {
	recs, err := s.mine(ctx, id)
	out := make(map[string]json.RawMessage, len(recs))
	for _, r := range recs {
		out[r.Key] = json.RawMessage(r.Value)
	}
	return out, err
}

// Erase implements [Source].
func (s recordSource) Erase(ctx context.Context, id string) error {
	recs, err := s.mine(ctx, id)
	keys := make([]string, len(recs))
	for i, r := range recs {
		keys[i] = r.Key
	}
	// A record rewritten meanwhile is still the customer's (its
	// conversation is): deleteEach deletes whatever version it has.
	return errors.Join(err, deleteEach(ctx, s.store, keys))
}

// KeySource is a [Source] for records another package keeps in store
// under keys derived from the customer ID: keys returns the exact keys and
// the key prefixes (each should end in a separator, so that "cust-1/"
// does not reach "cust-10/") that hold a customer's records.
func KeySource(name string, store memory.Store, keys func(customerID string) (keys, prefixes []string)) Source {
	return keySource{name: name, store: store, keys: keys}
}

type keySource struct {
	name  string
	store memory.Store
	keys  func(string) ([]string, []string)
}

// Name implements [Source].
func (s keySource) Name() string { return s.name }

func (s keySource) all(ctx context.Context, id string) ([]string, error) {
	keys, prefixes := s.keys(id)
	keys = slices.Clone(keys)
	var errs []error
	for _, p := range prefixes {
		under, err := keysUnder(ctx, s.store, p)
		keys, errs = append(keys, under...), append(errs, err)
	}
	return keys, errors.Join(errs...)
}

// Export implements [Source]: the records by key, as [PrefixSource]
// exports them.
func (s keySource) Export(ctx context.Context, id string) (any, error) {
	keys, err := s.all(ctx, id)
	out := map[string]any{}
	getErr := getEach(ctx, s.store, keys, func(rec memory.Record) { out[rec.Key] = exportValue(rec.Value) })
	return out, errors.Join(err, getErr)
}

// Erase implements [Source].
func (s keySource) Erase(ctx context.Context, id string) error {
	keys, err := s.all(ctx, id)
	return errors.Join(err, deleteEach(ctx, s.store, keys))
}

// keysUnder returns the keys of store that start with prefix.
func keysUnder(ctx context.Context, store memory.Store, prefix string) ([]string, error) {
	var keys []string
	err := store.Keys(ctx, prefix, func(k string) bool { keys = append(keys, k); return true })
	return keys, err
}

// getEach calls f with the record of each key in turn, passing over keys
// that have none (any more), and returns the other errors of the reads.
func getEach(ctx context.Context, store memory.Store, keys []string, f func(memory.Record)) error {
	var errs []error
	for _, k := range keys {
		rec, err := store.Get(ctx, k)
		switch {
		case isNotFound(err):
		case err != nil:
			errs = append(errs, err)
		default:
			f(rec)
		}
	}
	return errors.Join(errs...)
}

// deleteEach deletes the records of keys, whatever their version, and
// returns the errors other than a record already gone.
func deleteEach(ctx context.Context, store memory.Store, keys []string) error {
	var errs []error
	for _, k := range keys {
		if err := store.Delete(ctx, k, memory.AnyVersion); err != nil && !isNotFound(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// A JobEraser deletes every scheduled job kept under a key; a
// schedule.Scheduler and every schedule.Store are JobErasers.
type JobEraser interface {
	Erase(ctx context.Context, key string) (int, error)
}

// JobsSource is the [Source] of the scheduled jobs (reminders, campaign
// steps) whose key is the customer ID. The schedule stores cannot list a
// customer's jobs, so Export returns nothing for them.
func JobsSource(jobs JobEraser) Source { return jobsSource{jobs} }

type jobsSource struct{ j JobEraser }

// Name implements [Source].
func (jobsSource) Name() string { return "scheduled_jobs" }

// Export implements [Source].
func (jobsSource) Export(context.Context, string) (any, error) { return nil, nil }

// Erase implements [Source].
func (s jobsSource) Erase(ctx context.Context, id string) error {
	if _, err := s.j.Erase(ctx, id); err != nil {
		return fmt.Errorf("scheduled jobs: %w", err)
	}
	return nil
}
