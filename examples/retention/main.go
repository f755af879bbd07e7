// Command retention is an online shop's support and retention bot, built
// with Parley. It greets a known customer by name, tracks orders, handles
// returns and refunds (with a person's approval over $50), changes a
// delivery address, books call-backs, answers help-centre questions,
// reminds about plan renewals with a win-back offer (and a discount code
// for those who leave anyway), notices frustration, and hands off to a
// person with the whole context.
//
// Everything that touches the shop goes through an action registry
// (package action): look up an order, update the shipping address,
// refund, change the plan, generate a discount code, schedule a call-back,
// create a ticket. The registry enforces the guardrails in code: argument
// schemas, the customer's confirmation before anything changes, refunds
// over $50 waiting for a person at /approvals/, budgets per conversation
// and per day, idempotency, an audit log, and a switch (-read-only) that
// refuses every change.
//
// Everything runs offline with embedded defaults: a fake shop backend and
// CRM, an intent model trained at start-up and an in-memory agent desk.
// Conversations, customer profiles, the refunds waiting for approval and
// the campaigns' scheduled steps are kept in a SQLite file (pure Go), so
// stopping and starting the example keeps them: by default in the user's
// cache directory (printed at start), -db FILE for another, -memory (or an
// empty -db) for none.
//
// The example is its own module (so the core module does not depend on
// SQLite). Run it from the repository root:
//
//	go -C examples/retention run .
//
// and open http://localhost:8080 for a demo product page with the chat
// widget, and http://localhost:8080/console/ for the agents' workspace:
// hand-offs arrive live, ordered by priority and waiting time; take one,
// reply (the customer sees your name), add notes, transfer, resolve, and
// approve the refunds waiting for a person's OK beside their conversation. Or chat in the terminal:
//
//	go -C examples/retention run . -cli
//	printf 'hi\n1\nA-1001\nyes\n' | go -C examples/retention run . -cli
//
// Retention campaigns (campaigns.go) reach out first: an abandoned cart,
// a plan about to expire, onboarding after an order, a delayed parcel, a
// failed payment, an NPS survey, a referral prompt. The demo page has a
// panel that simulates their events and skips days; in the terminal,
// "/sim cart", "/sim expire", "/sim order", "/sim day", "/sim log"; and
// "/as ben" (or the page's selector) switches demo customers:
//
//	printf 'hi\n/sim order\n1\n/sim day\n/sim cart\n/sim day\nSTOP\n/sim log\n' | go -C examples/retention run . -cli -quiet 0-0
//
// With PARLEY_EVENTS_SECRET set (16 bytes or more; a shorter one stops
// the server at start), the shop's backend can POST business events to
// /events, signed with it (proactive.Sign).
//
// Flags:
//
//	-addr HOST:PORT  where to serve the web chat and console (default localhost:8080)
//	-cli             chat in the terminal instead
//	-console         with -cli, also serve the agents' console on -addr
//	-customer ID     chat as this customer (default cus_ada; cus_ben also
//	                 exists; any other ID is an unknown visitor)
//	-renewal         with -cli, start with the proactive renewal reminder
//	                 (the renewal campaign's first message, as "/sim expire"
//	                 sends it; no quiet hours unless -quiet is given)
//	-read-only       refuse actions that change data (lookups still work)
//	-quiet FROM-TO   the campaigns' quiet hours in the customer's time zone
//	                 (default 21-9; 0-0 for none)
//	-llm-url URL     optional OpenAI-compatible API root (OpenAI, Ollama,
//	                 vLLM, llama.cpp, LM Studio...; key in PARLEY_LLM_API_KEY):
//	                 messages the flows do not understand go to the model,
//	                 which may call the same actions through tool calling,
//	                 under the same guardrails
//	-llm-model NAME  with -llm-url, the model (default llama3.1)
//	-staff-password P  the staff password: agents sign in at /staff/login
//	                 with their name and it; default: a random one, printed
//	                 at start
//	-analytics-log F analytics events (JSON Lines) for /dashboard/: loaded
//	                 at start, appended to while running
//	-db FILE         the SQLite file the example keeps its state in (default
//	                 parley/retention-demo.db in the user's cache directory)
//	-memory          keep everything in memory instead: a restart starts over
//	-speech-url URL  optional OpenAI-compatible API root for voice notes
//	                 (whisper.cpp's server, LocalAI, OpenAI; key in
//	                 PARLEY_SPEECH_API_KEY; -speech-model, default whisper-1):
//	                 the widget gets a record button; -voice-replies answers
//	                 voice notes by voice too
//	-vision-url URL  optional OpenAI-compatible API root for screenshots
//	                 (Ollama, OpenAI; key in PARLEY_VISION_API_KEY;
//	                 -vision-model, default llava): a screenshot of an error
//	                 is answered from the help centre or handed to a person
//	                 with the image. Without these the bot says politely
//	                 that it can only read text.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/cli"
	"github.com/parleyhq/parley/channel/web"
	"github.com/parleyhq/parley/proactive"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "retention:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, in *os.File, stdout io.Writer) error {
	fs := flag.NewFlagSet("retention", flag.ContinueOnError)
	addr := fs.String("addr", "localhost:8080", "where to serve the web chat and the agents' console")
	useCLI := fs.Bool("cli", false, "chat in the terminal instead of the browser")
	console := fs.Bool("console", false, "with -cli, also serve the agents' console on -addr")
	customer := fs.String("customer", "cus_ada", "customer ID to chat as")
	renewal := fs.Bool("renewal", false, "with -cli, start with the proactive renewal reminder")
	readOnly := fs.Bool("read-only", false, "refuse actions that change data (lookups still work)")
	llmURL := fs.String("llm-url", "", "optional OpenAI-compatible API root (e.g. http://localhost:11434/v1 for Ollama); its key, if any, in PARLEY_LLM_API_KEY")
	llmModel := fs.String("llm-model", "llama3.1", "with -llm-url, the model name")
	quiet := fs.String("quiet", "21-9", "the campaigns' quiet hours, FROM-TO in the customer's time zone (hours; 0-0: none)")
	staff := fs.String("staff-password", "", "the staff password (agents sign in with their name and it); default: a new random one, printed at start")
	analyticsLog := fs.String("analytics-log", "", "a JSON Lines `file` of analytics events: loaded into /dashboard/ at start, appended to while running")
	dbPath := fs.String("db", defaultDB(), "the SQLite `file` conversations, profiles, approvals and campaign steps are kept in, so they survive a restart; '' for memory only")
	inMemory := fs.Bool("memory", false, "keep everything in memory (as -db ''): a restart starts over")
	alwaysOpen := fs.Bool("always-open", false, "agents take hand-offs at any hour (by default the help centre's: Mon-Fri 8-8, Sat 10-4 Eastern)")
	mediaOpts := mediaFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *inMemory {
		*dbPath = ""
	}
	st, err := openStores(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.close(); err != nil {
			fmt.Fprintln(os.Stderr, "retention: -db:", err)
		}
	}()
	out := &lockedWriter{w: stdout}
	cfg := config{customer: *customer, writes: !*readOnly, staffPassword: *staff, analyticsLog: *analyticsLog, store: st.kv, jobs: st.jobs, media: mediaOpts}
	if !*alwaysOpen {
		cfg.hours = teamHours() // greeting.go
	}
	if *renewal && *useCLI && !flagGiven(fs, "quiet") {
		// The reminder -renewal starts with is due now, at any hour the
		// demo runs: no quiet hours hold it.
		*quiet = "0-0"
	}
	var from, to int
	if _, err := fmt.Sscanf(*quiet, "%d-%d", &from, &to); err != nil || from < 0 || from > 24 || to < 0 || to > 24 {
		return fmt.Errorf("-quiet %q: want FROM-TO in hours, such as 21-9", *quiet)
	}
	cfg.quiet = *quiet
	cfg.policy = append(cfg.policy, proactive.WithQuietHours(time.Duration(from)*time.Hour, time.Duration(to)*time.Hour))
	if *llmURL != "" {
		m, err := newModel(*llmURL, *llmModel, os.Getenv("PARLEY_LLM_API_KEY"))
		if err != nil {
			return err
		}
		cfg.model = m
	}
	// The web chat passes turns to the Bot's Enqueue, so the Bot must
	// deliver their replies through it: its Sender for "web".
	var opts []parley.Option
	var chat *web.Chat
	var pushed atomic.Int64 // campaign messages printed in the terminal, for -renewal
	if !*useCLI {
		secret, err := st.webSecret(ctx)
		if err != nil {
			return err
		}
		chat, err = web.New(web.Config{
			Secret:        secret,
			Title:         "ShopCo support",
			Labels:        widgetLabels(ctx, *customer),
			Translations:  widgetTranslations(ctx, *customer), // widgetstate.go: Spanish conversations, Spanish chrome
			PrivacyNotice: "This chat is run by ShopCo's assistant. Messages may be read by our support team to help you.",
			Redact:        redactWeb(newRedactor()),
			// The widget's transcript is kept beside the conversations,
			// so a reloaded page after a restart shows it.
			Store:       st.kv,
			Linker:      demoLinker{store: st.kv, fallback: *customer}, // weblink.go: erasing the customer finds the transcript
			UploadTypes: mediaOpts.uploadTypes(),
			// The widget's documented page events, and the demo page's
			// customer selector (demo.go).
			TrackEvents: []string{"page_view", "product_view", "page.idle", "add_to_cart", "remove_from_cart",
				"cart_view", "checkout_start", signalDemoCustomer},
		})
		if err != nil {
			return err
		}
		defer func() {
			if err := chat.Close(context.WithoutCancel(ctx)); err != nil {
				fmt.Fprintln(os.Stderr, "retention: web chat:", err)
			}
		}()
		opts = append(opts, parley.WithSender("web", chat.Sender()))
	} else {
		// Campaign messages reach the terminal through the Bot's Sender.
		send := cliSender(out)
		opts = append(opts, parley.WithSender("cli", parley.SenderFunc(func(ctx context.Context, to parley.Address, m parley.Message) error {
			pushed.Add(1)
			return send.Send(ctx, to, m)
		})))
	}
	a, err := newAppWith(cfg, opts...)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait() // deferred calls run last-first: cancel, then wait
	defer cancel()
	wg.Go(func() {
		// Call-back offers and desk retries while customers wait.
		if err := a.esc.Run(ctx, func(err error) { fmt.Fprintln(os.Stderr, "retention: escalation:", err) }); err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "retention: escalation:", err)
		}
	})
	wg.Go(func() {
		// The campaigns' steps, at their times.
		if err := a.ret.sched.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "retention: campaigns:", err)
		}
	})
	defer func() {
		if err := a.bot.Shutdown(context.WithoutCancel(ctx)); err != nil {
			fmt.Fprintln(os.Stderr, "retention: shutdown:", err)
		}
		if err := a.dash.close(context.WithoutCancel(ctx)); err != nil {
			fmt.Fprintln(os.Stderr, "retention: analytics:", err)
		}
	}()

	if *useCLI {
		// Agent messages arrive outside the customer's turns: print them.
		a.setOutbox(func(string) parley.ReplyWriter {
			return parley.ReplyFunc(func(_ context.Context, m parley.Message) error {
				prefix := "bot> "
				if m.Agent != "" {
					prefix = m.Agent + "> "
				}
				_, err := io.WriteString(out, "\n"+cli.Format(m, prefix))
				return err
			})
		})
		if *console {
			srv, err := serve(ctx, *addr, secureHeaders(a.staffMux()))
			if err != nil {
				return err
			}
			defer shutdown(srv)
			fmt.Fprintf(out, "Agents' workspace: http://%s/console/ (staff password %s)\n", srv.Addr, a.staffPassword)
		}
		// One conversation per customer in the terminal: with a durable
		// store, the next run carries on where this one stopped.
		cfg := cli.Config{CustomerID: *customer, Echo: !cli.IsTerminal(in), ConversationID: "cli-" + *customer}
		if cli.IsTerminal(in) {
			fmt.Fprintln(out, "ShopCo support (Parley example). Say hi; type \"human\" any time, \"/sim\" to simulate campaign events, \"/as ben\" to be another demo customer, /quit to leave.")
			fmt.Fprintln(out, storedIn(st.path))
		}
		// The customer this conversation switched to last time, if any.
		who, err := a.demoCustomerOf(ctx, cfg.ConversationID)
		if err != nil {
			return err
		}
		if who == "" {
			who = *customer
		}
		a.ret.meet(parley.Address{Channel: "cli", ConversationID: cfg.ConversationID, CustomerID: who})
		if *renewal {
			// The renewal reminder a customer gets a week before, with
			// its quick replies; replies to it are campaign replies
			// (campaignreply.go). If the policy holds it (a customer
			// who never said yes to reminders, quiet hours given with
			// -quiet), the plan's renewal question starts instead.
			before := pushed.Load()
			if err := a.ret.remindRenewal(ctx, who); err != nil {
				return err
			}
			if err := waitIdle(ctx, a.store, cfg.ConversationID); err != nil {
				return err
			}
			if pushed.Load() == before {
				cfg.Start = "renewal.due"
			}
		}
		pw := &promptWatcher{w: out, prompt: "you> ", ready: make(chan struct{}, 1)}
		return cli.Run(ctx, a.bot, a.simInput(ctx, in, out, pw, cfg.ConversationID, who, cfg.Echo), pw, cfg)
	}

	a.setOutbox(func(conv string) parley.ReplyWriter {
		return parley.ReplyFunc(func(ctx context.Context, m parley.Message) error {
			return chat.Sender().Send(ctx, parley.Address{Channel: "web", ConversationID: conv}, m)
		})
	})
	mux := a.staffMux()
	mux.Handle("/chat/", http.StripPrefix("/chat", chat.Handler(a.bot)))
	mux.Handle("/{$}", http.RedirectHandler("/simulate/", http.StatusFound)) // the demo product page with the widget and the campaign simulator
	mux.Handle("/simulate/", a.simulateHandler(*customer))
	if secret := os.Getenv("PARLEY_EVENTS_SECRET"); secret != "" {
		// The shop's backend reports business events here, signed
		// (proactive.Sign) with the shared secret.
		events, err := a.ret.eng.Endpoint([]byte(secret))
		if err != nil {
			return fmt.Errorf("PARLEY_EVENTS_SECRET: %w", err)
		}
		mux.Handle("POST /events", events)
	}
	srv, err := serve(ctx, *addr, secureHeaders(mux))
	if err != nil {
		return err
	}
	defer shutdown(srv)
	fmt.Fprintf(out, "ShopCo support (Parley example)\n  chat:      http://%s/\n  agents:    http://%s/console/ (sign in with your name and the staff password %s)\n  %s\nPress Ctrl+C to stop.\n",
		srv.Addr, srv.Addr, a.staffPassword, storedIn(st.path))
	<-ctx.Done()
	return nil
}

// server is an http.Server whose Serve goroutine shutdown waits for.
type server struct {
	*http.Server
	done chan struct{}
}

// serve listens on addr and serves h until shutdown.
func serve(ctx context.Context, addr string, h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	// Slow request bodies and idle connections are cut off; responses
	// that stream (the chat's and the workspace's events) clear the read
	// deadline themselves, and WebSockets are hijacked, so there is no
	// write timeout.
	srv := &server{Server: &http.Server{Addr: ln.Addr().String(), Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}, done: make(chan struct{})}
	go func() {
		defer close(srv.done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "retention: serve:", err)
		}
	}()
	return srv, nil
}

// shutdown stops srv, waiting up to 5 seconds for open requests, and
// waits for its Serve goroutine.
func shutdown(srv *server) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "retention: shutdown:", err)
	}
	<-srv.done
}

// lockedWriter serialises writes from the chat loop and from agent
// messages arriving at the same time.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// flagGiven reports whether the command line set the flag name.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
