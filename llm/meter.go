package llm

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
)

// A UsageError is a failed call that nevertheless used tokens: a reply
// that arrived but was rejected (not the JSON object asked for), a stream
// that broke after the provider reported usage, or a [Retry] or
// [Fallback] whose failed attempts were billed. A [Meter] counts its
// Usage. Unwrap gives the failure itself, so errors.Is and errors.As see
// through it.
type UsageError struct {
	Err   error
	Usage Usage
}

// Error returns the failure's message.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the failure.
func (e *UsageError) Unwrap() error { return e.Err }

// usageOf returns the usage err reports, if any.
func usageOf(err error) Usage {
	var ue *UsageError
	if errors.As(err, &ue) {
		return ue.Usage
	}
	return Usage{}
}

// withUsage returns err carrying u, unless u is zero.
func withUsage(err error, u Usage) error {
	if err == nil || u == (Usage{}) || usageOf(err) == u {
		return err
	}
	return &UsageError{Err: err, Usage: u}
}

// chargeTo returns resp with u added to its usage (a copy; resp is not
// changed).
func chargeTo(resp *Response, u Usage) *Response {
	if resp == nil || u == (Usage{}) {
		return resp
	}
	r := *resp
	r.Usage = r.Usage.Add(u)
	return &r
}

// DefaultMeterConversations is how many conversations [NewMeter] keeps
// usage for.
const DefaultMeterConversations = 100_000

// A Meter counts token usage per conversation ([Request.Conversation])
// for the calls that go through it, failed calls included when they
// report usage ([UsageError]), and can enforce a per-conversation budget.
//
// Memory is bounded: a Meter keeps the usage of its most recently
// charged conversations only (see [WithConversations]); the least recently
// charged are forgotten first, and a forgotten conversation starts again
// from zero. [Meter.Forget] drops one at once, for example when its
// session ends.
//
// A Meter is safe for concurrent use.
type Meter struct {
	m      Model
	budget int
	max    int

	mu    sync.Mutex
	convs map[string]*list.Element // of *meterEntry
	lru   list.List                // front: most recently charged
	total Usage
}

type meterEntry struct {
	conv  string
	usage Usage
}

// ErrBudget is returned by a [Meter] when a conversation has used its
// token budget.
var ErrBudget = errors.New("llm: conversation token budget exhausted")

// A MeterOption configures a [Meter].
type MeterOption func(*Meter)

// WithTokenBudget caps the input plus output tokens of one conversation:
// once n is reached, calls fail with [ErrBudget]. By default there is no
// cap and the Meter only counts.
func WithTokenBudget(n int) MeterOption { return func(mt *Meter) { mt.budget = n } }

// WithConversations sets how many conversations' usage the Meter keeps
// (default [DefaultMeterConversations]). Size it above the number of
// conversations active within a budget's lifetime, so that an active
// conversation is never forgotten while over budget.
func WithConversations(n int) MeterOption { return func(mt *Meter) { mt.max = n } }

// NewMeter returns a Meter around m.
func NewMeter(m Model, opts ...MeterOption) *Meter {
	mt := &Meter{m: m, convs: map[string]*list.Element{}}
	for _, o := range opts {
		o(mt)
	}
	if mt.max <= 0 {
		mt.max = DefaultMeterConversations
	}
	return mt
}

// Usage returns the tokens used by a conversation.
func (mt *Meter) Usage(conversation string) Usage {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	if e, ok := mt.convs[conversation]; ok {
		return e.Value.(*meterEntry).usage
	}
	return Usage{}
}

// Total returns the tokens used by all conversations, forgotten ones
// included.
func (mt *Meter) Total() Usage {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	return mt.total
}

// Len returns how many conversations the Meter keeps usage for.
func (mt *Meter) Len() int {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	return len(mt.convs)
}

// Forget drops a conversation's usage (its budget starts again from
// zero). Total is unchanged.
func (mt *Meter) Forget(conversation string) {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	if e, ok := mt.convs[conversation]; ok {
		mt.lru.Remove(e)
		delete(mt.convs, conversation)
	}
}

func (mt *Meter) check(conv string) error {
	if mt.budget <= 0 {
		return nil
	}
	if u := mt.Usage(conv); u.InputTokens+u.OutputTokens >= mt.budget {
		return fmt.Errorf("%w (%d tokens)", ErrBudget, mt.budget)
	}
	return nil
}

func (mt *Meter) add(conv string, u Usage) {
	if u == (Usage{}) {
		return
	}
	mt.mu.Lock()
	defer mt.mu.Unlock()
	mt.total = mt.total.Add(u)
	if e, ok := mt.convs[conv]; ok {
		ent := e.Value.(*meterEntry)
		ent.usage = ent.usage.Add(u)
		mt.lru.MoveToFront(e)
		return
	}
	for len(mt.convs) >= mt.max {
		last := mt.lru.Back()
		mt.lru.Remove(last)
		delete(mt.convs, last.Value.(*meterEntry).conv)
	}
	mt.convs[conv] = mt.lru.PushFront(&meterEntry{conv: conv, usage: u})
}

// Generate implements [Model].
func (mt *Meter) Generate(ctx context.Context, req *Request) (*Response, error) {
	if err := mt.check(req.Conversation); err != nil {
		return nil, err
	}
	resp, err := mt.m.Generate(ctx, req)
	if err != nil {
		mt.add(req.Conversation, usageOf(err))
		return nil, err
	}
	mt.add(req.Conversation, resp.Usage)
	return resp, nil
}

// Stream implements [Streamer].
func (mt *Meter) Stream(ctx context.Context, req *Request) iter.Seq2[Chunk, error] {
	return func(yield func(Chunk, error) bool) {
		if err := mt.check(req.Conversation); err != nil {
			yield(Chunk{}, err)
			return
		}
		for c, err := range Stream(ctx, mt.m, req) {
			if err != nil {
				mt.add(req.Conversation, usageOf(err))
			} else if c.Response != nil {
				mt.add(req.Conversation, c.Response.Usage)
			}
			if !yield(c, err) || err != nil {
				return
			}
		}
	}
}
