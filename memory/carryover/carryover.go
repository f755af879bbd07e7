package carryover

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// Config configures the middleware [New] returns.
type Config struct {
	// Sessions is where the Bot keeps sessions. Required.
	Sessions *memory.Sessions
	// History is the customers' cross-channel history. Required.
	History *memory.History
	// MaxAge is how recent the earlier conversation must be to be
	// continued (default 24h).
	MaxAge time.Duration
	// Allow, if set, must report true for a turn to be carried over;
	// privacy.Allowed limits carry-over to customers who consented.
	Allow func(*parley.Turn) bool
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Key annotates the first turn of a carried-over conversation with the ID
// of the conversation it continues.
var Key = parley.NewKey[string]("carryover.from")

// New returns the carry-over middleware, or an error if cfg lacks a
// required field.
func New(cfg Config) (parley.Middleware, error) {
	if cfg.Sessions == nil || cfg.History == nil {
		return nil, errors.New("carryover: Sessions and History are required")
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			from, err := carry(ctx, cfg, t)
			if err != nil {
				return err
			}
			if from != "" {
				t = parley.With(t, Key, from)
			}
			return next.HandleTurn(ctx, w, t)
		})
	}, nil
}

// carry continues the customer's last conversation in t's session if t
// starts a new conversation, and returns the continued conversation's ID.
func carry(ctx context.Context, cfg Config, t *parley.Turn) (string, error) {
	s := t.Session()
	if s == nil || t.CustomerID == "" || s.Turns != 1 || (cfg.Allow != nil && !cfg.Allow(t)) {
		return "", nil
	}
	last, err := cfg.History.Last(ctx, t.CustomerID)
	if errors.Is(err, memory.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("carryover: history of %q: %w", t.CustomerID, err)
	}
	if last.Conversation == "" || last.Conversation == t.ConversationID || cfg.Now().Sub(last.Time) > cfg.MaxAge {
		return "", nil
	}
	prev, err := cfg.Sessions.Load(ctx, last.Conversation)
	if errors.Is(err, memory.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("carryover: session %q: %w", last.Conversation, err)
	}
	if prev.CustomerID != t.CustomerID {
		return "", nil // never hand one customer's conversation to another
	}
	memory.ContinueFrom(s, prev)
	return prev.ID, nil
}
