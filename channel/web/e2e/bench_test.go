package e2e

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/time/rate"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/web"
)

// scriptedTurns sends n messages from the widget, one after the reply to
// the last, and resolves to the milliseconds from pressing Enter to the
// reply on screen, as the page measures them (performance.now()).
const scriptedTurns = `(async (n) => {
	const R = document.querySelector('#parley-chat').shadowRoot;
	const input = R.querySelector('.input'), form = R.querySelector('.compose');
	const out = [];
	for (let i = 0; i < n; i++) {
		const before = R.querySelectorAll('.msg.bot').length;
		const seen = new Promise(resolve => {
			const mo = new MutationObserver(() => {
				if (R.querySelectorAll('.msg.bot').length > before) { mo.disconnect(); resolve(); }
			});
			mo.observe(R.querySelector('.messages'), {childList: true});
		});
		input.value = 'order status ' + i;
		const t0 = performance.now();
		form.requestSubmit();
		await seen;
		out.push(performance.now() - t0);
	}
	return out;
})(%d)`

// TestFirstReplyTime measures the time from a visitor pressing Enter to
// the bot's reply on their screen, in headless Chromium over the
// WebSocket, for 100 scripted turns through a Bot (Enqueue, the store,
// the Sender) whose handler answers at once: the cost of the widget, the
// transport and the runtime. Set PARLEY_E2E_BENCH=1 to run it; it
// reports p50 and p99 (BENCHMARKS.md, "Workspace and widget, issue 16").
func TestFirstReplyTime(t *testing.T) {
	if os.Getenv("PARLEY_E2E_BENCH") == "" {
		t.Skip("set PARLEY_E2E_BENCH=1 to measure first reply times in the browser")
	}
	ctx := browser(t)
	// A script types faster than the per-conversation rate limit allows.
	chat, err := web.New(web.Config{Secret: []byte("e2e-secret-e2e-secret-e2e-secret-e2e"), Title: "Parley Shop",
		RateLimit: rate.Limit(1000), RateBurst: 1000})
	if err != nil {
		t.Fatal(err)
	}
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, turn *parley.Turn) error {
		if turn.Signal != nil {
			return nil
		}
		return w.Reply(ctx, parley.Text("Order A-1001 has shipped and arrives Thursday."))
	}), parley.WithSender("web", chat.Sender()))
	mux := http.NewServeMux()
	mux.Handle("/chat/", http.StripPrefix("/chat", chat.Handler(bot)))
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := bot.Shutdown(sctx); err != nil {
			t.Error(err)
		}
		if err := chat.Close(sctx); err != nil {
			t.Error(err)
		}
		srv.Close()
	})
	run(t, ctx, "open the widget", openAndConsent(srv.URL+"/chat/demo"),
		typeText("hello\r"), waitFor(`R.querySelectorAll('.msg.bot').length === 1`))
	const n = 100
	ms, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(scriptedTurns, n), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != n {
		t.Fatalf("%d turns measured, want %d", len(ms), n)
	}
	slices.Sort(ms)
	pct := func(p float64) float64 { return ms[int(math.Ceil(p*float64(n)))-1] }
	t.Logf("first reply in the browser over %d turns: p50 %.1f ms, p99 %.1f ms, max %.1f ms", n, pct(0.50), pct(0.99), ms[n-1])
}
