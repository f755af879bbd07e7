package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/web"
)

// root is the widget's shadow root, as a JS expression.
const root = `document.querySelector('#parley-chat').shadowRoot`

// shopBot answers like a tiny retention bot: a greeting with quick
// replies, a discount, a hand-off, and a nudge when a product page is
// viewed for the third time in a day. Its replies go out through chat,
// its "web" Sender.
func shopBot(views *atomic.Int32, chat *web.Chat) *parley.Bot {
	return parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if s := t.Signal; s != nil {
			if s.Name == "product_view" {
				views.Add(1)
			}
			switch {
			case s.Name == "product_view" && s.Data["count_24h"] == "3":
				return w.Reply(ctx, parley.Text("Still thinking about "+s.Data["name"]+"? Need help with this product?"))
			case s.Name == "page.idle":
				return w.Reply(ctx, parley.Text("Still there? I can help you finish checking out."))
			}
			return nil
		}
		if len(t.Message.Attachments) == 1 {
			a := t.Message.Attachments[0]
			return w.Reply(ctx, parley.Text(fmt.Sprintf("Thanks, I got your %s (%s, %d bytes).", a.Kind, a.MIMEType, len(a.Data))))
		}
		if err := parley.Typing(ctx, w); err != nil {
			return err
		}
		// Think a little, so the typing indicator is visible.
		select {
		case <-time.After(600 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := parley.MarkRead(ctx, w, t.MessageID); err != nil && !errors.Is(err, parley.ErrNotSupported) {
			return err
		}
		switch strings.ToLower(t.Text()) {
		case "hello", "hi":
			return w.Reply(ctx, parley.Message{Text: "Hi! Would you like 10% off your first order?",
				QuickReplies: []parley.QuickReply{{Title: "Yes please", Payload: "yes"}, {Title: "No thanks", Payload: "no"}}})
		case "yes":
			return w.Reply(ctx, parley.Message{Text: "Great! Use code SAVE10 at checkout.",
				Cards: []parley.Card{{Title: "Trail Runner 2", Subtitle: "$129.00, now $116.10", URL: "https://shop.example/p/trail-runner-2",
					Buttons: []parley.Button{{Title: "Add to cart", Payload: "add sku-trail-2"}}}}})
		case "shipping": // an answer with its source, as kbbot writes it
			return w.Reply(ctx, parley.Text("Standard shipping takes 2-4 business days.\n\nSource: Shipping policy (https://shop.example/help#shipping)"))
		case "evil":
			return w.Reply(ctx, parley.Text("See Docs (javascript:alert(1)) or javascript:alert(2)"))
		case "human": // the "Talk to a human" button's payload
			return w.Reply(ctx, parley.Text("Connecting you with a person. Someone will reply here shortly."))
		}
		return w.Reply(ctx, parley.Text("You said: "+t.Text()))
	}), parley.WithSender("web", chat.Sender()))
}

func browser(t *testing.T) context.Context {
	t.Helper()
	bin := os.Getenv("PARLEY_TEST_CHROME")
	if bin == "" {
		t.Skip("set PARLEY_TEST_CHROME to the Chromium binary (for example /usr/bin/chromium) to run the browser tests")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 760),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	return ctx
}

func server(t *testing.T, extra map[string]string) string {
	t.Helper()
	url, _ := serverWith(t, extra, nil, nil)
	return url
}

// serverWith is server with a chance to change the mux, for example to
// block the WebSocket the way some proxies do.
// serverWith starts the demo site and returns its URL and the number of
// product views the bot has seen.
func serverWith(t *testing.T, extra map[string]string, wrap func(http.Handler) http.Handler, mod func(*web.Config)) (string, *atomic.Int32) {
	t.Helper()
	cfg := web.Config{
		Secret: []byte("e2e-secret-e2e-secret-e2e-secret-e2e"),
		Title:  "Parley Shop",
	}
	if mod != nil {
		mod(&cfg)
	}
	views := new(atomic.Int32)
	chat, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	bot := shopBot(views, chat)
	mux := http.NewServeMux()
	mux.Handle("/chat/", http.StripPrefix("/chat", chat.Handler(bot)))
	mux.Handle("/{$}", http.RedirectHandler("/chat/demo", http.StatusFound)) // the demo product page
	for path, html := range extra {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			if _, err := w.Write([]byte(html)); err != nil {
				return
			}
		})
	}
	var h http.Handler = mux
	if wrap != nil {
		h = wrap(mux)
	}
	return start(t, bot, chat, h), views
}

// start serves h on a test server until the test ends, then shuts bot
// and chat down, and returns the server's URL.
func start(t *testing.T, bot *parley.Bot, chat *web.Chat, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := bot.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		if err := chat.Close(ctx); err != nil {
			t.Error(err)
		}
		srv.Close()
	})
	return srv.URL
}

// waitFor polls a JS condition (evaluated with R bound to the shadow root)
// until it is true.
func waitFor(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`(() => { const R = `+root+`; return !!(`+cond+`); })()`,
		chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))
}

// eval evaluates expr with R bound to the shadow root and stores the
// result in *out.
func eval[T any](expr string, out *T) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		v, err := chromedp.Evaluate[T](`(() => { const R = `+root+`; return `+expr+`; })()`)(ctx, tg)
		*out = v
		return err
	})
}

func shadow(selector string) chromedp.JSPath {
	return chromedp.JSPath(root + `.querySelector('` + selector + `')`)
}

func click(selector string) chromedp.Action[chromedp.Void] { return chromedp.Click(shadow(selector)) }

func typeText(text string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(shadow(".input"), text)
}

// launch waits for the widget's launcher and opens the chat with it.
func launch() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(waitFor(`R && R.querySelector('.launcher')`), click(".launcher"))
}

// consent answers yes to the consent question and waits until it is gone.
func consent() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(waitFor(`!R.querySelector('.consent').hidden`), click(".consent-yes"),
		waitFor(`R.querySelector('.consent').hidden`))
}

// openAndConsent loads page, opens the chat and consents.
func openAndConsent(page string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Navigate(page), launch(), consent())
}

func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		var state string
		if derr := chromedp.Do(ctx, eval(`R ? R.querySelector('.panel').innerText : 'no widget'`, &state)); derr != nil {
			state = derr.Error()
		}
		t.Fatalf("%s: %v\nwidget text:\n%s", step, err, state)
	}
}

// messages returns the transcript shown in the widget, as "user:text" or
// "bot:text" lines, without the greeting (the widget's own, not part of
// the transcript).
const messages = `Array.from(R.querySelectorAll('.msg:not(.greeting)')).map(m => (m.classList.contains('user') ? 'user:' : 'bot:') + (m.querySelector('.text') ? m.querySelector('.text').textContent : ''))`

func TestWidgetConversationInChromium(t *testing.T) {
	ctx := browser(t)
	url, views := serverWith(t, nil, nil, nil)

	run(t, ctx, "load the demo page", chromedp.Navigate(url+"/"), waitFor(`R && R.querySelector('.launcher')`))
	run(t, ctx, "open the widget", click(".launcher"), waitFor(`!R.querySelector('.panel').hidden`))
	var notice string
	run(t, ctx, "privacy notice", waitFor(`R.querySelector('.notice').textContent.length > 0`),
		eval(`R.querySelector('.notice').textContent`, &notice))
	if !strings.Contains(notice, "answered by a bot") {
		t.Errorf("privacy notice = %q", notice)
	}
	run(t, ctx, "consent question", consent())

	run(t, ctx, "type hello",
		typeText("hello\r"),
		waitFor(`!R.querySelector('.typing').hidden`))
	run(t, ctx, "bot answers with quick replies",
		waitFor(`R.querySelectorAll('.quick-reply').length === 2`),
		waitFor(`R.querySelector('.typing').hidden`),
		waitFor(`Array.from(R.querySelectorAll('.meta')).some(m => m.textContent === 'Read')`))

	if name := os.Getenv("PARLEY_E2E_SCREENSHOT"); name != "" {
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(name, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	run(t, ctx, "tap a quick reply", click(".quick-reply"),
		waitFor(`!R.querySelector('.typing').hidden`),
		waitFor(`R.querySelectorAll('.card').length === 1`))
	var cardImages int
	run(t, ctx, "card without image", eval(`R.querySelectorAll('.card img').length`, &cardImages))
	if cardImages != 0 {
		t.Errorf("a card without an image URL shows %d images", cardImages)
	}
	run(t, ctx, "talk to a human", click(".human"),
		waitFor(`Array.from(R.querySelectorAll('.msg.bot .text')).some(m => m.textContent.startsWith('Connecting you'))`))

	want := []string{
		"user:hello", "bot:Hi! Would you like 10% off your first order?",
		"user:Yes please", "bot:Great! Use code SAVE10 at checkout.",
		"user:talk to a human", "bot:Connecting you with a person. Someone will reply here shortly.",
	}
	var got []string
	run(t, ctx, "read the transcript", eval(messages, &got))
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("before reload:\n got %q\nwant %q", got, want)
	}

	// Reload: the conversation comes back from the server.
	run(t, ctx, "reload", chromedp.Reload(), launch(),
		waitFor(`R.querySelectorAll('.msg:not(.greeting)').length >= 6`))
	run(t, ctx, "read the transcript after reload", eval(messages, &got))
	if fmt.Sprint(got[:6]) != fmt.Sprint(want) {
		t.Fatalf("after reload:\n got %q\nwant %q", got, want)
	}
	var consentHidden bool
	run(t, ctx, "consent remembered", eval(`R.querySelector('.consent').hidden`, &consentHidden))
	if !consentHidden {
		t.Error("the consent question is asked again after reload")
	}

	// The third view of the product in a day: the bot reaches out, and the
	// closed widget shows an unread badge. Wait until the second view has
	// reached the bot, or the reload could cut its frame off.
	deadline := time.Now().Add(15 * time.Second)
	for views.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := views.Load(); n != 2 {
		t.Fatalf("the bot saw %d product views before the third load, want 2", n)
	}
	run(t, ctx, "third product view", chromedp.Reload(), waitFor(`R && R.querySelector('.launcher')`),
		waitFor(`Array.from(R.querySelectorAll('.msg.bot .text')).some(m => m.textContent.includes('Need help with this product?'))`),
		waitFor(`!R.querySelector('.badge').hidden`))
}

func TestWidgetWithoutConsentForgetsOnReload(t *testing.T) {
	ctx := browser(t)
	url := server(t, nil)
	run(t, ctx, "chat without answering the consent question",
		chromedp.Navigate(url+"/"), launch(),
		waitFor(`!R.querySelector('.consent').hidden`),
		typeText("hi\r"),
		waitFor(`R.querySelectorAll('.msg.bot').length === 1`))
	run(t, ctx, "reload", chromedp.Reload(), launch(),
		waitFor(`!R.querySelector('.consent').hidden`))
	var n int
	run(t, ctx, "count messages", eval(`R.querySelectorAll('.msg:not(.greeting)').length`, &n))
	if n != 0 {
		t.Errorf("%d messages shown after reload without consent, want 0", n)
	}
}

func TestWidgetOverSSE(t *testing.T) {
	ctx := browser(t)
	page := `<!doctype html><html><head><title>SSE</title></head><body>
<script src="/chat/widget.js" data-transport="sse" data-open="true" async></script></body></html>`
	url := server(t, map[string]string{"/sse": page})
	run(t, ctx, "load", chromedp.Navigate(url+"/sse"), waitFor(`R && !R.querySelector('.panel').hidden`),
		waitFor(`R.querySelector('.notice').textContent.length > 0`))
	run(t, ctx, "chat over the event stream",
		typeText("hello\r"),
		waitFor(`!R.querySelector('.typing').hidden`),
		waitFor(`R.querySelectorAll('.quick-reply').length === 2`))
	run(t, ctx, "quick reply over POST", click(".quick-reply"), waitFor(`R.querySelectorAll('.card').length === 1`))
}

func TestWidgetUploadAndIdleEvent(t *testing.T) {
	ctx := browser(t)
	page := `<!doctype html><html><head><title>Checkout</title></head><body><h1>Checkout</h1>
<script src="/chat/widget.js" data-open="true" data-idle-seconds="1" async></script></body></html>`
	url := server(t, map[string]string{"/checkout": page})
	dir := t.TempDir()
	png := filepath.Join(dir, "receipt.png")
	html := filepath.Join(dir, "page.png") // an HTML file posing as a PNG
	if err := os.WriteFile(png, pngBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(html, []byte("<html><script>alert(1)</script></html>"), 0o600); err != nil {
		t.Fatal(err)
	}

	run(t, ctx, "idle on checkout", chromedp.Navigate(url+"/checkout"),
		waitFor(`R && !R.querySelector('.panel').hidden`),
		waitFor(`Array.from(R.querySelectorAll('.msg.bot .text')).some(m => m.textContent.startsWith('Still there?'))`))
	run(t, ctx, "upload an image",
		chromedp.SetUploadFiles(shadow(`input[type=file]`), []string{png}),
		waitFor(`R.querySelector('.msg.user .attachment-image img')`),
		waitFor(`R.querySelector('.msg.user .attachment-image img').naturalWidth === 1`),
		waitFor(`Array.from(R.querySelectorAll('.msg.bot .text')).some(m => m.textContent === 'Thanks, I got your image (image/png, 67 bytes).')`))
	run(t, ctx, "upload a disallowed file",
		chromedp.SetUploadFiles(shadow(`input[type=file]`), []string{html}),
		waitFor(`R.querySelector('.status.error') && R.querySelector('.status').textContent === 'That type of file can’t be sent here.'`))
}

// pngBytes is a 1x1 PNG.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func TestWidgetFallsBackToSSE(t *testing.T) {
	ctx := browser(t)
	// A proxy that refuses WebSocket upgrades.
	url, _ := serverWith(t, nil, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/chat/ws" {
				http.Error(w, "no websockets here", http.StatusForbidden)
				return
			}
			next.ServeHTTP(w, r)
		})
	}, nil)
	run(t, ctx, "load", chromedp.Navigate(url+"/"), launch(),
		waitFor(`R.querySelector('.notice').textContent.length > 0`))
	run(t, ctx, "chat after the fallback", typeText("hello\r"),
		waitFor(`R.querySelectorAll('.quick-reply').length === 2`),
		waitFor(`Array.from(R.querySelectorAll('.meta')).some(m => m.textContent === 'Read')`))
}

func TestWidgetLabels(t *testing.T) {
	ctx := browser(t)
	url, _ := serverWith(t, nil, nil, func(c *web.Config) {
		c.Title = "Tienda Parley"
		c.PrivacyNotice = "Este chat lo atiende un bot."
		c.ConsentQuestion = "¿Guardamos esta conversación?"
		c.Labels = web.Labels{Placeholder: "Escribe un mensaje…", Send: "Enviar", Human: "Hablar con una persona",
			ConsentYes: "Sí", ConsentNo: "No, gracias", Delivered: "Entregado", Read: "Leído"}
	})
	run(t, ctx, "load", chromedp.Navigate(url+"/"), launch(),
		waitFor(`R.querySelector('.title').textContent === 'Tienda Parley'`),
		waitFor(`R.querySelector('.send').textContent === 'Enviar'`),
		waitFor(`R.querySelector('.input').placeholder === 'Escribe un mensaje…'`),
		waitFor(`R.querySelector('.consent-yes').textContent === 'Sí'`))
	run(t, ctx, "the human button works in any language", click(".human"),
		waitFor(`Array.from(R.querySelectorAll('.msg.user .text')).some(m => m.textContent === 'Hablar con una persona')`),
		waitFor(`Array.from(R.querySelectorAll('.msg.bot .text')).some(m => m.textContent.startsWith('Connecting you'))`),
		waitFor(`Array.from(R.querySelectorAll('.meta')).some(m => m.textContent === 'Leído')`))
}

func TestWidgetSignedInFromThePage(t *testing.T) {
	ctx := browser(t)
	// The page says who is signed in before the widget has loaded (the
	// call is queued), then signs out and in as someone else.
	page := `<!doctype html><html><head><title>Account</title></head><body>
<script>window.parley = window.parley || {q: []}; window.parley.signedIn = function () { window.parley.q.push(["signedIn", arguments]); };
parley.signedIn("Signed in as Ada");</script>
<script src="/chat/widget.js" data-open="true" async></script></body></html>`
	url, _ := serverWith(t, map[string]string{"/account": page}, nil, func(c *web.Config) {
		c.Labels.SignedIn = "Signed in as the server's default"
	})
	run(t, ctx, "the page's sign-in wins over the server's label", chromedp.Navigate(url+"/account"),
		waitFor(`R && !R.querySelector('.panel').hidden`), waitFor(`R.querySelector('.notice').textContent.length > 0`),
		waitFor(`R.querySelector('.who').textContent === 'Signed in as Ada'`))
	run(t, ctx, "sign out", chromedp.Evaluate[chromedp.Void](`parley.signedIn("")`),
		waitFor(`R.querySelector('.who').textContent === '' && R.querySelector('.who').offsetHeight === 0`))
	run(t, ctx, "sign in as Ben", chromedp.Evaluate[chromedp.Void](`parley.signedIn("Signed in as Ben")`),
		waitFor(`R.querySelector('.who').textContent === 'Signed in as Ben'`))
}

func TestWidgetKeepsATooLongMessage(t *testing.T) {
	ctx := browser(t)
	url, _ := serverWith(t, nil, nil, func(c *web.Config) { c.MaxMessageBytes = 64 })
	long := strings.Repeat("my lamp arrived broken ", 4) // 92 bytes
	run(t, ctx, "load", chromedp.Navigate(url+"/"), launch(),
		waitFor(`R.querySelector('.notice').textContent.length > 0`))
	run(t, ctx, "send a message over the limit", typeText(long), click(".send"),
		waitFor(`R.querySelector('.status').textContent.startsWith('That message is too long')`))
	var state struct {
		Input string `json:"input"`
		Sent  int    `json:"sent"`
	}
	run(t, ctx, "read the widget", eval(`({input: R.querySelector('.input').value, sent: R.querySelectorAll('.msg.user').length})`, &state))
	if state.Input != long || state.Sent != 0 {
		t.Errorf("after a too long message the input holds %q and %d messages show as sent; want the text kept and nothing sent", state.Input, state.Sent)
	}
	// Shortened, it goes out and the warning goes away.
	run(t, ctx, "shorten and send",
		chromedp.Evaluate[chromedp.Void](root+`.querySelector('.input').select()`),
		typeText("my lamp arrived broken"),
		waitFor(`R.querySelector('.status').textContent === ''`), click(".send"),
		waitFor(`Array.from(R.querySelectorAll('.msg.bot .text')).some(m => m.textContent === 'You said: my lamp arrived broken')`))
}
