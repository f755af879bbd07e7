package train_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/intent/train"
)

func ExampleTrain() {
	examples, err := train.LoadFile("testdata/shop.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := train.Train(context.Background(), examples)
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

func ExampleReadModel() {
	examples, err := train.LoadFile("testdata/shop.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := train.Train(context.Background(), examples)
	if err != nil {
		fmt.Println(err)
		return
	}
	var file bytes.Buffer // an *os.File in a real service
	if _, err := m.WriteTo(&file); err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := train.ReadModel(&file)
	var ve *train.VersionError
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
	examples := []train.Example{
		{Text: "where is my order", Intent: "track_order", Source: "train.csv:2"},
		{Text: "Where is my order", Intent: "refund", Source: "train.csv:3"},
		{Text: "hello", Intent: "", Source: "train.csv:4"},
	}
	for _, p := range train.Validate(examples, "oos") {
		fmt.Println(p)
	}
	// Output:
	// error: empty intent name (train.csv:4)
	// warning: "where is my order" is labelled with different intents: refund, track_order (train.csv:2, train.csv:3)
	// warning: intent "track_order" has only 1 example(s); at least 5 are advised (train.csv:2)
	// warning: intent "refund" has only 1 example(s); at least 5 are advised (train.csv:3)
}
