package intenttest

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley/intent"
)

// Static is a fake classifier: it returns the Result stored under the
// text (exact match first, then case-insensitive), or an empty Result.
type Static map[string]intent.Result

var _ intent.Classifier = Static(nil)

// Classify looks text up.
func (s Static) Classify(ctx context.Context, text string) (intent.Result, error) {
	if err := ctx.Err(); err != nil {
		return intent.Result{}, err
	}
	if r, ok := s[text]; ok {
		return r, nil
	}
	for k, r := range s {
		if strings.EqualFold(k, text) {
			return r, nil
		}
	}
	return intent.Result{}, nil
}

// A Case is a text and the intent a classifier must rank first.
type Case struct {
	Text string
	Want string
}

// Run checks that c behaves as an [intent.Classifier] must: the cases'
// top intents match; confidences are in [0, 1] and ranked best first;
// bad input (empty, emoji, a 10 KB paste, invalid UTF-8, mixed scripts)
// gives no error and no panic; a cancelled context gives an error or a
// result, never a hang; and concurrent use is safe (run with -race).
func Run(t testing.TB, c intent.Classifier, cases ...Case) {
	t.Helper()
	ctx := context.Background()
	check := func(text string, r intent.Result) {
		t.Helper()
		for i, in := range r.Ranked {
			if in.Confidence < 0 || in.Confidence > 1 || math.IsNaN(in.Confidence) {
				t.Errorf("Classify(%.40q): confidence %v of %q outside [0, 1]", text, in.Confidence, in.Name)
			}
			if i > 0 && in.Confidence > r.Ranked[i-1].Confidence {
				t.Errorf("Classify(%.40q): ranking not best first at %d", text, i)
			}
		}
		if r.OutOfScope < 0 || r.OutOfScope > 1 {
			t.Errorf("Classify(%.40q): OutOfScope %v outside [0, 1]", text, r.OutOfScope)
		}
	}
	for _, tc := range cases {
		r, err := c.Classify(ctx, tc.Text)
		if err != nil {
			t.Errorf("Classify(%q): %v", tc.Text, err)
			continue
		}
		check(tc.Text, r)
		if got := r.Top().Name; got != tc.Want {
			t.Errorf("Classify(%q) top = %q, want %q", tc.Text, got, tc.Want)
		}
	}
	bad := []string{"", "   ", "😀😀🎉", strings.Repeat("lorem ipsum ", 900), "\xff\xfe", "заказ 注文 order الطلب"}
	for _, text := range bad {
		r, err := c.Classify(ctx, text)
		if err != nil {
			t.Errorf("Classify(%.40q): unexpected error %v", text, err)
			continue
		}
		check(text, r)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, _ = c.Classify(cctx, "hello") // either answer is fine; it must return

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, tc := range cases {
				if _, err := c.Classify(ctx, tc.Text); err != nil {
					t.Errorf("concurrent Classify(%q): %v", tc.Text, err)
				}
			}
		})
	}
	wg.Wait()
}
