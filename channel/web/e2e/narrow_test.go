package e2e

import (
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/report"
	"github.com/parleyhq/parley/flow"
)

// TestWorkspaceOnAPhone opens a hand-off in the workspace at phone and
// half-laptop widths: nothing overflows, the customer card opens from a
// button, no message bubble is empty, and the approval names no ID.
func TestWorkspaceOnAPhone(t *testing.T) {
	url, customer, agent := workspaceTabs(t)

	run(t, customer, "the customer asks for a refund, then a person",
		openAndConsent(url+"/chat/demo"),
		typeText("I want a refund\r"), waitFor(`R.querySelectorAll('.msg.bot').length >= 1`),
		typeText("I want to talk to a person\r"), waitFor(`R.querySelectorAll('.msg.bot').length >= 2`))

	for _, w := range []int64{390, 900} {
		t.Run(strconv.FormatInt(w, 10), func(t *testing.T) {
			runPage(t, agent, "open the case",
				chromedp.EmulateViewport(w, 844), chromedp.Navigate(url+"/console/"),
				pageWait(`document.getElementById('d-name').open || document.getElementById('live').textContent === 'live'`))
			var named bool
			runPage(t, agent, "sign in", evalPage(`document.getElementById('d-name').open`, &named))
			if named {
				runPage(t, agent, "name", chromedp.SendKeys(chromedp.ID("name-in"), "Sam\r"))
			}
			runPage(t, agent, "open it",
				pageWait(`document.querySelector('#queue .item')`),
				chromedp.Click(chromedp.JSPath(`document.querySelector('#queue .item')`)),
				pageWait(`document.querySelectorAll('#transcript .msg.customer').length >= 2`))
			var got struct {
				Overflow, Empty int
				SideShown       bool
				CardButton      bool
				ApprovalWho     string
				TakePrimary     bool
			}
			runPage(t, agent, "look", evalPage(`({
				Overflow: document.documentElement.scrollWidth - innerWidth,
				Empty: Array.from(document.querySelectorAll('#transcript .msg')).filter(m => !Array.from(m.childNodes).slice(1).map(n => n.textContent).join('').trim()).length,
				SideShown: document.getElementById('side').offsetWidth > 0,
				CardButton: document.getElementById('b-card').offsetWidth > 0,
				ApprovalWho: (document.querySelector('#approvals .item .l2') || {}).textContent || '',
				TakePrimary: document.getElementById('b-assign').classList.contains('primary'),
			})`, &got))
			if got.Overflow > 0 {
				t.Errorf("the page is %d px wider than the window", got.Overflow)
			}
			if got.Empty > 0 {
				t.Errorf("%d empty message bubbles", got.Empty)
			}
			if got.SideShown || !got.CardButton {
				t.Errorf("under 1000 px the card waits behind its button: card shown %v, button shown %v", got.SideShown, got.CardButton)
			}
			if got.ApprovalWho != "Customer · with a person" {
				t.Errorf("approval row: %q (the demo has no name to show, and never an ID)", got.ApprovalWho)
			}
			if !got.TakePrimary {
				t.Error("Take is not the primary action of a waiting conversation")
			}
			var open struct {
				Width int
				Focus string
			}
			runPage(t, agent, "open the card",
				chromedp.Click(chromedp.ID("b-card")),
				pageWait(`document.getElementById('side').offsetWidth > 0`),
				evalPage(`({Width: document.getElementById('side').offsetWidth, Focus: document.activeElement.id})`, &open))
			if open.Width > int(w) || open.Focus != "b-card-close" {
				t.Errorf("card panel: %+v", open)
			}
			screenshot(t, agent, "workspace-card-"+strconv.FormatInt(w, 10))
			runPage(t, agent, "Esc closes it", chromedp.KeyEvent("\x1b"), pageWait(`document.getElementById('side').offsetWidth === 0`))
		})
	}
}

// TestDashboardOnAPhone: at 390 px the dashboard fits the screen (wide
// tables scroll in their own box) and every chart has a title.
func TestDashboardOnAPhone(t *testing.T) {
	ctx := browser(t)
	now := time.Now()
	agg := analytics.NewAggregator()
	for i := range 8 {
		conv := "c" + strconv.Itoa(i)
		for _, e := range []analytics.Event{
			{Kind: parley.EventTurn, Duration: time.Second},
			{Kind: flow.EventEnd, Attrs: map[string]string{"flow": "f", "status": "resolved"}},
		} {
			e.Conversation, e.Time, e.Channel = conv, now.Add(-time.Duration(i)*time.Minute), "web"
			agg.Add(e)
		}
	}
	views := report.Build(agg, now, report.Business{Currency: "$"})
	url := dashboardServer(t, views, report.Page{})
	var got struct {
		Overflow, Charts, Titled int
		CSAT                     string
	}
	run(t, ctx, "load the dashboard at 390 px", chromedp.EmulateViewport(390, 844), chromedp.Navigate(url+"/dashboard/"),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('svg.chart').length > 0`, chromedp.WithPollingTimeout(15*time.Second)),
		evalPage(`({
			Overflow: document.documentElement.scrollWidth - innerWidth,
			Charts: document.querySelectorAll('svg.chart').length,
			Titled: Array.from(document.querySelectorAll('figure')).filter(f => f.querySelector('figcaption') && f.querySelector('figcaption').textContent.trim()).length,
			CSAT: document.querySelector('[data-kpi="monthly.csat"] .v').textContent,
		})`, &got))
	if got.Overflow > 0 {
		t.Errorf("the dashboard is %d px wider than a 390 px phone", got.Overflow)
	}
	if got.Titled != got.Charts {
		t.Errorf("%d of %d charts have a title", got.Titled, got.Charts)
	}
	if got.CSAT != "no data yet" {
		t.Errorf("CSAT with no survey answered shows %q", got.CSAT)
	}
}
