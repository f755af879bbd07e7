package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/i18n"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/proactive"
)

// TestEscalationTranscripts replays the golden conversations of
// testdata/transcripts/esc-*.txtar and esc12-*.txtar: hand-offs, offers of a person, the
// queue, call-backs and approvals, with what the staff do in between.
//
// A file is a comment, then "-- transcript --" and the conversation:
// "> text" is what the customer types ("> [Title]" taps a quick reply),
// "< text" what they see, and "@ ..." what the staff do:
//
//	@ approve / @ reject   decide the pending approval, as Sam
//	@ assign NAME          an agent takes the open ticket
//	@ agent NAME: TEXT     the agent writes to the customer
//	@ resolve              the agent hands the conversation back
//	@ no agents            nobody is free to take a hand-off
//	@ as NAME              the demo switches to customer NAME ("/as ben")
//	@ queue                show the agents' open tickets ("= ..." lines)
//	@ wait DURATION        time passes ("@ wait 22h")
//
// Lines "! signal" show turns delivered to the conversation. A reply sent
// in English to a customer writing Spanish (no translation in es.yaml)
// fails the test. The whole
// run happens in a synctest bubble, so time (queue time-outs, call-back
// slots) is the same on every run. Run with -update to rewrite the files.
func TestEscalationTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/transcripts/esc*-*.txtar") // esc-*, esc12-*
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { runEscTranscript(t, file) })
		})
	}
}

const transcriptHeader = "-- transcript --\n"

// runEscTranscript replays file. A line "locale: TAG" before the
// transcript is the channel's locale of every turn (a browser's
// language), as the web chat sends it.
func runEscTranscript(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	comment, _, _ := strings.Cut(string(data), transcriptHeader)
	var opts []parleytest.Option
	renewal := false
	for _, line := range strings.Split(comment, "\n") {
		if tag, ok := strings.CutPrefix(line, "locale: "); ok {
			opts = append(opts, parleytest.WithLocale(strings.TrimSpace(tag)), parleytest.WithChannel("web"))
		}
		renewal = renewal || strings.TrimSpace(line) == "flags: -renewal"
	}
	// The team's hours as the example runs them (the bubble's clock
	// starts on Friday 19:00 in New York, within them).
	cfg := config{writes: true, today: goldenToday, hours: teamHours()}
	if renewal {
		cfg.policy = []proactive.PolicyOption{proactive.WithQuietHours(0, 0)} // as -renewal runs
	}
	c, a := newTesterWith(t, cfg, opts...)
	if renewal {
		startRenewal(t, c, a)
	}
	runTranscript(t, file, c, a, nil)
}

// startRenewal opens the conversation as the terminal's -renewal does:
// with the renewal campaign's first reminder, delivered to the tester.
func startRenewal(t *testing.T, c *parleytest.Tester, a *app) {
	a.ret.bot = enqueueFunc(func(_ context.Context, turn *parley.Turn) error { a.divert(turn); return nil })
	a.ret.meet(parley.Address{Channel: "test", ConversationID: parleytest.DefaultConversation, CustomerID: "cus_ada"})
	require.NoError(t, a.ret.remindRenewal(t.Context(), "cus_ada"))
	flush(c, a)
	require.Contains(t, c.Transcript(), "Nothing to do if you're staying", "the reminder was not sent")
}

// enqueueFunc is a proactive.Enqueuer as a function.
type enqueueFunc func(ctx context.Context, t *parley.Turn) error

func (f enqueueFunc) Enqueue(ctx context.Context, t *parley.Turn) error { return f(ctx, t) }

// runTranscript replays file with tester c over app a. voice, if not
// nil, delivers a voice note in which the customer says text: the line
// "> (voice) text".
func runTranscript(t *testing.T, file string, c *parleytest.Tester, a *app, voice func(text string)) {
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	comment, want, ok := strings.Cut(string(data), transcriptHeader)
	require.True(t, ok, "%s: no %q section", file, strings.TrimSpace(transcriptHeader))

	var out strings.Builder
	prev := 0
	// record copies what the tester logged since the last call.
	record := func() {
		tr := c.Transcript()
		if len(tr) > prev {
			out.WriteString(strings.TrimPrefix(tr[prev:], "\n"))
			out.WriteString("\n")
		}
		prev = len(tr)
	}
	ctx := t.Context()
	for n, line := range strings.Split(strings.TrimRight(want, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "> [") && strings.HasSuffix(line, "]"):
			c.Tap(line[3 : len(line)-1])
			record()
		case strings.HasPrefix(line, "> (voice) ") && voice != nil:
			out.WriteString(line + "\n")
			voice(strings.TrimPrefix(line, "> (voice) "))
			record()
		case strings.HasPrefix(line, "> "):
			c.Send(line[2:])
			record()
		case strings.HasPrefix(line, "@ "):
			out.WriteString(line + "\n")
			staff := strings.TrimPrefix(line, "@ ")
			switch verb, rest, _ := strings.Cut(staff, " "); verb {
			case "approve", "reject":
				require.NoError(t, a.decide(t.Context(), pendingApproval(t, a).ID, "Sam", verb == "approve"), "%s:%d", file, n+1)
			case "assign":
				require.NoError(t, a.desk.Assign(ctx, openTicket(t, a), rest), "%s:%d", file, n+1)
			case "agent":
				name, text, _ := strings.Cut(rest, ": ")
				require.NoError(t, a.desk.Reply(ctx, openTicket(t, a), name, text), "%s:%d", file, n+1)
			case "resolve":
				require.NoError(t, a.desk.Resolve(ctx, openTicket(t, a), "", ""), "%s:%d", file, n+1)
			case "as":
				c.Signal(signalDemoCustomer, map[string]string{"customer": rest})
			case "no":
				a.desk.SetAgents(0)
			case "wait": // "@ wait 22h": time passes (the test runs in a synctest bubble)
				d, err := time.ParseDuration(rest)
				require.NoError(t, err, "%s:%d", file, n+1)
				time.Sleep(d)
			case "queue":
				q := a.desk.Queue()
				if len(q) == 0 {
					out.WriteString("= no open tickets\n")
				}
				for _, cs := range q {
					fmt.Fprintf(&out, "= %s, %s: %s\n", cs.Status, cs.Ticket.Priority, cs.Ticket.Reason)
					for _, l := range strings.Split(cs.Ticket.Summary, "\n") {
						fmt.Fprintf(&out, "=   %s\n", l)
					}
					for _, m := range cs.Thread {
						from := m.From
						if m.Bot {
							from = strings.TrimSuffix("assistant for "+m.From, " for ")
						}
						fmt.Fprintf(&out, "=   %s: %s\n", from, m.Text)
					}
				}
			default:
				t.Fatalf("%s:%d: unknown staff action %q", file, n+1, line)
			}
			flush(c, a)
			record()
		case strings.HasPrefix(line, "~ "):
			d, err := time.ParseDuration(strings.TrimSpace(line[2:]))
			require.NoError(t, err, "%s:%d", file, n+1)
			time.Sleep(d)
			c.Advance(d)
			record()
		case strings.HasPrefix(line, "<"), strings.HasPrefix(line, "!"), strings.HasPrefix(line, "="), line == "":
		default:
			t.Fatalf("%s:%d: a line starts with >, <, @, !, = or ~: %q", file, n+1, line)
		}
	}
	// A customer who writes Spanish reads Spanish: every reply has its
	// translation in es.yaml.
	for _, e := range c.Events() {
		if e.Kind == i18n.EventMissing {
			t.Errorf("%s: no %s translation for %q", file, e.Attrs["locale"], e.Attrs["text"])
		}
	}
	got := out.String()
	if got == want {
		return
	}
	if *update {
		require.NoError(t, os.WriteFile(file, []byte(comment+transcriptHeader+got), 0o644))
		return
	}
	t.Errorf("%s: transcript differs\n--- want\n%s--- got\n%s(run with -update to accept)", file, want, got)
}

// openTicket returns the ID of the one open ticket.
func openTicket(t *testing.T, a *app) string {
	t.Helper()
	q := a.desk.Queue()
	require.Len(t, q, 1, "open tickets")
	return q[0].Ticket.ID
}

// TestApprovalDecisionIsEnqueued runs the decision through the real Bot:
// it is enqueued as a turn of its own and reaches the customer through
// the channel's push, once, however often the decision is told.
func TestApprovalDecisionIsEnqueued(t *testing.T) {
	a, err := newApp("cus_ada")
	require.NoError(t, err)
	var mu sync.Mutex
	var pushed []parley.Message
	var convs []string
	a.setOutbox(func(conv string) parley.ReplyWriter {
		return parley.ReplyFunc(func(_ context.Context, m parley.Message) error {
			mu.Lock()
			defer mu.Unlock()
			convs, pushed = append(convs, conv), append(pushed, m)
			return nil
		})
	})
	var seen []string
	w := parley.ReplyFunc(func(_ context.Context, m parley.Message) error { seen = append(seen, m.Text); return nil })
	for i, text := range []string{"I want a refund for order A-1002", "$80", "yes"} {
		require.NoError(t, a.bot.HandleTurn(t.Context(), w, &parley.Turn{ConversationID: "web-1", Channel: "web",
			MessageID: fmt.Sprint("m", i), Message: parley.Text(text)}))
	}
	require.Contains(t, seen[len(seen)-1], "quick OK from a teammate")
	req := pendingApproval(t, a)
	require.NoError(t, a.decide(t.Context(), req.ID, "Sam", true))
	require.NoError(t, a.tell(t.Context(), req, "Sam", "told twice"), "a repeat is dropped, not an error")
	require.NoError(t, a.bot.Shutdown(t.Context()), "Shutdown waits for enqueued turns")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, pushed, 1)
	require.Equal(t, []string{"web-1"}, convs)
	require.Equal(t, parley.Message{Text: "Good news: your refund of $80.00 on order A-1002 is approved and on its way. It takes 5-10 business days to show.", Agent: "Sam"},
		parley.Message{Text: pushed[0].Text, Agent: pushed[0].Agent})
}
