package redis

import (
	"cmp"
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/parleyhq/parley/schedule"
)

var _ schedule.Store = (*Jobs)(nil)

// JobsConfig configures [Jobs]. The zero value is valid.
type JobsConfig struct {
	// Prefix is put in front of every key (default "parley:"). The keys
	// are Prefix + "{jobs}:" + ..., so that on Redis Cluster they share a
	// hash slot, as the scripts need.
	Prefix string
}

// Jobs is a [schedule.Store] on Redis: the durable schedule that
// replicas share. Each job is a hash under Prefix+"{jobs}:j:"+ID; a
// sorted set (Prefix+"{jobs}:q") orders the job IDs by when they are
// claimable, and a set per erasure key (Prefix+"{jobs}:k:"+key) lists
// their IDs. Every operation is one Lua script, so it is atomic: claims
// never hand a job to two workers under overlapping leases. Give Redis
// persistence (AOF) for the schedule to survive a Redis restart.
//
// Jobs is safe for concurrent use.
type Jobs struct {
	c    goredis.UniversalClient
	base string
	q    string
}

// NewJobs returns a job store over the configured client c, which it
// does not close. It does not contact Redis.
func NewJobs(c goredis.UniversalClient, cfg JobsConfig) (*Jobs, error) {
	if c == nil {
		return nil, errors.New("redis jobs: nil client")
	}
	cfg.Prefix = cmp.Or(cfg.Prefix, "parley:")
	base := cfg.Prefix + "{jobs}:"
	return &Jobs{c: c, base: base, q: base + "q"}, nil
}

// removeJob is shared Lua: it deletes the job id (hash h) and its index
// entries.
const removeJob = `
local function remove(base, q, id, h)
	local key = redis.call('HGET', h, 'key')
	if key and key ~= '' then redis.call('SREM', base .. 'k:' .. key, id) end
	redis.call('DEL', h)
	redis.call('ZREM', q, id)
end
`

// KEYS[1] the queue; ARGV: base, then id, kind, key, due, window, payload
// per job.
var jobsScheduleScript = goredis.NewScript(removeJob + `
local base = ARGV[1]
for i = 2, #ARGV, 6 do
	local id, key = ARGV[i], ARGV[i+2]
	local h = base .. 'j:' .. id
	remove(base, KEYS[1], id, h)
	redis.call('HSET', h, 'kind', ARGV[i+1], 'key', key, 'due', ARGV[i+3], 'win', ARGV[i+4], 'p', ARGV[i+5], 'a', 0, 't', '')
	redis.call('ZADD', KEYS[1], ARGV[i+3], id)
	if key ~= '' then redis.call('SADD', base .. 'k:' .. key, id) end
end
return 0
`)

// KEYS[1] the queue; ARGV: base, id. Returns 1, or 0 if there is no job.
var jobsCancelScript = goredis.NewScript(removeJob + `
local h = ARGV[1] .. 'j:' .. ARGV[2]
if redis.call('EXISTS', h) == 0 then return 0 end
remove(ARGV[1], KEYS[1], ARGV[2], h)
return 1
`)

// KEYS[1] the queue; ARGV: base, key. Returns how many jobs it deleted.
var jobsEraseScript = goredis.NewScript(`
if ARGV[2] == '' then return 0 end
local set = ARGV[1] .. 'k:' .. ARGV[2]
local ids = redis.call('SMEMBERS', set)
for _, id in ipairs(ids) do
	redis.call('DEL', ARGV[1] .. 'j:' .. id)
	redis.call('ZREM', KEYS[1], id)
end
redis.call('DEL', set)
return #ids
`)

// KEYS[1] the queue; ARGV: base, now, until, token, limit. Returns per
// job: id, kind, key, due, window, payload, attempt; earliest first.
var jobsClaimScript = goredis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[5]))
local out = {}
for _, id in ipairs(ids) do
	local h = ARGV[1] .. 'j:' .. id
	local a = redis.call('HINCRBY', h, 'a', 1)
	redis.call('HSET', h, 't', ARGV[4])
	redis.call('ZADD', KEYS[1], ARGV[3], id)
	local f = redis.call('HMGET', h, 'kind', 'key', 'due', 'win', 'p')
	out[#out+1] = id
	out[#out+1] = f[1]
	out[#out+1] = f[2]
	out[#out+1] = f[3]
	out[#out+1] = f[4]
	out[#out+1] = f[5]
	out[#out+1] = tostring(a)
end
return out
`)

// KEYS[1] the queue; ARGV: base, id, token, until (empty to delete), retry
// (1: clear the claim). Returns 1, or 0 if the claim is not the job's.
var jobsClaimedScript = goredis.NewScript(removeJob + `
local h = ARGV[1] .. 'j:' .. ARGV[2]
local t = redis.call('HGET', h, 't')
if not t or t == '' or t ~= ARGV[3] then return 0 end
if ARGV[4] == '' then
	remove(ARGV[1], KEYS[1], ARGV[2], h)
	return 1
end
if ARGV[5] == '1' then redis.call('HSET', h, 't', '') end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2])
return 1
`)

func (s *Jobs) mapErr(op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("redis jobs: %s: %w", op, err)
}

func micros(t time.Time) string { return strconv.FormatInt(t.UnixMicro(), 10) }

// jobsPerScript bounds the jobs one Schedule script call writes, so that
// a large batch does not block Redis for long.
const jobsPerScript = 500

// Schedule implements [schedule.Store.Schedule]: one script call per 500
// jobs, pipelined.
func (s *Jobs) Schedule(ctx context.Context, jobs ...schedule.Job) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := jobsScheduleScript.Load(ctx, s.c).Err(); err != nil {
		return s.mapErr("schedule", err)
	}
	pipe := s.c.Pipeline()
	for len(jobs) > 0 {
		n := min(len(jobs), jobsPerScript)
		args := make([]any, 0, 1+6*n)
		args = append(args, s.base)
		for _, j := range jobs[:n] {
			args = append(args, j.ID, j.Kind, j.Key, micros(j.Due), strconv.FormatInt(int64(j.Window), 10), j.Payload)
		}
		jobsScheduleScript.EvalSha(ctx, pipe, []string{s.q}, args...)
		jobs = jobs[n:]
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return s.mapErr("schedule", err)
	}
	return nil
}

// Cancel implements [schedule.Store.Cancel].
func (s *Jobs) Cancel(ctx context.Context, id string) error {
	n, err := jobsCancelScript.Run(ctx, s.c, []string{s.q}, s.base, id).Int()
	if err != nil {
		return s.mapErr("cancel "+id, err)
	}
	if n == 0 {
		return schedule.ErrNotFound
	}
	return nil
}

// Erase implements [schedule.Store.Erase].
func (s *Jobs) Erase(ctx context.Context, key string) (int, error) {
	n, err := jobsEraseScript.Run(ctx, s.c, []string{s.q}, s.base, key).Int()
	if err != nil {
		return 0, s.mapErr("erase", err)
	}
	return n, nil
}

// Claim implements [schedule.Store.Claim].
func (s *Jobs) Claim(ctx context.Context, now, until time.Time, limit int) ([]schedule.Claim, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	token := crand.Text()[:20]
	vals, err := jobsClaimScript.Run(ctx, s.c, []string{s.q}, s.base, micros(now), micros(until), token, limit).StringSlice()
	if err != nil {
		return nil, s.mapErr("claim", err)
	}
	if len(vals)%7 != 0 {
		return nil, fmt.Errorf("redis jobs: claim: %d values, not 7 per job", len(vals))
	}
	cs := make([]schedule.Claim, 0, len(vals)/7)
	for i := 0; i < len(vals); i += 7 {
		v := vals[i : i+7]
		due, err1 := strconv.ParseInt(v[3], 10, 64)
		win, err2 := strconv.ParseInt(v[4], 10, 64)
		attempt, err3 := strconv.Atoi(v[6])
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("redis jobs: claim %q: corrupt job: %w", v[0], err)
		}
		cs = append(cs, schedule.Claim{Token: token, Until: until, Job: schedule.Job{
			ID: v[0], Kind: v[1], Key: v[2], Due: time.UnixMicro(due).UTC(), Window: time.Duration(win),
			Payload: []byte(v[5]), Attempt: attempt,
		}})
	}
	return cs, nil
}

func (s *Jobs) claimed(ctx context.Context, op string, c schedule.Claim, at string, retry bool) error {
	r := "0"
	if retry {
		r = "1"
	}
	n, err := jobsClaimedScript.Run(ctx, s.c, []string{s.q}, s.base, c.Job.ID, c.Token, at, r).Int()
	if err != nil {
		return s.mapErr(op+" "+c.Job.ID, err)
	}
	if n == 0 {
		return schedule.ErrLeaseLost
	}
	return nil
}

// Extend implements [schedule.Store.Extend].
func (s *Jobs) Extend(ctx context.Context, c schedule.Claim, until time.Time) error {
	return s.claimed(ctx, "extend", c, micros(until), false)
}

// Release implements [schedule.Store.Release].
func (s *Jobs) Release(ctx context.Context, c schedule.Claim, next time.Time) error {
	if next.IsZero() {
		return s.claimed(ctx, "release", c, "", false)
	}
	return s.claimed(ctx, "release", c, micros(next), true)
}
