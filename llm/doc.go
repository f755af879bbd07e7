// Package llm connects Parley to large language models: a small [Model]
// interface (with optional [Streamer]) and an [Embedder], HTTP clients for
// OpenAI-compatible servers ([OpenAI]) and the Anthropic Messages API
// ([Anthropic]), and wrappers that make a model fit for production:
// [Retry], [NewBreaker], [Fallback], [Within] and [NewMeter].
//
// # Overview
//
//	primary, err := llm.NewAnthropic(llm.AnthropicConfig{APIKey: key, Model: "claude-sonnet-4-5"})
//	backup, err := llm.NewOpenAI(llm.OpenAIConfig{BaseURL: "http://localhost:11434/v1", Model: "llama3.1"})
//	retried := llm.Retry(primary,
//		llm.WithAttempts(3),                   // bounded retries
//		llm.WithAttemptTimeout(3*time.Second), // per attempt (a stream: until its first chunk)
//		llm.WithBudget(5*time.Second))         // all attempts and waits
//	model := llm.NewMeter(llm.Within(llm.Fallback(
//		llm.NewBreaker(retried, llm.WithThreshold(5), llm.WithCooldown(30*time.Second)),
//		llm.Retry(backup, llm.WithAttempts(1), llm.WithAttemptTimeout(3*time.Second)),
//	), 8*time.Second), llm.WithTokenBudget(50_000)) // 8 s at most, then the caller answers extractively
//	resp, err := model.Generate(ctx, &llm.Request{
//		System:       "Answer from the passages only.",
//		Messages:     []llm.Message{{Role: llm.RoleUser, Content: question}},
//		Conversation: turn.ConversationID,
//	})
//	// Or stream to the user: parley.Stream(ctx, w, llm.TextDeltas(llm.Stream(ctx, model, req)))
//
// With this stack a dead primary costs at most its 5 s budget (2 s past
// its per-attempt timeout), the backup at most 3 s more, and [Within]
// caps the whole chain at 8 s; once the breaker opens, the primary costs
// nothing. A Retry-After longer than what is left of a budget ends the
// call at once instead of sleeping towards a retry that cannot happen.
// Keep the clients' own Timeout (default 60 s) long: it bounds a whole
// streamed reply, while [WithAttemptTimeout] bounds the wait for its start.
//
// When every model fails, the caller falls back further: package kb's
// answer layer answers extractively from the best passage, or hands off.
// Package llmtest has a scripted fake model for tests.
//
// # Concurrency
//
// Clients and wrappers are safe for concurrent use. Streams are
// single-use iterators; the HTTP request ends when the loop over the
// stream ends.
//
// # Errors
//
// [*StatusError] for an HTTP error reply (with Retry-After); [ErrBadResponse]
// for a reply that cannot be decoded; [ErrIncomplete] for a stream that
// ends early; [ErrCircuitOpen], [ErrBudget], [ErrTimeBudget] and
// [ErrNoModel] from the wrappers; a failure that still used tokens is a
// [*UsageError] wrapping one of these; ctx.Err() when the context ends or a client's Timeout passes.
//
// # Implementing Model
//
// Generate returns one complete assistant message. Tool-call arguments
// are passed through unvalidated: the caller validates them (package
// action does, against each action's schema). A model that can stream
// also implements [Streamer], yielding text deltas and then one chunk with
// the complete [Response].
package llm
