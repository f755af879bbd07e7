package llm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
)

func ExampleFallback() {
	down := llmtest.New(llmtest.Fail(&llm.StatusError{Provider: "primary", StatusCode: 503}))
	backup := llmtest.New(llmtest.Reply("Refunds take 5 days."))
	model := llm.NewMeter(llm.Fallback(down, backup))

	resp, err := model.Generate(context.Background(), &llm.Request{
		Messages:     []llm.Message{{Role: llm.RoleUser, Content: "How long do refunds take?"}},
		Conversation: "conv-1",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Message.Content)
	fmt.Println(model.Usage("conv-1").OutputTokens, "output tokens")
	// Output:
	// Refunds take 5 days.
	// 4 output tokens
}

func ExampleTextDeltas() {
	model := llmtest.New(llmtest.Reply("Your order shipped today."))
	for delta, err := range llm.TextDeltas(llm.Stream(context.Background(), model, &llm.Request{})) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("[%s]", delta)
	}
	fmt.Println()
	// Output: [Your ][order ][shipped ][today.]
}

func ExampleNewOpenAI() {
	// A stand-in for an OpenAI-compatible server (OpenAI, Ollama, vLLM...).
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"model":"llama3.1","choices":[{"index":0,"message":{"role":"assistant","content":"Your order ships tomorrow."},"finish_reason":"stop"}],"usage":{"prompt_tokens":21,"completion_tokens":6}}`)
	}))
	defer srv.Close()

	client, err := llm.NewOpenAI(llm.OpenAIConfig{BaseURL: srv.URL + "/v1", Model: "llama3.1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := client.Generate(context.Background(), &llm.Request{
		System:   "You are a support assistant.",
		Messages: []llm.Message{{Role: llm.RoleUser, Content: "When does my order ship?"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Message.Content)
	fmt.Println(resp.Usage.InputTokens, "in,", resp.Usage.OutputTokens, "out")
	// Output:
	// Your order ships tomorrow.
	// 21 in, 6 out
}

func ExampleNewAnthropic() {
	// A stand-in for the Messages API, streaming as it does.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, ev := range []string{
			`{"type":"message_start","message":{"model":"claude-test","usage":{"input_tokens":18,"output_tokens":1}}}`,
			`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
			`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Refunds take "}}`,
			`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"5 days."}}`,
			`{"type":"content_block_stop","index":0}`,
			`{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":5}}`,
			`{"type":"message_stop"}`,
		} {
			fmt.Fprintf(w, "data: %s\n\n", ev)
		}
	}))
	defer srv.Close()

	client, err := llm.NewAnthropic(llm.AnthropicConfig{BaseURL: srv.URL + "/v1", APIKey: "key", Model: "claude-test"})
	if err != nil {
		fmt.Println(err)
		return
	}
	req := &llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "How long do refunds take?"}}}
	for delta, err := range llm.TextDeltas(client.Stream(context.Background(), req)) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("[%s]", delta)
	}
	fmt.Println()
	// Output: [Refunds take ][5 days.]
}

func ExampleRetry() {
	flaky := llmtest.New(
		llmtest.Fail(&llm.StatusError{Provider: "primary", StatusCode: 503}),
		llmtest.Reply("Back online."),
	)
	model := llm.Retry(flaky,
		llm.WithAttempts(3),
		llm.WithBackoff(time.Millisecond, 0),
		llm.WithAttemptTimeout(3*time.Second), // per attempt
		llm.WithBudget(5*time.Second),         // all attempts and waits
	)
	resp, err := model.Generate(context.Background(), &llm.Request{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Message.Content, "after", flaky.Calls(), "calls")

	// A Retry-After beyond the budget ends the call at once.
	limited := llmtest.New(llmtest.Fail(&llm.StatusError{Provider: "primary", StatusCode: 429, RetryAfter: 30 * time.Second}))
	_, err = llm.Retry(limited, llm.WithBackoff(0, time.Minute), llm.WithBudget(5*time.Second)).Generate(context.Background(), &llm.Request{})
	fmt.Println(errors.Is(err, llm.ErrTimeBudget), limited.Calls(), "call")
	// Output:
	// Back online. after 2 calls
	// true 1 call
}

func ExampleNewBreaker() {
	down := &llm.StatusError{Provider: "primary", StatusCode: 500, Message: "internal error"}
	model := llmtest.New(llmtest.Fail(down), llmtest.Fail(down))
	breaker := llm.NewBreaker(model, llm.WithThreshold(2), llm.WithCooldown(30*time.Second))
	for range 3 {
		_, err := breaker.Generate(context.Background(), &llm.Request{})
		fmt.Println(err)
	}
	fmt.Println("open:", breaker.Open(), "- model called", model.Calls(), "times")
	// Output:
	// llm: primary: HTTP 500: internal error
	// llm: primary: HTTP 500: internal error
	// llm: circuit open
	// open: true - model called 2 times
}

func ExampleNewMeter() {
	model := llmtest.New(llmtest.Reply("Hello!"), llmtest.Reply("Anything else?"), llmtest.Reply("unused"))
	meter := llm.NewMeter(model, llm.WithTokenBudget(20)) // at most 20 tokens per conversation
	ctx := context.Background()
	for range 3 {
		_, err := meter.Generate(ctx, &llm.Request{Conversation: "conv-7"})
		if err != nil {
			fmt.Println(err)
		}
	}
	fmt.Printf("%+v\n", meter.Usage("conv-7"))
	meter.Forget("conv-7") // the session ended
	fmt.Printf("%+v, %d conversations, total %+v\n", meter.Usage("conv-7"), meter.Len(), meter.Total())
	// Output:
	// llm: conversation token budget exhausted (20 tokens)
	// {InputTokens:20 OutputTokens:3}
	// {InputTokens:0 OutputTokens:0}, 0 conversations, total {InputTokens:20 OutputTokens:3}
}

func ExampleWithin() {
	dead := llmtest.New(llmtest.Hang())
	backup := llmtest.New(llmtest.Reply("unused"))
	model := llm.Within(llm.Fallback(dead, backup), 50*time.Millisecond)
	_, err := model.Generate(context.Background(), &llm.Request{})
	fmt.Println(errors.Is(err, llm.ErrTimeBudget), errors.Is(err, context.DeadlineExceeded))
	// The caller now answers without the model: an extractive answer or a
	// hand-off.
	// Output: true true
}

// A breaker and retries around a call that is not a Model's: here a
// speech-to-text request that fails once with a 503.
func ExampleDo() {
	breaker := llm.NewBreaker(nil, llm.WithThreshold(3))
	tries := 0
	transcribe := func(ctx context.Context) error {
		tries++
		if tries == 1 {
			return &llm.StatusError{Provider: "whisper", StatusCode: 503}
		}
		return nil
	}
	err := breaker.Do(context.Background(), func(ctx context.Context) error {
		return llm.Do(ctx, transcribe, llm.WithAttempts(2), llm.WithBackoff(time.Millisecond, time.Millisecond))
	})
	fmt.Println(err, tries)
	// Output: <nil> 2
}
