package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/cli"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/schedule"
)

// This file is the campaigns' simulator: a panel on the demo page and
// "/sim NAME" lines in the terminal, so that a visitor can abandon the
// cart, make the plan expire or skip a day and watch the messages arrive.

// meet tells the campaigns where a customer talks to us before they
// write anything (the terminal's conversation).
func (r *retention) meet(to parley.Address) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen[to.CustomerID] = to
}

// waitIdle waits, up to 5 seconds, until the Bot has run every turn
// accepted for conv and sent its replies: the Bot drops a conversation's
// inbox record ("inbox/" + ID) once its last turn is sent. The terminal
// uses it to print campaign messages before its next prompt.
func waitIdle(ctx context.Context, store memory.Store, conv string) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := store.Get(ctx, "inbox/"+conv)
		if errors.Is(err, memory.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return errors.New("retention: the bot is still busy")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// cliSender prints campaign messages in the terminal.
func cliSender(out io.Writer) parley.Sender {
	return parley.SenderFunc(func(_ context.Context, _ parley.Address, m parley.Message) error {
		_, err := io.WriteString(out, cli.Format(m, "bot> "))
		return err
	})
}

// promptWatcher signals ready each time the terminal chat writes its
// prompt, that is, when it waits for the next line.
type promptWatcher struct {
	w      io.Writer
	prompt string
	ready  chan struct{}
}

func (p *promptWatcher) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if string(b) == p.prompt {
		p.ready <- struct{}{}
	}
	return n, err
}

// simInput feeds the terminal chat the lines of in, one at a time when it
// is ready for them, and runs "/sim NAME" lines itself (the customer's
// campaigns; "/sim" alone lists them), printing what they sent.
func (a *app) simInput(ctx context.Context, in io.Reader, out io.Writer, pw *promptWatcher, conv, customer string, echo bool) io.Reader {
	pr, pwr := io.Pipe()
	go func() {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for {
			select {
			case <-pw.ready:
			case <-ctx.Done():
				pwr.CloseWithError(ctx.Err())
				return
			}
			if !sc.Scan() {
				pwr.CloseWithError(sc.Err())
				return
			}
			line := sc.Text()
			if who, ok := strings.CutPrefix(strings.TrimSpace(line), "/as"); ok && (who == "" || who[0] == ' ') {
				// Switch demo customers (demo.go); /sim then acts for them.
				if echo {
					fmt.Fprintln(out, line)
				}
				msg, err := a.switchTo(ctx, conv, customer, who)
				if err != nil {
					msg = err.Error()
				} else if p, ok := persona(who); ok {
					customer = p.ID
					a.ret.meet(parley.Address{Channel: "cli", ConversationID: conv, CustomerID: customer})
				}
				fmt.Fprintf(out, "(%s)\n", msg)
				if _, err := io.WriteString(pw, pw.prompt); err != nil {
					pwr.CloseWithError(err)
					return
				}
				continue
			}
			if msg, ok := a.eraser.command(ctx, line, conv, customer); ok {
				// "/forget" and "/export" (privacy.go), between turns.
				if echo {
					fmt.Fprintln(out, line)
				}
				fmt.Fprintln(out, msg)
				if _, err := io.WriteString(pw, pw.prompt); err != nil {
					pwr.CloseWithError(err)
					return
				}
				continue
			}
			what, ok := strings.CutPrefix(strings.TrimSpace(line), "/sim")
			if !ok {
				if _, err := io.WriteString(pwr, line+"\n"); err != nil {
					return
				}
				continue
			}
			if echo {
				fmt.Fprintln(out, line)
			}
			start := time.Now()
			msg, err := a.ret.simulate(ctx, customer, strings.TrimSpace(what))
			if err == nil {
				err = waitIdle(ctx, a.store, conv)
			}
			if held, herr := a.ret.heldSince(ctx, customer, start); err == nil && herr == nil && len(held) > 0 && strings.TrimSpace(what) != "log" {
				msg += " Held back: " + strings.Join(held, "; ") + "."
			}
			if err != nil {
				msg = err.Error()
			}
			fmt.Fprintf(out, "(%s)\n", msg)
			// The chat is still waiting for a line: prompt again.
			if _, err := io.WriteString(pw, pw.prompt); err != nil {
				pwr.CloseWithError(err)
				return
			}
		}
	}()
	return pr
}

// simulatePage is the demo page with the chat widget and the simulator
// panel: the buttons POST to /simulate/NAME and the panel shows what the
// policy held back.
var simulatePage = template.Must(template.New("sim").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ShopCo demo: campaigns</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 0; background: #fafafa; color: #1f2328; }
header { background: #111827; color: #fff; padding: 12px 24px; font-weight: 600; }
main { display: flex; gap: 24px; padding: 24px; flex-wrap: wrap; }
article { flex: 1 1 420px; }
section { flex: 0 1 340px; }
/* The open chat (380px wide, bottom right) must not cover the customer
   selector and the simulator: wide screens keep its column free. */
@media (min-width: 900px) { main { margin-right: 404px; } }
select { font: inherit; font-size: 16px; min-height: 44px; padding: 4px 8px; }
button { display: block; width: 100%; margin: 6px 0; padding: 8px 12px; border: 1px solid #d0d7de; border-radius: 6px; background: #fff; cursor: pointer; text-align: left; }
button:hover { background: #f3f4f6; }
#log { font-size: 13px; white-space: pre-wrap; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px; min-height: 4em; }
</style></head>
<body><header>ShopCo demo: retention campaigns</header>
<main>
<article>
<h1>Trail Runner 2</h1>
<p>$129.00. A light trail shoe with a grippy sole and a roomy toe box. Free returns within 30 days.</p>
<p>The chat is in the corner: campaign messages arrive there.</p>
</article>
<section>
<h2>Demo customer</h2>
<label for="as">Chat as</label>
<select id="as">{{range .Personas}}<option value="{{.ID}}"{{if eq .ID $.Customer}} selected{{end}}>{{.Name}}</option>{{end}}</select>
<p id="shows"></p>
<h2>Simulate</h2>
<p>Say hello in the chat first, then make something happen. Campaign messages arrive in the chat, if the delivery policy lets them (consent, at most 2 a week, {{.Quiet}}).</p>
{{range .Actions}}<button type="button" data-sim="{{.Name}}">{{.Help}}</button>
{{end}}
<p id="said"></p>
<h3>Held back, and why</h3>
<div id="log">(nothing yet)</div>
</section></main>
<script>
window.parley = window.parley || {q: []};
window.parley.q = window.parley.q || [];
for (const m of ["track", "open", "signedIn"]) {
  if (!window.parley[m]) window.parley[m] = function () { window.parley.q.push([m, arguments]); };
}
const personas = {{.Personas}};
const signedInTexts = {{.SignedIn}};
const as = document.getElementById("as");
as.value = localStorage.getItem("demo.customer") || as.value;
function shows() {
  const p = personas.find(p => p.ID === as.value);
  document.getElementById("shows").textContent = p ? p.Shows : "";
  // The chat's header says who the visitor is now, in the
  // conversation's language (the widget picks the translation).
  const tr = {};
  for (const lang in signedInTexts) if (lang && p) tr[lang] = signedInTexts[lang].replace("%s", p.Name);
  parley.signedIn(p ? signedInTexts[""].replace("%s", p.Name) : "", tr);
}
shows();
// The conversation follows the selector (kept in this browser) after a
// reload or a restart; the bot says nothing when it already does.
parley.track("demo_customer", {customer: as.value, on: "load"});
as.addEventListener("change", () => {
  localStorage.setItem("demo.customer", as.value);
  shows();
  parley.open();
  parley.track("demo_customer", {customer: as.value});
  refresh();
});
async function refresh() {
  const r = await fetch("/simulate/log?customer=" + encodeURIComponent(as.value));
  const lines = await r.json();
  document.getElementById("log").textContent = lines.length ? lines.join("\n") : "(nothing yet)";
}
for (const b of document.querySelectorAll("button[data-sim]")) {
  b.addEventListener("click", async () => {
    const r = await fetch("/simulate/" + b.dataset.sim + "?customer=" + encodeURIComponent(as.value), {method: "POST"});
    document.getElementById("said").textContent = await r.text();
    setTimeout(refresh, 300);
  });
}
refresh();
parley.track("product_view", {id: "sku-trail-2", name: "Trail Runner 2", path: location.pathname});
</script>
<script src="/chat/widget.js" async></script>
</body></html>`))

// simulateHandler serves the panel at /simulate/, the simulations at
// POST /simulate/NAME and the held-back list at /simulate/log, for the
// demo customer.
func (a *app) simulateHandler(customer string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /simulate/{$}", func(w http.ResponseWriter, r *http.Request) {
		var actions []struct{ Name, Help string }
		for _, s := range simulations {
			actions = append(actions, struct{ Name, Help string }{s.name, strings.ToUpper(s.help[:1]) + s.help[1:]})
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := simulatePage.Execute(w, map[string]any{"Customer": customer, "Actions": actions, "Personas": demoPersonas, "SignedIn": signedInTexts,
			"Quiet": quietText(a.ret.quiet)}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /simulate/log", func(w http.ResponseWriter, r *http.Request) {
		lines, err := a.ret.report(r.Context(), chosen(r, customer))
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		if lines == nil {
			lines = []string{}
		}
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(lines); err != nil {
			return // the visitor left
		}
	})
	mux.HandleFunc("POST /simulate/{what}", func(w http.ResponseWriter, r *http.Request) {
		msg, err := a.ret.simulate(r.Context(), chosen(r, customer), r.PathValue("what"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if _, err := io.WriteString(w, msg); err != nil {
			return // the visitor left
		}
	})
	return mux
}

// chosen is the demo customer the page's selector names (?customer=), or
// def.
func chosen(r *http.Request, def string) string {
	if p, ok := persona(r.URL.Query().Get("customer")); ok {
		return p.ID
	}
	return def
}

// quietText says the campaigns' quiet hours, given as the -quiet flag
// takes them ("21-9"; "0-0" or equal hours: none; empty: the policy's
// default, 21-9), for the simulator page.
func quietText(quiet string) string {
	if quiet == "" {
		quiet = "21-9"
	}
	var from, to int
	if _, err := fmt.Sscanf(quiet, "%d-%d", &from, &to); err != nil {
		return "quiet hours in the customer's time zone"
	}
	if from%24 == to%24 {
		return "no quiet hours"
	}
	return fmt.Sprintf("no messages %02d:00-%02d:00 in the customer's time zone", from%24, to%24)
}

// gateClaims returns jobs with its Claim holding mu: the scheduler
// claims nothing while a simulation holds it. A Watcher stays a Watcher.
func gateClaims(jobs schedule.Store, mu *sync.Mutex) schedule.Store {
	g := claimGate{Store: jobs, mu: mu}
	if w, ok := jobs.(schedule.Watcher); ok {
		return watchedGate{claimGate: g, w: w}
	}
	return g
}

// claimGate is a job store whose Claim waits for mu.
type claimGate struct {
	schedule.Store
	mu *sync.Mutex
}

// Claim claims due jobs once no simulation is under way.
func (g claimGate) Claim(ctx context.Context, now, until time.Time, limit int) ([]schedule.Claim, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.Store.Claim(ctx, now, until, limit)
}

// watchedGate is a claimGate over a [schedule.Watcher].
type watchedGate struct {
	claimGate
	w schedule.Watcher
}

// Next is the store's Next.
func (g watchedGate) Next(ctx context.Context) (time.Time, <-chan struct{}, error) {
	return g.w.Next(ctx)
}
