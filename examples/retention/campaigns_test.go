package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
)

// TestCampaignTranscripts plays the campaign scenarios in
// testdata/campaigns: each is a script of customer messages ("> "),
// simulated events ("/sim NAME"), waits ("/wait 24h", in fake time) and
// the policy's record ("/log"); the golden file holds the script with
// what the customer received ("< ") and what the simulator said ("# ").
// The clock starts at 10:00 in London (UTC in January), outside quiet
// hours. Rewrite with -update.
func TestCampaignTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/campaigns/*.txtar")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			require.NoError(t, err)
			comment, want, ok := strings.Cut(string(raw), "-- transcript --\n")
			require.True(t, ok, "%s has no transcript section", file)
			var got string
			synctest.Test(t, func(t *testing.T) { got = playCampaign(t, comment, want) })
			if *update {
				require.NoError(t, os.WriteFile(file, []byte(comment+"-- transcript --\n"+got), 0o644))
				return
			}
			assert.Equal(t, want, got)
		})
	}
}

// playCampaign runs the script lines of transcript and returns the
// transcript it produces. The comment's first line may name the customer
// ("customer: cus_ben").
func playCampaign(t *testing.T, comment, transcript string) string {
	customer := "cus_ada"
	for _, line := range strings.Split(comment, "\n") {
		if c, ok := strings.CutPrefix(line, "customer: "); ok {
			customer = strings.TrimSpace(c)
		}
	}
	var mu sync.Mutex
	var out strings.Builder
	sender := parley.SenderFunc(func(_ context.Context, _ parley.Address, m parley.Message) error {
		mu.Lock()
		defer mu.Unlock()
		writeMessage(&out, m)
		return nil
	})
	a, err := newApp("", parley.WithSender("test", sender))
	require.NoError(t, err)
	closeAnalytics(t, a)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.ret.sched.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("scheduler: %v", err)
		}
		require.NoError(t, a.bot.Shutdown(context.Background()))
	}()
	conv := "conv-" + customer
	a.ret.meet(parley.Address{Channel: "test", ConversationID: conv, CustomerID: customer})
	time.Sleep(10 * time.Hour) // 10:00 in London
	synctest.Wait()
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(&out, format, args...)
	}
	n := 0
	for _, line := range strings.Split(transcript, "\n") {
		switch {
		case strings.HasPrefix(line, "> "):
			say("%s\n", line)
			n++
			err := a.bot.Enqueue(ctx, &parley.Turn{ConversationID: conv, CustomerID: customer, Channel: "test",
				MessageID: fmt.Sprint("m", n), Message: parley.Text(strings.TrimPrefix(line, "> "))})
			require.NoError(t, err)
		case strings.HasPrefix(line, "/sim "):
			say("%s\n", line)
			what := strings.TrimPrefix(line, "/sim ")
			msg, err := a.ret.simulate(ctx, customer, what)
			require.NoError(t, err, line)
			synctest.Wait()
			if what == "log" {
				say("# %s\n", strings.ReplaceAll(msg, "\n", "\n# "))
			}
		case strings.HasPrefix(line, "/wait "):
			say("%s\n", line)
			d, err := time.ParseDuration(strings.TrimPrefix(line, "/wait "))
			require.NoError(t, err, line)
			time.Sleep(d)
		default:
			continue
		}
		synctest.Wait()
	}
	mu.Lock()
	defer mu.Unlock()
	return out.String()
}

// writeMessage writes m as a transcript does: "< text", then its quick
// replies.
func writeMessage(out *strings.Builder, m parley.Message) {
	if m.Text != "" {
		fmt.Fprintf(out, "< %s\n", m.Text)
	}
	if len(m.QuickReplies) > 0 {
		var titles []string
		for _, q := range m.QuickReplies {
			titles = append(titles, q.Title)
		}
		fmt.Fprintf(out, "< [%s]\n", strings.Join(titles, " | "))
	}
}

// TestWidgetSignalsBecomeEvents checks that the widget's product views
// reach the campaigns as behaviour events, once each.
func TestWidgetSignalsBecomeEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, err := newApp("cus_ada", parley.WithSender("web", parley.SenderFunc(func(context.Context, parley.Address, parley.Message) error { return nil })))
		require.NoError(t, err)
		closeAnalytics(t, a)
		ctx := context.Background()
		view := &parley.Turn{ConversationID: "visitor-1", Channel: "web", MessageID: "track-1",
			Signal: &parley.Signal{Name: "product_view", Data: map[string]string{"id": "sku-trail-2", "count_24h": "1"}}}
		require.NoError(t, a.bot.Enqueue(ctx, view))
		again := *view
		require.ErrorIs(t, a.bot.Enqueue(ctx, &again), parley.ErrDuplicate)
		synctest.Wait()
		var keys []string
		require.NoError(t, a.store.Keys(ctx, "proactive/event/", func(k string) bool { keys = append(keys, k); return true }))
		assert.Len(t, keys, 1)
		require.NoError(t, a.bot.Shutdown(ctx))
	})
}
