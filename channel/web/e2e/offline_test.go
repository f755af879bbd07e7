package e2e

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// offline emulates a network drop (on) or its end (off) in the page of
// ctx, as the browser's own offline mode does: new connections fail and
// navigator.onLine follows.
func offline(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if err := t.Call(ctx, "Network.enable", map[string]any{}, nil); err != nil {
			return err
		}
		return t.Call(ctx, "Network.emulateNetworkConditions", map[string]any{"offline": on, "latency": 0,
			"downloadThroughput": -1, "uploadThroughput": -1}, nil)
	})
}

// TestWidgetSendsOnceAfterGoingOffline: the connection drops, the
// customer sends a message while offline, the network comes back: the
// message is sent once, over a WebSocket again. A few seconds offline
// counted as WebSockets being blocked and switched the widget to the
// event stream and POSTs for the rest of the page's life.
func TestWidgetSendsOnceAfterGoingOffline(t *testing.T) {
	ctx := browser(t)
	var posts, upgrades atomic.Int32
	url, _ := serverWith(t, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/chat/send":
				posts.Add(1)
			case "/chat/ws":
				upgrades.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	}, nil)
	// The page's WebSockets are kept where the test can close them, as a
	// dropped connection closes them.
	run(t, ctx, "keep the sockets", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		return tg.Call(ctx, "Page.addScriptToEvaluateOnNewDocument", map[string]any{"source": `(() => {
			const WS = window.WebSocket; window.__sockets = [];
			window.WebSocket = function (u, p) { const s = p ? new WS(u, p) : new WS(u); window.__sockets.push(s); return s; };
			window.WebSocket.prototype = WS.prototype; Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
		})()`}, nil)
	}))
	run(t, ctx, "chat", openAndConsent(url+"/"), say("hello", "10% off"))
	run(t, ctx, "the network drops", offline(true),
		chromedp.Evaluate[chromedp.Void](`window.__sockets.forEach(s => s.close())`),
		waitFor(`R.querySelector('.status').textContent !== ''`),
		typeText("sent while offline\r"),
		waitFor(`Array.from(R.querySelectorAll('.msg.user .meta')).some(m => m.textContent === 'Sending…')`),
		chromedp.Sleep(4*time.Second)) // a few failed reconnections
	before := upgrades.Load()
	run(t, ctx, "the network is back", offline(false), botSaid("You said: sent while offline"),
		waitFor(`R.querySelector('.status').textContent === ''`))
	var texts []string
	run(t, ctx, "the transcript", eval(`Array.from(R.querySelectorAll('.msg .text')).map(m => m.textContent)`, &texts))
	n := 0
	for _, s := range texts {
		if s == "sent while offline" || s == "You said: sent while offline" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("the message and its answer are shown %d times in all, want once each: %q", n, texts)
	}
	if posts.Load() != 0 || upgrades.Load() <= before {
		t.Errorf("after the drop: %d POSTs to /chat/send and %d new WebSockets; want the message over a WebSocket again",
			posts.Load(), upgrades.Load()-before)
	}
}
