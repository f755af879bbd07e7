package redis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/memory"
)

var _ memory.Store = (*Store)(nil)

// Config configures a [Store]. The zero value is valid.
type Config struct {
	// Prefix is put in front of every key in Redis, so that several stores
	// (or applications) can share one database. The default is "parley:".
	Prefix string
	// ScanCount is the COUNT hint of the SCAN calls behind Keys (default
	// 1000).
	ScanCount int64
}

// Store is a [memory.Store] on Redis. Each record is a hash under
// Prefix+key with fields "v" (the version) and "d" (the value); expiry is
// Redis' own, so expired records vanish on every replica at once.
// Conditional writes run as Lua scripts and are atomic.
//
// A Store is safe for concurrent use.
type Store struct {
	c      goredis.UniversalClient
	prefix string
	count  int64
}

// New returns a store over the configured client c, which it does not
// close. It checks the configuration but does not contact Redis.
func New(c goredis.UniversalClient, cfg Config) (*Store, error) {
	if c == nil {
		return nil, errors.New("redis store: nil client")
	}
	cfg.Prefix = cmp.Or(cfg.Prefix, "parley:")
	if cfg.ScanCount < 0 {
		return nil, fmt.Errorf("redis store: negative ScanCount %d", cfg.ScanCount)
	}
	if cfg.ScanCount == 0 {
		cfg.ScanCount = 1000
	}
	return &Store{c: c, prefix: cfg.Prefix, count: cfg.ScanCount}, nil
}

// corruptMarker starts the error the scripts raise for a record they cannot
// read.
const corruptMarker = "PARLEYCORRUPT"

// readVersion is shared Lua: it sets cur to the record's version, 0 when
// absent, or fails with corruptMarker.
const readVersion = `
local t = redis.call('TYPE', KEYS[1])['ok']
local cur = 0
if t == 'hash' then
	cur = tonumber(redis.call('HGET', KEYS[1], 'v'))
	if not cur then return redis.error_reply('` + corruptMarker + ` version field missing or not a number') end
elseif t ~= 'none' then
	return redis.error_reply('` + corruptMarker + ` key holds a ' .. t .. ', not a record')
end
`

var getScript = goredis.NewScript(`
local t = redis.call('TYPE', KEYS[1])['ok']
if t == 'none' then return false end
if t ~= 'hash' then
	return redis.error_reply('` + corruptMarker + ` key holds a ' .. t .. ', not a record')
end
local r = redis.call('HMGET', KEYS[1], 'v', 'd')
if not r[1] or not tonumber(r[1]) then
	return redis.error_reply('` + corruptMarker + ` version field missing or not a number')
end
if not r[2] then return redis.error_reply('` + corruptMarker + ` data field missing') end
return {r[1], r[2], redis.call('PTTL', KEYS[1])}
`)

// ARGV: ifVersion, value, ttl in ms (0: none). Returns the new version or
// -1 on a failed precondition.
var setScript = goredis.NewScript(readVersion + `
local want = tonumber(ARGV[1])
if want ~= -1 and want ~= cur then return -1 end
local nv = cur + 1
redis.call('HSET', KEYS[1], 'v', nv, 'd', ARGV[2])
local ttl = tonumber(ARGV[3])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) else redis.call('PERSIST', KEYS[1]) end
return nv
`)

// ARGV: ifVersion. Returns 0, or -1 on a failed precondition.
var deleteScript = goredis.NewScript(`
local t = redis.call('TYPE', KEYS[1])['ok']
local cur = 0
if t ~= 'none' then
	if ARGV[1] == '-1' then
		redis.call('UNLINK', KEYS[1])
		return 0
	end
	if t ~= 'hash' then
		return redis.error_reply('` + corruptMarker + ` key holds a ' .. t .. ', not a record')
	end
	cur = tonumber(redis.call('HGET', KEYS[1], 'v'))
	if not cur then return redis.error_reply('` + corruptMarker + ` version field missing or not a number') end
end
local want = tonumber(ARGV[1])
if want ~= -1 and want ~= cur then return -1 end
if cur > 0 then redis.call('UNLINK', KEYS[1]) end
return 0
`)

func (s *Store) mapErr(op, key string, err error) error {
	switch {
	case errors.Is(err, goredis.Nil):
		return memory.ErrNotFound
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	msg := err.Error()
	if i := strings.Index(msg, corruptMarker); i >= 0 {
		return &memory.CorruptError{Key: key, Err: errors.New(strings.TrimSpace(msg[i+len(corruptMarker):]))}
	}
	return fmt.Errorf("redis store: %s %q: %w", op, key, err)
}

// Get implements [memory.Store].
func (s *Store) Get(ctx context.Context, key string) (memory.Record, error) {
	if err := ctx.Err(); err != nil {
		return memory.Record{}, err
	}
	if err := memory.ValidateKey(key); err != nil {
		return memory.Record{}, err
	}
	now := time.Now()
	res, err := getScript.Run(ctx, s.c, []string{s.prefix + key}).Slice()
	if err != nil {
		return memory.Record{}, s.mapErr("get", key, err)
	}
	if len(res) != 3 {
		return memory.Record{}, &memory.CorruptError{Key: key, Err: fmt.Errorf("unexpected reply of %d elements", len(res))}
	}
	vs, _ := res[0].(string)
	data, _ := res[1].(string)
	pttl, _ := res[2].(int64)
	v, err := strconv.ParseInt(vs, 10, 64)
	if err != nil || v < 1 {
		return memory.Record{}, &memory.CorruptError{Key: key, Err: fmt.Errorf("bad version %q", vs)}
	}
	r := memory.Record{Key: key, Value: []byte(data), Version: v}
	if pttl > 0 {
		r.ExpiresAt = now.Add(time.Duration(pttl) * time.Millisecond)
	}
	return r, nil
}

// Set implements [memory.Store]. TTLs are rounded up to whole
// milliseconds.
func (s *Store) Set(ctx context.Context, p memory.Put) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := memory.ValidateKey(p.Key); err != nil {
		return 0, err
	}
	if p.TTL < 0 {
		return 0, &memory.KeyError{Key: p.Key, Reason: "negative TTL"}
	}
	if p.IfVersion < memory.AnyVersion {
		return 0, &memory.KeyError{Key: p.Key, Reason: fmt.Sprintf("bad precondition %d", p.IfVersion)}
	}
	ms := int64(0)
	if p.TTL > 0 {
		ms = int64((p.TTL + time.Millisecond - 1) / time.Millisecond)
	}
	v, err := setScript.Run(ctx, s.c, []string{s.prefix + p.Key}, p.IfVersion, p.Value, ms).Int64()
	if err != nil {
		return 0, s.mapErr("set", p.Key, err)
	}
	if v < 0 {
		return 0, memory.ErrConflict
	}
	return v, nil
}

// Delete implements [memory.Store].
func (s *Store) Delete(ctx context.Context, key string, ifVersion int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := memory.ValidateKey(key); err != nil {
		return err
	}
	v, err := deleteScript.Run(ctx, s.c, []string{s.prefix + key}, ifVersion).Int64()
	if err != nil {
		return s.mapErr("delete", key, err)
	}
	if v < 0 {
		return memory.ErrConflict
	}
	return nil
}

// Keys implements [memory.Store]. It scans with SCAN MATCH (on every
// master of a cluster), so it costs time in proportion to the size of the
// database, not of the result; the keys are collected and sorted before
// yield is first called.
func (s *Store) Keys(ctx context.Context, prefix string, yield func(string) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	pattern := globEscape(s.prefix+prefix) + "*"
	var keys []string
	scan := func(ctx context.Context, c goredis.Cmdable) error {
		var cursor uint64
		for {
			batch, next, err := c.Scan(ctx, cursor, pattern, s.count).Result()
			if err != nil {
				return err
			}
			for _, k := range batch {
				keys = append(keys, strings.TrimPrefix(k, s.prefix))
			}
			if next == 0 {
				return nil
			}
			cursor = next
		}
	}
	var err error
	if cc, ok := s.c.(*goredis.ClusterClient); ok {
		var mu sync.Mutex // ForEachMaster calls in parallel
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *goredis.Client) error {
			mu.Lock()
			defer mu.Unlock()
			return scan(ctx, c)
		})
	} else {
		err = scan(ctx, s.c)
	}
	if err != nil {
		return s.mapErr("keys", prefix, err)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys) // SCAN may return a key twice
	for _, k := range keys {
		if !yield(k) {
			break
		}
	}
	return nil
}

// globEscape quotes the characters Redis' glob matcher treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
