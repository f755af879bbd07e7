package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/parleyhq/parley/channel/web"
	"github.com/parleyhq/parley/memory"
)

// readMetas lists the status line under each of the visitor's messages.
const readMetas = `Array.from(R.querySelectorAll('.msg.user .meta')).map(m => m.textContent + (m.classList.contains('read') ? ' (read)' : ''))`

// A message the bot read shows "Read" after a reload too: the state comes
// from the server's history, not from the page's memory, with the
// transcript kept in the Chat's memory or in a Store.
func TestWidgetReadReceiptsSurviveAReload(t *testing.T) {
	for _, store := range []string{"memory", "store"} {
		t.Run(store, func(t *testing.T) {
			ctx := browser(t)
			url, _ := serverWith(t, nil, nil, func(c *web.Config) {
				if store == "store" {
					c.Store = memory.NewMap()
				}
			})
			run(t, ctx, "open and consent", openAndConsent(url+"/"))
			run(t, ctx, "two messages, both read", typeText("hello\r"), waitFor(`R.querySelectorAll('.quick-reply').length === 2`),
				typeText("shipping\r"), botSaid("Standard shipping takes"),
				waitFor(`Array.from(R.querySelectorAll('.msg.user .meta')).filter(m => m.textContent === 'Read').length === 2`))
			run(t, ctx, "reload", chromedp.Reload(), launch(),
				waitFor(`R.querySelectorAll('.msg.user').length === 2`))
			var got []string
			run(t, ctx, "the receipts after the reload", eval(readMetas, &got))
			if want := []string{"Read (read)", "Read (read)"}; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("after a reload the visitor's messages say %q, want %q", got, want)
			}
		})
	}
}

// On a 360 px phone the header's "Signed in as ..." is not cut off: it
// wraps, and its whole text is the element's title.
func TestWidgetSignedInOnANarrowScreen(t *testing.T) {
	ctx := browser(t)
	const who = "Signed in as Ada Lovelace (demo)"
	url, _ := serverWith(t, nil, nil, func(c *web.Config) { c.Labels.SignedIn = who })
	run(t, ctx, "open on a phone", chromedp.EmulateViewport(360, 740), chromedp.Navigate(url+"/"),
		launch(), waitFor(`!R.querySelector('.panel').hidden`),
		waitFor(`R.querySelector('.who').textContent === `+jsString(who)))
	var shown struct {
		Title    string `json:"title"`
		Clipped  bool   `json:"clipped"`
		Overflow int    `json:"overflow"`
		InHeader bool   `json:"inHeader"`
	}
	run(t, ctx, "measure", eval(`(() => {
		const w = R.querySelector('.who'), h = R.querySelector('.header').getBoundingClientRect(), r = w.getBoundingClientRect();
		return {title: w.title, clipped: w.scrollWidth > w.clientWidth || w.scrollHeight > w.clientHeight,
			overflow: document.documentElement.scrollWidth - innerWidth,
			inHeader: r.left >= h.left && r.right <= h.right && r.top >= h.top && r.bottom <= h.bottom};
	})()`, &shown))
	if shown.Title != who {
		t.Errorf("title = %q, want %q", shown.Title, who)
	}
	if shown.Clipped {
		t.Errorf("%q is cut off at 360 px", who)
	}
	if shown.Overflow > 0 {
		t.Errorf("the page is %d px wider than the screen", shown.Overflow)
	}
	if !shown.InHeader {
		t.Error("the signed-in line spills out of the header")
	}
	screenshot(t, ctx, "widget-signed-in-360px")
}

// The retention example on a phone: the header names the demo customer
// in full, a first-time customer is never "welcomed back", a lone 👍 is
// acknowledged in the customer's language, and after a reload the
// messages the bot read still say so.
func TestExampleOnAPhone(t *testing.T) {
	url := exampleServer(t) // first: the browser's deadline starts with it
	ctx := browser(t)
	const ada = "Signed in as Ada Lovelace (demo)"
	run(t, ctx, "open the chat at 360 px", chromedp.EmulateViewport(360, 740), openWidget(url),
		waitFor(`R.querySelector('.who').textContent === `+jsString(ada)),
		waitFor(`R.querySelector('.who').title === `+jsString(ada)),
		waitFor(`(w => w.scrollWidth <= w.clientWidth && w.scrollHeight <= w.clientHeight)(R.querySelector('.who'))`),
		consent())
	run(t, ctx, "Ada, in Spanish, thumbs up after an answer",
		say("hola, buenas tardes", "¡Hola, Ada! Soy el asistente de ShopCo."),
		say("¿cuánto tarda el envío?", "El envío estándar tarda"),
		say("👍", "¡Me alegro de que te haya servido! ¿Algo más?"))
	// Ben in a browser of his own: a conversation of its own, within the
	// example's rate limit.
	ctx = browser(t)
	run(t, ctx, "Ben opens the chat at 360 px", chromedp.EmulateViewport(360, 740), openWidget(url),
		consent())
	run(t, ctx, "switch to Ben, who never chatted", chooseCustomer("cus_ben"), botSaid("You're now Ben Okafor"))
	run(t, ctx, "Ben asks, then says hi", say("where is my order?", "order number"), say("A-1003", "Running socks"),
		say("hi", "Hi again, Ben!"))
	var got []string
	run(t, ctx, "read the transcript", eval(messages, &got))
	for _, m := range got {
		if strings.Contains(m, "Welcome back") {
			t.Errorf("Ben, in his first conversation, was told %q", m)
		}
	}
	run(t, ctx, "Ben's messages read", waitFor(`Array.from(R.querySelectorAll('.msg.user .meta')).every(m => m.textContent === 'Read')`))
	run(t, ctx, "reload", chromedp.Reload(), launch(),
		waitFor(`R.querySelectorAll('.msg.user').length === 3`))
	run(t, ctx, "the receipts after the reload", eval(readMetas, &got))
	if want := []string{"Read (read)", "Read (read)", "Read (read)"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after a reload Ben's messages say %q, want %q", got, want)
	}
	screenshot(t, ctx, "example-360px-after-reload")
}
