package parleytest

import (
	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// DefaultConversation is the conversation ID of turns from [NewTurn] and
// of a [Tester]'s conversation unless [WithConversation] says otherwise.
const DefaultConversation = "test-conversation"

// An Option configures [NewTurn] and [NewTester]. Options that concern
// only a Tester (such as [WithBotOptions]) are ignored by NewTurn.
type Option func(*config)

type config struct {
	conv, customer, channel, locale string
	session                         *memory.Session
	store                           memory.Store
	botOpts                         []parley.Option
}

func newConfig(opts []Option) config {
	c := config{conv: DefaultConversation, channel: "test"}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithConversation sets the conversation ID (default
// [DefaultConversation]).
func WithConversation(id string) Option { return func(c *config) { c.conv = id } }

// WithCustomer sets the customer ID of the turns.
func WithCustomer(id string) Option { return func(c *config) { c.customer = id } }

// WithChannel sets the channel name of the turns (default "test").
func WithChannel(name string) Option { return func(c *config) { c.channel = name } }

// WithLocale sets the locale of the turns, a BCP 47 tag such as "es-MX".
func WithLocale(tag string) Option { return func(c *config) { c.locale = tag } }

// WithSession gives [NewTurn] the session to attach instead of a new
// in-memory one, so that several turns share a conversation's state.
func WithSession(s *memory.Session) Option { return func(c *config) { c.session = s } }

// WithStore makes a [Tester]'s Bot keep sessions in store, so that two
// Testers can share one (a restart, or two channels of one customer).
func WithStore(store memory.Store) Option { return func(c *config) { c.store = store } }

// WithBotOptions passes options to the [parley.Bot] a [Tester] runs.
func WithBotOptions(opts ...parley.Option) Option {
	return func(c *config) { c.botOpts = append(c.botOpts, opts...) }
}

// NewTurn returns a text turn, as httptest.NewRequest returns a request,
// for calling a handler directly: conversation [DefaultConversation],
// channel "test", and a new session kept in memory (or the one given with
// [WithSession]).
//
//	rec := parleytest.NewRecorder()
//	err := h.HandleTurn(ctx, rec, parleytest.NewTurn("I want a refund"))
//
// The turn has no MessageID and a zero Time, as a handler outside a Bot
// sees them when the test does not set them.
func NewTurn(text string, opts ...Option) *parley.Turn {
	c := newConfig(opts)
	s := c.session
	if s == nil {
		s = memory.NewSessions(memory.NewMap()).New(c.conv)
		s.CustomerID = c.customer
	}
	t := &parley.Turn{
		ConversationID: c.conv,
		CustomerID:     c.customer,
		Channel:        c.channel,
		Locale:         c.locale,
		Message:        parley.Text(text),
	}
	return t.WithSession(s)
}
