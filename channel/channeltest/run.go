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

// An Env is one adapter under test, wired to a fake platform and a
// handler, built by [Harness.New].
type Env struct {
	// Webhook is the adapter's inbound endpoint.
	Webhook http.Handler
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
	// Close closes the adapter, waiting for accepted turns.
	Close func(ctx context.Context) error
}

// A Harness connects the suite to one adapter.
type Harness struct {
	// Channel is the channel name turns must carry.
	Channel string
	// New builds a fresh adapter that passes turns to h. It registers its
	// own cleanup with t.
	New func(t *testing.T, h parley.Handler) *Env
}

// recorder is the suite's handler: it records turns and the errors of the
// replies it sends.
type recorder struct {
	reply func(t *parley.Turn) []parley.Message

	mu    sync.Mutex
	turns []*parley.Turn
	errs  []error
}

// HandleTurn implements [parley.Handler].
func (r *recorder) HandleTurn(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	r.mu.Lock()
	r.turns = append(r.turns, t)
	r.mu.Unlock()
	var msgs []parley.Message
	if r.reply != nil {
		msgs = r.reply(t)
	}
	for _, m := range msgs {
		err := w.Reply(ctx, m)
		r.mu.Lock()
		r.errs = append(r.errs, err)
		r.mu.Unlock()
	}
	return nil
}

func (r *recorder) result() ([]*parley.Turn, []error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.turns), slices.Clone(r.errs)
}

// Run checks that the adapter built by h behaves as every Parley channel
// adapter must: text round trip, quick replies, de-duplication, signature,
// size and format checks, retries on 429 and 5xx without duplicates, and
// typed platform errors.
func Run(t *testing.T, h Harness) {
	t.Helper()
	echo := func(tn *parley.Turn) []parley.Message { return []parley.Message{parley.Text("echo: " + tn.Text())} }

	t.Run("TextRoundTrip", func(t *testing.T) {
		rec := &recorder{reply: echo}
		env := h.New(t, rec)
		deliver(t, env, env.Encode(Inbound{ID: "in-1", From: "user-1", Text: "hello"}), Signed, 2)
		deliver(t, env, env.Encode(Inbound{ID: "in-2", From: "user-1", Text: "again"}), Signed, 2)
		deliver(t, env, env.Encode(Inbound{ID: "in-3", From: "user-2", Text: "other"}), Signed, 2)
		closeEnv(t, env)
		turns, errs := rec.result()
		if len(turns) != 3 {
			t.Fatalf("handler got %d turns, want 3", len(turns))
		}
		byText := map[string]*parley.Turn{}
		for _, tn := range turns {
			byText[tn.Text()] = tn
			if tn.Channel != h.Channel {
				t.Errorf("turn %q: Channel = %q, want %q", tn.Text(), tn.Channel, h.Channel)
			}
			if tn.ConversationID == "" || tn.MessageID == "" {
				t.Errorf("turn %q: ConversationID %q, MessageID %q: want both set", tn.Text(), tn.ConversationID, tn.MessageID)
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
		for _, err := range errs {
			if err != nil {
				t.Errorf("Reply: %v", err)
			}
		}
		sent := env.Platform.Sent()
		got := outboundTexts(sent)
		for _, want := range []string{"echo: hello", "echo: again", "echo: other"} {
			if !slices.Contains(got, want) {
				t.Errorf("platform got %q, missing %q", got, want)
			}
		}
		if len(sent) != 3 {
			t.Errorf("platform got %d messages, want 3: %q", len(sent), got)
		}
	})

	t.Run("QuickReplies", func(t *testing.T) {
		qr := []parley.QuickReply{{Title: "Yes", Payload: "yes"}, {Title: "No", Payload: "no"}, {Title: "Maybe later", Payload: "later"}}
		rec := &recorder{reply: func(*parley.Turn) []parley.Message {
			return []parley.Message{{Text: "Keep your plan?", QuickReplies: qr}}
		}}
		env := h.New(t, rec)
		deliver(t, env, env.Encode(Inbound{ID: "qr-1", From: "user-1", Text: "my plan"}), Signed, 2)
		closeEnv(t, env)
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
		_, errs := rec.result()
		for _, err := range errs {
			if err != nil {
				t.Errorf("Reply: %v", err)
			}
		}
	})

	t.Run("Deduplicate", func(t *testing.T) {
		rec := &recorder{reply: echo}
		env := h.New(t, rec)
		body := env.Encode(Inbound{ID: "dup-1", From: "user-1", Text: "once"})
		deliver(t, env, body, Signed, 2)
		deliver(t, env, body, Signed, 2)
		closeEnv(t, env)
		turns, _ := rec.result()
		if len(turns) != 1 {
			t.Errorf("handler got %d turns for a redelivered message, want 1", len(turns))
		}
		if n := len(env.Platform.Sent()); n != 1 {
			t.Errorf("platform got %d messages, want 1", n)
		}
	})

	for _, s := range []struct {
		name string
		s    Signing
	}{{"ForgedSignature", Forged}, {"MissingSignature", Unsigned}} {
		t.Run(s.name, func(t *testing.T) {
			rec := &recorder{reply: echo}
			env := h.New(t, rec)
			deliver(t, env, env.Encode(Inbound{ID: "sig-1", From: "user-1", Text: "let me in"}), s.s, 4)
			closeEnv(t, env)
			expectNothing(t, env, rec)
		})
	}

	t.Run("ForgedThenGenuine", func(t *testing.T) {
		// A rejected forgery must not poison de-duplication.
		rec := &recorder{reply: echo}
		env := h.New(t, rec)
		body := env.Encode(Inbound{ID: "sig-2", From: "user-1", Text: "genuine"})
		deliver(t, env, body, Forged, 4)
		deliver(t, env, body, Signed, 2)
		closeEnv(t, env)
		if turns, _ := rec.result(); len(turns) != 1 {
			t.Errorf("handler got %d turns, want 1", len(turns))
		}
	})

	t.Run("OversizedBody", func(t *testing.T) {
		rec := &recorder{reply: echo}
		env := h.New(t, rec)
		if env.MaxBody <= 0 {
			t.Fatal("harness did not set Env.MaxBody")
		}
		big := env.Encode(Inbound{ID: "big-1", From: "user-1", Text: strings.Repeat("a", int(env.MaxBody))})
		if code := deliver(t, env, big, Signed, 4); code != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", code)
		}
		closeEnv(t, env)
		expectNothing(t, env, rec)
	})

	t.Run("Malformed", func(t *testing.T) {
		rec := &recorder{reply: echo}
		env := h.New(t, rec)
		bodies := env.Malformed
		if bodies == nil {
			bodies = [][]byte{[]byte("{"), []byte("not json"), []byte(`{"entry": 5}`), []byte(`[1,2`), {0xff, 0xfe}}
		}
		for _, b := range bodies {
			code := deliverCode(t, env, b, Signed)
			if code < 400 || code >= 500 {
				t.Errorf("body %q: status %d, want 4xx", b, code)
			}
		}
		closeEnv(t, env)
		expectNothing(t, env, rec)
	})

	t.Run("Retry429", func(t *testing.T) {
		rec := &recorder{reply: echo}
		env := h.New(t, rec)
		env.Platform.FailNext(Failure{Status: http.StatusTooManyRequests, RetryAfter: time.Second, Reason: "slow down"})
		start := time.Now()
		deliver(t, env, env.Encode(Inbound{ID: "rl-1", From: "user-1", Text: "busy"}), Signed, 2)
		closeEnv(t, env)
		expectSentOnce(t, env, rec, "echo: busy", 2)
		if d := time.Since(start); d < time.Second {
			t.Errorf("retried after %v, before Retry-After of 1s", d)
		}
	})

	t.Run("Retry5xx", func(t *testing.T) {
		rec := &recorder{reply: echo}
		env := h.New(t, rec)
		env.Platform.FailNext(Failure{Status: http.StatusServiceUnavailable, Reason: "try later"})
		deliver(t, env, env.Encode(Inbound{ID: "5xx-1", From: "user-1", Text: "flaky"}), Signed, 2)
		closeEnv(t, env)
		expectSentOnce(t, env, rec, "echo: flaky", 2)
	})

	t.Run("PlatformRejects", func(t *testing.T) {
		rec := &recorder{reply: echo}
		env := h.New(t, rec)
		env.Platform.FailNext(Failure{Status: http.StatusBadRequest, Reason: "recipient is not reachable"})
		deliver(t, env, env.Encode(Inbound{ID: "400-1", From: "user-1", Text: "hi"}), Signed, 2)
		closeEnv(t, env)
		if n := len(env.Platform.Sent()); n != 0 {
			t.Errorf("platform accepted %d messages, want 0", n)
		}
		if n := env.Platform.Attempts(); n != 1 {
			t.Errorf("%d attempts, want 1 (a 400 is not retried)", n)
		}
		_, errs := rec.result()
		if len(errs) != 1 {
			t.Fatalf("got %d reply results, want 1", len(errs))
		}
		var pe *channel.PlatformError
		if !errors.As(errs[0], &pe) {
			t.Fatalf("Reply error %v (%T), want a *channel.PlatformError", errs[0], errs[0])
		}
		if pe.Temporary || !strings.Contains(pe.Reason, "recipient is not reachable") || pe.Channel != h.Channel {
			t.Errorf("PlatformError %+v: want permanent, channel %q, reason with the platform's text", pe, h.Channel)
		}
	})

	t.Run("AfterClose", func(t *testing.T) {
		rec := &recorder{reply: echo}
		env := h.New(t, rec)
		closeEnv(t, env)
		code := deliverCode(t, env, env.Encode(Inbound{ID: "late-1", From: "user-1", Text: "late"}), Signed)
		if code != http.StatusServiceUnavailable {
			t.Errorf("status %d after Close, want 503 so the platform redelivers", code)
		}
		expectNothing(t, env, rec)
	})
}

func deliverCode(t *testing.T, env *Env, body []byte, s Signing) int {
	t.Helper()
	rr := httptest.NewRecorder()
	env.Webhook.ServeHTTP(rr, env.Request(bytes.Clone(body), s))
	return rr.Code
}

// deliver posts body and checks the status class (2 for 2xx, 4 for 4xx).
func deliver(t *testing.T, env *Env, body []byte, s Signing, class int) int {
	t.Helper()
	code := deliverCode(t, env, body, s)
	if code/100 != class {
		t.Fatalf("webhook answered %d, want %dxx", code, class)
	}
	return code
}

func closeEnv(t *testing.T, env *Env) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := env.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func expectNothing(t *testing.T, env *Env, rec *recorder) {
	t.Helper()
	if turns, _ := rec.result(); len(turns) != 0 {
		t.Errorf("handler got %d turns (%q), want none", len(turns), texts(turns))
	}
	if n := len(env.Platform.Sent()); n != 0 {
		t.Errorf("platform got %d messages, want none", n)
	}
}

func expectSentOnce(t *testing.T, env *Env, rec *recorder, text string, attempts int) {
	t.Helper()
	_, errs := rec.result()
	if len(errs) != 1 || errs[0] != nil {
		t.Errorf("reply results %v, want one success", errs)
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
