package channeltest

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
)

// An Inbound is a user message the suite delivers through the platform's
// webhook.
type Inbound struct {
	// ID is the platform's message ID.
	ID string
	// From is the sender's platform user ID (or address, or number).
	From string
	// Text is the message text.
	Text string
}

// Signing says how [Env.Request] signs a webhook.
type Signing int

// Signing modes.
const (
	// Signed carries a valid signature (or secret).
	Signed Signing = iota
	// Forged carries a signature made with the wrong secret.
	Forged
	// Unsigned carries none.
	Unsigned
)

// An Env is one adapter under test, wired to a fake platform, built by
// [Harness.New].
type Env struct {
	// Adapter is the adapter under test.
	Adapter *channel.Adapter
	// Platform is the fake platform the adapter sends to.
	Platform Platform
	// Encode returns the platform's webhook body for in.
	Encode func(in Inbound) []byte
	// Request returns a webhook request carrying body, signed as s says.
	Request func(body []byte, s Signing) *http.Request
	// Malformed lists bodies the adapter must refuse with a 4xx; nil means
	// a set of broken JSON documents.
	Malformed [][]byte
	// MaxBody is the adapter's webhook body limit.
	MaxBody int64
}

// A Harness connects the suite to one platform.
type Harness struct {
	// Channel is the channel name turns must carry.
	Channel string
	// New builds a fresh adapter against a fresh fake platform. It
	// registers its own cleanup with t.
	New func(t *testing.T) *Env
}

// Queue is an [channel.Enqueuer] that records turns the way a
// [parley.Bot] accepts them: a message ID already accepted in a
// conversation is refused with [parley.ErrDuplicate]. Set Err to make it
// refuse every turn (a Bot shutting down). It is safe for concurrent use.
type Queue struct {
	mu    sync.Mutex
	Err   error
	seen  map[string]bool
	turns []*parley.Turn
}

// Enqueue implements [channel.Enqueuer].
func (q *Queue) Enqueue(_ context.Context, t *parley.Turn) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.Err != nil {
		return q.Err
	}
	key := t.ConversationID + "\x00" + t.MessageID
	if q.seen[key] {
		return parley.ErrDuplicate
	}
	if q.seen == nil {
		q.seen = make(map[string]bool)
	}
	q.seen[key] = true
	q.turns = append(q.turns, t)
	return nil
}

// Turns returns the accepted turns, in order.
func (q *Queue) Turns() []*parley.Turn {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.turns)
}

func (q *Queue) fail(err error) {
	q.mu.Lock()
	q.Err = err
	q.mu.Unlock()
}

// Run checks that the adapter built by h behaves as every Parley channel
// must: turns with stable conversations and a recipient that replies
// reach, quick replies, de-duplication through the Bot, signature, size
// and format checks, retries on 429 and 5xx without duplicates, typed
// platform errors, and 503 while the Bot cannot accept turns.
func Run(t *testing.T, h Harness) {
	t.Helper()
	ctx := context.Background()
	// Every check runs in a synctest bubble: the fake platform is in
	// memory, so retries after Retry-After take no real time.
	run := func(name string, f func(t *testing.T)) {
		t.Run(name, func(t *testing.T) { synctest.Test(t, f) })
	}

	run("TextRoundTrip", func(t *testing.T) {
		env := h.New(t)
		q := &Queue{}
		deliver(t, env, q, env.Encode(Inbound{ID: "in-1", From: "user-1", Text: "hello"}), Signed, 2)
		deliver(t, env, q, env.Encode(Inbound{ID: "in-2", From: "user-1", Text: "again"}), Signed, 2)
		deliver(t, env, q, env.Encode(Inbound{ID: "in-3", From: "user-2", Text: "other"}), Signed, 2)
		turns := q.Turns()
		if len(turns) != 3 {
			t.Fatalf("Bot got %d turns, want 3", len(turns))
		}
		byText := map[string]*parley.Turn{}
		for _, tn := range turns {
			byText[tn.Text()] = tn
			if tn.Channel != h.Channel {
				t.Errorf("turn %q: Channel = %q, want %q", tn.Text(), tn.Channel, h.Channel)
			}
			if tn.ConversationID == "" || tn.MessageID == "" || tn.Recipient == "" {
				t.Errorf("turn %q: ConversationID %q, MessageID %q, Recipient %q: want all set",
					tn.Text(), tn.ConversationID, tn.MessageID, tn.Recipient)
			}
			if tn.Time.IsZero() {
				t.Errorf("turn %q: Time is zero", tn.Text())
			}
		}
		for _, want := range []string{"hello", "again", "other"} {
			if byText[want] == nil {
				t.Fatalf("no turn with text %q; got %v", want, texts(turns))
			}
		}
		if byText["hello"].ConversationID != byText["again"].ConversationID {
			t.Errorf("one user's messages got conversations %q and %q, want one stable ID",
				byText["hello"].ConversationID, byText["again"].ConversationID)
		}
		if byText["hello"].ConversationID == byText["other"].ConversationID {
			t.Errorf("two users share conversation %q", byText["hello"].ConversationID)
		}
		if byText["hello"].MessageID == byText["again"].MessageID {
			t.Errorf("two messages share MessageID %q", byText["hello"].MessageID)
		}
		for _, tn := range turns {
			if err := env.Adapter.Send(ctx, parley.AddressOf(tn), parley.Text("echo: "+tn.Text())); err != nil {
				t.Errorf("Send: %v", err)
			}
		}
		sent := env.Platform.Sent()
		got := outboundTexts(sent)
		if !slices.Equal(got, []string{"echo: hello", "echo: again", "echo: other"}) {
			t.Errorf("platform got %q, want the three echoes in order", got)
		}
		if len(sent) == 3 && (sent[0].To != sent[1].To || sent[0].To == sent[2].To || sent[0].To == "") {
			t.Errorf("replies went to %q, %q, %q: want user-1's two to one recipient and user-2's to another",
				sent[0].To, sent[1].To, sent[2].To)
		}
	})

	run("QuickReplies", func(t *testing.T) {
		env := h.New(t)
		q := &Queue{}
		deliver(t, env, q, env.Encode(Inbound{ID: "qr-1", From: "user-1", Text: "my plan"}), Signed, 2)
		turns := q.Turns()
		if len(turns) != 1 {
			t.Fatalf("Bot got %d turns, want 1", len(turns))
		}
		qr := []parley.QuickReply{{Title: "Yes", Payload: "yes"}, {Title: "No", Payload: "no"}, {Title: "Maybe later", Payload: "later"}}
		if err := env.Adapter.Send(ctx, parley.AddressOf(turns[0]), parley.Message{Text: "Keep your plan?", QuickReplies: qr}); err != nil {
			t.Fatalf("Send: %v", err)
		}
		sent := env.Platform.Sent()
		if len(sent) == 0 {
			t.Fatal("nothing sent")
		}
		var all strings.Builder
		var choices []string
		for _, o := range sent {
			all.WriteString(o.Text)
			all.WriteByte('\n')
			choices = append(choices, o.Choices...)
		}
		if !strings.Contains(all.String(), "Keep your plan?") {
			t.Errorf("sent text %q lacks the question", all.String())
		}
		for _, q := range qr {
			if !slices.Contains(choices, q.Title) && !strings.Contains(all.String(), q.Title) {
				t.Errorf("quick reply %q not rendered; choices %q, text %q", q.Title, choices, all.String())
			}
		}
	})

	run("Deduplicate", func(t *testing.T) {
		env := h.New(t)
		q := &Queue{}
		body := env.Encode(Inbound{ID: "dup-1", From: "user-1", Text: "once"})
		deliver(t, env, q, body, Signed, 2)
		deliver(t, env, q, body, Signed, 2) // the Bot says duplicate: acknowledged
		if turns := q.Turns(); len(turns) != 1 {
			t.Errorf("Bot accepted %d turns for a redelivered message, want 1", len(turns))
		}
	})

	for _, s := range []struct {
		name string
		s    Signing
	}{{"ForgedSignature", Forged}, {"MissingSignature", Unsigned}} {
		run(s.name, func(t *testing.T) {
			env := h.New(t)
			q := &Queue{}
			deliver(t, env, q, env.Encode(Inbound{ID: "sig-1", From: "user-1", Text: "let me in"}), s.s, 4)
			expectNothing(t, env, q)
		})
	}

	run("ForgedThenGenuine", func(t *testing.T) {
		// A rejected forgery must not poison de-duplication.
		env := h.New(t)
		q := &Queue{}
		body := env.Encode(Inbound{ID: "sig-2", From: "user-1", Text: "genuine"})
		deliver(t, env, q, body, Forged, 4)
		deliver(t, env, q, body, Signed, 2)
		if turns := q.Turns(); len(turns) != 1 {
			t.Errorf("Bot got %d turns, want 1", len(turns))
		}
	})

	run("OversizedBody", func(t *testing.T) {
		env := h.New(t)
		q := &Queue{}
		if env.MaxBody <= 0 {
			t.Fatal("harness did not set Env.MaxBody")
		}
		big := env.Encode(Inbound{ID: "big-1", From: "user-1", Text: strings.Repeat("a", int(env.MaxBody))})
		if code := deliver(t, env, q, big, Signed, 4); code != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", code)
		}
		expectNothing(t, env, q)
	})

	run("Malformed", func(t *testing.T) {
		env := h.New(t)
		q := &Queue{}
		bodies := env.Malformed
		if bodies == nil {
			bodies = [][]byte{[]byte("{"), []byte("not json"), []byte(`{"entry": 5}`), []byte(`[1,2`), {0xff, 0xfe}}
		}
		for _, b := range bodies {
			code := deliverCode(t, env, q, b, Signed)
			if code < 400 || code >= 500 {
				t.Errorf("body %q: status %d, want 4xx", b, code)
			}
		}
		expectNothing(t, env, q)
	})

	run("BotUnavailable", func(t *testing.T) {
		env := h.New(t)
		q := &Queue{}
		q.fail(parley.ErrClosed)
		body := env.Encode(Inbound{ID: "late-1", From: "user-1", Text: "late"})
		if code := deliverCode(t, env, q, body, Signed); code != http.StatusServiceUnavailable {
			t.Errorf("status %d while the Bot cannot accept turns, want 503 so the platform redelivers", code)
		}
		q.fail(nil)
		deliver(t, env, q, body, Signed, 2)
		if turns := q.Turns(); len(turns) != 1 {
			t.Errorf("Bot got %d turns after the redelivery, want 1", len(turns))
		}
	})

	reply := func(t *testing.T, env *Env, id, text string) error {
		t.Helper()
		q := &Queue{}
		deliver(t, env, q, env.Encode(Inbound{ID: id, From: "user-1", Text: text}), Signed, 2)
		turns := q.Turns()
		if len(turns) != 1 {
			t.Fatalf("Bot got %d turns, want 1", len(turns))
		}
		return env.Adapter.Send(ctx, parley.AddressOf(turns[0]), parley.Text("echo: "+text))
	}

	run("Retry429", func(t *testing.T) {
		env := h.New(t)
		env.Platform.FailNext(Failure{Status: http.StatusTooManyRequests, RetryAfter: time.Second, Reason: "slow down"})
		start := time.Now()
		err := reply(t, env, "rl-1", "busy")
		expectSentOnce(t, env, err, "echo: busy", 2)
		if d := time.Since(start); d < time.Second {
			t.Errorf("retried after %v, before Retry-After of 1s", d)
		}
	})

	run("Retry5xx", func(t *testing.T) {
		env := h.New(t)
		env.Platform.FailNext(Failure{Status: http.StatusServiceUnavailable, Reason: "try later"})
		err := reply(t, env, "5xx-1", "flaky")
		expectSentOnce(t, env, err, "echo: flaky", 2)
	})

	run("PlatformRejects", func(t *testing.T) {
		env := h.New(t)
		env.Platform.FailNext(Failure{Status: http.StatusBadRequest, Reason: "recipient is not reachable"})
		err := reply(t, env, "400-1", "hi")
		if n := len(env.Platform.Sent()); n != 0 {
			t.Errorf("platform accepted %d messages, want 0", n)
		}
		if n := env.Platform.Attempts(); n != 1 {
			t.Errorf("%d attempts, want 1 (a 400 is not retried)", n)
		}
		var pe *channel.PlatformError
		if !errors.As(err, &pe) {
			t.Fatalf("Send error %v (%T), want a *channel.PlatformError", err, err)
		}
		if pe.Temporary || !strings.Contains(pe.Reason, "recipient is not reachable") || pe.Channel != h.Channel {
			t.Errorf("PlatformError %+v: want permanent, channel %q, reason with the platform's text", pe, h.Channel)
		}
	})
}

func deliverCode(t *testing.T, env *Env, q *Queue, body []byte, s Signing) int {
	t.Helper()
	rr := httptest.NewRecorder()
	env.Adapter.Handler(q).ServeHTTP(rr, env.Request(bytes.Clone(body), s))
	return rr.Code
}

// deliver posts body and checks the status class (2 for 2xx, 4 for 4xx).
func deliver(t *testing.T, env *Env, q *Queue, body []byte, s Signing, class int) int {
	t.Helper()
	code := deliverCode(t, env, q, body, s)
	if code/100 != class {
		t.Fatalf("webhook answered %d, want %dxx", code, class)
	}
	return code
}

func expectNothing(t *testing.T, env *Env, q *Queue) {
	t.Helper()
	if turns := q.Turns(); len(turns) != 0 {
		t.Errorf("Bot got %d turns (%q), want none", len(turns), texts(turns))
	}
	if n := len(env.Platform.Sent()); n != 0 {
		t.Errorf("platform got %d messages, want none", n)
	}
}

func expectSentOnce(t *testing.T, env *Env, err error, text string, attempts int) {
	t.Helper()
	if err != nil {
		t.Errorf("Send: %v", err)
	}
	if got := outboundTexts(env.Platform.Sent()); !slices.Equal(got, []string{text}) {
		t.Errorf("platform got %q, want exactly [%q]", got, text)
	}
	if n := env.Platform.Attempts(); n != attempts {
		t.Errorf("%d attempts, want %d", n, attempts)
	}
}

func texts(turns []*parley.Turn) []string {
	var out []string
	for _, t := range turns {
		out = append(out, t.Text())
	}
	return out
}

func outboundTexts(os []Outbound) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.Text)
	}
	return out
}
