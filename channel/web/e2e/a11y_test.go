package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource returns axe-core's browser bundle (axe.min.js from the npm
// package axe-core), named by PARLEY_TEST_AXE; .ci/run installs it.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("PARLEY_TEST_AXE")
	if path == "" {
		t.Skip("set PARLEY_TEST_AXE to axe-core's axe.min.js (npm install axe-core) to run the accessibility checks")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read axe-core: %v", err)
	}
	return string(b)
}

// checkAxe injects axe-core (its source axe) into the page of ctx, runs
// it and reports the serious and critical violations on what the page
// shows.
func checkAxe(t *testing.T, ctx context.Context, axe, what string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](axeViolations, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	if len(violations) > 0 {
		t.Errorf("axe-core on %s: serious or critical violations:\n%s", what, strings.Join(violations, "\n"))
	}
}

// axeViolations runs axe-core on the page (the widget's open shadow root
// included) and returns its serious and critical violations, one line
// each.
const axeViolations = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
	.filter(v => v.impact === 'serious' || v.impact === 'critical')
	.map(v => v.impact + ' ' + v.id + ': ' + v.help + ' [' + v.nodes.map(n => JSON.stringify(n.target)).join(', ') + ']'))`

// targets lists the widget's visible controls smaller than 44 by 44 CSS
// pixels.
const smallTargets = `Array.from(R.querySelectorAll('button, a, textarea, input:not([type=file])'))
	.filter(e => e.offsetParent !== null || getComputedStyle(e).position === 'fixed')
	.map(e => [e, e.getBoundingClientRect()])
	.filter(([e, r]) => r.width > 0 && (r.width < 44 || r.height < 44))
	.map(([e, r]) => e.className + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))`

func TestWidgetOnEveryScreen(t *testing.T) {
	axe := axeSource(t)
	url := server(t, nil)
	for _, w := range []int64{320, 390, 768, 1280} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			ctx := browser(t) // a browser of its own: a new visitor
			h := int64(800)
			if w <= 390 {
				h = 740
			}
			run(t, ctx, "load the demo page", chromedp.EmulateViewport(w, h), chromedp.Navigate(url+"/"),
				waitFor(`R && R.querySelector('.launcher')`))
			var overflow int
			run(t, ctx, "no horizontal overflow", eval(`document.documentElement.scrollWidth - window.innerWidth`, &overflow))
			if overflow > 0 {
				t.Errorf("the page is %d px wider than the %d px screen", overflow, w)
			}
			var launcherIn bool
			run(t, ctx, "launcher on screen", eval(`(() => { const r = R.querySelector('.launcher').getBoundingClientRect();
				return r.left >= 0 && r.top >= 0 && r.right <= window.innerWidth && r.bottom <= window.innerHeight; })()`, &launcherIn))
			if !launcherIn {
				t.Error("the chat button is off-screen")
			}

			run(t, ctx, "open: it greets", click(".launcher"), waitFor(`!R.querySelector('.panel').hidden`),
				waitFor(`R.querySelector('.msg.greeting .text').textContent.length > 0`),
				consent(),
				typeText("hello\r"), waitFor(`R.querySelectorAll('.quick-reply').length === 2`))
			var fontSize string
			run(t, ctx, "16 px input", eval(`getComputedStyle(R.querySelector('.input')).fontSize`, &fontSize))
			if fontSize != "16px" {
				t.Errorf("input font size %s: iOS zooms in below 16px", fontSize)
			}
			var small []string
			run(t, ctx, "44 px targets", eval(smallTargets, &small))
			if len(small) > 0 {
				t.Errorf("targets under 44x44 px: %q", small)
			}
			if w < 520 {
				var full bool
				run(t, ctx, "full screen panel", eval(`(() => { const r = R.querySelector('.panel').getBoundingClientRect();
					return r.left === 0 && r.top === 0 && r.width === window.innerWidth && r.height === window.innerHeight; })()`, &full))
				if !full {
					t.Error("the panel does not fill a small screen")
				}
			}
			run(t, ctx, "no overflow with the panel open", eval(`document.documentElement.scrollWidth - window.innerWidth`, &overflow))
			if overflow > 0 {
				t.Errorf("with the panel open the page is %d px wider than the screen", overflow)
			}
			checkAxe(t, ctx, axe, "the widget")
			screenshot(t, ctx, fmt.Sprintf("widget-%dpx", w))
		})
	}
}

func TestWidgetKeyboard(t *testing.T) {
	ctx := browser(t)
	url := server(t, nil)
	active := `(R.activeElement ? R.activeElement.className : '')`
	run(t, ctx, "open from the keyboard", chromedp.Navigate(url+"/"), waitFor(`R && R.querySelector('.launcher')`),
		chromedp.Evaluate[chromedp.Void](root+`.querySelector('.launcher').focus()`), chromedp.KeyEvent("\r"),
		waitFor(`!R.querySelector('.panel').hidden`), waitFor(active+` === 'input'`))
	// The consent buttons go away once answered: the keyboard lands in
	// the input, not on the page's body (it did, and a keyboard user had
	// to Tab back into the chat).
	run(t, ctx, "consent from the keyboard, then a message: focus stays in the chat",
		chromedp.Evaluate[chromedp.Void](root+`.querySelector('.consent-yes').focus()`), chromedp.KeyEvent("\r"),
		waitFor(`R.querySelector('.consent').hidden`), waitFor(active+` === 'input'`),
		chromedp.KeyEvent("hello\r"), waitFor(`R.querySelectorAll('.quick-reply').length === 2`),
		waitFor(active+` === 'input'`))
	var accent string
	run(t, ctx, "themed through custom properties",
		chromedp.Evaluate[chromedp.Void](`document.getElementById('parley-chat').style.setProperty('--parley-accent', 'rgb(1, 2, 3)')`),
		eval(`getComputedStyle(R.querySelector('.send')).backgroundColor`, &accent))
	if accent != "rgb(1, 2, 3)" {
		t.Errorf("--parley-accent did not reach the send button: %s", accent)
	}
	var role, live string
	run(t, ctx, "new messages are announced", eval(`R.querySelector('.log').getAttribute('role')`, &role),
		eval(`R.querySelector('.log').getAttribute('aria-live')`, &live))
	if role != "log" || live != "polite" {
		t.Errorf("message log role=%q aria-live=%q, want log and polite", role, live)
	}

	// Tab from the close button reaches the quick replies in order, then
	// the attachment button and the input.
	run(t, ctx, "focus the close button", chromedp.Evaluate[chromedp.Void](root+`.querySelector('.close').focus()`))
	var order []string
	for range 4 {
		var cls string
		run(t, ctx, "tab", chromedp.KeyEvent("\t"), eval(active, &cls))
		order = append(order, cls)
	}
	want := []string{"quick-reply", "quick-reply", "attach", "input"}
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("tab order from the close button = %q, want %q", order, want)
	}
	run(t, ctx, "a quick reply from the keyboard keeps focus in the chat",
		chromedp.Evaluate[chromedp.Void](root+`.querySelector('.quick-reply').focus()`), chromedp.KeyEvent("\r"),
		waitFor(`R.querySelectorAll('.msg.user').length === 2`), waitFor(active+` === 'input'`))
	run(t, ctx, "Escape closes and gives focus back to the chat button", chromedp.KeyEvent("\u001b"),
		waitFor(`R.querySelector('.panel').hidden`), waitFor(active+` === 'launcher'`))
}

func TestWidgetSourceLinksAndAgents(t *testing.T) {
	ctx := browser(t)
	url := server(t, nil)
	run(t, ctx, "ask about shipping", openAndConsent(url+"/"),
		typeText("shipping\r"), waitFor(`R.querySelector('.msg.bot .text a')`))
	var href, text, rel string
	run(t, ctx, "the source is a link", eval(`R.querySelector('.msg.bot .text a').href`, &href),
		eval(`R.querySelector('.msg.bot .text a').textContent`, &text), eval(`R.querySelector('.msg.bot .text a').rel`, &rel))
	if href != "https://shop.example/help#shipping" || text != "Shipping policy" || rel != "noopener noreferrer" {
		t.Errorf("source link %q %q rel %q", text, href, rel)
	}
	var jsLinks int
	run(t, ctx, "no javascript: links", typeText("evil\r"), waitFor(`R.querySelectorAll('.msg.bot').length === 2`),
		eval(`R.querySelectorAll('.msg.bot .text a').length`, &jsLinks))
	if jsLinks != 1 {
		t.Errorf("%d links, want only the https one", jsLinks)
	}
}
