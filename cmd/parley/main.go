// Command parley is Parley's command-line tool: evaluation of the
// understanding, sentiment and knowledge-base components on labelled data,
// validation of training files, export of flows, analytics reports from
// event logs, experiment reports and the sample-size calculator, and the
// churn model (train, evaluate, score customers with reasons), and the
// intent model's retrain with reviewed utterances behind a gate.
//
// Usage:
//
//	parley <area> <command> [flags]
//
// Run "parley help" for the list of areas.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
)

// A command is one area of the CLI ("nlu", "kb"); it parses its own
// sub-command and flags from args.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands lists the CLI's areas. Each area lives in its own file.
func commands() []command {
	return []command{
		// One line per area, kept sorted by name.
		{name: "churn", summary: "train and evaluate the churn model on a CSV, score customers with reasons (train, eval, score)", run: runChurn},
		{name: "experiment", summary: "an experiment's report from event logs, the sample-size calculator (report, size)", run: runExperiment},
		{name: "kb", summary: "evaluate knowledge-base retrieval (eval)", run: runKB},
		{name: "nlu", summary: "evaluate the intent classifier, validate training data", run: runNLU},
		{name: "privacy", summary: "redact personal data from text (redact)", run: runPrivacy},
		{name: "report", summary: "render analytics views of event logs as one HTML file", run: runReport},
		{name: "review", summary: "retrain the intent model with reviewed utterances, written only if it beats the serving one (retrain)", run: runReview},
		{name: "sentiment", summary: "evaluate sentiment and emotion detection (eval, emotions, score)", run: runSentiment},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "parley:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, "usage: parley <area> <command> [flags]\n\nareas:")
		for _, c := range cmds {
			fmt.Fprintf(stdout, "  %-10s %s\n", c.name, c.summary)
		}
		if len(args) == 0 {
			return flag.ErrHelp
		}
		return nil
	}
	for _, c := range cmds {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	return fmt.Errorf("unknown area %q (run \"parley help\")", args[0])
}
