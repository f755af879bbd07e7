package schedule

import (
	"container/heap"
	"context"
	"strconv"
	"sync"
	"time"
)

// Memory is a [Store] that keeps jobs in memory: for tests, for a single
// process that may lose its schedule on restart, and as the model the
// durable stores in the nested modules (memory/sqlite, memory/redis,
// memory/postgres) follow. Claims take O(log n) per job.
//
// A Memory is safe for concurrent use. The zero value is not usable; call
// [NewMemory].
type Memory struct {
	mu    sync.Mutex
	jobs  map[string]*memJob
	keys  map[string]map[string]struct{}
	queue memQueue // jobs not claimed, by due or retry time
	lease memQueue // claimed jobs, by lease expiry: usually few
	seq   uint64
	// changed is closed, and replaced, when the earliest claimable time
	// may have moved earlier.
	changed chan struct{}
}

var _ Watcher = (*Memory)(nil)

type memJob struct {
	job   Job
	at    time.Time // when the job is claimable
	seq   uint64    // schedule order, to break ties
	token string
	index int // in its queue
}

// heap returns the queue mj is in.
func (m *Memory) heap(mj *memJob) *memQueue {
	if mj.token != "" {
		return &m.lease
	}
	return &m.queue
}

// NewMemory returns an empty in-memory [Store].
func NewMemory() *Memory {
	return &Memory{jobs: map[string]*memJob{}, keys: map[string]map[string]struct{}{}, changed: make(chan struct{})}
}

// Next implements [Watcher.Next].
func (m *Memory) Next(ctx context.Context) (time.Time, <-chan struct{}, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var next time.Time
	for _, q := range []memQueue{m.queue, m.lease} {
		if len(q) > 0 && (next.IsZero() || q[0].at.Before(next)) {
			next = q[0].at
		}
	}
	return next, m.changed, nil
}

// notify wakes the watchers; m.mu is held.
func (m *Memory) notify() {
	close(m.changed)
	m.changed = make(chan struct{})
}

// Len returns how many jobs m holds, claimed or not.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.jobs)
}

// Schedule implements [Store.Schedule].
func (m *Memory) Schedule(ctx context.Context, jobs ...Job) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, j := range jobs {
		j.Payload = append([]byte(nil), j.Payload...)
		j.Due = j.Due.Round(0).Truncate(time.Microsecond)
		j.Attempt = 0
		m.seq++
		if old, ok := m.jobs[j.ID]; ok {
			m.unkey(old)
			heap.Remove(m.heap(old), old.index)
			old.job, old.at, old.seq, old.token = j, j.Due, m.seq, ""
			heap.Push(&m.queue, old)
			m.key(old)
			continue
		}
		mj := &memJob{job: j, at: j.Due, seq: m.seq}
		m.jobs[j.ID] = mj
		heap.Push(&m.queue, mj)
		m.key(mj)
	}
	if len(jobs) > 0 {
		m.notify()
	}
	return nil
}

func (m *Memory) key(mj *memJob) {
	if mj.job.Key == "" {
		return
	}
	ids := m.keys[mj.job.Key]
	if ids == nil {
		ids = map[string]struct{}{}
		m.keys[mj.job.Key] = ids
	}
	ids[mj.job.ID] = struct{}{}
}

func (m *Memory) unkey(mj *memJob) {
	if mj.job.Key == "" {
		return
	}
	ids := m.keys[mj.job.Key]
	delete(ids, mj.job.ID)
	if len(ids) == 0 {
		delete(m.keys, mj.job.Key)
	}
}

func (m *Memory) remove(mj *memJob) {
	heap.Remove(m.heap(mj), mj.index)
	delete(m.jobs, mj.job.ID)
	m.unkey(mj)
}

// Cancel implements [Store.Cancel].
func (m *Memory) Cancel(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	mj, ok := m.jobs[id]
	if !ok {
		return ErrNotFound
	}
	m.remove(mj)
	return nil
}

// Erase implements [Store.Erase].
func (m *Memory) Erase(ctx context.Context, key string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := m.keys[key]
	n := len(ids)
	for id := range ids {
		m.remove(m.jobs[id])
	}
	return n, nil
}

// Claim implements [Store.Claim].
func (m *Memory) Claim(ctx context.Context, now, until time.Time, limit int) ([]Claim, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now, until = now.Round(0).Truncate(time.Microsecond), until.Round(0).Truncate(time.Microsecond)
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Claim
	for len(out) < limit {
		// The earliest of the next due job and the next expired lease.
		q := &m.queue
		if len(m.lease) > 0 && (len(m.queue) == 0 || m.lease.Less2(m.queue)) {
			q = &m.lease
		}
		if len(*q) == 0 || (*q)[0].at.After(now) {
			break
		}
		mj := heap.Pop(q).(*memJob)
		m.seq++
		mj.token = strconv.FormatUint(m.seq, 36)
		mj.job.Attempt++
		mj.at = until
		mj.seq = m.seq
		heap.Push(&m.lease, mj)
		j := mj.job
		j.Payload = append([]byte(nil), j.Payload...)
		out = append(out, Claim{Job: j, Token: mj.token, Until: until})
	}
	return out, nil
}

// withClaim runs f, under the lock, on c's job if c is still its claim;
// otherwise it returns ctx's error or ErrLeaseLost.
func (m *Memory) withClaim(ctx context.Context, c Claim, f func(*memJob)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	mj, ok := m.jobs[c.Job.ID]
	if !ok || mj.token == "" || mj.token != c.Token {
		return ErrLeaseLost
	}
	f(mj)
	return nil
}

// Extend implements [Store.Extend].
func (m *Memory) Extend(ctx context.Context, c Claim, until time.Time) error {
	return m.withClaim(ctx, c, func(mj *memJob) {
		mj.at = until.Round(0).Truncate(time.Microsecond)
		heap.Fix(&m.lease, mj.index)
	})
}

// Release implements [Store.Release].
func (m *Memory) Release(ctx context.Context, c Claim, next time.Time) error {
	return m.withClaim(ctx, c, func(mj *memJob) {
		if next.IsZero() {
			m.remove(mj)
			return
		}
		heap.Remove(&m.lease, mj.index)
		mj.token = ""
		mj.at = next.Round(0).Truncate(time.Microsecond)
		heap.Push(&m.queue, mj)
		m.notify()
	})
}

// memQueue is a min-heap of jobs by the time they are claimable.
type memQueue []*memJob

func (q memQueue) Len() int           { return len(q) }
func (q memQueue) Less(i, k int) bool { return q[i].before(q[k]) }

// Less2 reports whether q's first job comes before r's.
func (q memQueue) Less2(r memQueue) bool { return q[0].before(r[0]) }

func (mj *memJob) before(o *memJob) bool {
	if mj.at.Equal(o.at) {
		return mj.seq < o.seq
	}
	return mj.at.Before(o.at)
}
func (q memQueue) Swap(i, k int) {
	q[i], q[k] = q[k], q[i]
	q[i].index, q[k].index = i, k
}
func (q *memQueue) Push(x any) {
	mj := x.(*memJob)
	mj.index = len(*q)
	*q = append(*q, mj)
}
func (q *memQueue) Pop() any {
	old := *q
	mj := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return mj
}
