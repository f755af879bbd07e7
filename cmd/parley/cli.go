package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/sink"
)

// This file is the plumbing the areas share: dispatching an area's
// commands, flag sets, reading and writing files, JSON output and
// reading event logs.

// A subcommand is one command of an area ("eval" of "parley kb").
type subcommand struct {
	name string
	run  func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// dispatch runs the command of area that args[0] names with the rest of
// args. "help" (or -h) prints usage to stdout; no command prints it to
// stderr, and no command or an unknown one is an error naming the
// commands.
func dispatch(ctx context.Context, area, usage string, cmds []subcommand, args []string, stdout, stderr io.Writer) error {
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.name
	}
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("%s: no command (%s)", area, strings.Join(names, ", "))
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	for _, c := range cmds {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	return fmt.Errorf("%s: unknown command %q (%s)", area, args[0], strings.Join(names, ", "))
}

// newFlags returns the flag set of "parley <name>", which reports to
// stderr. A usage, if not empty, is printed above the flags on -h and on
// a usage error.
func newFlags(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if usage != "" {
		fs.Usage = func() {
			fmt.Fprintln(stderr, usage+"\n\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// usageError prints fs's usage and returns the error msg.
func usageError(fs *flag.FlagSet, msg string) error {
	fs.Usage()
	return errors.New(msg)
}

// splitList splits a comma-separated flag value, trimming spaces and
// dropping empty items.
func splitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// readFile opens path and hands it to read; errors are prefixed with the
// command (and, for read's, the path).
func readFile(cmd, path string, read func(io.Reader) error) error {
	return useFile(cmd, path, os.Open, "", func(f *os.File) error { return read(f) })
}

// createFile creates path and hands it to write, closing it after; errors
// are prefixed with the command (and, for write's, the path).
func createFile(cmd, path string, write func(io.Writer) error) error {
	return useFile(cmd, path, os.Create, "write ", func(f *os.File) error { return write(f) })
}

// useFile opens path with open, hands it to use and closes it. An error
// from use or Close is prefixed with cmd, verb and path.
func useFile(cmd, path string, open func(string) (*os.File, error), verb string, use func(*os.File) error) error {
	f, err := open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	err = use(f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %s%s: %w", cmd, verb, path, err)
	}
	return nil
}

// writeJSON writes v to w as indented JSON, the -json output of every
// command.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// readEvents hands every event of the JSON Lines event logs
// (analytics/sink.JSONL) in files to add, in order. A malformed line is
// reported on stderr and skipped; it returns how many were.
func readEvents(ctx context.Context, cmd string, files []string, stderr io.Writer, add func(analytics.Event)) (skipped int, err error) {
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return skipped, err
		}
		err := readFile(cmd, name, func(r io.Reader) error {
			for e, err := range sink.ReadJSONL(r) {
				var le *sink.LineError
				if errors.As(err, &le) {
					fmt.Fprintf(stderr, "%s:%d: skipped: %v\n", name, le.Line, le.Err)
					skipped++
					continue
				}
				if err != nil {
					return err
				}
				add(e)
			}
			return nil
		})
		if err != nil {
			return skipped, err
		}
	}
	return skipped, nil
}
