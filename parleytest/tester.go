package parleytest

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/memory"
)

// A Tester plays the customer in one conversation with any
// [parley.Handler], run inside a [parley.Bot] with an in-memory store
// (or the one given with [WithStore]), and checks what the bot does. A
// failed check stops the test and prints the transcript so far. Create
// one with [NewTester].
//
// Time is the test's own: run the test inside [synctest.Test], and
// [Tester.Advance] moves hours of flow time (waits, TTLs, reminders) in
// no real time.
//
// A Tester is for one goroutine, like testing.T's assertion helpers.
type Tester struct {
	tb       testing.TB
	bot      *parley.Bot
	store    memory.Store
	sessions *memory.Sessions
	cfg      config
	seq      int
	id       string // unique per Tester, so Testers sharing a store never reuse message IDs

	lines      []string
	last       []parley.Message
	lastUserID string

	mu       sync.Mutex // guards what the bot reports from its goroutines
	events   []parley.Event
	handoffs []dialog.HandoffRequest
}

// NewTester returns a Tester that runs h inside a new [parley.Bot] and
// shuts the Bot down when the test ends.
func NewTester(tb testing.TB, h parley.Handler, opts ...Option) *Tester {
	tb.Helper()
	c := &Tester{tb: tb, cfg: newConfig(opts), id: uuid.NewString()[:8]}
	c.store = c.cfg.store
	if c.store == nil {
		c.store = memory.NewMap()
	}
	c.sessions = memory.NewSessions(c.store)
	bo := []parley.Option{
		parley.WithSessions(c.sessions),
		parley.WithObserver(parley.ObserverFunc(c.observe)),
	}
	c.bot = parley.NewBot(h, append(bo, c.cfg.botOpts...)...)
	tb.Cleanup(func() {
		if err := c.bot.Shutdown(context.Background()); err != nil {
			tb.Errorf("parleytest: shutdown: %v", err)
		}
	})
	return c
}

func (c *Tester) observe(_ context.Context, e parley.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, e)
}

// Bot returns the Bot the Tester runs.
func (c *Tester) Bot() *parley.Bot { return c.bot }

// Store returns the store of the Tester's sessions.
func (c *Tester) Store() memory.Store { return c.store }

// HandOffer returns a [dialog.HandOffer] that records requests for
// [Tester.ExpectHandoff] and tells the customer they are being connected.
// Give it to the handler under test.
func (c *Tester) HandOffer() dialog.HandOffer {
	return dialog.HandOfferFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, r dialog.HandoffRequest) error {
		c.mu.Lock()
		c.handoffs = append(c.handoffs, r)
		c.mu.Unlock()
		return w.Reply(ctx, parley.Text("Connecting you with a person now. They'll see our conversation so far."))
	})
}

// Send delivers a customer message and records the bot's replies.
func (c *Tester) Send(text string) *Tester {
	c.tb.Helper()
	c.lines = append(c.lines, "> "+text)
	return c.deliver(&parley.Turn{Message: parley.Text(text)})
}

// Resend delivers the previous customer message again with the same
// message ID, as a platform redelivering a webhook does.
func (c *Tester) Resend() *Tester {
	c.tb.Helper()
	if c.lastUserID == "" {
		c.fail("Resend before any Send")
	}
	text := ""
	for _, l := range slices.Backward(c.lines) {
		if s, ok := strings.CutPrefix(l, "> "); ok {
			text = s
			break
		}
	}
	c.lines = append(c.lines, "> "+text+"  (redelivered)")
	return c.deliver(&parley.Turn{Message: parley.Text(text), MessageID: c.lastUserID})
}

// Tap taps the quick reply titled title on the bot's last replies,
// sending its payload. It fails if there is no such quick reply.
func (c *Tester) Tap(title string) *Tester {
	c.tb.Helper()
	for _, m := range slices.Backward(c.last) {
		for _, q := range m.QuickReplies {
			if q.Title == title {
				c.lines = append(c.lines, "> ["+title+"]")
				return c.deliver(&parley.Turn{Message: parley.Text(q.Value())})
			}
		}
	}
	c.fail("no quick reply %q on the last replies", title)
	return c
}

// Signal delivers a non-message turn.
func (c *Tester) Signal(name string, data map[string]string) *Tester {
	c.tb.Helper()
	c.lines = append(c.lines, "! "+name)
	return c.deliver(&parley.Turn{Signal: &parley.Signal{Name: name, Data: data}})
}

// Deliver delivers a turn built elsewhere, such as an agent's message
// from a desk. Empty conversation, customer and channel fields are filled
// in from the Tester.
func (c *Tester) Deliver(t *parley.Turn) *Tester {
	c.tb.Helper()
	label := "! turn"
	switch {
	case t.Signal != nil:
		label = "! " + t.Signal.Name
	case t.Text() != "":
		label = "> " + t.Text()
	}
	c.lines = append(c.lines, label)
	t2 := *t
	return c.deliver(&t2)
}

// Advance lets d pass on the test's clock. It needs the test to run
// inside [synctest.Test], where the wait costs no real time; outside a
// bubble it fails the test rather than sleep for real.
func (c *Tester) Advance(d time.Duration) *Tester {
	c.tb.Helper()
	if !inBubble() {
		c.fail("Advance(%v) outside a synctest bubble: run the test in synctest.Test", d)
	}
	time.Sleep(d)
	synctest.Wait() // let timers that fired do their work
	c.lines = append(c.lines, "~ "+d.String())
	return c
}

// inBubble reports whether the caller runs inside a synctest bubble:
// synctest.Wait panics outside one.
func inBubble() (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	synctest.Wait()
	return true
}

func (c *Tester) deliver(t *parley.Turn) *Tester {
	c.tb.Helper()
	if t.MessageID == "" {
		c.seq++
		t.MessageID = fmt.Sprintf("%s-m%d", c.id, c.seq)
		if t.Signal == nil {
			c.lastUserID = t.MessageID
		}
	}
	if t.ConversationID == "" {
		t.ConversationID = c.cfg.conv
	}
	if t.CustomerID == "" {
		t.CustomerID = c.cfg.customer
	}
	if t.Channel == "" {
		t.Channel = c.cfg.channel
	}
	if t.Locale == "" {
		t.Locale = c.cfg.locale
	}
	rec := NewRecorder()
	if err := c.bot.HandleTurn(context.Background(), rec, t); err != nil {
		c.fail("turn failed: %v", err)
	}
	c.last = rec.Messages()
	for _, m := range c.last {
		c.lines = append(c.lines, renderReply(m)...)
	}
	return c
}

// renderReply writes a reply as transcript lines: "< text" per line of
// text, "< {card: title}", "< {kind: name}" and "< [a | b]" for quick
// replies.
func renderReply(m parley.Message) []string {
	var out []string
	if m.Text != "" {
		for _, l := range strings.Split(m.Text, "\n") {
			out = append(out, strings.TrimRight("< "+l, " "))
		}
	}
	for _, card := range m.Cards {
		out = append(out, "< {card: "+card.Title+"}")
	}
	for _, a := range m.Attachments {
		out = append(out, "< {"+string(a.Kind)+": "+a.Name+a.URL+"}")
	}
	if len(m.QuickReplies) > 0 {
		ts := make([]string, len(m.QuickReplies))
		for i, q := range m.QuickReplies {
			ts[i] = q.Title
		}
		out = append(out, "< ["+strings.Join(ts, " | ")+"]")
	}
	return out
}

// Transcript returns the conversation so far: "> " lines for the
// customer ("> [Title]" for a tapped quick reply), "< " for the bot,
// "! " for signals and "~ " for time passing.
func (c *Tester) Transcript() string { return strings.Join(c.lines, "\n") }

func (c *Tester) fail(format string, args ...any) {
	c.tb.Helper()
	c.tb.Fatalf("parleytest: "+format+"\n--- transcript ---\n%s\n------------------", append(args, c.Transcript())...)
}

// Replies returns the bot's replies to the last turn.
func (c *Tester) Replies() []parley.Message { return slices.Clone(c.last) }

// Texts returns the texts of the bot's replies to the last turn.
func (c *Tester) Texts() []string {
	out := make([]string, len(c.last))
	for i, m := range c.last {
		out[i] = m.Text
	}
	return out
}

// Events returns every event the bot emitted so far.
func (c *Tester) Events() []parley.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events)
}

// Session returns the conversation's stored session.
func (c *Tester) Session() *memory.Session {
	c.tb.Helper()
	s, err := c.sessions.Load(context.Background(), c.cfg.conv)
	if err != nil {
		c.fail("load session: %v", err)
	}
	return s
}

// A Matcher checks one reply.
type Matcher struct {
	desc  string
	match func(parley.Message) bool
}

// String describes what the Matcher matches.
func (m Matcher) String() string { return m.desc }

// Exact matches a reply whose text is s.
func Exact(s string) Matcher {
	return Matcher{fmt.Sprintf("text %q", s), func(m parley.Message) bool { return m.Text == s }}
}

// Contains matches a reply whose text contains s, ignoring case.
func Contains(s string) Matcher {
	ls := strings.ToLower(s)
	return Matcher{fmt.Sprintf("text containing %q", s), func(m parley.Message) bool {
		return strings.Contains(strings.ToLower(m.Text), ls)
	}}
}

// Matches matches a reply whose text matches the regular expression re.
// It panics if re does not compile, a bug in the test.
func Matches(re string) Matcher {
	r := regexp.MustCompile(re)
	return Matcher{fmt.Sprintf("text matching /%s/", re), func(m parley.Message) bool { return r.MatchString(m.Text) }}
}

// Expect checks that the bot's replies to the last turn include, in
// order, a reply matching each matcher.
func (c *Tester) Expect(ms ...Matcher) *Tester {
	c.tb.Helper()
	i := 0
	for _, m := range ms {
		for i < len(c.last) && !m.match(c.last[i]) {
			i++
		}
		if i == len(c.last) {
			c.fail("expected a reply with %s", m)
		}
		i++
	}
	return c
}

// ExpectNoReply checks that the bot said nothing to the last turn.
func (c *Tester) ExpectNoReply() *Tester {
	c.tb.Helper()
	if len(c.last) > 0 {
		c.fail("expected no reply, got %d", len(c.last))
	}
	return c
}

// ExpectQuickReplies checks the quick-reply titles of the bot's last
// reply that has any; with no titles, it checks that no reply to the last
// turn has quick replies.
func (c *Tester) ExpectQuickReplies(titles ...string) *Tester {
	c.tb.Helper()
	for _, m := range slices.Backward(c.last) {
		if qs := m.QuickReplies; len(qs) > 0 {
			got := make([]string, len(qs))
			for j, q := range qs {
				got[j] = q.Title
			}
			if !slices.Equal(got, titles) {
				c.fail("quick replies: got %q, want %q", got, titles)
			}
			return c
		}
	}
	if len(titles) > 0 {
		c.fail("expected quick replies %q, the last replies have none", titles)
	}
	return c
}

// ExpectHandoff checks that a hand-off was requested through
// [Tester.HandOffer] with a reason containing reason.
func (c *Tester) ExpectHandoff(reason string) *Tester {
	c.tb.Helper()
	c.mu.Lock()
	hs := slices.Clone(c.handoffs)
	c.mu.Unlock()
	for _, h := range hs {
		if strings.Contains(h.Reason, reason) {
			return c
		}
	}
	c.fail("expected a hand-off with reason containing %q, got %v", reason, hs)
	return c
}

// ExpectEvent checks that the bot emitted an event of kind k whose
// attributes include attrs.
func (c *Tester) ExpectEvent(k parley.EventKind, attrs map[string]string) *Tester {
	c.tb.Helper()
	for _, e := range c.Events() {
		if e.Kind == k && hasAttrs(e, attrs) {
			return c
		}
	}
	c.fail("expected event %q with %v", k, attrs)
	return c
}

func hasAttrs(e parley.Event, attrs map[string]string) bool {
	for key, v := range attrs {
		if e.Attrs[key] != v {
			return false
		}
	}
	return true
}

// A Check inspects the conversation after a turn and returns an error
// saying what is wrong, or nil. Packages with state of their own provide
// Checks (package flow/flowtest checks the flow's node and slots).
type Check func(c *Tester) error

// Check runs checks in order and fails at the first error.
func (c *Tester) Check(checks ...Check) *Tester {
	c.tb.Helper()
	for _, ch := range checks {
		if err := ch(c); err != nil {
			c.fail("%v", err)
		}
	}
	return c
}
