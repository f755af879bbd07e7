package flow_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/cli"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
)

func ExampleBuilder_Compile() {
	_, err := flow.New("broken").Add(
		&flow.Say{ID: "hi", Text: []string{"Hi {{customer.nickname}}"}, Next: "ask"},
		&flow.Ask{ID: "ask", Slot: "email", Type: flow.EmailSlot, Prompt: []string{"Email?"}, Next: "nowhere"},
	).Compile()
	fmt.Println(err)
	// Output:
	// flow "broken": 2 problems
	// 	node "hi": text: template names unknown variable {{customer.nickname}} (declare it with Builder.CustomerFields)
	// 	node "ask": unknown target "nowhere"
}

func ExampleEngine() {
	f := flow.New("newsletter").Add(
		&flow.Ask{ID: "email", Slot: "email", Type: flow.EmailSlot, Prompt: []string{"What's your email?"}, Next: "ok"},
		&flow.End{ID: "ok", Status: flow.Resolved, Text: []string{"Subscribed {{slots.email}}!"}},
	)
	engine, err := flow.NewEngine([]*flow.Builder{f})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The router gives each turn to the right handler: the answers to the
	// engine's questions to the engine, anything else (this bot has no
	// language understanding) to the flow's start.
	router := intent.NewRouter(intent.WithNotUnderstood(engine.Starter("newsletter")))
	router.Handle(flow.DefaultOwner, engine)
	bot := parley.NewBot(router)
	in := strings.NewReader("hi\nnot an email\nAda@Example.com\n")
	if err := cli.Run(context.Background(), bot, in, os.Stdout, cli.Config{Prompt: "> ", BotPrefix: "< ", Echo: true}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// > hi
	// < What's your email?
	// > not an email
	// < That doesn't look like an email address. What's your email?
	// > Ada@Example.com
	// < Subscribed ada@example.com!
	// >
}

func ExampleFlow_Mermaid() {
	f := flow.New("yesno").Add(
		&flow.Choice{ID: "q", Prompt: []string{"Happy?"}, Options: []flow.Option{
			{Title: "Yes", Next: "good"}, {Title: "No", Next: "bad"}}},
		&flow.End{ID: "good", Status: flow.Resolved},
		&flow.End{ID: "bad", Status: flow.Unresolved},
	).MustCompile()
	fmt.Print(f.Mermaid())
	// Output:
	// flowchart TD
	//     n0("q (choice)")
	//     n1(["good (end)"])
	//     n2(["bad (end)"])
	//     n0 -->|"Yes"| n1
	//     n0 -->|"No"| n2
}
