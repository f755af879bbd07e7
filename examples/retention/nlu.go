package main

import (
	"bytes"
	"context"
	_ "embed"
	"regexp"

	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/intent/entity"
	"github.com/parleyhq/parley/intent/train"
)

//go:embed nlu.yaml
var nluYAML []byte

//go:embed nlu.es.yaml
var nluSpanishYAML []byte

// spanishYAML holds the Spanish wording of the bot's replies.
//
//go:embed es.yaml
var spanishYAML []byte

// newUnderstander trains the shop's intent classifier from the embedded
// examples and adds entity extractors, order numbers like A-1001 among
// them. It returns the English model too, for the learning loop.
func newUnderstander(ctx context.Context) (*intent.Understander, *train.Model, error) {
	english, err := trainYAML(ctx, nluYAML, "nlu.yaml")
	if err != nil {
		return nil, nil, err
	}
	spanish, err := trainYAML(ctx, nluSpanishYAML, "nlu.es.yaml")
	if err != nil {
		return nil, nil, err
	}
	orders := entity.OrderID("order_id", regexp.MustCompile(`(?i)\bA-?\d{4}\b`))
	return intent.New(english,
		intent.WithLocale("es", spanish),
		intent.WithExtractors(append(entity.Builtins(), orders)...),
		intent.WithMultiIntent(true),
	), english, nil
}

func trainYAML(ctx context.Context, data []byte, name string) (*train.Model, error) {
	examples, err := train.ReadYAML(bytes.NewReader(data), name)
	if err != nil {
		return nil, err
	}
	return train.Train(ctx, examples)
}
