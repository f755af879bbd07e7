// Package llm connects Parley to large language models: a small [Model]
// interface (with optional [Streamer]) and an [Embedder], HTTP clients for
// OpenAI-compatible servers ([OpenAI]) and the Anthropic Messages API
// ([Anthropic]), and wrappers that make a model fit for production:
// [Retry], [NewBreaker], [Fallback] and [NewMeter].
//
// # Overview
//
//	primary, err := llm.NewAnthropic(llm.AnthropicConfig{APIKey: key, Model: "claude-sonnet-4-5"})
//	backup, err := llm.NewOpenAI(llm.OpenAIConfig{BaseURL: "http://localhost:11434/v1", Model: "llama3.1"})
//	model := llm.NewMeter(llm.Fallback(
//		llm.NewBreaker(llm.Retry(primary, llm.RetryPolicy{}), 5, 30*time.Second),
//		backup,
//	), 50_000)
//	resp, err := model.Generate(ctx, &llm.Request{
//		System:       "Answer from the passages only.",
//		Messages:     []llm.Message{{Role: llm.RoleUser, Content: question}},
//		Conversation: turn.ConversationID,
//	})
//	// Or stream to the user: parley.Stream(ctx, w, llm.TextDeltas(llm.Stream(ctx, model, req)))
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
// ends early; [ErrCircuitOpen], [ErrBudget] and [ErrNoModel] from the
// wrappers; ctx.Err() when the context ends or a client's Timeout passes.
//
// # Implementing Model
//
// Generate returns one complete assistant message. Tool-call arguments
// are passed through unvalidated: the caller validates them (package
// action does, against each action's schema). A model that can stream
// also implements [Streamer], yielding text deltas and then one chunk with
// the complete [Response].
package llm
