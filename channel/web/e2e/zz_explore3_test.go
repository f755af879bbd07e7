package e2e

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)


func TestZZMore(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	customer := browser(t)
	url := exampleServer(t)
	tab2, cancel := chromedp.NewContext(customer)
	defer cancel()
	agent, cancel2 := chromedp.NewContext(customer)
	defer cancel2()
	read := func(ctx context.Context, label string) {
		var out []string
		run(t, ctx, label, eval(`Array.from(R.querySelectorAll('.msg')).map(m => (m.classList.contains('user') ? 'YOU: ' : 'BOT: ') + m.innerText.replace(/\n+/g,' ⏎ ').slice(0,200))`, &out))
		var in string
		run(t, ctx, label, eval(`R.querySelector('.input').value + ' | status=' + (R.querySelector('.status')?R.querySelector('.status').textContent:'')`, &in))
		t.Log(label + ":\n" + strings.Join(out, "\n") + "\nINPUT: " + in)
	}
	_ = read
	run(t, customer, "open", openWidget(url), waitFor(`!R.querySelector('.consent').hidden`), click(".consent-yes"))
	run(t, customer, "refund", say("I want a refund for order A-1002", "How much"), say("$90", "To confirm"), say("yes", "teammate"))
	run(t, tab2, "second tab", openWidget(url), waitFor(`R.querySelectorAll('.msg.bot').length >= 3`))
	run(t, tab2, "second tab says", say("where is order A-1010?", "A-1010"))
	time.Sleep(time.Second)
	run(t, customer, "first tab draft", typeText("and one more thing"))
	runPage(t, agent, "login", chromedp.Navigate(url+"/console/"), pageWait(`document.getElementById('agent')`),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('agent').value='Sam'; document.getElementById('password').value='`+examplePassword+`'; document.querySelector('form').submit()`))
	time.Sleep(2 * time.Second)
	runPage(t, agent, "approve", pageWait(`document.getElementById('appr-count').textContent === '1'`),
		chromedp.Click(chromedp.JSPath(`document.querySelector('#approvals li')`)),
		pageWait(`document.querySelector('.approval.pending button.primary')`),
		chromedp.Click(chromedp.JSPath(`document.querySelector('.approval.pending button.primary')`)))
	run(t, customer, "approved", botSaid("approved"))
	time.Sleep(2 * time.Second)
	read(customer, "TAB1")
	read(tab2, "TAB2")
	long := strings.Repeat("my lamp arrived broken and ", 200)
	run(t, customer, "long", typeText(long[:0]))
	run(t, customer, "long set", chromedp.Evaluate[chromedp.Void](root+`.querySelector('.input').value = `+jsString(long)+`; `+root+`.querySelector('.input').dispatchEvent(new Event('input'))`), click(".send"))
	time.Sleep(3 * time.Second)
	read(customer, "LONG")
	png, _ := chromedp.Run(customer, chromedp.CaptureScreenshot())
	os.WriteFile("/tmp/explore/long.png", png, 0o644)
}
