package learn_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/intent/learn"
	"github.com/parleyhq/parley/intent/train"
	"github.com/parleyhq/parley/memory"
)

// A queue of utterances to review, labelled, then a retrain behind the
// gate: the new model is deployed only if it beats the serving one on
// the held-out set.
func Example() {
	ctx := context.Background()
	q := learn.NewQueue(memory.NewMap(), learn.WithRedactor(func(_ context.Context, _, text string) (string, error) {
		return strings.ReplaceAll(text, "4111 1111 1111 1111", "[card]"), nil
	}))
	// The middleware queues what the model was unsure about; Add does
	// the same for an utterance from elsewhere.
	for _, text := range []string{"my money back", "I need my money back", "send my money back", "money back for my order",
		"I'd like my money back", "return my money", "get my money back now", "want money back"} {
		if err := q.Add(ctx, "cus_1", learn.Item{Conversation: "c-" + text, Text: text, Reason: "unsure"}); err != nil {
			fmt.Println(err)
			return
		}
	}
	pending, err := q.Items(ctx, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range pending {
		if err := q.Label(ctx, it.ID, "refund", "Sam"); err != nil { // from a review page
			fmt.Println(err)
			return
		}
	}

	current, err := train.Train(ctx, base())
	if err != nil {
		fmt.Println(err)
		return
	}
	r := &learn.Retrainer{Queue: q, Train: base(), Eval: held(), Current: current,
		Deploy: func(ctx context.Context, m *train.Model) error {
			return nil // understander.SetClassifier("en", m)
		}}
	rep, err := r.Retrain(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("accuracy %.2f -> %.2f, deployed: %v (%s)\n", rep.Before.Accuracy, rep.After.Accuracy, rep.Deployed, rep.Reason)
	// Output: accuracy 0.50 -> 1.00, deployed: true (higher accuracy)
}
