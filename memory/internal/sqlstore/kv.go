package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/parleyhq/parley/memory"
)

// KVStatements are the statements of a key-value table (key, value,
// version, expires_at). Their arguments are those of the operation (see
// [NewKVStatements]) followed by the arguments of [KV.Clock]'s now.
type KVStatements struct {
	Get, SetAny, SetAbsent, SetVersion, DelAny, DelAbsent, DelVersion, Keys, KeysTo, Sweep string
}

// NewKVStatements writes the statements of table t (quoted) in a
// dialect: now(n) is the time now in a statement whose nth parameter is
// the first of now's arguments ("now()" where the database's clock
// decides), and expiry is the stored expiry of a put whose expiry
// argument is $3. The operations' own arguments are: Get (key), SetAny
// and SetAbsent (key, value, expiry), SetVersion (key, value, expiry,
// version), DelAny and DelAbsent (key), DelVersion (key, version), Keys
// (low), KeysTo (low, high) and Sweep (none).
func NewKVStatements(t string, now func(n int) string, expiry string) KVStatements {
	live := func(n int) string { return "(expires_at IS NULL OR expires_at > " + now(n) + ")" }
	insert := "INSERT INTO " + t + " AS t (key, value, version, expires_at) VALUES ($1, $2, 1, " + expiry + ") " +
		"ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, "
	return KVStatements{
		Get: "SELECT value, version, expires_at FROM " + t + " WHERE key = $1 AND " + live(2),
		SetAny: insert + "version = CASE WHEN t.expires_at IS NOT NULL AND t.expires_at <= " + now(4) +
			" THEN 1 ELSE t.version + 1 END RETURNING version",
		SetAbsent: insert + "version = 1 WHERE t.expires_at IS NOT NULL AND t.expires_at <= " + now(4) + " RETURNING version",
		SetVersion: "UPDATE " + t + " SET value = $2, expires_at = " + expiry + ", version = version + 1 " +
			"WHERE key = $1 AND version = $4 AND " + live(5) + " RETURNING version",
		DelAny:     "DELETE FROM " + t + " WHERE key = $1",
		DelAbsent:  "SELECT count(*) FROM " + t + " WHERE key = $1 AND " + live(2),
		DelVersion: "DELETE FROM " + t + " WHERE key = $1 AND version = $2 AND " + live(3),
		Keys:       "SELECT key FROM " + t + " WHERE key >= $1 AND " + live(2) + " ORDER BY key",
		KeysTo:     "SELECT key FROM " + t + " WHERE key >= $1 AND key < $2 AND " + live(3) + " ORDER BY key",
		Sweep:      "DELETE FROM " + t + " WHERE expires_at <= " + now(1),
	}
}

// Param is the nth parameter, as now for [NewKVStatements] where the
// process's clock decides.
func Param(n int) string { return "$" + strconv.Itoa(n) }

// KV is a [memory.Store] on a key-value table; E is what the driver
// scans expires_at into.
type KV[E any] struct {
	Table
	SQL KVStatements
	// Clock returns the expiry argument of a put with ttl and the
	// arguments that end every statement: the time now where the
	// process's clock decides expiry, none where the database's does.
	Clock func(ttl time.Duration) (expiry any, now []any)
	// Expires is the expiry scanned, or the zero time for none.
	Expires func(E) time.Time
}

func (kv *KV[E]) err(op, key string, err error) error {
	return kv.Err(fmt.Sprintf("%s %q", op, key), err)
}

// Get implements [memory.Store].
func (kv *KV[E]) Get(ctx context.Context, key string) (memory.Record, error) {
	if err := check(ctx, key); err != nil {
		return memory.Record{}, err
	}
	_, now := kv.Clock(0)
	var val any
	var version int64
	var exp E
	err := kv.DB.QueryRow(ctx, kv.SQL.Get, append([]any{[]byte(key)}, now...)...).Scan(&val, &version, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return memory.Record{}, memory.ErrNotFound
	}
	if err != nil {
		return memory.Record{}, kv.err("get", key, err)
	}
	// database/sql and pgx both hand an *any a copy of the bytes.
	value, ok := val.([]byte)
	if !ok && val != nil {
		return memory.Record{}, &memory.CorruptError{Key: key, Err: fmt.Errorf("value column holds a %T, not a BLOB", val)}
	}
	return record(key, value, version, kv.Expires(exp))
}

// Set implements [memory.Store].
func (kv *KV[E]) Set(ctx context.Context, p memory.Put) (int64, error) {
	if err := checkPut(ctx, p); err != nil {
		return 0, err
	}
	exp, now := kv.Clock(p.TTL)
	args := []any{[]byte(p.Key), value(p), exp}
	q := kv.SQL.SetVersion
	switch p.IfVersion {
	case memory.AnyVersion:
		q = kv.SQL.SetAny
	case memory.Absent:
		q = kv.SQL.SetAbsent
	default:
		args = append(args, p.IfVersion)
	}
	var v int64
	err := kv.DB.QueryRow(ctx, q, append(args, now...)...).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, memory.ErrConflict
	}
	if err != nil {
		return 0, kv.err("set", p.Key, err)
	}
	return v, nil
}

// Delete implements [memory.Store].
func (kv *KV[E]) Delete(ctx context.Context, key string, ifVersion int64) error {
	if err := checkDelete(ctx, key, ifVersion); err != nil {
		return err
	}
	_, now := kv.Clock(0)
	k := []byte(key)
	var err error
	conflict := false
	switch ifVersion {
	case memory.AnyVersion:
		_, err = kv.DB.Exec(ctx, kv.SQL.DelAny, append([]any{k}, now...)...)
	case memory.Absent:
		var live int64
		err = kv.DB.QueryRow(ctx, kv.SQL.DelAbsent, append([]any{k}, now...)...).Scan(&live)
		conflict = live > 0
	default:
		var n int64
		n, err = kv.DB.Exec(ctx, kv.SQL.DelVersion, append([]any{k, ifVersion}, now...)...)
		conflict = n == 0
	}
	if err != nil {
		return kv.err("delete", key, err)
	}
	if conflict {
		return memory.ErrConflict
	}
	return nil
}

// Keys implements [memory.Store]. It reads the whole result before
// calling yield, so yield may use the store.
func (kv *KV[E]) Keys(ctx context.Context, prefix string, yield func(string) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, now := kv.Clock(0)
	args := []any{[]byte(prefix)}
	q := kv.SQL.Keys
	if hi, ok := successor([]byte(prefix)); ok {
		q = kv.SQL.KeysTo
		args = append(args, hi)
	}
	rows, err := kv.DB.Query(ctx, q, append(args, now...)...)
	if err != nil {
		return kv.err("keys", prefix, err)
	}
	keys, err := readKeys(rows)
	if err := errors.Join(err, rows.Close()); err != nil {
		return kv.err("keys", prefix, err)
	}
	for _, k := range keys {
		if !yield(k) {
			break
		}
	}
	return nil
}

// Sweep deletes the expired rows and returns how many it deleted.
func (kv *KV[E]) Sweep(ctx context.Context) (int64, error) {
	_, now := kv.Clock(0)
	n, err := kv.DB.Exec(ctx, kv.SQL.Sweep, now...)
	if err != nil {
		return 0, kv.err("sweep", "", err)
	}
	return n, nil
}
