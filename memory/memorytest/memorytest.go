package memorytest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/memory"
)

// An Option configures [Run].
type Option func(*config)

type config struct {
	shortTTL  time.Duration
	expiryMax time.Duration
	writers   int
	rounds    int
	large     []int
}

// WithExpiryWait sets the TTL the expiry tests use with real time (default
// 100ms) and how long they poll for the record to disappear before failing
// (default 30s). Stores with a coarse expiry resolution need a longer TTL.
func WithExpiryWait(ttl, limit time.Duration) Option {
	return func(c *config) { c.shortTTL, c.expiryMax = ttl, limit }
}

// WithConcurrency sets how many goroutines the concurrency tests run
// (default 8) and how many increments each makes (default 25).
func WithConcurrency(writers, rounds int) Option {
	return func(c *config) { c.writers, c.rounds = max(writers, 2), max(rounds, 1) }
}

// Run runs the conformance suite as subtests of t. newStore must return an
// empty store, isolated from every other store it returned, that lives
// until the subtest ends (register cleanup with t.Cleanup).
func Run(t *testing.T, newStore func(t *testing.T) memory.Store, opts ...Option) {
	t.Helper()
	c := &config{
		shortTTL:  100 * time.Millisecond,
		expiryMax: 30 * time.Second,
		writers:   8,
		rounds:    25,
		large:     []int{1 << 20, 3<<20 + 17},
	}
	for _, o := range opts {
		o(c)
	}
	s := &suite{cfg: c, newStore: newStore}
	tests := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"CRUD", s.testCRUD},
		{"EmptyValue", s.testEmptyValue},
		{"ValueIsolation", s.testValueIsolation},
		{"Versions", s.testVersions},
		{"CreateRace", s.testCreateRace},
		{"ConcurrentWriters", s.testConcurrentWriters},
		{"ConditionalDelete", s.testConditionalDelete},
		{"TTL", s.testTTL},
		{"Expiry", s.testExpiry},
		{"LargeValues", s.testLargeValues},
		{"Keys", s.testKeys},
		{"KeysPatternPrefix", s.testKeysPatternPrefix},
		{"KeysYieldCallsStore", s.testKeysYieldCallsStore},
		{"OddKeys", s.testOddKeys},
		{"BadKeys", s.testBadKeys},
		{"NegativeTTL", s.testNegativeTTL},
		{"CancelledContext", s.testCancelledContext},
		{"Versioner", s.testVersioner},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.fn)
	}
}

type suite struct {
	cfg      *config
	newStore func(t *testing.T) memory.Store
}

func (s *suite) store(t *testing.T) memory.Store {
	t.Helper()
	st := s.newStore(t)
	if st == nil {
		t.Fatal("newStore returned nil")
	}
	return st
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// set writes p and fails the test on error.
func set(t *testing.T, ctx context.Context, st memory.Store, p memory.Put) int64 {
	t.Helper()
	v, err := st.Set(ctx, p)
	if err != nil {
		t.Fatalf("Set(%q, IfVersion=%d): %v", p.Key, p.IfVersion, err)
	}
	return v
}

// get reads key and fails the test on error.
func get(t *testing.T, ctx context.Context, st memory.Store, key string) memory.Record {
	t.Helper()
	r, err := st.Get(ctx, key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if r.Key != key {
		t.Errorf("Get(%q).Key = %q", key, r.Key)
	}
	return r
}

func wantNotFound(t *testing.T, ctx context.Context, st memory.Store, key string) {
	t.Helper()
	r, err := st.Get(ctx, key)
	if !errors.Is(err, memory.ErrNotFound) {
		t.Fatalf("Get(%q) = version %d, %v; want ErrNotFound", key, r.Version, err)
	}
}

func wantConflict(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, memory.ErrConflict) {
		t.Fatalf("%s: err = %v; want ErrConflict", what, err)
	}
}

func keys(t *testing.T, ctx context.Context, st memory.Store, prefix string) []string {
	t.Helper()
	var out []string
	if err := st.Keys(ctx, prefix, func(k string) bool {
		out = append(out, k)
		return true
	}); err != nil {
		t.Fatalf("Keys(%q): %v", prefix, err)
	}
	return out
}

func equalStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func (s *suite) testCRUD(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	wantNotFound(t, ctx, st, "crud/a")
	if v := set(t, ctx, st, memory.Put{Key: "crud/a", Value: []byte("one"), IfVersion: memory.Absent}); v != 1 {
		t.Errorf("first Set returned version %d; want 1", v)
	}
	r := get(t, ctx, st, "crud/a")
	if string(r.Value) != "one" || r.Version != 1 || !r.ExpiresAt.IsZero() {
		t.Errorf("Get = %q v%d expires %v; want %q v1 never", r.Value, r.Version, r.ExpiresAt, "one")
	}
	if v := set(t, ctx, st, memory.Put{Key: "crud/a", Value: []byte("two"), IfVersion: 1}); v != 2 {
		t.Errorf("second Set returned version %d; want 2", v)
	}
	if r := get(t, ctx, st, "crud/a"); string(r.Value) != "two" || r.Version != 2 {
		t.Errorf("Get = %q v%d; want %q v2", r.Value, r.Version, "two")
	}
	set(t, ctx, st, memory.Put{Key: "crud/b", Value: []byte("bee"), IfVersion: memory.AnyVersion})
	if err := st.Delete(ctx, "crud/a", memory.AnyVersion); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantNotFound(t, ctx, st, "crud/a")
	if r := get(t, ctx, st, "crud/b"); string(r.Value) != "bee" {
		t.Errorf("deleting crud/a changed crud/b to %q", r.Value)
	}
	if err := st.Delete(ctx, "crud/a", memory.AnyVersion); err != nil {
		t.Errorf("Delete of a missing key with AnyVersion: %v; want nil", err)
	}
	if err := st.Delete(ctx, "crud/never", memory.AnyVersion); err != nil {
		t.Errorf("Delete of a never-written key with AnyVersion: %v; want nil", err)
	}
	v := set(t, ctx, st, memory.Put{Key: "crud/a", Value: []byte("again"), IfVersion: memory.Absent})
	if v < 1 {
		t.Errorf("re-creating a deleted key returned version %d; want >= 1", v)
	}
	if r := get(t, ctx, st, "crud/a"); string(r.Value) != "again" || r.Version != v {
		t.Errorf("Get after re-create = %q v%d; want %q v%d", r.Value, r.Version, "again", v)
	}
}

func (s *suite) testEmptyValue(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	set(t, ctx, st, memory.Put{Key: "empty/nil", Value: nil, IfVersion: memory.Absent})
	set(t, ctx, st, memory.Put{Key: "empty/zero", Value: []byte{}, IfVersion: memory.Absent})
	for _, k := range []string{"empty/nil", "empty/zero"} {
		if r := get(t, ctx, st, k); len(r.Value) != 0 || r.Version != 1 {
			t.Errorf("Get(%q) = %q v%d; want empty v1", k, r.Value, r.Version)
		}
	}
}

func (s *suite) testValueIsolation(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	val := []byte("original")
	set(t, ctx, st, memory.Put{Key: "iso", Value: val, IfVersion: memory.Absent})
	copy(val, "mutated!")
	r := get(t, ctx, st, "iso")
	if string(r.Value) != "original" {
		t.Fatalf("changing the slice passed to Set changed the stored value to %q", r.Value)
	}
	copy(r.Value, "mutated!")
	if r := get(t, ctx, st, "iso"); string(r.Value) != "original" {
		t.Errorf("changing the slice Get returned changed the stored value to %q", r.Value)
	}
}

func (s *suite) testVersions(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	_, err := st.Set(ctx, memory.Put{Key: "ver", Value: []byte("x"), IfVersion: 3})
	wantConflict(t, "Set IfVersion=3 on a missing key", err)
	wantNotFound(t, ctx, st, "ver")

	set(t, ctx, st, memory.Put{Key: "ver", Value: []byte("v1"), IfVersion: memory.Absent})
	_, err = st.Set(ctx, memory.Put{Key: "ver", Value: []byte("dup"), IfVersion: memory.Absent})
	wantConflict(t, "Set Absent on an existing key", err)
	for _, stale := range []int64{2, 7} {
		_, err = st.Set(ctx, memory.Put{Key: "ver", Value: []byte("stale"), IfVersion: stale})
		wantConflict(t, fmt.Sprintf("Set IfVersion=%d on version 1", stale), err)
	}
	if r := get(t, ctx, st, "ver"); string(r.Value) != "v1" || r.Version != 1 {
		t.Fatalf("after failed writes Get = %q v%d; want %q v1", r.Value, r.Version, "v1")
	}
	want := int64(1)
	for i := range 5 {
		want++
		prec := want - 1
		if i%2 == 1 {
			prec = memory.AnyVersion
		}
		if v := set(t, ctx, st, memory.Put{Key: "ver", Value: fmt.Appendf(nil, "v%d", want), IfVersion: prec}); v != want {
			t.Fatalf("write %d returned version %d; want %d (versions grow by one)", i, v, want)
		}
	}
	if r := get(t, ctx, st, "ver"); r.Version != want || string(r.Value) != fmt.Sprintf("v%d", want) {
		t.Errorf("Get = %q v%d; want v%d", r.Value, r.Version, want)
	}
	_, err = st.Set(ctx, memory.Put{Key: "ver", Value: []byte("old"), IfVersion: want - 1})
	wantConflict(t, "Set with the previous version", err)
}

func (s *suite) testCreateRace(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	n := s.cfg.writers * 2
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		wins      []int
		conflicts int
		others    []error
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.Set(ctx, memory.Put{Key: "race", Value: fmt.Appendf(nil, "%d", i), IfVersion: memory.Absent})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins = append(wins, i)
			case errors.Is(err, memory.ErrConflict):
				conflicts++
			default:
				others = append(others, err)
			}
		}()
	}
	wg.Wait()
	if len(others) > 0 {
		t.Fatalf("unexpected errors: %v", others)
	}
	if len(wins) != 1 || conflicts != n-1 {
		t.Fatalf("%d create-only writers: %d won, %d conflicted; want exactly 1 winner", n, len(wins), conflicts)
	}
	if r := get(t, ctx, st, "race"); string(r.Value) != fmt.Sprint(wins[0]) || r.Version != 1 {
		t.Errorf("Get = %q v%d; want the winner %d at v1", r.Value, r.Version, wins[0])
	}
}

func (s *suite) testConcurrentWriters(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	const key = "counter"
	writers, rounds := s.cfg.writers, s.cfg.rounds
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- increment(ctx, st, key, w, rounds)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	r := get(t, ctx, st, key)
	got, log, err := parseCounter(r.Value)
	if err != nil {
		t.Fatal(err)
	}
	if want := writers * rounds; got != want {
		t.Errorf("counter = %d after %d writers x %d increments; want %d (lost updates)", got, writers, rounds, want)
	}
	if want := int64(writers * rounds); r.Version != want {
		t.Errorf("version = %d; want %d (one per increment, the first a create)", r.Version, want)
	}
	// Each writer appended its ID once per increment: all must be there.
	for w := range writers {
		if n := strings.Count(log, fmt.Sprintf("<%d>", w)); n != rounds {
			t.Errorf("writer %d appears %d times in the log; want %d", w, n, rounds)
		}
	}
}

// parseCounter decodes "count|log" written by increment.
func parseCounter(b []byte) (int, string, error) {
	num, log, ok := strings.Cut(string(b), "|")
	n, err := strconv.Atoi(num)
	if !ok || err != nil {
		return 0, "", fmt.Errorf("counter value %.40q is not count|log", b)
	}
	return n, log, nil
}

// increment adds one to the counter under key rounds times, with
// read-modify-write and retry on conflict.
func increment(ctx context.Context, st memory.Store, key string, w, rounds int) error {
	for range rounds {
		for attempt := 0; ; attempt++ {
			if attempt > 10000 {
				return fmt.Errorf("writer %d: no progress after %d attempts", w, attempt)
			}
			n, log, prec := 0, "", memory.Absent
			r, err := st.Get(ctx, key)
			switch {
			case errors.Is(err, memory.ErrNotFound):
			case err != nil:
				return fmt.Errorf("writer %d: Get: %w", w, err)
			default:
				if n, log, err = parseCounter(r.Value); err != nil {
					return fmt.Errorf("writer %d: %w", w, err)
				}
				prec = r.Version
			}
			next := fmt.Appendf(nil, "%d|%s<%d>", n+1, log, w)
			_, err = st.Set(ctx, memory.Put{Key: key, Value: next, IfVersion: prec})
			if err == nil {
				break
			}
			if !errors.Is(err, memory.ErrConflict) {
				return fmt.Errorf("writer %d: Set: %w", w, err)
			}
		}
	}
	return nil
}

func (s *suite) testConditionalDelete(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	set(t, ctx, st, memory.Put{Key: "del", Value: []byte("a"), IfVersion: memory.Absent})
	set(t, ctx, st, memory.Put{Key: "del", Value: []byte("b"), IfVersion: 1})
	wantConflict(t, "Delete with a stale version", st.Delete(ctx, "del", 1))
	wantConflict(t, "Delete with a future version", st.Delete(ctx, "del", 3))
	wantConflict(t, "Delete with Absent on an existing key", st.Delete(ctx, "del", memory.Absent))
	if r := get(t, ctx, st, "del"); string(r.Value) != "b" || r.Version != 2 {
		t.Fatalf("after failed deletes Get = %q v%d; want %q v2", r.Value, r.Version, "b")
	}
	if err := st.Delete(ctx, "del", 2); err != nil {
		t.Fatalf("Delete with the current version: %v", err)
	}
	wantNotFound(t, ctx, st, "del")
	wantConflict(t, "Delete with a version of a missing key", st.Delete(ctx, "del", 2))
	if err := st.Delete(ctx, "del", memory.Absent); err != nil {
		t.Errorf("Delete with Absent on a missing key: %v; want nil (the precondition holds)", err)
	}
}

func (s *suite) testTTL(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	before := time.Now()
	set(t, ctx, st, memory.Put{Key: "ttl/hour", Value: []byte("h"), IfVersion: memory.Absent, TTL: time.Hour})
	after := time.Now()
	r := get(t, ctx, st, "ttl/hour")
	// Stores may round expiry to their resolution (a second at worst) and
	// a server's clock may be a little behind or ahead: only sanity-check
	// the window.
	lo, hi := before.Add(time.Hour-time.Minute), after.Add(time.Hour+time.Minute)
	if r.ExpiresAt.Before(lo) || r.ExpiresAt.After(hi) {
		t.Errorf("ExpiresAt = %v; want about an hour from now (%v..%v)", r.ExpiresAt, lo, hi)
	}
	if r.ExpiresAt.IsZero() {
		t.Errorf("ExpiresAt is zero for a record with a TTL")
	}
	// A write without TTL makes the record permanent; a write with one
	// sets a new expiry.
	set(t, ctx, st, memory.Put{Key: "ttl/hour", Value: []byte("h2"), IfVersion: r.Version})
	if r := get(t, ctx, st, "ttl/hour"); !r.ExpiresAt.IsZero() || r.Version != 2 {
		t.Errorf("after a write without TTL: ExpiresAt = %v v%d; want zero v2", r.ExpiresAt, r.Version)
	}
	set(t, ctx, st, memory.Put{Key: "ttl/hour", Value: []byte("h3"), IfVersion: 2, TTL: 2 * time.Hour})
	if r := get(t, ctx, st, "ttl/hour"); r.ExpiresAt.IsZero() || r.Version != 3 {
		t.Errorf("after a write with TTL: ExpiresAt = %v v%d; want set, v3", r.ExpiresAt, r.Version)
	}
}

func (s *suite) testExpiry(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	ttl := s.cfg.shortTTL
	set(t, ctx, st, memory.Put{Key: "exp/short", Value: []byte("s"), IfVersion: memory.Absent, TTL: ttl})
	set(t, ctx, st, memory.Put{Key: "exp/keep", Value: []byte("k"), IfVersion: memory.Absent})
	set(t, ctx, st, memory.Put{Key: "exp/long", Value: []byte("l"), IfVersion: memory.Absent, TTL: 24 * time.Hour})
	deadline := time.Now().Add(s.cfg.expiryMax)
	for {
		_, err := st.Get(ctx, "exp/short")
		if errors.Is(err, memory.ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatalf("Get while waiting for expiry: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("record with TTL %v still readable after %v", ttl, s.cfg.expiryMax)
		}
		time.Sleep(ttl / 4)
	}
	if vs, ok := st.(memory.Versioner); ok {
		if _, err := vs.Version(ctx, "exp/short"); !errors.Is(err, memory.ErrNotFound) {
			t.Errorf("Version of an expired record: %v; want ErrNotFound", err)
		}
	}
	equalStrings(t, "Keys after expiry", keys(t, ctx, st, "exp/"), []string{"exp/keep", "exp/long"})
	_, err := st.Set(ctx, memory.Put{Key: "exp/short", Value: []byte("x"), IfVersion: 1})
	wantConflict(t, "Set with the version of an expired record", err)
	if err := st.Delete(ctx, "exp/short", memory.AnyVersion); err != nil {
		t.Errorf("Delete of an expired record with AnyVersion: %v", err)
	}
	v := set(t, ctx, st, memory.Put{Key: "exp/short", Value: []byte("new"), IfVersion: memory.Absent})
	if r := get(t, ctx, st, "exp/short"); string(r.Value) != "new" || r.Version != v || !r.ExpiresAt.IsZero() {
		t.Errorf("re-created record = %q v%d expires %v; want %q v%d never", r.Value, r.Version, r.ExpiresAt, "new", v)
	}
	if r := get(t, ctx, st, "exp/keep"); string(r.Value) != "k" {
		t.Errorf("record without TTL = %q", r.Value)
	}
	if r := get(t, ctx, st, "exp/long"); string(r.Value) != "l" {
		t.Errorf("record with a long TTL = %q", r.Value)
	}
}

func (s *suite) testLargeValues(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range s.cfg.large {
		key := fmt.Sprintf("large/%d", n)
		val := make([]byte, n)
		for i := range val {
			val[i] = byte(rng.UintN(256))
		}
		set(t, ctx, st, memory.Put{Key: key, Value: val, IfVersion: memory.Absent})
		if r := get(t, ctx, st, key); !bytes.Equal(r.Value, val) {
			t.Errorf("%d-byte value came back as %d bytes, different", n, len(r.Value))
		}
		// Overwrite with a small value: no trailing garbage.
		set(t, ctx, st, memory.Put{Key: key, Value: []byte("small"), IfVersion: 1})
		if r := get(t, ctx, st, key); string(r.Value) != "small" {
			t.Errorf("after shrinking, value = %d bytes", len(r.Value))
		}
	}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	set(t, ctx, st, memory.Put{Key: "large/binary", Value: all, IfVersion: memory.Absent})
	if r := get(t, ctx, st, "large/binary"); !bytes.Equal(r.Value, all) {
		t.Errorf("value with every byte value came back as %q", r.Value)
	}
}

func (s *suite) testKeys(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	// Byte order, not a locale collation: "B" < "a" < "z" < "é".
	all := []string{"a", "a/b", "a/c", "a/b/c", "ab", "b", "B", "z", "é", "a/é", "a/Z"}
	for _, k := range rand.New(rand.NewPCG(3, 4)).Perm(len(all)) {
		set(t, ctx, st, memory.Put{Key: all[k], Value: []byte(all[k]), IfVersion: memory.Absent})
	}
	want := slices.Clone(all)
	slices.Sort(want)
	equalStrings(t, `Keys("")`, keys(t, ctx, st, ""), want)
	equalStrings(t, `Keys("a/")`, keys(t, ctx, st, "a/"), []string{"a/Z", "a/b", "a/b/c", "a/c", "a/é"})
	equalStrings(t, `Keys("a")`, keys(t, ctx, st, "a"), []string{"a", "a/Z", "a/b", "a/b/c", "a/c", "a/é", "ab"})
	equalStrings(t, `Keys("nope")`, keys(t, ctx, st, "nope"), nil)
	equalStrings(t, `Keys("é")`, keys(t, ctx, st, "é"), []string{"é"})

	var got []string
	if err := st.Keys(ctx, "a", func(k string) bool {
		got = append(got, k)
		return len(got) < 2
	}); err != nil {
		t.Fatalf("Keys with early stop: %v", err)
	}
	equalStrings(t, "Keys stopped after 2", got, []string{"a", "a/Z"})

	if err := st.Delete(ctx, "a/b", memory.AnyVersion); err != nil {
		t.Fatal(err)
	}
	equalStrings(t, `Keys("a/") after delete`, keys(t, ctx, st, "a/"), []string{"a/Z", "a/b/c", "a/c", "a/é"})
}

func (s *suite) testKeysPatternPrefix(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	// Prefixes with glob, LIKE and regexp metacharacters must match
	// literally.
	all := []string{
		"p*", "p*x", "px", "p?", "p?x", "p[a]", "pa", "p%", "p%x", "p_", "p_x", "pQ",
		`p\`, `p\x`, "p.", "p.x", "p^", "p$", "p]", "p-",
	}
	for _, k := range all {
		set(t, ctx, st, memory.Put{Key: k, Value: []byte("v"), IfVersion: memory.Absent})
	}
	tests := []struct {
		give string
		want []string
	}{
		{give: "p*", want: []string{"p*", "p*x"}},
		{give: "p?", want: []string{"p?", "p?x"}},
		{give: "p[", want: []string{"p[a]"}},
		{give: "p[a]", want: []string{"p[a]"}},
		{give: "p%", want: []string{"p%", "p%x"}},
		{give: "p_", want: []string{"p_", "p_x"}},
		{give: `p\`, want: []string{`p\`, `p\x`}},
		{give: "p.", want: []string{"p.", "p.x"}},
		{give: "p^", want: []string{"p^"}},
		{give: "p]", want: []string{"p]"}},
	}
	for _, tt := range tests {
		equalStrings(t, fmt.Sprintf("Keys(%q)", tt.give), keys(t, ctx, st, tt.give), tt.want)
	}
}

func (s *suite) testKeysYieldCallsStore(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	for i := range 5 {
		set(t, ctx, st, memory.Put{Key: fmt.Sprintf("y/%d", i), Value: []byte("v"), IfVersion: memory.Absent})
	}
	// A caller may use the store from inside yield: deleting what it
	// lists, as an erasure does, must not deadlock.
	var n int
	if err := st.Keys(ctx, "y/", func(k string) bool {
		n++
		if _, err := st.Get(ctx, k); err != nil {
			t.Errorf("Get(%q) inside yield: %v", k, err)
		}
		if err := st.Delete(ctx, k, memory.AnyVersion); err != nil {
			t.Errorf("Delete(%q) inside yield: %v", k, err)
		}
		return true
	}); err != nil {
		t.Fatalf("Keys: %v", err)
	}
	if n != 5 {
		t.Errorf("yield called %d times; want 5", n)
	}
	equalStrings(t, "Keys after deleting inside yield", keys(t, ctx, st, "y/"), nil)
}

// OddKeys are keys every store must round-trip: characters that mean
// something to shells, globs, SQL, Redis and path parsers, plus the
// longest key allowed.
func OddKeys() []string {
	return []string{
		"with space", " leading", "trailing ", "tab\there", "new\nline", "cr\rlf",
		"nul\x00byte", "quote'single", `quote"double`, "back\\slash", "semi;colon -- comment",
		"glob*?[a-z]", "like%_", "colon:brace{tag}", "slash/../..", "//", "%00", "%2F",
		"ünïcödé", "日本語のキー", "emoji 🙂👍🏽", "rtl \u202eevil", "zero\u200bwidth",
		"$(rm -rf)", "`backtick`", "<script>", "a\x7fdel", "\x01control",
		strings.Repeat("k", memory.MaxKeyLen),
		strings.Repeat("é", memory.MaxKeyLen/2),
	}
}

func (s *suite) testOddKeys(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	odd := OddKeys()
	for i, k := range odd {
		v := set(t, ctx, st, memory.Put{Key: k, Value: fmt.Appendf(nil, "%d", i), IfVersion: memory.Absent})
		if v != 1 {
			t.Errorf("Set(%q) = v%d; want v1", k, v)
		}
	}
	for i, k := range odd {
		r, err := st.Get(ctx, k)
		if err != nil {
			t.Errorf("Get(%q): %v", k, err)
			continue
		}
		if r.Key != k || string(r.Value) != fmt.Sprint(i) {
			t.Errorf("Get(%q) = key %q value %q; want value %d", k, r.Key, r.Value, i)
		}
	}
	want := slices.Clone(odd)
	slices.Sort(want)
	equalStrings(t, `Keys("")`, keys(t, ctx, st, ""), want)
	for _, k := range odd {
		got := keys(t, ctx, st, k)
		if !slices.Contains(got, k) {
			t.Errorf("Keys(%q) does not list the key itself: %q", k, got)
		}
	}
	for _, k := range odd {
		if err := st.Delete(ctx, k, 1); err != nil {
			t.Errorf("Delete(%q, 1): %v", k, err)
		}
	}
	equalStrings(t, `Keys("") after deleting all`, keys(t, ctx, st, ""), nil)
}

func (s *suite) testBadKeys(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	tests := []struct {
		name string
		give string
	}{
		{name: "empty", give: ""},
		{name: "too long", give: strings.Repeat("x", memory.MaxKeyLen+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ke *memory.KeyError
			_, err := st.Get(ctx, tt.give)
			if !errors.As(err, &ke) {
				t.Errorf("Get: err = %v; want *memory.KeyError", err)
			}
			_, err = st.Set(ctx, memory.Put{Key: tt.give, Value: []byte("v"), IfVersion: memory.AnyVersion})
			if !errors.As(err, &ke) {
				t.Errorf("Set: err = %v; want *memory.KeyError", err)
			}
			err = st.Delete(ctx, tt.give, memory.AnyVersion)
			if !errors.As(err, &ke) {
				t.Errorf("Delete: err = %v; want *memory.KeyError", err)
			}
		})
	}
	equalStrings(t, "Keys after bad writes", keys(t, ctx, st, ""), nil)
}

func (s *suite) testNegativeTTL(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	_, err := st.Set(ctx, memory.Put{Key: "neg", Value: []byte("v"), IfVersion: memory.AnyVersion, TTL: -time.Second})
	if err == nil {
		t.Fatal("Set with a negative TTL succeeded; want an error")
	}
	if errors.Is(err, memory.ErrConflict) {
		t.Errorf("Set with a negative TTL: %v; want a usage error, not ErrConflict", err)
	}
	wantNotFound(t, ctx, st, "neg")
}

func (s *suite) testCancelledContext(t *testing.T) {
	st := s.store(t)
	set(t, ctxFor(t), st, memory.Put{Key: "ctx/there", Value: []byte("v"), IfVersion: memory.Absent})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := st.Get(ctx, "ctx/there"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a cancelled context: %v; want context.Canceled", err)
	}
	if _, err := st.Set(ctx, memory.Put{Key: "ctx/new", Value: []byte("v"), IfVersion: memory.AnyVersion}); !errors.Is(err, context.Canceled) {
		t.Errorf("Set with a cancelled context: %v; want context.Canceled", err)
	}
	if err := st.Delete(ctx, "ctx/there", memory.AnyVersion); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete with a cancelled context: %v; want context.Canceled", err)
	}
	called := false
	if err := st.Keys(ctx, "", func(string) bool { called = true; return true }); !errors.Is(err, context.Canceled) {
		t.Errorf("Keys with a cancelled context: %v; want context.Canceled", err)
	}
	if called {
		t.Errorf("Keys with a cancelled context called yield")
	}
	live := ctxFor(t)
	wantNotFound(t, live, st, "ctx/new")
	if r := get(t, live, st, "ctx/there"); string(r.Value) != "v" {
		t.Errorf("record after cancelled Delete = %q", r.Value)
	}
}

// testVersioner checks the optional [memory.Versioner] capability, if the
// store has it, against Get.
func (s *suite) testVersioner(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	vs, ok := st.(memory.Versioner)
	if !ok {
		t.Skip("store does not implement memory.Versioner")
	}
	if _, err := vs.Version(ctx, "vv"); !errors.Is(err, memory.ErrNotFound) {
		t.Errorf("Version of a missing key: %v; want ErrNotFound", err)
	}
	v := set(t, ctx, st, memory.Put{Key: "vv", Value: []byte("a"), IfVersion: memory.Absent})
	v = set(t, ctx, st, memory.Put{Key: "vv", Value: []byte("b"), IfVersion: v})
	got, err := vs.Version(ctx, "vv")
	if err != nil || got != v || got != get(t, ctx, st, "vv").Version {
		t.Errorf("Version = %d, %v; want %d, as Get reports", got, err, v)
	}
	if err := st.Delete(ctx, "vv", memory.AnyVersion); err != nil {
		t.Fatal(err)
	}
	if _, err := vs.Version(ctx, "vv"); !errors.Is(err, memory.ErrNotFound) {
		t.Errorf("Version of a deleted key: %v; want ErrNotFound", err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := vs.Version(cancelled, "vv"); !errors.Is(err, context.Canceled) {
		t.Errorf("Version with a cancelled context: %v; want context.Canceled", err)
	}
}
