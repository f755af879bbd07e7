package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/intent/learn"
	"github.com/parleyhq/parley/intent/train"
	"github.com/parleyhq/parley/memory"
)

// runReview runs "parley review retrain".
func runReview(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "review", "usage: parley review retrain -train TRAIN -eval EVAL [-labels LABELS.csv] [-model CURRENT.model] -out NEW.model [-threshold 0.5] [-json]",
		[]subcommand{{"retrain", reviewRetrain}}, args, stdout, stderr)
}

// reviewRetrain is the learning loop's gate on files: it trains on TRAIN
// plus the reviewed LABELS, scores the serving model (CURRENT, or one
// trained on TRAIN alone) and the new one on EVAL plus one label in five,
// and writes the new model to OUT only if it is better.
func reviewRetrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("review retrain", "", stderr)
	trainPath := fs.String("train", "", "base training examples (YAML or CSV text,intent)")
	evalPath := fs.String("eval", "", "held-out examples no model trains on (YAML or CSV)")
	labelsPath := fs.String("labels", "", "reviewed utterances, CSV text,intent (the review page's labels.csv)")
	modelPath := fs.String("model", "", "the serving model file (default: a model trained on -train)")
	out := fs.String("out", "", "where the new model is written if it beats the serving one")
	threshold := fs.Float64("threshold", 0.5, "confidence the top intent needs to count as predicted")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *trainPath == "" || *evalPath == "" || *out == "" {
		return errors.New("review retrain: -train, -eval and -out are required")
	}
	base, err := train.LoadFile(*trainPath)
	if err != nil {
		return err
	}
	eval, err := train.LoadFile(*evalPath)
	if err != nil {
		return err
	}
	var labels []train.Example
	if *labelsPath != "" {
		if labels, err = train.LoadFile(*labelsPath); err != nil {
			return err
		}
	}
	var current intent.Classifier
	if *modelPath != "" {
		if err := readFile("review retrain", *modelPath, func(r io.Reader) (err error) { current, err = train.ReadModel(r); return err }); err != nil {
			return err
		}
	} else if current, err = train.Train(ctx, base); err != nil {
		return fmt.Errorf("review retrain: train the serving model: %w", err)
	}

	// The labels go through a queue in memory, as the page's do, so that
	// the same one in five is held out.
	q := learn.NewQueue(memory.NewMap(), learn.WithRedactor(func(_ context.Context, _, text string) (string, error) { return text, nil }))
	for _, ex := range labels {
		it := learn.Item{Text: ex.Text, Reason: "reviewed"}
		if err := q.Add(ctx, "", it); err != nil {
			return err
		}
	}
	pending, err := q.Items(ctx, false)
	if err != nil {
		return err
	}
	byText := map[string]string{}
	for _, ex := range labels {
		byText[ex.Text] = ex.Intent
	}
	for _, it := range pending {
		if err := q.Label(ctx, it.ID, byText[it.Text], "parley review"); err != nil {
			return err
		}
	}
	var deployed *train.Model
	r := &learn.Retrainer{Queue: q, Train: base, Eval: eval, Current: current, Threshold: *threshold,
		Deploy: func(_ context.Context, m *train.Model) error { deployed = m; return nil }}
	rep, err := r.Retrain(ctx)
	if err != nil {
		return err
	}
	if deployed != nil {
		if err := createFile("review retrain", *out, func(w io.Writer) error { _, err := deployed.WriteTo(w); return err }); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(stdout, rep)
	}
	fmt.Fprintf(stdout, "labels: %d (%d trained on, %d held out); held-out rows: %d\n", rep.Labelled, rep.Trained, rep.Labelled-rep.Trained, rep.EvalRows)
	fmt.Fprintf(stdout, "accuracy: %.3f -> %.3f\nmacro-F1: %.3f -> %.3f\n", rep.Before.Accuracy, rep.After.Accuracy, rep.Before.MacroF1, rep.After.MacroF1)
	if rep.Deployed {
		fmt.Fprintf(stdout, "written to %s: %s\n", *out, rep.Reason)
	} else {
		fmt.Fprintf(stdout, "not written: %s\n", rep.Reason)
	}
	return nil
}
