package media

import (
	"context"
	"time"

	"github.com/parleyhq/parley/llm"
)

// A Guard gives one media provider the resilience package llm gives a
// model: every call is retried as [llm.Retry] retries (HTTP 429 and 5xx,
// network errors, an attempt that times out; not a reply that cannot be
// decoded) and goes through one [llm.Breaker], so that a provider that is
// down fails fast with [llm.ErrCircuitOpen] for its cooldown instead of
// costing every customer the timeout. Use one Guard per provider (one for
// the speech server, one for the vision server). A Guard is safe for
// concurrent use.
type Guard struct {
	breaker *llm.Breaker
	retry   []llm.RetryOption
}

// NewGuard returns a Guard that calls through b (nil: no breaker) and
// retries with opts. Before opts, a Guard tries twice and gives one try
// 4 seconds (llm.WithAttempts(2), llm.WithAttemptTimeout(4*time.Second)):
// a try must time out before [Middleware]'s own timeout for a hanging
// provider to count against the breaker.
func NewGuard(b *llm.Breaker, opts ...llm.RetryOption) *Guard {
	defaults := []llm.RetryOption{llm.WithAttempts(2), llm.WithAttemptTimeout(4 * time.Second)}
	return &Guard{breaker: b, retry: append(defaults, opts...)}
}

func (g *Guard) do(ctx context.Context, f func(context.Context) error) error {
	retried := func(ctx context.Context) error { return llm.Do(ctx, f, g.retry...) }
	if g.breaker == nil {
		return retried(ctx)
	}
	return g.breaker.Do(ctx, retried)
}

// Transcriber returns t guarded by g.
func (g *Guard) Transcriber(t Transcriber) Transcriber { return guardedTranscriber{g, t} }

// Describer returns d guarded by g.
func (g *Guard) Describer(d Describer) Describer { return guardedDescriber{g, d} }

// Speaker returns s guarded by g.
func (g *Guard) Speaker(s Speaker) Speaker { return guardedSpeaker{g, s} }

// guarded calls f(ctx, in) through g and returns its result, or nil and
// the error of the last try.
func guarded[In, Out any](ctx context.Context, g *Guard, in In, f func(context.Context, In) (*Out, error)) (*Out, error) {
	var out *Out
	err := g.do(ctx, func(ctx context.Context) error {
		var err error
		out, err = f(ctx, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type guardedTranscriber struct {
	g *Guard
	t Transcriber
}

func (x guardedTranscriber) Transcribe(ctx context.Context, a *Audio) (*Transcript, error) {
	return guarded(ctx, x.g, a, x.t.Transcribe)
}

type guardedDescriber struct {
	g *Guard
	d Describer
}

func (x guardedDescriber) Describe(ctx context.Context, img *Image) (*Description, error) {
	return guarded(ctx, x.g, img, x.d.Describe)
}

type guardedSpeaker struct {
	g *Guard
	s Speaker
}

func (x guardedSpeaker) Speak(ctx context.Context, text string) (*Audio, error) {
	return guarded(ctx, x.g, text, x.s.Speak)
}
