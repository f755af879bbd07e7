package bottest

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/memory"
)

// Epoch returns the time a [Tester]'s clock starts at by default: Monday
// 5 January 2026, 09:00 UTC.
func Epoch() time.Time { return time.Date(2026, time.January, 5, 9, 0, 0, 0, time.UTC) }

// A Tester plays the user in one conversation with a bot and checks what
// the bot does. Create one with [New].
type Tester struct {
	tb       testing.TB
	bot      *parley.Bot
	store    *memory.Map
	sessions *memory.Sessions
	conv     string
	customer string
	channel  string
	locale   string
	seq      int
	id       string // unique per Tester, so Testers sharing a store never reuse message IDs

	mu         sync.Mutex
	now        time.Time
	lines      []string
	last       []parley.Message
	events     []parley.Event
	handoffs   []parley.HandoffRequest
	botOpts    []parley.Option
	typing     int
	lastUserID string
}

// An Option configures a [Tester].
type Option func(*Tester)

// WithCustomer sets the customer ID of the turns.
func WithCustomer(id string) Option { return func(c *Tester) { c.customer = id } }

// WithChannel sets the channel name of the turns (default "test").
func WithChannel(name string) Option { return func(c *Tester) { c.channel = name } }

// WithConversation sets the conversation ID (default "test-conversation").
func WithConversation(id string) Option { return func(c *Tester) { c.conv = id } }

// WithLocale sets the locale of the turns.
func WithLocale(tag string) Option { return func(c *Tester) { c.locale = tag } }

// WithStart sets the clock's start time (default [Epoch]).
func WithStart(t time.Time) Option { return func(c *Tester) { c.now = t } }

// WithStore makes the Tester's Bot keep sessions in m, so that two Testers
// can share a store (a restart test, or two channels of one customer).
func WithStore(m *memory.Map) Option { return func(c *Tester) { c.store = m } }

// WithBotOptions passes options to the [parley.Bot] the Tester runs.
func WithBotOptions(opts ...parley.Option) Option {
	return func(c *Tester) { c.botOpts = append(c.botOpts, opts...) }
}

// New returns a Tester that runs h inside a [parley.Bot] with an in-memory
// store and the Tester's clock.
func New(tb testing.TB, h parley.Handler, opts ...Option) *Tester {
	tb.Helper()
	c := &Tester{tb: tb, conv: "test-conversation", channel: "test", now: Epoch(), id: uuid.NewString()[:8]}
	for _, o := range opts {
		o(c)
	}
	if c.store == nil {
		c.store = memory.NewMap(memory.WithMapClock(c.clock))
	}
	c.sessions = memory.NewSessions(c.store, memory.WithSessionClock(c.clock))
	bo := []parley.Option{
		parley.WithSessions(c.sessions),
		parley.WithClock(c.clock),
		parley.WithObserver(parley.ObserverFunc(c.observe)),
	}
	c.bot = parley.NewBot(h, append(bo, c.botOpts...)...)
	tb.Cleanup(func() {
		if err := c.bot.Shutdown(context.Background()); err != nil {
			tb.Errorf("bottest: shutdown: %v", err)
		}
	})
	return c
}

func (c *Tester) clock() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *Tester) observe(_ context.Context, e parley.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, e)
}

// Now returns the Tester's clock.
func (c *Tester) Now() time.Time { return c.clock() }

// Advance moves the clock forward by d.
func (c *Tester) Advance(d time.Duration) *Tester {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	c.lines = append(c.lines, "~ "+d.String())
	return c
}

// HandOffer returns a [parley.HandOffer] that records requests for
// [Tester.ExpectHandoff] and tells the user they are being connected.
// Give it to the bot under test (flow.WithHandOffer).
func (c *Tester) HandOffer() parley.HandOffer {
	return parley.HandOfferFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, r parley.HandoffRequest) error {
		c.mu.Lock()
		c.handoffs = append(c.handoffs, r)
		c.mu.Unlock()
		return w.Reply(ctx, parley.Text("Connecting you with a person now. They'll see our conversation so far."))
	})
}

// Send delivers a user message and records the bot's replies.
func (c *Tester) Send(text string) *Tester {
	c.tb.Helper()
	c.lines = append(c.lines, "> "+text)
	return c.deliver(&parley.Turn{Message: parley.Text(text)})
}

// Resend delivers the previous user message again with the same message
// ID, as a platform redelivering a webhook does.
func (c *Tester) Resend() *Tester {
	c.tb.Helper()
	if c.lastUserID == "" {
		c.fail("Resend before any Send")
	}
	text := ""
	for i := len(c.lines) - 1; i >= 0; i-- {
		if s, ok := strings.CutPrefix(c.lines[i], "> "); ok {
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
	for i := len(c.last) - 1; i >= 0; i-- {
		for _, q := range c.last[i].QuickReplies {
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

// Deliver delivers a turn built elsewhere, such as a hand-off lifecycle
// turn from an agent desk. Empty conversation, customer and channel fields
// are filled in from the Tester; its clock sets the time.
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
	if t2.ConversationID == "" {
		t2.ConversationID = c.conv
	}
	if t2.CustomerID == "" {
		t2.CustomerID = c.customer
	}
	if t2.Channel == "" {
		t2.Channel = c.channel
	}
	return c.deliver(&t2)
}

func (c *Tester) deliver(t *parley.Turn) *Tester {
	c.tb.Helper()
	c.mu.Lock()
	c.now = c.now.Add(time.Second)
	c.mu.Unlock()
	if t.MessageID == "" {
		c.seq++
		t.MessageID = fmt.Sprintf("%s-m%d", c.id, c.seq)
		if t.Signal == nil {
			c.lastUserID = t.MessageID
		}
	}
	if t.ConversationID == "" {
		t.ConversationID, t.CustomerID, t.Channel = c.conv, c.customer, c.channel
	}
	if t.Locale == "" {
		t.Locale = c.locale
	}
	t.Time = c.clock()
	rec := &recorder{c: c}
	if err := c.bot.HandleTurn(context.Background(), rec, t); err != nil {
		c.fail("turn failed: %v", err)
	}
	c.last = rec.msgs
	for _, m := range rec.msgs {
		c.lines = append(c.lines, renderReply(m)...)
	}
	return c
}

type recorder struct {
	c    *Tester
	msgs []parley.Message
}

// Reply implements [parley.ReplyWriter].
func (r *recorder) Reply(_ context.Context, m parley.Message) error {
	r.msgs = append(r.msgs, m)
	return nil
}

// Typing implements [parley.Typer].
func (r *recorder) Typing(context.Context) error {
	r.c.typing++
	return nil
}

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

// Transcript returns the conversation so far: "> " lines for the user,
// "< " for the bot, "[a | b]" for quick replies, "! " for signals and
// "~ " for clock moves.
func (c *Tester) Transcript() string { return strings.Join(c.lines, "\n") }

func (c *Tester) fail(format string, args ...any) {
	c.tb.Helper()
	c.tb.Fatalf("bottest: "+format+"\n--- transcript ---\n%s\n------------------", append(args, c.Transcript())...)
}

// Replies returns the bot's replies to the last turn.
func (c *Tester) Replies() []parley.Message { return slices.Clone(c.last) }

// Events returns every event the bot emitted so far.
func (c *Tester) Events() []parley.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events)
}

// Session returns the conversation's stored session.
func (c *Tester) Session() *memory.Session {
	c.tb.Helper()
	s, err := c.sessions.Load(context.Background(), c.conv)
	if err != nil {
		c.fail("load session: %v", err)
	}
	return s
}

// Store returns the Tester's store.
func (c *Tester) Store() *memory.Map { return c.store }

// A Matcher checks one reply.
type Matcher struct {
	desc  string
	match func(parley.Message) bool
}

// String implements fmt.Stringer.
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

// Expect checks that the bot's replies to the last turn include, in order,
// a reply matching each matcher.
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

// ExpectQuickReplies checks the quick-reply titles of the bot's last reply
// that has any.
func (c *Tester) ExpectQuickReplies(titles ...string) *Tester {
	c.tb.Helper()
	for i := len(c.last) - 1; i >= 0; i-- {
		if qs := c.last[i].QuickReplies; len(qs) > 0 {
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
	c.fail("expected quick replies %q, the last replies have none", titles)
	return c
}

func (c *Tester) snapshot() flow.Snapshot {
	c.tb.Helper()
	s, err := flow.SnapshotOf(c.Session())
	if err != nil {
		c.fail("read flow state: %v", err)
	}
	return s
}

// ExpectNode checks that the conversation's flow is at node id.
func (c *Tester) ExpectNode(id string) *Tester {
	c.tb.Helper()
	if s := c.snapshot(); s.Node != id {
		c.fail("flow at node %q (flow %q), want %q", s.Node, s.Flow, id)
	}
	return c
}

// ExpectFlow checks that the conversation is in the named flow ("" for
// none).
func (c *Tester) ExpectFlow(name string) *Tester {
	c.tb.Helper()
	if s := c.snapshot(); s.Flow != name {
		c.fail("in flow %q, want %q", s.Flow, name)
	}
	return c
}

// ExpectSlot checks a slot of the current flow.
func (c *Tester) ExpectSlot(name, value string) *Tester {
	c.tb.Helper()
	if got := c.snapshot().Slots[name]; got != value {
		c.fail("slot %q = %q, want %q", name, got, value)
	}
	return c
}

// ExpectStatus checks the resolution of the most recently ended flow.
func (c *Tester) ExpectStatus(r flow.Resolution) *Tester {
	c.tb.Helper()
	if s := c.snapshot(); s.Last != r {
		c.fail("last flow %q ended %q, want %q", s.LastFlow, s.Last, r)
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
		if e.Kind != k {
			continue
		}
		ok := true
		for key, v := range attrs {
			if e.Attrs[key] != v {
				ok = false
			}
		}
		if ok {
			return c
		}
	}
	c.fail("expected event %q with %v", k, attrs)
	return c
}
