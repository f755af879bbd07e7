package sentiment_test

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/sentiment"
)

func ExampleTrain() {
	// Labelled messages in GoEmotions' labels (ReadGoEmotions reads the
	// published TSV files); a real model wants tens of thousands.
	var train []sentiment.Example
	for range 20 {
		train = append(train,
			sentiment.Example{Text: "thank you so much, this is great", Labels: []string{"gratitude"}},
			sentiment.Example{Text: "love it, works perfectly", Labels: []string{"love"}},
			sentiment.Example{Text: "this is awful, still broken", Labels: []string{"annoyance"}},
			sentiment.Example{Text: "terrible service, I am angry", Labels: []string{"anger"}},
			sentiment.Example{Text: "my order number is A-1001", Labels: []string{"neutral"}},
			sentiment.Example{Text: "the parcel is in the hallway", Labels: []string{"neutral"}},
		)
	}
	dev := train[:6] // never trained on; tunes thresholds and calibration
	m, err := sentiment.Train(context.Background(), train[6:], dev, sentiment.TrainConfig{Epochs: 5, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Polarity("thank you, this is great").Label)
	fmt.Println(m.Polarity("awful, still broken").Label)

	_, err = sentiment.Train(context.Background(), nil, dev, sentiment.TrainConfig{})
	fmt.Println(err != nil)
	// Output:
	// positive
	// negative
	// true
}
