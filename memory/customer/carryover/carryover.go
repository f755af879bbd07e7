package carryover

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
)

// An Option configures the middleware [Middleware] returns.
type Option func(*config)

type config struct {
	maxAge time.Duration
	allow  func(*parley.Turn) bool
}

// WithMaxAge sets how recent the earlier conversation must be to be
// continued (default 24h).
func WithMaxAge(d time.Duration) Option { return func(c *config) { c.maxAge = d } }

// WithAllow sets a check that must report true for a turn to be carried
// over; privacy.Allowed limits carry-over to customers who consented. By
// default every recognised customer is carried over.
func WithAllow(allow func(*parley.Turn) bool) Option {
	return func(c *config) { c.allow = allow }
}

// Key annotates the first turn of a carried-over conversation with the ID
// of the conversation it continues.
var Key = parley.NewKey[string]("carryover.from")

// Middleware returns the carry-over middleware: on the first turn of a
// new conversation of a known customer it continues their most recent
// conversation in history, if that is recent enough, loading it from
// sessions (where the Bot keeps them). It panics if sessions or history
// is nil.
func Middleware(sessions *memory.Sessions, history *customer.History, opts ...Option) parley.Middleware {
	if sessions == nil || history == nil {
		panic("carryover: Middleware with nil sessions or history")
	}
	cfg := config{maxAge: 24 * time.Hour}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.maxAge <= 0 {
		cfg.maxAge = 24 * time.Hour
	}
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			from, err := carry(ctx, sessions, history, cfg, t)
			if err != nil {
				return err
			}
			if from != "" {
				t = parley.With(t, Key, from)
			}
			return next.HandleTurn(ctx, w, t)
		})
	}
}

// carry continues the customer's last conversation in t's session if t
// starts a new conversation, and returns the continued conversation's ID.
func carry(ctx context.Context, sessions *memory.Sessions, history *customer.History, cfg config, t *parley.Turn) (string, error) {
	s := t.Session()
	if s == nil || t.CustomerID == "" || s.Turns != 1 || (cfg.allow != nil && !cfg.allow(t)) {
		return "", nil
	}
	last, err := history.Last(ctx, t.CustomerID)
	if errors.Is(err, memory.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("carryover: history of %q: %w", t.CustomerID, err)
	}
	if last.Conversation == "" || last.Conversation == t.ConversationID || time.Since(last.Time) > cfg.maxAge {
		return "", nil
	}
	prev, err := sessions.Load(ctx, last.Conversation)
	if errors.Is(err, memory.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("carryover: session %q: %w", last.Conversation, err)
	}
	if prev.CustomerID != t.CustomerID {
		return "", nil // never hand one customer's conversation to another
	}
	continueFrom(s, prev)
	return prev.ID, nil
}

// continueFrom carries a conversation over to another channel: it copies
// src's per-package state (flow position, filled slots) and its recent
// history into dst, a session that has not started yet, so the customer
// continues where they left off. dst keeps its own ID, turn counts and
// de-duplication list.
func continueFrom(dst, src *memory.Session) {
	c := src.Clone()
	dst.State = c.State
	dst.History = append(c.History, dst.History...)
	if dst.CustomerID == "" {
		dst.CustomerID = src.CustomerID
	}
}
