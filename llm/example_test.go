package llm_test

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
)

func ExampleFallback() {
	down := llmtest.New(llmtest.Fail(&llm.StatusError{Provider: "primary", StatusCode: 503}))
	backup := llmtest.New(llmtest.Reply("Refunds take 5 days."))
	model := llm.NewMeter(llm.Fallback(down, backup), 0)

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
