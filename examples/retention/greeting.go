package main

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/memory"
	custprofile "github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/nlu"
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

// firstKey names, in a conversation, the customer whose first
// conversation with us it is (their profile was marked in it): a
// greeting later in it is "Hi again", not "Welcome back". It lasts as
// long as the conversation (a restart with a durable store continues
// it); a demo switch clears it, so a customer switched back to is
// welcomed back.
var firstKey = memory.NewStateKey[string]("example.first")

// firstConversation is the context key under which noteTalked tells the
// greeting that the turn belongs to its customer's first conversation.
type firstConversation struct{}

// How the main flow greets a customer (greeting).
const (
	greetNew   = ""      // never talked to us: an introduction
	greetAgain = "again" // earlier in this conversation, their first
	greetBack  = "back"  // in an earlier conversation: "Welcome back"
)

// noteTalked marks the profile of a customer who wrote a message, after
// the bot answered it: the greeting of that first message is still an
// introduction. It tells the greeting, through the turn's context,
// whether the conversation is the customer's first.
func noteTalked(profiles *custprofile.Profiles) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			s := t.Session()
			if s == nil || t.CustomerID == "" || t.Signal != nil {
				return next.HandleTurn(ctx, w, t)
			}
			if first, _, _ := firstKey.Get(s); first == t.CustomerID {
				ctx = context.WithValue(ctx, firstConversation{}, true)
			}
			if err := next.HandleTurn(ctx, w, t); err != nil {
				return err
			}
			if done, _, _ := talkedKey.Get(s); done {
				return nil
			}
			fresh := false
			if _, err := profiles.Update(ctx, t.CustomerID, func(p *custprofile.Profile) error {
				if p.Custom == nil {
					p.Custom = map[string]string{}
				}
				fresh = p.Custom[fieldTalked] == ""
				p.Custom[fieldTalked] = "yes"
				return nil
			}); err != nil {
				return err
			}
			if fresh {
				if err := firstKey.Set(s, t.CustomerID); err != nil {
					return err
				}
			}
			return talkedKey.Set(s, true)
		})
	}
}

// greeting tells how to greet customerID: greetNew for a customer who
// never talked to the bot before this message (and an anonymous
// visitor), greetAgain later in their first conversation, greetBack for
// one who talked to us in an earlier conversation.
func greeting(profiles *custprofile.Profiles) func(ctx context.Context, customerID string) (string, error) {
	return func(ctx context.Context, customerID string) (string, error) {
		if customerID == "" {
			return greetNew, nil
		}
		p, err := profiles.Load(ctx, customerID)
		if errors.Is(err, memory.ErrNotFound) {
			return greetNew, nil
		}
		if err != nil {
			return greetNew, err
		}
		switch {
		case p.Custom[fieldTalked] == "":
			return greetNew, nil
		case ctx.Value(firstConversation{}) == true:
			return greetAgain, nil
		}
		return greetBack, nil
	}
}

// teamHours are the hours the help centre states (faq.go "hours"):
// Monday to Friday 8am-8pm, Saturday 10am-4pm, Eastern. Outside them a
// hand-off says when the team is back and offers a call-back within
// them, rather than "a person will be with you soon" to an empty queue.
func teamHours() escalation.Hours {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		loc = time.FixedZone("EST", -5*3600) // no zone database: Eastern standard time
	}
	return escalation.Hours{Location: loc, Open: 8, Close: 20,
		Days:   []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		Except: map[time.Weekday][2]int{time.Saturday: {10, 16}}}
}

// profileSource looks up the demo shop's view of a customer (shop.go).
type profileSource interface {
	Profile(ctx context.Context, id string) (map[string]string, error)
}

// greetMidForm answers a lone greeting ("hola", "hi") while a form waits
// for an answer with a greeting and the form's question again: it
// restarted the conversation at the menu, dropping the form (a
// refund's amount, an address) the customer was filling in.
func greetMidForm(forms dialog.Resumer, profiles profileSource) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			q, open := dialog.OpenQuestion(t)
			u, ok := parley.Value(t, nlu.UnderstandingKey)
			if t.Signal != nil || !open || q.Policy != dialog.Resume || q.Owner != flow.DefaultOwner ||
				!ok || u.Status != nlu.Understood || u.Intent.Name != "greeting" || len(u.Then) > 0 || len(u.Entities) > 0 ||
				len(strings.Fields(t.Text())) > 4 {
				return next.HandleTurn(ctx, w, t)
			}
			if _, cmd := parley.Value(t, dialog.CommandKey); cmd {
				return next.HandleTurn(ctx, w, t)
			}
			name := "there"
			if p, err := profiles.Profile(ctx, t.CustomerID); err == nil && p["first_name"] != "" {
				name = p["first_name"]
			}
			if err := dialog.Report(t, dialog.Served); err != nil {
				return err
			}
			if err := w.Reply(ctx, parley.Text("Hi again, "+name+"!")); err != nil {
				return err
			}
			return forms.Resume(ctx, w, t, q)
		})
	}
}
