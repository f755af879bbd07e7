package proactive_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/proactive"
	"github.com/parleyhq/parley/schedule"
)

// An abandoned-cart campaign, end to end: the event starts a run, the
// scheduler fires its step, the Bot delivers it through its Sender.
func Example() {
	ctx := context.Background()
	store := memory.NewMap()
	profiles := customer.NewProfiles(store)
	ada := &customer.Profile{CustomerID: "ada", Name: "Ada Lovelace", Identities: []customer.Identity{{Channel: "web", ID: "conv-ada"}}}
	if err := profiles.Save(ctx, ada); err != nil {
		fmt.Println(err)
		return
	}
	// The example runs at any hour: no quiet hours.
	policy := proactive.NewPolicy(store, profiles, proactive.WithQuietHours(0, 0))
	if err := policy.Consent(ctx, "ada", "web", true, "asked in chat", time.Now()); err != nil {
		fmt.Println(err)
		return
	}
	sched := schedule.New(schedule.NewMemory())
	eng, err := proactive.New(policy, sched, []*proactive.Campaign{{
		Name: "cart", Trigger: proactive.CartAbandoned, Goal: proactive.OrderPlaced,
		Steps: []proactive.Step{{ID: "nudge", Text: "{{profile.first_name}}, your cart is waiting: {{event.cart_url}}"}},
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	sent := make(chan parley.Message, 1)
	bot := parley.NewBot(parley.Chain(parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil }), proactive.Middleware(eng)),
		parley.WithStore(store), parley.WithSender("web", parley.SenderFunc(func(_ context.Context, _ parley.Address, m parley.Message) error {
			sent <- m
			return nil
		})))
	sched.Handle(proactive.JobKind, eng.Jobs(bot))
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- sched.Run(ctx) }()

	err = eng.Ingest(ctx, proactive.Event{Type: proactive.CartAbandoned, CustomerID: "ada",
		Attributes: map[string]string{"cart_url": "https://shop.example/cart/42"}})
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println((<-sent).Text)
	cancel()
	<-done
	if err := bot.Shutdown(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output: Ada, your cart is waiting: https://shop.example/cart/42
}

// New reports every problem in the campaigns at once.
func ExampleNew() {
	store := memory.NewMap()
	policy := proactive.NewPolicy(store, customer.NewProfiles(store))
	_, err := proactive.New(policy, schedule.New(schedule.NewMemory()), []*proactive.Campaign{{
		Name: "renewal", Trigger: "plan_expiring",
		Steps: []proactive.Step{
			{ID: "day-3", After: -3 * 24 * time.Hour, Text: "Three days left, {{customer.name}}."},
			{ID: "day-7", After: -7 * 24 * time.Hour, Text: "A week left."},
		},
	}})
	var ce *proactive.CompileError
	if errors.As(err, &ce) {
		for _, p := range ce.Problems {
			fmt.Println(p)
		}
	}
	// Output:
	// renewal: trigger: unknown event type "plan_expiring" (add it with WithEventTypes)
	// renewal/day-3: negative offset -72h0m0s needs an Anchor
	// renewal/day-3: text: bad template: {{customer.name}}: unknown namespace (profile, event, offer)
	// renewal/day-7: offset -168h0m0s is before the previous step's -72h0m0s: steps must be in order
	// renewal/day-7: negative offset -168h0m0s needs an Anchor
}

// Check answers for one message before it goes out; Record counts one
// that went. Two marketing messages this week use up the default cap.
func ExamplePolicy_Check() {
	ctx := context.Background()
	store := memory.NewMap()
	policy := proactive.NewPolicy(store, customer.NewProfiles(store), proactive.WithQuietHours(0, 0))
	p := &customer.Profile{CustomerID: "ada"}
	p.RecordConsent(customer.Consent{Purpose: "marketing", Granted: true, Time: time.Now(), Channel: "web"})
	for _, id := range []string{"tips/1", "winback/1", "tips/2"} {
		s := proactive.Send{ID: id, Campaign: "tips", Purpose: proactive.Marketing, Channel: "web"}
		d, err := policy.Check(ctx, nil, p, s)
		if err != nil {
			fmt.Println(err)
			return
		}
		if !d.Allow {
			fmt.Println(id, "not sent:", d.Reason)
		} else {
			fmt.Println(id, "sent")
			if _, err := policy.Record(ctx, "ada", s); err != nil {
				fmt.Println(err)
			}
		}
	}
	// Output:
	// tips/1 sent
	// winback/1 sent
	// tips/2 not sent: capped
}

// Sign is what a sender of events does before POSTing to the endpoint.
func ExampleSign() {
	secret := []byte("0123456789abcdef0123456789abcdef")
	body := []byte(`{"id":"evt-1","type":"order_shipped","customer":"ada"}`)
	ts := time.Unix(1767225600, 0)
	req, err := http.NewRequest(http.MethodPost, "https://bot.example/events", bytes.NewReader(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	req.Header.Set("Parley-Timestamp", strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set("Parley-Signature", proactive.Sign(secret, ts, body))
	fmt.Println(req.Header.Get("Parley-Signature"))
	// Output: v1=397616786175101723961d1c0e055b8b08b566d93d60a59717120a3ab61a4e9b
}
