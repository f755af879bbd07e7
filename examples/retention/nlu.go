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

// newUnderstander trains the shop's intent classifier from the embedded
// examples and adds entity extractors, order numbers like A-1001 among
// them.
func newUnderstander(ctx context.Context) (*intent.Understander, error) {
	examples, err := train.ReadYAML(bytes.NewReader(nluYAML), "nlu.yaml")
	if err != nil {
		return nil, err
	}
	model, err := train.Train(ctx, examples)
	if err != nil {
		return nil, err
	}
	orders := entity.OrderID("order_id", regexp.MustCompile(`(?i)\bA-?\d{4}\b`))
	return intent.New(model,
		intent.WithExtractors(append(entity.Builtins(), orders)...),
		intent.WithMultiIntent(true),
	), nil
}
