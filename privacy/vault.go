package privacy

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/parleyhq/parley/memory"
)

// A Vault keeps values the [Redactor] tokenised and gives them back to the
// application code that needs them. Tokens are scoped to a customer, so
// that erasing the customer erases their tokens.
//
// Implementations must be safe for concurrent use. Detokenize returns
// [memory.ErrNotFound] for an unknown (or erased) token.
type Vault interface {
	// Tokenize stores value and returns a token of the form
	// "[tok:<kind>:<id>]" to put in its place.
	Tokenize(ctx context.Context, customerID string, kind Kind, value string) (string, error)
	// Detokenize returns the value behind a token.
	Detokenize(ctx context.Context, customerID, token string) (string, error)
}

// tokenRE matches the tokens vaults hand out.
var tokenRE = regexp.MustCompile(`\[tok:[a-z_]+:[0-9a-zA-Z]{16,40}\]`)

func isNotFound(err error) bool { return errors.Is(err, memory.ErrNotFound) }

// StoreVault is a [Vault] in a [memory.Store]: one record per token under
// "vault/<customer>/<id>", optionally with a TTL. Put it in a store with
// encryption at rest and tight access; the values are the customer's most
// sensitive data. StoreVault is safe for concurrent use.
type StoreVault struct {
	store memory.Store
	ttl   time.Duration
}

var _ Vault = (*StoreVault)(nil)

// A VaultOption configures a [StoreVault].
type VaultOption func(*StoreVault)

// WithTokenTTL makes tokens expire after d. By default they live until
// the customer is erased.
func WithTokenTTL(d time.Duration) VaultOption {
	return func(v *StoreVault) { v.ttl = max(d, 0) }
}

// NewStoreVault returns a vault in store. It panics if store is nil.
func NewStoreVault(store memory.Store, opts ...VaultOption) *StoreVault {
	if store == nil {
		panic("privacy: NewStoreVault with nil store")
	}
	v := &StoreVault{store: store}
	for _, o := range opts {
		o(v)
	}
	return v
}

// VaultPrefix returns the store key prefix of a customer's tokens.
func VaultPrefix(customerID string) string {
	if customerID == "" {
		customerID = "_anonymous"
	}
	return "vault/" + customerID + "/"
}

type vaultRecord struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value"`
}

// Tokenize implements [Vault].
func (v *StoreVault) Tokenize(ctx context.Context, customerID string, kind Kind, value string) (string, error) {
	if strings.Contains(customerID, "/") {
		return "", &memory.KeyError{Key: customerID, Reason: "customer ID with '/'"}
	}
	b, err := json.Marshal(vaultRecord{Kind: kind, Value: value})
	if err != nil {
		return "", fmt.Errorf("privacy: vault: %w", err)
	}
	for range 5 {
		id := rand.Text()
		_, err := v.store.Set(ctx, memory.Put{Key: VaultPrefix(customerID) + id, Value: b, IfVersion: memory.Absent, TTL: v.ttl})
		if errors.Is(err, memory.ErrConflict) {
			continue // astronomically unlikely
		}
		if err != nil {
			return "", fmt.Errorf("privacy: vault: %w", err)
		}
		return "[tok:" + string(kind) + ":" + id + "]", nil
	}
	return "", errors.New("privacy: vault: could not allocate a token")
}

// Detokenize implements [Vault].
func (v *StoreVault) Detokenize(ctx context.Context, customerID, token string) (string, error) {
	if !tokenRE.MatchString(token) {
		return "", fmt.Errorf("privacy: %q is not a vault token", token)
	}
	id := token[strings.LastIndexByte(token, ':')+1 : len(token)-1]
	rec, err := v.store.Get(ctx, VaultPrefix(customerID)+id)
	if err != nil {
		return "", err
	}
	var r vaultRecord
	if err := json.Unmarshal(rec.Value, &r); err != nil {
		return "", &memory.CorruptError{Key: rec.Key, Err: err}
	}
	return r.Value, nil
}

// Name implements [Source].
func (v *StoreVault) Name() string { return "vault" }

// Export implements [Source]: the customer's tokenised values by token.
func (v *StoreVault) Export(ctx context.Context, customerID string) (any, error) {
	keys, err := keysUnder(ctx, v.store, VaultPrefix(customerID))
	out := map[string]vaultRecord{}
	errs := []error{err}
	getErr := getEach(ctx, v.store, keys, func(rec memory.Record) {
		var r vaultRecord
		if err := json.Unmarshal(rec.Value, &r); err != nil {
			errs = append(errs, &memory.CorruptError{Key: rec.Key, Err: err})
			return
		}
		out["[tok:"+string(r.Kind)+":"+strings.TrimPrefix(rec.Key, VaultPrefix(customerID))+"]"] = r
	})
	return out, errors.Join(append(errs, getErr)...)
}

// Erase implements [Source].
func (v *StoreVault) Erase(ctx context.Context, customerID string) error {
	return deletePrefix(ctx, v.store, VaultPrefix(customerID))
}

func deletePrefix(ctx context.Context, store memory.Store, prefix string) error {
	keys, err := keysUnder(ctx, store, prefix)
	return errors.Join(err, deleteEach(ctx, store, keys))
}
