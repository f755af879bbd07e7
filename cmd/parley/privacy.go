package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/parleyhq/parley/privacy"
)

// runPrivacy runs "parley privacy <command>".
func runPrivacy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	redact := func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		return runPrivacyRedact(ctx, args, os.Stdin, stdout, stderr)
	}
	return dispatch(ctx, "privacy", "usage: parley privacy redact [-keep email,phone] [-count] < text", []subcommand{{"redact", redact}}, args, stdout, stderr)
}

// runPrivacyRedact masks the personal data in each input line, as the
// Redactor does before anything is stored, logged or sent to a model.
func runPrivacyRedact(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("privacy redact", "", stderr)
	keep := fs.String("keep", "", "comma-separated kinds to leave as they are (card, cvv, iban, national_id, email, phone)")
	count := fs.Bool("count", false, "print the number of findings per kind to stderr at the end")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("privacy redact: unexpected argument %q (input is read from stdin)", fs.Arg(0))
	}
	known := map[privacy.Kind]bool{privacy.KindCard: true, privacy.KindCVV: true, privacy.KindIBAN: true,
		privacy.KindNationalID: true, privacy.KindEmail: true, privacy.KindPhone: true}
	var opts []privacy.RedactorOption
	for _, k := range splitList(*keep) {
		if !known[privacy.Kind(k)] {
			return fmt.Errorf("privacy redact: unknown kind %q", k)
		}
		opts = append(opts, privacy.WithMode(privacy.Kind(k), privacy.Keep))
	}
	r := privacy.NewRedactor(opts...)
	counts := map[privacy.Kind]int{}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	w := bufio.NewWriter(stdout)
	for sc.Scan() {
		out, found, err := r.Redact(ctx, "", sc.Text())
		if err != nil {
			return err
		}
		for _, f := range found {
			counts[f.Kind]++
		}
		if _, err := fmt.Fprintln(w, out); err != nil {
			return err
		}
	}
	if err := errors.Join(sc.Err(), w.Flush()); err != nil {
		return fmt.Errorf("privacy redact: %w", err)
	}
	if *count {
		for _, k := range []privacy.Kind{privacy.KindCard, privacy.KindCVV, privacy.KindIBAN, privacy.KindNationalID, privacy.KindEmail, privacy.KindPhone} {
			fmt.Fprintf(stderr, "%-12s %d\n", k, counts[k])
		}
	}
	return nil
}
