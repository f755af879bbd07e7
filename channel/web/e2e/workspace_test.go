package e2e

import (
	"context"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/web"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
)

// approvals is a list of refunds waiting for a person; deciding one
// tells the customer through the chat.
type approvals struct {
	chat *web.Chat
	mu   sync.Mutex
	list []desk.Approval
}

func (a *approvals) add(conv string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.list = append(a.list, desk.Approval{ID: "ap-" + conv, ConversationID: conv, What: "Refund $90.00 on order A-1002",
		Amount: 90, Limit: 50, Created: time.Now()})
}

func (a *approvals) Pending(context.Context) ([]desk.Approval, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]desk.Approval(nil), a.list...), nil
}

func (a *approvals) Decide(ctx context.Context, id, agent string, approve bool) error {
	a.mu.Lock()
	var conv string
	for i, p := range a.list {
		if p.ID == id {
			conv = p.ConversationID
			a.list = append(a.list[:i], a.list[i+1:]...)
			break
		}
	}
	a.mu.Unlock()
	if conv == "" {
		return escalation.ErrUnknownTicket
	}
	text := "Good news: your refund of $90.00 is approved."
	if !approve {
		text = "Sorry, we can't approve that refund."
	}
	return a.chat.Sender().Send(ctx, parley.Address{Channel: "web", ConversationID: conv}, parley.Message{Text: text, Agent: agent})
}

// workspaceServer serves the demo shop with the widget and the agents'
// workspace at /console/, over a bot that hands off to a person when
// asked and asks a teammate to approve refunds.
func workspaceServer(t *testing.T) string {
	t.Helper()
	// Bursts of 30: a test writes a long conversation faster than a person
	// would (the default, 12, refused its 14th message on a quick run).
	chat, err := web.New(web.Config{Secret: []byte("e2e-secret-e2e-secret-e2e-secret-e2e"), Title: "Parley Shop", RateBurst: 30})
	if err != nil {
		t.Fatal(err)
	}
	appr := &approvals{chat: chat}
	var bot *parley.Bot
	deliver := escalation.DeliverFunc(func(ctx context.Context, turn *parley.Turn) error {
		return bot.HandleTurn(ctx, parley.ReplyFunc(func(ctx context.Context, m parley.Message) error {
			return chat.Sender().Send(ctx, parley.Address{Channel: "web", ConversationID: turn.ConversationID}, m)
		}), turn)
	})
	agents := desk.NewMemory(deliver)
	esc, err := escalation.New(agents)
	if err != nil {
		t.Fatal(err)
	}
	router := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, turn *parley.Turn) error {
		switch text := strings.ToLower(turn.Text()); {
		case strings.Contains(text, "refund"):
			appr.add(turn.ConversationID)
			return w.Reply(ctx, parley.Text("A refund of $90.00 needs a quick OK from a teammate. I'll tell you here."))
		case turn.Signal != nil:
			return nil
		}
		return w.Reply(ctx, parley.Text("You said: "+turn.Text()))
	})
	bot = parley.NewBot(parley.Chain(router, escalation.Middleware(esc)), parley.WithSender("web", chat.Sender()))
	mux := http.NewServeMux()
	mux.Handle("/chat/", http.StripPrefix("/chat", chat.Handler(bot)))
	mux.Handle("/console/", http.StripPrefix("/console", desk.NewConsole(agents, desk.WithApprovals(appr))))
	return start(t, bot, chat, mux)
}

// pageWait polls a JS condition on the page (not the widget) until it
// is true.
func pageWait(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`(() => !!(`+cond+`))()`,
		chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))
}

// workspaceTabs starts workspaceServer and a browser with two tabs, the
// customer's and the agent's.
func workspaceTabs(t *testing.T) (url string, customer, agent context.Context) {
	t.Helper()
	customer = browser(t)
	url = workspaceServer(t)
	agent, cancel := chromedp.NewContext(customer)
	t.Cleanup(cancel)
	return url, customer, agent
}

// signIn opens the workspace at url and says who the agent is.
func signIn(url string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Navigate(url+"/console/"),
		pageWait(`document.getElementById('d-name').open`),
		chromedp.SendKeys(chromedp.ID("name-in"), "Sam\r"),
		pageWait(`document.getElementById('live').textContent === 'live'`))
}

func runPage(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		text, derr := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
		if derr != nil {
			text = derr.Error()
		}
		t.Fatalf("%s: %v\npage text:\n%s", step, err, text)
	}
}

func TestWorkspaceInChromium(t *testing.T) {
	url, customer, agent := workspaceTabs(t)

	runPage(t, agent, "open the workspace and say who I am", signIn(url),
		pageWait(`document.getElementById('queue-count').textContent === '0'`))
	screenshot(t, agent, "workspace-empty")

	run(t, customer, "the customer asks for a person",
		openAndConsent(url+"/chat/demo"),
		typeText("my parcel never arrived\r"), waitFor(`R.querySelectorAll('.msg.bot').length >= 1`),
		typeText("can I have a refund of $90?\r"),
		waitFor(`Array.from(R.querySelectorAll('.msg .text')).some(m => m.textContent.includes('quick OK'))`))
	runPage(t, agent, "the approval waits in the workspace, without a reload",
		pageWait(`document.getElementById('appr-count').textContent === '1'`))
	run(t, customer, "then asks for a person",
		typeText("I want to talk to a person\r"),
		waitFor(`R.querySelectorAll('.msg.bot').length >= 3`))

	runPage(t, agent, "the hand-off appears without a reload",
		pageWait(`document.getElementById('queue-count').textContent === '1'`),
		pageWait(`document.querySelector('#queue .item .who')`))
	runPage(t, agent, "open it and use the suggested reply",
		chromedp.Click(chromedp.JSPath(`document.querySelector('#queue .item')`)),
		pageWait(`document.querySelectorAll('#transcript .msg.customer').length >= 2`),
		pageWait(`document.querySelector('#suggest button')`),
		pageWait(`document.getElementById('c-reason').textContent.includes('asked to talk to a person')`))
	screenshot(t, agent, "workspace-case")
	if path := os.Getenv("PARLEY_TEST_AXE"); path != "" {
		axe, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checkAxe(t, agent, string(axe), "the workspace")
	}
	runPage(t, agent, "reply from the keyboard",
		chromedp.KeyEvent("r"),
		pageWait(`document.activeElement === document.getElementById('text')`),
		chromedp.SetValue(chromedp.ID("text"), "Hi, I'm Sam. I'm checking your parcel now."),
		chromedp.Click(chromedp.ID("send")),
		pageWait(`document.querySelector('#transcript .msg.agent')`))

	run(t, customer, "the reply reaches the widget, from a person",
		waitFor(`Array.from(R.querySelectorAll('.msg.agent .text')).some(m => m.textContent.includes("I'm Sam"))`),
		waitFor(`Array.from(R.querySelectorAll('.msg.agent .name')).some(n => n.textContent === 'Sam')`))
	screenshot(t, customer, "widget-agent-reply")

	runPage(t, agent, "the approval shows beside the conversation",
		pageWait(`document.querySelector('#c-conv-approvals .approval.pending button.primary')`),
		pageWait(`document.getElementById('appr-count').textContent === '1'`),
		chromedp.Click(chromedp.JSPath(`document.querySelector('#c-conv-approvals .approval.pending button.primary')`)),
		pageWait(`document.querySelector('#c-conv-approvals .approval.approved')`),
		pageWait(`document.querySelector('#c-conv-approvals .approval.approved').textContent.includes('Approved by Sam')`),
		pageWait(`document.getElementById('appr-count').textContent === '0'`))
	run(t, customer, "the customer is told",
		waitFor(`Array.from(R.querySelectorAll('.msg .text')).some(m => m.textContent.includes('is approved'))`))

	runPage(t, agent, "a note, then resolve with a reason",
		chromedp.KeyEvent("n"),
		pageWait(`document.getElementById('m-note').getAttribute('aria-selected') === 'true'`),
		chromedp.SetValue(chromedp.ID("text"), "Parcel lost by the carrier; refunded."),
		chromedp.Click(chromedp.ID("send")),
		pageWait(`document.querySelector('#transcript .msg.note')`),
		chromedp.Click(chromedp.ID("b-resolve")),
		pageWait(`document.getElementById('d-resolve').open`),
		chromedp.SetValue(chromedp.ID("reason-sel"), "Refund issued"),
		chromedp.Click(chromedp.JSPath(`document.querySelector('#f-resolve button.primary')`)),
		pageWait(`!document.getElementById('closed-note').hidden`),
		pageWait(`document.getElementById('queue-count').textContent === '0'`))
	var notes []string
	run(t, customer, "the customer never sees the note", eval(`Array.from(R.querySelectorAll('.msg .text')).map(m => m.textContent)`, &notes))
	for _, n := range notes {
		if strings.Contains(n, "carrier") {
			t.Errorf("the internal note reached the customer: %q", n)
		}
	}
}

// screenshot saves the page as name.png among the test's artifacts
// when the tests run with -artifacts (go test -artifacts -outputdir DIR);
// they are not committed.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if f := flag.Lookup("test.artifacts"); f == nil || f.Value.String() != "true" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestWorkspaceKeepsTheAgentsPlace walks the workspace as an agent who
// uses the keyboard and has a reply half written: the queue is reached
// with Tab alone (no item was a tab stop until one was selected), a
// draft survives a look at an approval (it was lost), the keyboard
// stays on a row when the queue is drawn afresh, and a resolved
// conversation shows no composer (the hidden form stayed on screen, its
// display set by its class).
func TestWorkspaceKeepsTheAgentsPlace(t *testing.T) {
	url, customer, agent := workspaceTabs(t)
	other, cancel := chromedp.NewContext(customer) // a second visitor: no consent, so no shared conversation
	t.Cleanup(cancel)

	runPage(t, agent, "open the workspace", signIn(url), pageWait(`document.getElementById('queue-count').textContent === '0'`))
	run(t, customer, "one customer asks for a person", chromedp.Navigate(url+"/chat/demo"), launch(),
		typeText("I want to talk to a person\r"), waitFor(`R.querySelectorAll('.msg.bot').length >= 1`))
	run(t, other, "another asks for a refund", chromedp.Navigate(url+"/chat/demo"), launch(),
		typeText("can I have a refund of $90?\r"),
		waitFor(`Array.from(R.querySelectorAll('.msg .text')).some(m => m.textContent.includes('quick OK'))`))
	runPage(t, agent, "both are listed", pageWait(`document.getElementById('queue-count').textContent === '1'`),
		pageWait(`document.getElementById('appr-count').textContent === '1'`))

	runPage(t, agent, "start from the top of the page",
		chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	reached := false
	for range 6 {
		runPage(t, agent, "tab", chromedp.KeyEvent("\t"))
		var on bool
		runPage(t, agent, "where is the focus", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			v, err := chromedp.Evaluate[bool](`document.activeElement.matches('#queue .item')`)(ctx, tg)
			on = v
			return err
		}))
		if on {
			reached = true
			break
		}
	}
	if !reached {
		t.Fatal("Tab never reached the queue's conversation")
	}
	runPage(t, agent, "Enter opens it; take it and start a reply",
		chromedp.KeyEvent("\r"), pageWait(`!document.getElementById('conv').hidden && document.getElementById('c-title').textContent !== ''`),
		chromedp.KeyEvent("a"), pageWait(`document.getElementById('b-assign').hidden`),
		pageWait(`document.querySelector('#queue .item .wait').textContent.includes('Sam')`))
	// The queue is drawn afresh on every change (here, the take): the
	// keyboard stays on the conversation's row (it fell to the page).
	runPage(t, agent, "the keyboard is still on the row", pageWait(`document.activeElement.matches('#queue .item')`),
		chromedp.KeyEvent("r"), pageWait(`document.activeElement === document.getElementById('text')`),
		chromedp.SetValue(chromedp.ID("text"), "Half a sentence"))
	runPage(t, agent, "look at the approval",
		chromedp.Click(chromedp.JSPath(`document.querySelector('#approvals .item')`)),
		pageWait(`!document.getElementById('appr-view').hidden`))
	runPage(t, agent, "then come back",
		chromedp.Click(chromedp.JSPath(`document.querySelector('#queue .item')`)),
		pageWait(`!document.getElementById('conv').hidden`),
		pageWait(`document.getElementById('text').value === 'Half a sentence'`))

	runPage(t, agent, "resolve it",
		chromedp.Evaluate[chromedp.Void](`document.getElementById('text').value = ''`),
		chromedp.Click(chromedp.ID("b-resolve")), pageWait(`document.getElementById('d-resolve').open`),
		chromedp.SetValue(chromedp.ID("reason-sel"), "Question answered"),
		chromedp.Click(chromedp.JSPath(`document.querySelector('#f-resolve button.primary')`)),
		pageWait(`!document.getElementById('closed-note').hidden`),
		pageWait(`getComputedStyle(document.getElementById('composer')).display === 'none'`))
}
