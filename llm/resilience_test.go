package llm_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
)

var req = &llm.Request{Conversation: "c1", Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}}

func TestRetryHonoursRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := llmtest.New(
			llmtest.Fail(&llm.StatusError{StatusCode: 429, RetryAfter: 3 * time.Second}),
			llmtest.Fail(&llm.StatusError{StatusCode: 503}),
			llmtest.Reply("ok"),
		)
		start := time.Now()
		resp, err := llm.Retry(m, llm.WithAttempts(3), llm.WithBackoff(100*time.Millisecond, 5*time.Second)).Generate(context.Background(), req)
		require.NoError(t, err)
		assert.Equal(t, "ok", resp.Message.Content)
		assert.Equal(t, 3, m.Calls())
		assert.GreaterOrEqual(t, time.Since(start), 3*time.Second, "waited for Retry-After")
	})
}

func TestRetryStops(t *testing.T) {
	tests := []struct {
		name  string
		steps []llmtest.Step
		calls int
	}{
		{name: "client error", steps: []llmtest.Step{llmtest.Fail(&llm.StatusError{StatusCode: 400})}, calls: 1},
		{name: "retry-after beyond max", steps: []llmtest.Step{llmtest.Fail(&llm.StatusError{StatusCode: 429, RetryAfter: time.Hour})}, calls: 1},
		{name: "attempts exhausted", steps: []llmtest.Step{
			llmtest.Fail(&llm.StatusError{StatusCode: 500}), llmtest.Fail(&llm.StatusError{StatusCode: 500}), llmtest.Fail(&llm.StatusError{StatusCode: 500}),
		}, calls: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := llmtest.New(tt.steps...)
				_, err := llm.Retry(m, llm.WithAttempts(3)).Generate(context.Background(), req)
				var se *llm.StatusError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tt.calls, m.Calls())
			})
		})
	}
}

func TestRetryStreamOnlyBeforeText(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := llmtest.New(llmtest.Fail(&llm.StatusError{StatusCode: 502}), llmtest.HalfStream("one two three", 2), llmtest.Reply("unused"))
		var got string
		var err error
		for c, e := range llm.Stream(context.Background(), llm.Retry(m), req) {
			if e != nil {
				err = e
				break
			}
			got += c.Text
		}
		require.ErrorIs(t, err, llm.ErrIncomplete)
		assert.Equal(t, "one two ", got)
		assert.Equal(t, 2, m.Calls(), "no retry after text was sent")
	})
}

func TestBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := &llm.StatusError{StatusCode: 500}
		m := llmtest.New(llmtest.Fail(boom), llmtest.Fail(boom), llmtest.Fail(boom), llmtest.Reply("back"))
		b := llm.NewBreaker(m, llm.WithThreshold(2), llm.WithCooldown(10*time.Second))
		ctx := context.Background()
		for range 2 {
			_, err := b.Generate(ctx, req)
			require.ErrorAs(t, err, &boom)
		}
		assert.True(t, b.Open())
		_, err := b.Generate(ctx, req)
		require.ErrorIs(t, err, llm.ErrCircuitOpen)
		assert.Equal(t, 2, m.Calls(), "open breaker does not call the model")

		time.Sleep(10 * time.Second)
		_, err = b.Generate(ctx, req) // trial fails: open again
		require.ErrorAs(t, err, &boom)
		_, err = b.Generate(ctx, req)
		require.ErrorIs(t, err, llm.ErrCircuitOpen)

		time.Sleep(10 * time.Second)
		resp, err := b.Generate(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, "back", resp.Message.Content)
		assert.False(t, b.Open())
	})
}

func TestFallback(t *testing.T) {
	ctx := context.Background()
	dead := llmtest.New(llmtest.Fail(errors.New("connection refused")), llmtest.Fail(&llm.StatusError{StatusCode: 503}))
	backup := llmtest.New(llmtest.Reply("from backup"), llmtest.Reply("streamed backup"))
	f := llm.Fallback(dead, backup)
	resp, err := f.Generate(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, "from backup", resp.Message.Content)

	resp, err = llm.Collect(llm.Stream(ctx, f, req))
	require.NoError(t, err)
	assert.Equal(t, "streamed backup", resp.Message.Content)

	_, err = llm.Fallback().Generate(ctx, req)
	require.ErrorIs(t, err, llm.ErrNoModel)
	_, err = llm.Fallback(llmtest.New(), llmtest.New()).Generate(ctx, req)
	require.ErrorIs(t, err, llmtest.ErrScriptDone)
}

func TestMeter(t *testing.T) {
	ctx := context.Background()
	m := llm.NewMeter(llmtest.New(llmtest.Reply("a b c"), llmtest.Reply("d"), llmtest.Reply("e")), llm.WithTokenBudget(25))
	_, err := m.Generate(ctx, req)
	require.NoError(t, err)
	_, err = llm.Collect(llm.Stream(ctx, m, req))
	require.NoError(t, err)
	assert.Equal(t, llm.Usage{InputTokens: 20, OutputTokens: 4}, m.Usage("c1"))
	assert.Equal(t, llm.Usage{}, m.Usage("other"))
	assert.Equal(t, m.Usage("c1"), m.Total())

	m2 := llm.NewMeter(llmtest.New(llmtest.Reply("x"), llmtest.Reply("y"), llmtest.Reply("z")), llm.WithTokenBudget(22))
	_, err = m2.Generate(ctx, req)
	require.NoError(t, err)
	_, err = m2.Generate(ctx, req)
	require.NoError(t, err)
	_, err = m2.Generate(ctx, req)
	require.ErrorIs(t, err, llm.ErrBudget)
}

func TestHangingProviderTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := llm.Fallback(llmtest.New(llmtest.Hang()), llmtest.New(llmtest.Reply("late"))).Generate(ctx, req)
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

// netErr is a transport failure, as net/http reports one.
type netErr struct{}

func (netErr) Error() string   { return "dial tcp: connection refused" }
func (netErr) Timeout() bool   { return false }
func (netErr) Temporary() bool { return false }

func TestBreakerCountsOnlyProviderFailures(t *testing.T) {
	tests := []struct {
		name     string
		give     error
		wantOpen bool
	}{
		{name: "http 400", give: &llm.StatusError{StatusCode: 400, Message: "invalid tools"}},
		{name: "http 404", give: &llm.StatusError{StatusCode: 404}},
		{name: "malformed reply", give: llm.ErrBadResponse},
		{name: "http 429", give: &llm.StatusError{StatusCode: 429}, wantOpen: true},
		{name: "http 503", give: &llm.StatusError{StatusCode: 503}, wantOpen: true},
		{name: "http 529", give: &llm.StatusError{StatusCode: 529}, wantOpen: true},
		{name: "timeout", give: context.DeadlineExceeded, wantOpen: true},
		{name: "transport", give: netErr{}, wantOpen: true},
		{name: "incomplete stream", give: llm.ErrIncomplete, wantOpen: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps := make([]llmtest.Step, 3)
			for i := range steps {
				steps[i] = llmtest.Fail(tt.give)
			}
			m := llmtest.New(steps...)
			b := llm.NewBreaker(m, llm.WithThreshold(3), llm.WithCooldown(time.Minute))
			for range 3 {
				_, err := b.Generate(context.Background(), req)
				require.ErrorIs(t, err, tt.give)
			}
			assert.Equal(t, tt.wantOpen, b.Open())
		})
	}
}

func TestBreakerClientErrorsDoNotReset(t *testing.T) {
	boom := &llm.StatusError{StatusCode: 500}
	bad := &llm.StatusError{StatusCode: 400}
	m := llmtest.New(llmtest.Fail(boom), llmtest.Fail(bad), llmtest.Fail(boom))
	b := llm.NewBreaker(m, llm.WithThreshold(2), llm.WithCooldown(time.Minute))
	for range 3 {
		_, err := b.Generate(context.Background(), req)
		require.Error(t, err)
	}
	assert.True(t, b.Open(), "500, 400, 500: two provider failures in a row")
}

// Do and Breaker.Do give calls that are not a Model's the same retries
// and the same breaker.
func TestDoWithBreaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := llm.NewBreaker(nil, llm.WithThreshold(2), llm.WithCooldown(time.Minute))
		calls := 0
		flaky := func(ctx context.Context) error {
			calls++
			if calls == 1 {
				return &llm.StatusError{StatusCode: 503}
			}
			return nil
		}
		require.NoError(t, b.Do(context.Background(), func(ctx context.Context) error {
			return llm.Do(ctx, flaky, llm.WithAttempts(2))
		}))
		assert.Equal(t, 2, calls, "the 503 was retried")

		hang := func(ctx context.Context) error {
			calls++
			<-ctx.Done()
			return ctx.Err()
		}
		calls = 0
		for range 2 {
			start := time.Now()
			err := b.Do(context.Background(), func(ctx context.Context) error {
				return llm.Do(ctx, hang, llm.WithAttempts(1), llm.WithAttemptTimeout(4*time.Second))
			})
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, 4*time.Second, time.Since(start))
		}
		assert.True(t, b.Open())
		err := b.Do(context.Background(), hang)
		require.ErrorIs(t, err, llm.ErrCircuitOpen)
		assert.Equal(t, 2, calls, "an open breaker does not call")

		time.Sleep(time.Minute)
		require.NoError(t, b.Do(context.Background(), func(context.Context) error { return nil }), "the trial call after the cooldown")
		assert.False(t, b.Open())

		// The budget ends the call and says so.
		err = llm.Do(context.Background(), hang, llm.WithBudget(3*time.Second))
		require.ErrorIs(t, err, llm.ErrTimeBudget)
	})
}
