package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// lastInView is true when the last message of the open conversation's
// transcript is inside the transcript's visible area.
const lastInView = `(() => { const ol = document.getElementById('transcript'); const m = ol.querySelectorAll('.msg');
	if (!m.length) return false; const last = m[m.length - 1].getBoundingClientRect(), box = ol.getBoundingClientRect();
	return last.bottom <= box.bottom + 2 && last.top >= box.top - 2; })()`

// TestWorkspaceFollowsTheCustomer: in a long conversation, what the
// customer writes last is in view when the agent opens it, after an
// approval card beside it is decided (which changes the space the
// transcript has), and after a new message; and resolving
// before anybody wrote to the customer says so in the dialog.
func TestWorkspaceFollowsTheCustomer(t *testing.T) {
	url, customer, agent := workspaceTabs(t)

	runPage(t, agent, "open the workspace", signIn(url))

	steps := []chromedp.Action[chromedp.Void]{openAndConsent(url + "/chat/demo")}
	for i := 1; i <= 12; i++ {
		steps = append(steps, typeText(fmt.Sprintf("question number %d\r", i)),
			waitFor(fmt.Sprintf(`Array.from(R.querySelectorAll('.msg .text')).some(m => m.textContent === 'You said: question number %d')`, i)))
	}
	steps = append(steps, typeText("can I have a refund of $90?\r"),
		waitFor(`Array.from(R.querySelectorAll('.msg .text')).some(m => m.textContent.includes('quick OK'))`),
		typeText("I want to talk to a person\r"),
		waitFor(`Array.from(R.querySelectorAll('.msg .text')).some(m => m.textContent.includes('asked a person from our team'))`))
	run(t, customer, "a long conversation, a refund to approve, then a person", steps...)

	runPage(t, agent, "opened, the latest message is in view beside the approval",
		pageWait(`document.getElementById('queue-count').textContent === '1'`),
		// The queue re-renders on every update: click until the case opens.
		pageWait(`(document.querySelector('#queue .item') && document.querySelector('#queue .item').click(), !document.getElementById('conv').hidden)`),
		pageWait(`document.querySelector('#c-conv-approvals .approval.pending')`),
		pageWait(`Array.from(document.querySelectorAll('#transcript .msg.customer')).some(m => m.textContent.includes('talk to a person'))`),
		pageWait(`document.getElementById('transcript').scrollHeight > document.getElementById('transcript').clientHeight + 100`),
		pageWait(lastInView),
		chromedp.Click(chromedp.ID("b-assign")),
		pageWait(`document.getElementById('b-assign').disabled`))

	runPage(t, agent, "resolving before a word to the customer warns, then cancel",
		chromedp.Click(chromedp.ID("b-resolve")),
		pageWait(`document.getElementById('d-resolve').open`),
		pageWait(`!document.getElementById('resolve-warn').hidden`),
		pageWait(`document.getElementById('resolve-warn').textContent.includes('Nobody has written to')`),
		pageWait(`document.getElementById('resolve-ok').textContent === 'Resolve without replying'`),
		chromedp.Click(chromedp.JSPath(`document.querySelector('#f-resolve button[value=cancel]')`)),
		pageWait(`!document.getElementById('d-resolve').open`),
		pageWait(`document.getElementById('queue-count').textContent === '1'`))

	runPage(t, agent, "approve: the card changes, the latest message stays in view",
		chromedp.Click(chromedp.JSPath(`document.querySelector('#c-conv-approvals .approval.pending button.primary')`)),
		pageWait(`document.querySelector('#c-conv-approvals .approval.approved')`),
		pageWait(lastInView))
	run(t, customer, "the customer is told",
		waitFor(`Array.from(R.querySelectorAll('.msg .text')).some(m => m.textContent.includes('is approved'))`))
	runPage(t, agent, "the agent's reply is in view",
		chromedp.SetValue(chromedp.ID("text"), "Yes, Sam here: your refund is on its way."),
		chromedp.Click(chromedp.ID("send")),
		pageWait(`document.querySelector('#transcript .msg.agent')`),
		pageWait(lastInView))

	runPage(t, agent, "once the agent has replied, resolving asks no more",
		chromedp.Click(chromedp.ID("b-resolve")),
		pageWait(`document.getElementById('d-resolve').open`),
		pageWait(`document.getElementById('resolve-warn').hidden`),
		pageWait(`document.getElementById('resolve-ok').textContent === 'Resolve'`))
}
