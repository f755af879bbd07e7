package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// checkAxeAll runs axe-core (its source axe) on the page of ctx and
// reports every violation, whatever its impact: the staff pages are
// held to no violation at all, moderate (a missing <main>) included.
func checkAxeAll(t *testing.T, ctx context.Context, axe, what string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
		.map(v => v.impact + ' ' + v.id + ': ' + v.help + ' [' + v.nodes.map(n => JSON.stringify(n.target)).join(', ') + ']'))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	if len(violations) > 0 {
		t.Errorf("axe-core on %s:\n%s", what, strings.Join(violations, "\n"))
	}
}

// TestExampleStaffPagesAfterAVisitAndAChat walks the example's staff
// pages as a staff member does, after a visitor who loaded the demo
// pages without opening the chat, then after a customer's conversation
// (web12's findings): the visit is no conversation on the dashboard; the
// customer's tap on "Yes" reads "Yes" in the workspace, not its payload;
// one conversation is "1 conversation"; an axis of counts up to 1 reads
// "0 1"; and axe-core finds nothing on the sign-in page, the dashboard,
// the workspace (empty, an approval, a case), the privacy page and the
// review page.
func TestExampleStaffPagesAfterAVisitAndAChat(t *testing.T) {
	axe := axeSource(t)
	url := exampleServer(t, "-always-open")
	// The visitor has a browser of their own: their conversation is not
	// the customer's.
	visitor, customer := browser(t), browser(t)
	staff, cancelStaff := chromedp.NewContext(customer)
	defer cancelStaff()

	run(t, visitor, "a visitor loads the demo pages and never opens the chat",
		chromedp.Navigate(url+"/"), waitFor(`R && R.querySelector('.launcher')`), chromedp.Sleep(time.Second),
		chromedp.Navigate(url+"/simulate/"), chromedp.Sleep(2*time.Second))

	runPage(t, staff, "the sign-in page", chromedp.Navigate(url+"/staff/login?next=/dashboard/"), pageWait(`document.getElementById('agent')`))
	checkAxeAll(t, staff, axe, "the sign-in page")
	runPage(t, staff, "sign in with the form",
		chromedp.SetValue(chromedp.ID("agent"), "Sam"), chromedp.SetValue(chromedp.ID("password"), examplePassword),
		chromedp.Click(chromedp.JSPath(`document.querySelector('form button')`)),
		chromedp.Sleep(2*time.Second), // the sign-in's redirect; the test then navigates itself
		chromedp.Navigate(url+"/dashboard/"), pageWait(`document.getElementById('definitions')`))

	type dash struct {
		Header, Conversations string
		Notes                 []string
		Axes                  [][]string
	}
	var got dash
	readDash := evalPage(`({
		Header: document.querySelector('header p.window').textContent,
		Conversations: document.querySelector('[data-kpi="weekly.conversations"] .v').textContent,
		Notes: Array.from(document.querySelectorAll('.card .n, .card .d')).map(n => n.textContent),
		Axes: Array.from(document.querySelectorAll('svg.chart')).map(s => Array.from(s.querySelectorAll('text[text-anchor="end"]')).map(x => x.textContent)),
	})`, &got)
	// The visit's page events reach the analytics as they happen: load
	// the dashboard until they are in (the header counts the events).
	for range 20 {
		runPage(t, staff, "the dashboard after the visit", chromedp.Navigate(url+"/dashboard/"), pageWait(`document.getElementById('definitions')`), readDash)
		if !strings.Contains(got.Header, " 0 events") {
			break
		}
		runPage(t, staff, "wait", chromedp.Sleep(500*time.Millisecond))
	}
	t.Logf("after the visit: %+v", got)
	if strings.Contains(got.Header, " 0 events") {
		t.Fatalf("the visit's events never reached the dashboard: %q", got.Header)
	}
	if got.Conversations != "0" || !strings.Contains(got.Header, "0 conversations,") {
		t.Errorf("a visit without a chat counts on the dashboard: conversations %q, header %q", got.Conversations, got.Header)
	}
	for _, ax := range got.Axes {
		for i := 1; i < len(ax); i++ {
			if ax[i] == ax[i-1] {
				t.Errorf("a chart's y axis repeats a label: %q", ax)
			}
		}
	}
	checkAxeAll(t, staff, axe, "the dashboard")

	run(t, customer, "a customer asks for a refund over the limit and taps Yes", openWidget(url),
		waitFor(`!R.querySelector('.consent').hidden`), click(".consent-yes"), waitFor(`R.querySelector('.consent').hidden`),
		say("I want a refund for order A-1002", "How much should I refund"),
		say("$80", "To confirm"),
		waitFor(`Array.from(R.querySelectorAll('.quick-reply')).some(b => b.textContent === 'Yes')`),
		chromedp.Evaluate[chromedp.Void](`Array.from(`+root+`.querySelectorAll('.quick-reply')).find(b => b.textContent === 'Yes').click()`),
		botSaid("quick OK from a teammate"))

	runPage(t, staff, "the workspace shows the approval", chromedp.Navigate(url+"/console/"),
		pageWait(`document.getElementById('live') && document.getElementById('live').textContent === 'live'`))
	checkAxeAll(t, staff, axe, "the workspace")
	var approval []string
	runPage(t, staff, "open the approval",
		pageWait(`document.getElementById('appr-count').textContent === '1'`),
		chromedp.Click(chromedp.JSPath(`document.querySelector('#approvals li')`)),
		pageWait(`!document.getElementById('appr-view').hidden && document.querySelectorAll('#a-transcript .msg').length > 0`),
		evalPage(`Array.from(document.querySelectorAll('#a-transcript .msg')).map(m => m.querySelector('.meta').textContent.split(' · ')[0] + ': ' + m.lastChild.textContent)`, &approval))
	t.Logf("the approval's conversation so far: %q", approval)
	if !containsLine(approval, "Customer: Yes") || containsLine(approval, "Customer: yes") {
		t.Errorf("the approval's transcript does not show the tap as the customer saw it:\n%q", approval)
	}
	checkAxeAll(t, staff, axe, "the workspace's approval")

	run(t, customer, "the customer asks for a person", say("I want to talk to a person", "asked a person from our team"))
	var lines []string
	runPage(t, staff, "open the case",
		pageWait(`document.getElementById('queue-count').textContent === '1'`), pageWait(openCase),
		pageWait(`Array.from(document.querySelectorAll('#transcript .msg.customer')).some(m => m.textContent.includes('talk to a person'))`),
		evalPage(transcriptLines, &lines))
	t.Logf("the case's transcript: %q", lines)
	if !containsLine(lines, "Customer: Yes") || containsLine(lines, "Customer: yes") {
		t.Errorf("the case's transcript does not show the tap as the customer saw it:\n%q", lines)
	}
	checkAxeAll(t, staff, axe, "the workspace with a case open")

	for range 20 {
		runPage(t, staff, "the dashboard after the chat", chromedp.Navigate(url+"/dashboard/"), pageWait(`document.getElementById('definitions')`), readDash)
		if got.Conversations != "0" {
			break
		}
		runPage(t, staff, "wait", chromedp.Sleep(500*time.Millisecond))
	}
	t.Logf("after the chat: %+v", got)
	if got.Conversations != "1" || !strings.Contains(got.Header, " 1 conversation,") {
		t.Errorf("after a visit and a chat: conversations %q, header %q, want the chat only", got.Conversations, got.Header)
	}
	if !containsLine(got.Notes, "only 1 conversation: too few to judge") {
		t.Errorf("no note says 'only 1 conversation': %q", got.Notes)
	}
	for _, n := range got.Notes {
		if strings.Contains(n, "1 conversations") || strings.Contains(n, " 1 replies") || strings.Contains(n, " 1 answers") {
			t.Errorf("a count disagrees with its number: %q", n)
		}
	}
	for _, ax := range got.Axes {
		for i := 1; i < len(ax); i++ {
			if ax[i] == ax[i-1] {
				t.Errorf("a chart's y axis repeats a label: %q", ax)
			}
		}
	}
	checkAxeAll(t, staff, axe, "the dashboard with a conversation")

	runPage(t, staff, "the privacy page", chromedp.Navigate(url+"/privacy/"), pageWait(`document.querySelector('form')`))
	checkAxeAll(t, staff, axe, "the privacy page")
	runPage(t, staff, "the review page", chromedp.Navigate(url+"/dashboard/review"), pageWait(`document.querySelector('h1')`))
	checkAxeAll(t, staff, axe, "the review page")
}

// containsLine reports whether lines has one equal to s.
func containsLine(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}
