package escalation_test

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/nlu"
)

// printer is the channel: it prints what the user would see.
type printer struct{}

func (printer) Reply(_ context.Context, m parley.Message) error {
	fmt.Println("<", m.Text)
	return nil
}

func Example() {
	ctx := context.Background()
	var bot *parley.Bot
	deliver := escalation.DeliverFunc(func(ctx context.Context, t *parley.Turn) error {
		return bot.HandleTurn(ctx, printer{}, t) // the conversation's channel
	})
	agents := desk.NewMemory(deliver)
	esc, err := escalation.New(agents)
	if err != nil {
		panic(err)
	}
	app := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("(bot) How can I help?"))
	})
	bot = parley.NewBot(parley.Chain(app, escalation.Middleware(esc)))

	say := func(id, text string) {
		fmt.Println(">", text)
		if err := bot.HandleTurn(ctx, printer{}, &parley.Turn{ConversationID: "c1", MessageID: id, Message: parley.Text(text)}); err != nil {
			panic(err)
		}
	}
	say("1", "My parcel 4411 never arrived")
	say("2", "I want to speak to someone")
	t := agents.Queue()[0].Ticket
	fmt.Println("agent sees:", t.Reason, "/", t.Priority)
	if err := agents.Reply(ctx, t.ID, "Anna", "Hi, Anna here. I'm checking parcel 4411."); err != nil {
		panic(err)
	}
	say("3", "thank you")
	if err := agents.Resolve(ctx, t.ID, "", "parcel found"); err != nil {
		panic(err)
	}
	say("4", "5")
	// Output:
	// > My parcel 4411 never arrived
	// < (bot) How can I help?
	// > I want to speak to someone
	// < I've asked a person from our team to join. They'll see our conversation, so you won't need to repeat anything. While you wait, I can still help with other things; type "cancel" to leave the queue.
	// agent sees: asked for a person / high
	// < Anna has joined the conversation.
	// < Hi, Anna here. I'm checking parcel 4411.
	// > thank you
	// < You're back with the assistant. How did we do? Rate your experience from 1 to 5.
	// > 5
	// < Thanks for your feedback!
}

func ExampleNewPolicy() {
	p, err := escalation.NewPolicy(
		escalation.Rule{Name: "refund over $100", When: escalation.AmountOver(100, "USD"), Priority: dialog.PriorityHigh},
		escalation.Rule{Name: "angry VIP", Expr: `profile.tier == "vip" && frustration >= 0.5`, Action: escalation.HandOff, Priority: dialog.PriorityUrgent},
	)
	if err != nil {
		panic(err)
	}
	in := &escalation.Input{
		HasMood: true, Mood: nlu.Mood{Frustration: 0.8},
		Profile: map[string]string{"tier": "vip"},
	}
	r, ok, err := p.Evaluate(in)
	fmt.Println(r.Name, r.Action, r.Priority, ok, err)

	_, err = escalation.NewPolicy(escalation.Rule{Name: "typo", Expr: `frustration >`})
	fmt.Println(err != nil)
	// Output:
	// angry VIP handoff urgent true <nil>
	// true
}

// A handler that wants a person for the customer calls HandOff: unless
// the customer asked for one, that is an offer they answer.
func ExampleEscalator_HandOff() {
	ctx := context.Background()
	var bot *parley.Bot
	agents := desk.NewMemory(escalation.DeliverFunc(func(ctx context.Context, t *parley.Turn) error {
		return bot.HandleTurn(ctx, printer{}, t)
	}))
	esc, err := escalation.New(agents)
	if err != nil {
		panic(err)
	}
	form := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		// A form that has given up on reading an order number.
		return esc.HandOff(ctx, w, t, dialog.HandoffRequest{Reason: "order number unreadable"})
	})
	bot = parley.NewBot(parley.Chain(form, escalation.Middleware(esc)))
	for i, text := range []string{"it's the blue one", "yes"} {
		fmt.Println(">", text)
		if err := bot.HandleTurn(ctx, printer{}, &parley.Turn{ConversationID: "c2", MessageID: fmt.Sprint(i), Message: parley.Text(text)}); err != nil {
			panic(err)
		}
	}
	fmt.Println("agent sees:", agents.Queue()[0].Ticket.Reason)
	// Output:
	// > it's the blue one
	// < Would you like me to connect you with a person from our team?
	// > yes
	// < I've asked a person from our team to join. They'll see our conversation, so you won't need to repeat anything. While you wait, I can still help with other things; type "cancel" to leave the queue.
	// agent sees: order number unreadable
}
