package main

import (
	"context"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/proactive"
)

// optInText confirms a START after a STOP.
const optInText = "Welcome back: you'll get reminders and offers from us again. Type STOP at any time to stop them."

// optIn answers START: a customer who said STOP is opted back in to
// reminders and offers (and this channel's service messages); for anyone
// else START just starts, with the greeting and the menu.
func (r *retention) optIn(start parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.CustomerID == "" {
			return start.HandleTurn(ctx, w, t)
		}
		p, err := r.profiles.LoadOrNew(ctx, t.CustomerID)
		if err != nil {
			return err
		}
		if c, ok := p.ConsentOn(string(proactive.Marketing), t.Channel); !ok || c.Granted {
			return start.HandleTurn(ctx, w, t)
		}
		if err := r.policy.Consent(ctx, t.CustomerID, t.Channel, true, "chat: "+t.Text(), time.Now()); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text(optInText))
	})
}
