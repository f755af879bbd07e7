package intent_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/intent/entity"
)

func ExampleTrain() {
	examples, err := intent.LoadFile("testdata/shop.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := intent.Train(context.Background(), examples)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := m.Classify(context.Background(), "where is my parcel?")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Top().Name)
	// Output: track_order
}

func ExampleRouter() {
	examples, err := intent.LoadFile("testdata/shop.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := intent.Train(context.Background(), examples)
	if err != nil {
		fmt.Println(err)
		return
	}
	u := intent.New(m, intent.WithExtractors(entity.Builtins()...))
	router := intent.NewRouter()
	router.HandleFunc("track_order", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		und, _ := parley.Value(t, parley.UnderstandingKey)
		id, _ := und.Entity("order_id")
		return w.Reply(ctx, parley.Text("Looking up order "+id.Value))
	})
	h := parley.Chain(router, u.Middleware())
	w := parley.ReplyFunc(func(ctx context.Context, m parley.Message) error {
		fmt.Println(m.Text, len(m.QuickReplies))
		return nil
	})
	for _, text := range []string{"where is my order #123456", "what is the meaning of life"} {
		if err := h.HandleTurn(context.Background(), w, &parley.Turn{ConversationID: "c1", Message: parley.Text(text)}); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// Looking up order 123456 0
	// Sorry, I didn't get that. I can help with: 4
}

func ExampleUnderstander_Understand() {
	examples, err := intent.LoadFile("testdata/shop.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := intent.Train(context.Background(), examples)
	if err != nil {
		fmt.Println(err)
		return
	}
	u := intent.New(m, intent.WithExtractors(entity.Builtins()...))
	now := time.Date(2025, 6, 11, 12, 0, 0, 0, time.UTC)
	und, err := u.Understand(context.Background(),
		"I want a refund for the shirt I bought last week, and also check if you have it in red", "en", now, time.UTC)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(und.Status, und.Intent.Name, und.Then[0].Name)
	for _, e := range und.Entities {
		fmt.Println(e.Type, e.Value)
	}
	// Output:
	// understood refund product_info
	// daterange 2025-06-02/2025-06-08
}

func ExampleSplit() {
	for _, s := range intent.Split("Return this shirt, and also check if you have it in red") {
		fmt.Println(s.Text)
	}
	// Output:
	// Return this shirt
	// check if you have it in red
}

func ExampleReadModel() {
	examples, err := intent.LoadFile("testdata/shop.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := intent.Train(context.Background(), examples)
	if err != nil {
		fmt.Println(err)
		return
	}
	var file bytes.Buffer // an *os.File in a real service
	if _, err := m.WriteTo(&file); err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := intent.ReadModel(&file)
	var ve *intent.VersionError
	switch {
	case errors.As(err, &ve):
		fmt.Println("retrain: model file is version", ve.Got)
		return
	case err != nil:
		fmt.Println(err)
		return
	}
	fmt.Println(len(loaded.Intents()), "intents")
	// Output: 5 intents
}

func ExampleValidate() {
	examples := []intent.Example{
		{Text: "where is my order", Intent: "track_order", Source: "train.csv:2"},
		{Text: "Where is my order", Intent: "refund", Source: "train.csv:3"},
		{Text: "hello", Intent: "", Source: "train.csv:4"},
	}
	for _, p := range intent.Validate(examples, "oos") {
		fmt.Println(p)
	}
	// Output:
	// error: empty intent name (train.csv:4)
	// warning: "where is my order" is labelled with different intents: refund, track_order (train.csv:2, train.csv:3)
	// warning: intent "track_order" has only 1 example(s); at least 5 are advised (train.csv:2)
	// warning: intent "refund" has only 1 example(s); at least 5 are advised (train.csv:3)
}
