// Command retention is an online shop's support and retention bot, built
// with Parley: it greets a known customer by name, tracks orders, handles
// returns and refunds (with a human approval step over $50), reminds about
// plan renewals with a win-back offer, asks for feedback, and hands off to
// a person whenever the customer types "human".
//
// Everything runs offline with embedded defaults: a fake shop backend and
// CRM, in-memory sessions, an in-memory agent queue.
//
// Run it from the repository root:
//
//	go run ./examples/retention
//
// Flags:
//
//	-customer ID   chat as this customer (default cus_ada; cus_ben also exists;
//	               any other ID is an unknown visitor)
//	-renewal       start with the proactive renewal reminder
//
// It reads from a pipe as well: printf 'hi\n1\nA-1001\nyes\n' | go run ./examples/retention
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/cli"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbbot"
	"github.com/parleyhq/parley/sentiment"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "retention:", err)
		os.Exit(1)
	}
}

func run(args []string, in *os.File, out io.Writer) error {
	fs := flag.NewFlagSet("retention", flag.ContinueOnError)
	customer := fs.String("customer", "cus_ada", "customer ID to chat as")
	renewal := fs.Bool("renewal", false, "start with the proactive renewal reminder")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	app, err := newApp()
	if err != nil {
		return err
	}
	defer func() {
		if err := app.bot.Shutdown(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "retention: shutdown:", err)
		}
	}()
	cfg := cli.Config{CustomerID: *customer, Echo: !cli.IsTerminal(in)}
	if *renewal {
		cfg.Start = "renewal.due"
	}
	if cli.IsTerminal(in) {
		fmt.Fprintln(out, "ShopCo support (Parley example). Say hi; type \"human\" any time, /quit to leave.")
	}
	return cli.Run(ctx, app.bot, in, out, cfg)
}

// app is the wired-up example: what a real service builds in main.
type app struct {
	shop   *shop
	queue  *queue
	bot    *parley.Bot
	engine parley.Handler
	gaps   *kb.Gaps
}

// newApp wires the example: intent understanding and sentiment on every
// turn, flows for the shop's tasks, an intent router for clarifying
// questions and fallbacks, and a knowledge base for questions.
func newApp(opts ...parley.Option) (*app, error) {
	ctx := context.Background()
	a := &app{shop: newShop(), queue: &queue{}, gaps: kb.NewGaps(0)}

	idx := kb.NewIndex()
	if err := idx.Add(faq()...); err != nil {
		return nil, err
	}
	answers := kbbot.New(kb.NewAnswerer(idx, kb.WithGaps(a.gaps)), kbbot.WithHandOffer(a.queue))

	var router *intent.Router // set below; the engine falls back to it
	fallback := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return router.HandleTurn(ctx, w, t)
	})
	e, err := newEngine(deps{shop: a.shop, handoff: a.queue},
		flow.WithFallback(fallback), flow.WithDigression(answers))
	if err != nil {
		return nil, err
	}
	router = intent.NewRouter(
		intent.WithHandOffer(a.queue),
		intent.WithFallback("Sorry, I didn't quite get that. I can help with:",
			"Track my order", "Return or refund", "Renew my plan", "Talk to a human"),
		intent.WithTitles(map[string]string{
			"track_order": "Track my order", "refund": "Return or refund", "renew_plan": "Renew my plan",
			"human": "Talk to a human", "shipping_info": "Shipping and returns info", "greeting": "Main menu",
		}),
	)
	router.Handle("greeting", e.Starter("main"))
	router.Handle("track_order", e.Starter("order_status"))
	router.Handle("refund", e.Starter("refund"))
	router.Handle("renew_plan", e.Starter("renewal"))
	router.Handle("shipping_info", answers)
	router.HandleFunc("human", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return a.queue.HandOff(ctx, w, t, parley.HandoffRequest{Reason: "customer asked for a human"})
	})

	nlu, err := newUnderstander(ctx)
	if err != nil {
		return nil, err
	}
	mood, err := sentiment.NewLexical()
	if err != nil {
		return nil, err
	}
	// Every turn: understand it, then read its mood, then run the flows.
	a.engine = parley.Chain(e, nlu.Middleware(), sentiment.Middleware(mood, sentiment.ContinueOnError()))
	a.bot = parley.NewBot(a.engine, opts...)
	return a, nil
}
