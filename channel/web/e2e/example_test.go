package e2e

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/chromedp/chromedp"
)

// These tests drive the retention example (examples/retention) as its
// customers and staff do: the example is built and started as its own
// process, with its data in memory, and a headless Chromium uses its
// pages.

// examplePassword is the staff password the tests start the example with.
const examplePassword = "e2e-staff-password"

// exampleServer builds the retention example, starts it on a free port
// with its flags and args until the test ends and returns its URL.
func exampleServer(t *testing.T, args ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "retention")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("..", "..", "..", "examples", "retention")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the example: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, append([]string{"-memory", "-addr", "127.0.0.1:0", "-staff-password", examplePassword}, args...)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the example: %v", err)
	}
	t.Cleanup(func() {
		// Ctrl+C: the example shuts down gracefully.
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Error(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("the example exited with %v", err)
		}
	})
	addr := regexp.MustCompile(`chat:\s+(http://\S+)/`)
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if m := addr.FindStringSubmatch(lines.Text()); m != nil {
			go func() { // keep reading, so the example never blocks on its output
				for lines.Scan() {
				}
			}()
			return m[1]
		}
	}
	t.Fatalf("the example did not say where it serves: %v", lines.Err())
	return ""
}

// say types text into the widget and waits until the bot's answer
// containing reply is shown.
func say(text, reply string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(typeText(text+"\r"), botSaid(reply))
}

// botSaid waits until a bot message containing text is shown.
func botSaid(text string) chromedp.Action[chromedp.Void] {
	return waitFor(`Array.from(R.querySelectorAll('.msg.bot .text')).some(m => m.textContent.includes(` + jsString(text) + `))`)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

// openWidget loads the demo page at url and opens the chat.
func openWidget(url string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Navigate(url+"/"), launch(),
		waitFor(`!R.querySelector('.panel').hidden`), waitFor(`R.querySelector('.notice').textContent.length > 0`))
}

// chooseCustomer picks a demo customer with the demo page's selector.
func chooseCustomer(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('as'); s.value = ` + jsString(id) + `; s.dispatchEvent(new Event('change')); })()`)
}

func TestExampleSwitchingCustomersStartsTheirOwnTranscript(t *testing.T) {
	url := exampleServer(t) // first: the browser's deadline starts with it
	ctx := browser(t)
	run(t, ctx, "open the chat as Ada and keep the conversation", openWidget(url),
		waitFor(`R.querySelector('.who').textContent === 'Signed in as Ada Lovelace (demo)'`),
		consent())
	run(t, ctx, "Ada asks for a refund", say("I want a refund for order A-1002", "How much should I refund"))
	run(t, ctx, "switch to Ben", chooseCustomer("cus_ben"), botSaid("You're now Ben Okafor"),
		waitFor(`R.querySelector('.who').textContent === 'Signed in as Ben Okafor (demo)'`))
	// Ben has one order: it is offered (QA13 G53), and he may still type it.
	run(t, ctx, "Ben asks", say("where is my order?", "Which order is it?"))

	// Ben reloads the page: he sees his conversation, not Ada's, and is
	// still Ben without being told again.
	run(t, ctx, "reload", chromedp.Reload(), launch(),
		waitFor(`R.querySelectorAll('.msg:not(.greeting)').length >= 3`),
		waitFor(`R.querySelector('.who').textContent === 'Signed in as Ben Okafor (demo)'`))
	run(t, ctx, "Ben answers", say("A-1003", "Running socks"))
	var got []string
	run(t, ctx, "read the transcript", eval(messages, &got))
	want := []string{"bot:You're now Ben Okafor", "user:where is my order?", "bot:Which order is it?", "user:A-1003", "bot:Your Running socks"}
	if len(got) < len(want) { // the bot may add a question after the answer
		t.Fatalf("after the switch and a reload the widget shows\n%q\nwant %q", got, want)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("message %d = %q, want it to start with %q", i, got[i], want[i])
		}
	}
	var selected string
	run(t, ctx, "the page's selector", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		v, err := chromedp.Evaluate[string](`document.getElementById('as').value`)(ctx, tg)
		selected = v
		return err
	}))
	if selected != "cus_ben" {
		t.Errorf("after the reload the page's selector shows %q, want cus_ben", selected)
	}
}

func TestExampleDemoPageWithTheChatOpen(t *testing.T) {
	url := exampleServer(t) // first: the browser's deadline starts with it
	ctx := browser(t)
	run(t, ctx, "open the chat on the demo page", openWidget(url))
	// Every control of the page's panel (the customer selector, the
	// simulator's buttons) can still be reached with the chat open: the
	// element at its centre is the control itself, not the chat.
	var covered []string
	runPage(t, ctx, "find controls under the chat", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		v, err := chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('select, button[data-sim]')).filter(e => {
			const r = e.getBoundingClientRect();
			if (r.bottom < 0 || r.top > innerHeight) return false; // below the fold: scrolled to
			return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) !== e;
		}).map(e => e.id || e.dataset.sim)`)(ctx, tg)
		covered = v
		return err
	}))
	if len(covered) > 0 {
		t.Errorf("with the chat open, these controls are under it: %q", covered)
	}
	checkAxe(t, ctx, axeSource(t), "the example's demo page with the chat open")
}
