package llmtest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
)

func ExampleNew() {
	model := llmtest.New(
		llmtest.Call("refund", `{"order_id":"A1","amount":20}`),
		llmtest.Reply("Your refund is on its way."),
	)
	ctx := context.Background()
	resp, err := model.Generate(ctx, &llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "Refund A1 please"}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	call := resp.Message.ToolCalls[0]
	fmt.Println(call.Name, string(call.Arguments))

	resp, err = model.Generate(ctx, &llm.Request{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Message.Content)

	_, err = model.Generate(ctx, &llm.Request{})
	fmt.Println(errors.Is(err, llmtest.ErrScriptDone))
	fmt.Println(model.Calls(), "calls; first asked:", model.Requests()[0].Messages[0].Content)
	// Output:
	// refund {"order_id":"A1","amount":20}
	// Your refund is on its way.
	// true
	// 3 calls; first asked: Refund A1 please
}

func ExampleHalfStream() {
	model := llmtest.New(llmtest.HalfStream("Your refund was approved and", 2))
	for delta, err := range llm.TextDeltas(model.Stream(context.Background(), &llm.Request{})) {
		if err != nil {
			fmt.Println()
			fmt.Println(errors.Is(err, llm.ErrIncomplete))
			break
		}
		fmt.Printf("[%s]", delta)
	}
	// Output:
	// [Your ][refund ]
	// true
}

func ExampleFail() {
	model := llmtest.New(llmtest.Fail(&llm.StatusError{Provider: "fake", StatusCode: 503, Message: "overloaded"}))
	_, err := model.Generate(context.Background(), &llm.Request{})
	var se *llm.StatusError
	fmt.Println(errors.As(err, &se), se.Temporary())
	// Output: true true
}

func ExampleHang() {
	model := llmtest.New(llmtest.Hang())
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a real test would use a timeout, or llm.Within
	_, err := model.Generate(ctx, &llm.Request{})
	fmt.Println(err)
	// Output: context canceled
}

func ExampleEmbedder() {
	vs, err := llmtest.Embedder{Dim: 64}.Embed(context.Background(), []string{"refund my order", "order refund", "weather"})
	if err != nil {
		fmt.Println(err)
		return
	}
	cos := func(a, b []float32) (s float32) {
		for i := range a {
			s += a[i] * b[i]
		}
		return s
	}
	fmt.Println(len(vs), len(vs[0]), cos(vs[0], vs[1]) > cos(vs[0], vs[2]))
	// Output: 3 64 true
}
