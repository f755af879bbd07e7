package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/i18n"
	"github.com/parleyhq/parley/memory"
)

// Switching demo customers: "/as ben" in the terminal, or the selector on
// the demo page (a "demo_customer" page event from the widget), makes the
// conversation's later turns come from that customer, as if they had
// signed in. The choice is kept in the store, so it survives a restart.

// demoPersona is a demo customer and what trying them shows.
type demoPersona struct {
	ID, Name, Shows string
}

// demoPersonas are the customers the demo can be, in selector order.
var demoPersonas = []demoPersona{
	{"cus_ada", "Ada Lovelace", "London, gold tier. Her Monthly Plus plan renews in a week (\"renew my plan\"); order A-1010 has not shipped, so its address can still change; she said yes to tips, so campaigns reach her (try an abandoned cart)."},
	{"cus_ben", "Ben Okafor", "New York, phone number on file: a call-back offers New York times and does not ask for his number. He never said yes to marketing, so an abandoned cart or a churn risk sends him nothing (the simulator's log says why), while his order's thank-you asks."},
}

// signalDemoCustomer is the widget's page event that switches customers;
// its data names the customer ("customer").
const signalDemoCustomer = "demo_customer"

// demoKey is where the conversation's chosen customer is kept.
func demoKey(conv string) string { return "demo/as/" + conv }

// persona finds a demo customer by ID or first name.
func persona(who string) (demoPersona, bool) {
	who = strings.ToLower(strings.TrimSpace(who))
	i := slices.IndexFunc(demoPersonas, func(p demoPersona) bool {
		first, _, _ := strings.Cut(strings.ToLower(p.Name), " ")
		return who == p.ID || who == first
	})
	if i < 0 {
		return demoPersona{}, false
	}
	return demoPersonas[i], true
}

// switchCustomer makes conv's later turns come from customer who and
// says who they are now.
func (a *app) switchCustomer(ctx context.Context, conv, who string) (string, error) {
	p, ok := persona(who)
	if !ok {
		var names []string
		for _, p := range demoPersonas {
			first, _, _ := strings.Cut(p.Name, " ")
			names = append(names, strings.ToLower(first))
		}
		return "", fmt.Errorf("no demo customer %q: try %s", strings.TrimSpace(who), strings.Join(names, " or "))
	}
	if _, err := a.store.Set(ctx, memory.Put{Key: demoKey(conv), Value: []byte(p.ID), IfVersion: memory.AnyVersion}); err != nil {
		return "", err
	}
	return "You're now " + p.Name + " (demo). " + p.Shows, nil
}

// demoCustomerOf returns the customer conv switched to, or "".
func (a *app) demoCustomerOf(ctx context.Context, conv string) (string, error) {
	if conv == "" {
		return "", nil
	}
	rec, err := a.store.Get(ctx, demoKey(conv))
	if errors.Is(err, memory.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return string(rec.Value), nil
}

// demoSignIn stands in for the application's login: a conversation that
// switched customers is that customer's; turns from anonymous visitors
// otherwise belong to the demo customer. It answers the page's
// "demo_customer" event itself.
func (a *app) demoSignIn(customerID string) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if t.Signal != nil && t.Signal.Name == signalDemoCustomer {
				if t.Signal.Data["on"] == "load" {
					// The page reminds the conversation of its selector's
					// choice when it loads: quiet unless that changes who
					// the conversation is.
					as, err := a.demoCustomerOf(ctx, t.ConversationID)
					if err != nil {
						return err
					}
					if p, ok := persona(t.Signal.Data["customer"]); !ok || p.ID == cmp.Or(as, customerID) {
						return nil
					}
				}
				text, err := a.switchCustomer(ctx, t.ConversationID, t.Signal.Data["customer"])
				if err != nil {
					text = err.Error()
				} else if err := a.freshConversation(ctx, t, t.Signal.Data["customer"]); err != nil {
					return err
				}
				return w.Reply(ctx, parley.Text(text))
			}
			as, err := a.demoCustomerOf(ctx, t.ConversationID)
			if err != nil {
				return err
			}
			switch {
			case as != "" && as != t.CustomerID:
				t2 := *t
				t2.CustomerID = as
				t = &t2
			case t.CustomerID == "" && customerID != "":
				t2 := *t
				t2.CustomerID = customerID
				t = &t2
			}
			return next.HandleTurn(ctx, w, t)
		})
	}
}

// outboxState is the session state the Bot keeps the conversation's
// recorded but unsent replies in: it is the channel's, not the
// customer's, and survives a switch.
const outboxState = "parley.outbox"

// freshConversation starts the conversation afresh for the demo customer
// who, as a sign-in would: the previous customer's question, flow, mood,
// escalation state, language and history are not theirs. The language is
// the one on the new customer's profile, if any (else the first message
// decides).
func (a *app) freshConversation(ctx context.Context, t *parley.Turn, who string) error {
	p, ok := persona(who)
	s := t.Session()
	if !ok || s == nil {
		return nil
	}
	dialog.CloseQuestion(t)
	for name := range s.State {
		if name != outboxState {
			delete(s.State, name)
		}
	}
	s.History = nil
	s.CustomerID = p.ID // the conversation is theirs now: an erasure of them finds it
	prof, err := a.ret.profiles.Load(ctx, p.ID)
	switch {
	case errors.Is(err, memory.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	if prof.Language == "" {
		return nil
	}
	return i18n.SetSessionLocale(s, prof.Language)
}

// switchTo switches the terminal conversation conv to demo customer who
// through the bot, as the demo page's selector does, and returns what to
// print.
func (a *app) switchTo(ctx context.Context, conv, customer, who string) (string, error) {
	var said []string
	w := parley.ReplyFunc(func(_ context.Context, m parley.Message) error {
		said = append(said, m.Text)
		return nil
	})
	err := a.bot.HandleTurn(ctx, w, &parley.Turn{ConversationID: conv, CustomerID: customer, Channel: "cli",
		Signal: &parley.Signal{Name: signalDemoCustomer, Data: map[string]string{"customer": strings.TrimSpace(who)}}})
	return strings.Join(said, "\n"), err
}
