package main

import (
	"context"
	"errors"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	custprofile "github.com/parleyhq/parley/memory/customer"
)

// fieldTalked marks, on the customer's profile, that they have talked to
// the bot before: the greeting is then "Welcome back" rather than an
// introduction, in any conversation (after a restart with a durable
// store, or when the demo switches back to them), and an erased customer
// is greeted as new.
const fieldTalked = "talked"

// talkedKey notes in the conversation that its customer's profile is
// marked already, so the profile is written once per conversation (and
// once more after the demo switches customers, which clears it).
var talkedKey = memory.NewStateKey[bool]("example.talked")

// noteTalked marks the profile of a customer who wrote a message, after
// the bot answered it: the greeting of that first message is still an
// introduction.
func noteTalked(profiles *custprofile.Profiles) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if err := next.HandleTurn(ctx, w, t); err != nil {
				return err
			}
			s := t.Session()
			if s == nil || t.CustomerID == "" || t.Signal != nil {
				return nil
			}
			if done, _, _ := talkedKey.Get(s); done {
				return nil
			}
			if _, err := profiles.Update(ctx, t.CustomerID, func(p *custprofile.Profile) error {
				if p.Custom == nil {
					p.Custom = map[string]string{}
				}
				p.Custom[fieldTalked] = "yes"
				return nil
			}); err != nil {
				return err
			}
			return talkedKey.Set(s, true)
		})
	}
}

// talkedBefore reports whether customerID talked to the bot before this
// message. An anonymous visitor is always new.
func talkedBefore(profiles *custprofile.Profiles) func(ctx context.Context, customerID string) (bool, error) {
	return func(ctx context.Context, customerID string) (bool, error) {
		if customerID == "" {
			return false, nil
		}
		p, err := profiles.Load(ctx, customerID)
		if errors.Is(err, memory.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return p.Custom[fieldTalked] != "", nil
	}
}
