// Package llmtest provides test doubles for package llm: a scripted
// [Model] that replays replies, tool calls, failures and half streams in
// order, and a deterministic [Embedder].
//
// # Overview
//
//	m := llmtest.New(
//		llmtest.Call("refund", `{"order_id":"A1","amount":20}`),
//		llmtest.Reply("Your refund is on its way."),
//	)
//	resp, err := m.Generate(ctx, &llm.Request{...})
//	// ... assert on m.Requests()
//
// # Concurrency
//
// Model and Embedder are safe for concurrent use; a Model's steps are
// consumed in call order.
//
// # Errors
//
// A Model with no steps left returns [ErrScriptDone].
package llmtest
