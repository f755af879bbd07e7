// Quickstart is the README's first bot: one flow, the router and the
// terminal channel, with no intent model. Run it with
//
//	go run ./examples/quickstart
//
// or pipe a conversation in: printf 'hi\nA-1001\n' | go run ./examples/quickstart
package main

import (
	"context"
	"os"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/cli"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
)

func main() {
	order := flow.New("order_status").Add(
		&flow.Ask{ID: "order", Slot: "order", Prompt: []string{"What's your order number?"}, Next: "tell"},
		&flow.Say{ID: "tell", Text: []string{`Thanks {{customer.name | "there"}}, order {{slots.order}} has shipped.`}, Next: "done"},
		&flow.End{ID: "done", Status: flow.Resolved},
	)

	engine, err := flow.NewEngine([]*flow.Builder{order}) // compiles the flows: every problem in one error
	if err != nil {
		panic(err)
	}
	// The router maps intents to flows and owns turn-taking: answers go to
	// the engine's open question, "cancel"/"menu"/"human"/"STOP" work in
	// any state. This bot has no intent model: anything else starts the flow.
	router := intent.NewRouter(intent.WithNotUnderstood(engine.Starter("order_status")))
	router.Handle(flow.DefaultOwner, engine)
	bot := parley.NewBot(parley.Chain(router, intent.Commands())) // ordering, de-dup, sessions, fallbacks
	defer bot.Shutdown(context.Background())

	if err := cli.Run(context.Background(), bot, os.Stdin, os.Stdout, cli.Config{}); err != nil {
		panic(err)
	}
}
