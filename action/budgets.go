package action

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/internal/idkey"
	"github.com/parleyhq/parley/memory"
)

// Budget counters in a store ([WithStore]). Each budget of a call is one
// record, counted with the store's compare-and-set, so that registries in
// several processes sharing the store (replicas, or one process after a
// restart) grant each budget once between them:
//
//	action/budget/conv/<hash of conversation>/<action>                 PerConversation, ConversationAmount
//	action/budget/day/<YYYY-MM-DD>/<action>                            PerDay, DailyAmount
//	action/budget/customer/<hash of customer>/day/<YYYY-MM-DD>/<action> PerCustomerDay, CustomerDailyAmount
//	action/budget/customer/<hash of customer>/all/<action>/<hash of scope> PerCustomer
//
// Identifiers are hashed (internal/idkey) so that a key listing shows no
// customer ID or phone number; the record holds the action, scope and day
// in clear, for export. A customer's counters share one prefix, which is
// how [PrivacySource] finds them.
const budgetPrefix = "action/budget/"

// lifetimeTTL is how long a per-customer lifetime counter ([Def.PerCustomer])
// is kept in the store after its last use: 400 days, so that a campaign
// that comes back every year still finds last year's code (unless the
// registry's window is longer).
const lifetimeTTL = 400 * 24 * time.Hour

// maxCASAttempts bounds the compare-and-set rounds of one reservation.
// Every round that loses a race is lost to a reservation that won, so the
// bound is reached only under a contention no budget is sized for.
const maxCASAttempts = 1000

// counter is one stored budget counter.
type counter struct {
	Action string  `json:"action"`
	Scope  string  `json:"scope,omitempty"`
	Day    string  `json:"day,omitempty"`
	Calls  int     `json:"calls"`
	Amount float64 `json:"amount"`
}

// slot is one of a call's four budget counters in the store.
type slot struct {
	on  bool // a budget of the action uses it
	key string
	ttl time.Duration
	rec counter // the record of a counter not yet stored
}

// customerBudgetPrefix is the key prefix of the customer's counters.
func customerBudgetPrefix(who string) string {
	return budgetPrefix + "customer/" + idkey.Segment("customer", who) + "/"
}

// slots returns a call's counters in the order of [Registry.uses].
func (r *Registry) slots(e *entry, c Call, now time.Time) [4]slot {
	now = now.UTC()
	today := now.Format(time.DateOnly)
	// A day's counter lives until an hour after its day, so that a
	// replica whose clock is a little behind still finds it; the key
	// names the day, so the expiry is only clean-up.
	endOfDay := time.Date(now.Year(), now.Month(), now.Day()+1, 1, 0, 0, 0, time.UTC).Sub(now)
	scope := ""
	if e.scope != nil {
		scope = e.scope(c.Args)
	}
	cust := customerBudgetPrefix(subject(c))
	return [4]slot{
		{on: e.perConv > 0 || e.convAmount > 0, key: budgetPrefix + "conv/" + idkey.Segment("conversation", c.Conversation) + "/" + e.name,
			ttl: r.window, rec: counter{Action: e.name}},
		{on: e.perDay > 0 || e.dayAmount > 0, key: budgetPrefix + "day/" + today + "/" + e.name,
			ttl: endOfDay, rec: counter{Action: e.name, Day: today}},
		{on: e.perCustDay > 0 || e.custAmount > 0, key: cust + "day/" + today + "/" + e.name,
			ttl: endOfDay, rec: counter{Action: e.name, Day: today}},
		{on: e.perCust > 0, key: cust + "all/" + e.name + "/" + idkey.Segment("scope", scope),
			ttl: max(r.window, lifetimeTTL), rec: counter{Action: e.name, Scope: scope}},
	}
}

// loadCounter reads a stored counter: the record's version, or
// [memory.Absent] and def when there is none.
func (r *Registry) loadCounter(ctx context.Context, key string, def counter) (counter, int64, error) {
	rec, err := r.durable.Get(ctx, key)
	if errors.Is(err, memory.ErrNotFound) {
		return def, memory.Absent, nil
	}
	if err != nil {
		return counter{}, 0, err
	}
	var c counter
	if err := json.Unmarshal(rec.Value, &c); err != nil {
		return counter{}, 0, &memory.CorruptError{Key: key, Err: err}
	}
	return c, rec.Version, nil
}

// putCounter writes c under key if the record is still at version.
func (r *Registry) putCounter(ctx context.Context, s slot, c counter, version int64) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = r.durable.Set(ctx, memory.Put{Key: s.key, Value: b, IfVersion: version, TTL: s.ttl})
	return err
}

// reserveStored is reserve over the store: it reads the call's counters,
// refuses the call as the in-memory budgets would, and otherwise adds
// the call to each counter with a compare-and-set. When another process
// changed a counter meanwhile, the counters already added to are given
// back and the whole reservation starts again, so a budget is never
// granted beyond its limit. The price is on the safe side: a call may be
// refused while another's reservation is being taken back, and a
// process that dies between reserving and running leaves the call
// counted. A store error refuses the call without running it.
func (r *Registry) reserveStored(ctx context.Context, e *entry, c Call, amount float64) error {
	ss := r.slots(e, c, time.Now())
	fail := func(err error) error {
		return fmt.Errorf("action: %s: budget counters unavailable, the action did not run: %w", e.name, err)
	}
	for range maxCASAttempts {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		var cur [4]counter
		var ver [4]int64
		var u [4]use
		for i, s := range ss {
			if !s.on {
				continue
			}
			var err error
			if cur[i], ver[i], err = r.loadCounter(ctx, s.key, s.rec); err != nil {
				return fail(err)
			}
			u[i] = use{calls: cur[i].Calls, amount: cur[i].Amount}
		}
		if err := e.over(c, amount, u); err != nil {
			return err
		}
		var added []int
		var err error
		for i, s := range ss {
			if !s.on {
				continue
			}
			next := cur[i]
			next.Calls, next.Amount = next.Calls+1, next.Amount+amount
			if err = r.putCounter(ctx, s, next, ver[i]); err != nil {
				break
			}
			added = append(added, i)
		}
		if err == nil {
			return nil
		}
		var undo []error
		for _, i := range added {
			undo = append(undo, r.adjust(context.WithoutCancel(ctx), ss[i], -1, -amount))
		}
		if uerr := errors.Join(undo...); uerr != nil {
			return fail(errors.Join(err, fmt.Errorf("giving back a partial reservation: %w", uerr)))
		}
		if !errors.Is(err, memory.ErrConflict) {
			return fail(err)
		}
	}
	return fail(fmt.Errorf("%d rounds of compare-and-set lost to other callers", maxCASAttempts))
}

// releaseStored gives back a reservation of reserveStored.
func (r *Registry) releaseStored(ctx context.Context, e *entry, c Call, amount float64) error {
	ctx = context.WithoutCancel(ctx)
	var errs []error
	for _, s := range r.slots(e, c, time.Now()) {
		if s.on {
			errs = append(errs, r.adjust(ctx, s, -1, -amount))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("action: %s: budget not given back (it stays used): %w", e.name, err)
	}
	return nil
}

// adjust adds calls and amount to a stored counter, retrying on
// conflict. A counter that is gone (expired, erased) is left gone.
func (r *Registry) adjust(ctx context.Context, s slot, calls int, amount float64) error {
	for range maxCASAttempts {
		cur, ver, err := r.loadCounter(ctx, s.key, s.rec)
		if err != nil {
			return err
		}
		if ver == memory.Absent {
			return nil
		}
		cur.Calls, cur.Amount = cur.Calls+calls, cur.Amount+amount
		err = r.putCounter(ctx, s, cur, ver)
		if !errors.Is(err, memory.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("%d rounds of compare-and-set lost to other callers", maxCASAttempts)
}

// customerCounters returns the customer's budget counters: in the store
// with [WithStore], else in memory.
func (r *Registry) customerCounters(ctx context.Context, customerID string) ([]counter, error) {
	if r.durable == nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		// In memory every call has all four counters; those of a budget
		// the action does not set are not the customer's budget use.
		out := []counter{}
		for k, u := range r.custDay {
			if e := r.actions[k[1]]; k[0] == customerID && e != nil && (e.perCustDay > 0 || e.custAmount > 0) {
				out = append(out, counter{Action: k[1], Day: r.day, Calls: u.calls, Amount: u.amount})
			}
		}
		for k, u := range r.custUse {
			if e := r.actions[k[1]]; k[0] == customerID && e != nil && e.perCust > 0 {
				out = append(out, counter{Action: k[1], Scope: k[2], Calls: u.calls, Amount: u.amount})
			}
		}
		return out, nil
	}
	keys, err := r.counterKeys(ctx, customerID)
	if err != nil {
		return nil, err
	}
	out := make([]counter, 0, len(keys))
	for _, k := range keys {
		c, ver, err := r.loadCounter(ctx, k, counter{})
		if err != nil {
			return nil, fmt.Errorf("action: budget counters: %w", err)
		}
		if ver != memory.Absent {
			out = append(out, c)
		}
	}
	return out, nil
}

// counterKeys lists the keys of the customer's counters in the store.
func (r *Registry) counterKeys(ctx context.Context, customerID string) ([]string, error) {
	var keys []string
	if err := r.durable.Keys(ctx, customerBudgetPrefix(customerID), func(k string) bool {
		keys = append(keys, k)
		return true
	}); err != nil {
		return nil, fmt.Errorf("action: budget counters: %w", err)
	}
	return keys, nil
}

// eraseCounters deletes the customer's budget counters.
func (r *Registry) eraseCounters(ctx context.Context, customerID string) error {
	if r.durable == nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		for k := range r.custDay {
			if k[0] == customerID {
				delete(r.custDay, k)
			}
		}
		for k := range r.custUse {
			if k[0] == customerID {
				delete(r.custUse, k)
			}
		}
		return nil
	}
	keys, err := r.counterKeys(ctx, customerID)
	if err != nil {
		return err
	}
	var errs []error
	for _, k := range keys {
		if err := r.durable.Delete(ctx, k, memory.AnyVersion); err != nil {
			errs = append(errs, fmt.Errorf("action: budget counter: %w", err))
		}
	}
	return errors.Join(errs...)
}
