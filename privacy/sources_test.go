package privacy_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/privacy"
)

func put(t *testing.T, store memory.Store, key, value string) {
	t.Helper()
	_, err := store.Set(context.Background(), memory.Put{Key: key, Value: []byte(value), IfVersion: memory.AnyVersion})
	require.NoError(t, err)
}

func keys(t *testing.T, store memory.Store) []string {
	t.Helper()
	var ks []string
	require.NoError(t, store.Keys(context.Background(), "", func(k string) bool { ks = append(ks, k); return true }))
	return ks
}

func TestRecordSourceMatchesTheWholeField(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	put(t, store, "escalation/wake/c1", `{"conversation":"c1","customer":"cust-1"}`)
	put(t, store, "escalation/wake/c2", `{"conversation":"c2","customer":"cust-10"}`)
	put(t, store, "escalation/wake/c3", `{"conversation":"c3","note":"cust-1"}`)
	put(t, store, "escalation/wake/c4", `not json cust-1`)
	put(t, store, "other/c5", `{"customer":"cust-1"}`)
	src := privacy.RecordSource("wake", store, "escalation/wake/", "customer")

	x, err := src.Export(ctx, "cust-1")
	require.NoError(t, err)
	b, err := json.Marshal(x)
	require.NoError(t, err)
	assert.JSONEq(t, `{"escalation/wake/c1":{"conversation":"c1","customer":"cust-1"}}`, string(b))

	require.NoError(t, src.Erase(ctx, "cust-1"))
	require.NoError(t, src.Erase(ctx, "cust-1"), "idempotent")
	assert.Equal(t, []string{"escalation/wake/c2", "escalation/wake/c3", "escalation/wake/c4", "other/c5"}, keys(t, store))
}

func TestKeySource(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	for _, k := range []string{"p/log/cust-1", "p/log/cust-10", "p/run/cust-1/a", "p/run/cust-1/b", "p/run/cust-10/a"} {
		put(t, store, k, `{"k":"`+k+`"}`)
	}
	src := privacy.KeySource("p", store, func(id string) ([]string, []string) {
		return []string{"p/log/" + id}, []string{"p/run/" + id + "/"}
	})
	x, err := src.Export(ctx, "cust-1")
	require.NoError(t, err)
	assert.Len(t, x, 3)
	require.NoError(t, src.Erase(ctx, "cust-1"))
	require.NoError(t, src.Erase(ctx, "cust-1"))
	assert.Equal(t, []string{"p/log/cust-10", "p/run/cust-10/a"}, keys(t, store))
}

type jobs map[string]int

func (j jobs) Erase(_ context.Context, key string) (int, error) {
	n := j[key]
	delete(j, key)
	return n, nil
}

func TestJobsSource(t *testing.T) {
	j := jobs{"cust-1": 2, "cust-2": 1}
	require.NoError(t, privacy.JobsSource(j).Erase(context.Background(), "cust-1"))
	assert.Equal(t, jobs{"cust-2": 1}, j)
}

// failing is a source whose Erase fails until fixed.
type failing struct {
	name   string
	err    error
	erased []string
}

func (f *failing) Name() string                                { return f.name }
func (f *failing) Export(context.Context, string) (any, error) { return nil, nil }
func (f *failing) Erase(_ context.Context, id string) error {
	if f.err != nil {
		return f.err
	}
	f.erased = append(f.erased, id)
	return nil
}

// A failing source is named in an *EraseError; the profile is left for
// the retry, which finishes the erasure.
func TestEraseReportsPerSourceAndRetries(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	profiles := customer.NewProfiles(store)
	require.NoError(t, profiles.Link(ctx, "cust-1", customer.Identity{Channel: "web", ID: "v-1"}))
	down := errors.New("desk unreachable")
	desk := &failing{name: "desk", err: down}
	other := &failing{name: "other"}
	e := privacy.NewEraser(privacy.ProfileSource(profiles), desk, other)

	err := e.Erase(ctx, "cust-1")
	var ee *privacy.EraseError
	require.ErrorAs(t, err, &ee)
	assert.ErrorIs(t, err, down)
	assert.Equal(t, "cust-1", ee.CustomerID)
	require.Len(t, ee.Failed, 1)
	assert.Equal(t, "desk", ee.Failed[0].Source)
	assert.Equal(t, []string{"profile"}, ee.Skipped)
	assert.EqualError(t, err, "privacy: erase cust-1: desk: desk unreachable; profile not attempted (retry)")
	assert.Equal(t, []string{"cust-1"}, other.erased, "the other sources ran")
	_, err = profiles.Load(ctx, "cust-1")
	require.NoError(t, err, "the profile is kept for the retry")

	desk.err = nil
	require.NoError(t, e.Erase(ctx, "cust-1"))
	_, err = profiles.Load(ctx, "cust-1")
	assert.ErrorIs(t, err, memory.ErrNotFound)
	assert.Empty(t, keys(t, store))
}

func TestVaultExportNamesAnUnreadableRecord(t *testing.T) {
	ctx := context.Background()
	store := memory.NewMap()
	vault := privacy.NewStoreVault(store)
	tok, err := vault.Tokenize(ctx, "cust-1", privacy.KindCard, "4111111111111111")
	require.NoError(t, err)
	bad := privacy.VaultPrefix("cust-1") + "broken"
	put(t, store, bad, "not json")

	x, err := vault.Export(ctx, "cust-1")
	var ce *memory.CorruptError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, bad, ce.Key)
	b, jerr := json.Marshal(x)
	require.NoError(t, jerr)
	assert.Contains(t, string(b), tok, "the readable records are still exported")

	require.NoError(t, vault.Erase(ctx, "cust-1"))
	assert.Empty(t, keys(t, store))
}
