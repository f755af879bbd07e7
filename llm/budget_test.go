package llm_test

import (
	"context"
	"io"
	"iter"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
)

// roundTripFunc is an in-process HTTP transport, so that clients can run
// inside a synctest bubble.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// hangingTransport never answers: it waits for the request to be cancelled.
func hangingTransport() http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		<-r.Context().Done()
		return nil, r.Context().Err()
	})
}

// statusTransport answers every request with status and headers.
func statusTransport(status int, header http.Header, calls *int) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		*calls++
		h := header.Clone()
		h.Set("Content-Type", "application/json")
		return &http.Response{StatusCode: status, Header: h, Request: r,
			Body: io.NopCloser(strings.NewReader(`{"error":{"message":"overloaded"}}`))}, nil
	})
}

func openAIWith(t *testing.T, rt http.RoundTripper) *llm.OpenAI {
	t.Helper()
	c, err := llm.NewOpenAI(llm.OpenAIConfig{BaseURL: "http://llm.invalid/v1", Model: "m", HTTPClient: &http.Client{Transport: rt}})
	require.NoError(t, err)
	return c
}

// recommendedStack is the stack doc.go recommends: a short per-attempt
// timeout, bounded retries and budget on the primary, a fallback model,
// and an overall budget.
func recommendedStack(primary, backup llm.Model) llm.Model {
	return llm.Within(llm.Fallback(
		llm.NewBreaker(llm.Retry(primary, llm.WithAttempts(3), llm.WithAttemptTimeout(3*time.Second), llm.WithBudget(5*time.Second)), llm.WithThreshold(5), llm.WithCooldown(30*time.Second)),
		llm.Retry(backup, llm.WithAttempts(1), llm.WithAttemptTimeout(3*time.Second)),
	), 8*time.Second)
}

// call sends req to model, streamed (and collected) if stream, and
// returns the error.
func call(model llm.Model, stream bool) error {
	var err error
	if stream {
		_, err = llm.Collect(llm.Stream(context.Background(), model, req))
	} else {
		_, err = model.Generate(context.Background(), req)
	}
	return err
}

func TestStackDeadProviderIsBounded(t *testing.T) {
	tests := []struct {
		name   string
		stream bool
		fake   bool
	}{
		{name: "http client generate"},
		{name: "http client stream", stream: true},
		{name: "fake generate", fake: true},
		{name: "fake stream", fake: true, stream: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var primary, backup llm.Model = openAIWith(t, hangingTransport()), openAIWith(t, hangingTransport())
				if tt.fake {
					primary, backup = llmtest.New(llmtest.Hang(), llmtest.Hang(), llmtest.Hang()), llmtest.New(llmtest.Hang())
				}
				model := recommendedStack(primary, backup)
				start := time.Now()
				err := call(model, tt.stream)
				elapsed := time.Since(start)
				require.ErrorIs(t, err, context.DeadlineExceeded)
				require.ErrorIs(t, err, llm.ErrTimeBudget, "the primary's retry budget ended it")
				assert.NotErrorIs(t, err, context.Canceled)
				// Primary: its 5 s budget; backup: one 3 s attempt, cut
				// at the overall 8 s at the latest.
				assert.Equal(t, 8*time.Second, elapsed, "fake clock: within the overall budget")
			})
		})
	}
}

func TestRetryAfterBeyondBudgetReturnsPromptly(t *testing.T) {
	tests := []struct {
		name   string
		stream bool
	}{
		{name: "generate"},
		{name: "stream", stream: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				calls := 0
				c := openAIWith(t, statusTransport(http.StatusServiceUnavailable, http.Header{"Retry-After": {"30"}}, &calls))
				model := llm.Retry(c, llm.WithAttempts(3), llm.WithBackoff(0, time.Minute), llm.WithBudget(5*time.Second))
				start := time.Now()
				err := call(model, tt.stream)
				assert.Zero(t, time.Since(start), "fake clock: no sleep towards a retry that cannot happen")
				assert.Equal(t, 1, calls)
				require.ErrorIs(t, err, llm.ErrTimeBudget)
				var se *llm.StatusError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, 503, se.StatusCode)
				assert.Equal(t, 30*time.Second, se.RetryAfter)
			})
		})
	}
}

func TestRetryWaitsWithinBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := llmtest.New(llmtest.Fail(&llm.StatusError{StatusCode: 429, RetryAfter: 2 * time.Second}), llmtest.Reply("ok"))
		start := time.Now()
		resp, err := llm.Retry(m, llm.WithBackoff(time.Millisecond, 0), llm.WithBudget(5*time.Second)).Generate(context.Background(), req)
		require.NoError(t, err)
		assert.Equal(t, "ok", resp.Message.Content)
		assert.GreaterOrEqual(t, time.Since(start), 2*time.Second, "Retry-After honoured")
		assert.Less(t, time.Since(start), 5*time.Second)
	})
}

func TestRetryCallerDeadlineBeforeRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		m := llmtest.New(llmtest.Fail(&llm.StatusError{StatusCode: 429, RetryAfter: 5 * time.Second}), llmtest.Reply("unused"))
		start := time.Now()
		_, err := llm.Retry(m).Generate(ctx, req)
		assert.Zero(t, time.Since(start), "fake clock: returned at once")
		var se *llm.StatusError
		require.ErrorAs(t, err, &se)
		assert.NotErrorIs(t, err, llm.ErrTimeBudget, "the caller's deadline, not a budget")
		assert.Equal(t, 1, m.Calls())
	})
}

func TestRetryAttemptTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := llmtest.New(llmtest.Hang(), llmtest.Reply("second try"))
		start := time.Now()
		resp, err := llm.Retry(m, llm.WithAttempts(2), llm.WithBackoff(time.Millisecond, 0), llm.WithAttemptTimeout(time.Second)).Generate(context.Background(), req)
		require.NoError(t, err)
		assert.Equal(t, "second try", resp.Message.Content)
		assert.Equal(t, 2, m.Calls())
		assert.Less(t, time.Since(start), 2*time.Second)
	})
}

// slowStream yields its first chunk at once and the rest after delay.
type slowStream struct{ delay time.Duration }

func (s slowStream) Generate(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	return llm.Collect(s.Stream(ctx, req))
}

func (s slowStream) Stream(ctx context.Context, _ *llm.Request) iter.Seq2[llm.Chunk, error] {
	return func(yield func(llm.Chunk, error) bool) {
		if !yield(llm.Chunk{Text: "A long "}, nil) {
			return
		}
		select {
		case <-ctx.Done():
			yield(llm.Chunk{}, ctx.Err())
			return
		case <-time.After(s.delay):
		}
		if !yield(llm.Chunk{Text: "answer."}, nil) {
			return
		}
		yield(llm.Chunk{Response: &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Content: "A long answer."}}}, nil)
	}
}

func TestBudgetDoesNotCutAFlowingStream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		model := recommendedStack(slowStream{delay: 20 * time.Second}, llmtest.New())
		resp, err := llm.Collect(llm.Stream(context.Background(), model, req))
		require.NoError(t, err)
		assert.Equal(t, "A long answer.", resp.Message.Content)
	})
}

func TestWithin(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		resp, err := llm.Within(llmtest.New(llmtest.Reply("fast")), time.Second).Generate(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, "fast", resp.Message.Content)

		start := time.Now()
		_, err = llm.Within(llmtest.New(llmtest.Hang()), time.Second).Generate(ctx, req)
		require.ErrorIs(t, err, llm.ErrTimeBudget)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Second, time.Since(start))

		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err = llm.Within(llmtest.New(llmtest.Hang()), time.Second).Generate(cctx, req)
		require.ErrorIs(t, err, context.Canceled, "the caller's cancellation is not a budget")
		assert.NotErrorIs(t, err, llm.ErrTimeBudget)

		m := llmtest.New()
		assert.Same(t, m, llm.Within(m, 0), "no budget: the model itself")
	})
}
