package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/flow/flowtest"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
)

var update = flag.Bool("update", false, "rewrite golden transcripts")

// goldenToday is the day the tests' demo data is dated from, so that the
// transcripts' dates do not move (Ada's plan renews a week later, on
// 2026-12-01).
var goldenToday = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

// newApp wires the example for the tests, with the demo data dated from
// goldenToday. demoCustomer is who anonymous visitors are.
func newApp(demoCustomer string, opts ...parley.Option) (*app, error) {
	return newAppWith(config{customer: demoCustomer, writes: true, today: goldenToday}, opts...)
}

func newTester(t *testing.T, opts ...parleytest.Option) (*parleytest.Tester, *app) {
	t.Helper()
	return newTesterWith(t, config{writes: true, today: goldenToday}, opts...)
}

// newTesterWith is newTester for the app cfg wires.
func newTesterWith(t *testing.T, cfg config, opts ...parleytest.Option) (*parleytest.Tester, *app) {
	t.Helper()
	a, err := newAppWith(cfg)
	require.NoError(t, err)
	closeAnalytics(t, a)
	// The tester's Bot keeps its sessions in the app's store, as the
	// running example does (an in-chat erasure reaches them).
	opts = append([]parleytest.Option{parleytest.WithCustomer("cus_ada"), parleytest.WithStore(a.store)}, opts...)
	c := parleytest.NewTester(t, a.handler, opts...)
	a.divert = func(turn *parley.Turn) {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.pending = append(a.pending, turn)
	}
	return c, a
}

// flush delivers the desk's lifecycle turns (agent joined, messages,
// resolved) to the tester's bot.
func flush(c *parleytest.Tester, a *app) *parleytest.Tester {
	for {
		a.mu.Lock()
		if len(a.pending) == 0 {
			a.mu.Unlock()
			return c
		}
		turn := a.pending[0]
		a.pending = a.pending[1:]
		a.mu.Unlock()
		c.Deliver(turn)
	}
}

func TestGolden(t *testing.T) {
	if *update {
		t.Log("rewriting golden transcripts")
	}
	parleytest.RunGolden(t, "testdata/*.txtar", func(t *testing.T) parley.Handler {
		a, err := newApp("")
		require.NoError(t, err)
		closeAnalytics(t, a)
		return a.handler
	}, parleytest.WithCustomer("cus_ada"))
}

func TestOrderStatus(t *testing.T) {
	c, _ := newTester(t)
	c.Send("hi").Expect(parleytest.Exact("Hi Ada! I'm the ShopCo assistant.")).
		ExpectQuickReplies("Track my order", "Return or refund", "Renew my plan", "Talk to a human")
	c.Send("where is my order").Expect(parleytest.Contains("order number")).Check(flowtest.Flow("order_status"))
	c.Send("it's a1001 I think").Expect(parleytest.Contains("has shipped. Tracking number: 1Z999AA10123456784")).
		Check(flowtest.Slot("order", "A-1001"))
	c.Tap("Yes").Expect(parleytest.Contains("Glad I could help")).Check(flowtest.Status(flow.Resolved))
}

func TestUnknownVisitorIsGreetedPolitely(t *testing.T) {
	c, _ := newTester(t, parleytest.WithCustomer("visitor-42"))
	c.Send("hello").Expect(parleytest.Exact("Hi there! I'm the ShopCo assistant."))
}

func TestRefundUnderLimit(t *testing.T) {
	c, a := newTester(t)
	c.Send("hi").Tap("Return or refund").Send("A-1001").Expect(parleytest.Contains("$39.00 left"))
	c.Send("not sure").Expect(parleytest.Contains("I need an amount, like $25"))
	c.Send("twenty dollars").Expect(parleytest.Contains("To confirm: refund $20.00 on order A-1001"))
	c.Tap("Yes").Expect(parleytest.Contains("Done! $20.00 is on its way"))
	o, err := a.shop.Order(t.Context(), "A-1001")
	require.NoError(t, err)
	assert.Equal(t, 20.0, o.Refunded)

	// The platform redelivers the confirmation: no second refund.
	c.Resend()
	o, err = a.shop.Order(t.Context(), "A-1001")
	require.NoError(t, err)
	assert.Equal(t, 20.0, o.Refunded)
}

// pendingApproval returns the one approval waiting.
func pendingApproval(t *testing.T, a *app) action.ApprovalRequest {
	t.Helper()
	pending, err := a.actions.awaiting(t.Context())
	require.NoError(t, err)
	require.Len(t, pending, 1)
	return pending[0].Request
}

func TestRefundOverLimitNeedsApproval(t *testing.T) {
	c, a := newTester(t)
	c.Send("hi").Tap("Return or refund").Send("A-1002").Send("$80").Expect(parleytest.Contains("To confirm: refund $80.00"))
	c.Tap("Yes").Expect(parleytest.Contains("need a quick OK from a teammate"))
	assert.Empty(t, a.desk.Queue(), "an approval is not a hand-off: no queue")
	req := pendingApproval(t, a)
	assert.Equal(t, actRefund, req.Action)
	assert.Equal(t, 80.0, req.Amount, "the teammate sees what to approve")
	o, err := a.shop.Order(t.Context(), "A-1002")
	require.NoError(t, err)
	assert.Zero(t, o.Refunded, "nothing refunded without approval")

	// The customer keeps chatting with the bot while it waits.
	c.Send("where is order A-1001?").Expect(parleytest.Contains("has shipped"))

	// A teammate approves: the refund runs, once, audited with the
	// approver, and the customer is told in a message of its own.
	require.NoError(t, a.decide(t.Context(), req.ID, "Sam", true))
	assert.Equal(t, 80.0, a.shop.refunded("A-1002"))
	flush(c, a).Expect(parleytest.Contains("your refund of $80.00 on order A-1002 is approved"))
	_, _, err = a.actions.decide(t.Context(), req.ID, "Sam", true)
	require.ErrorIs(t, err, action.ErrRejected, "an approval is used once")
	assert.Equal(t, 80.0, a.shop.refunded("A-1002"))
	var approver string
	for _, e := range a.actions.reg.Audit().(*action.MemoryAudit).Entries() {
		if e.Action == actRefund && e.Outcome == string(action.Done) {
			approver = e.Approver
		}
	}
	assert.Equal(t, "Sam", approver)
}

func TestRefundRejected(t *testing.T) {
	c, a := newTester(t)
	c.Send("hi").Tap("Return or refund").Send("A-1002").Send("$120").Tap("Yes").Expect(parleytest.Contains("quick OK from a teammate"))
	_, _, err := a.actions.decide(t.Context(), pendingApproval(t, a).ID, "Sam", false)
	require.NoError(t, err)
	assert.Zero(t, a.shop.refunded("A-1002"))
}

func TestRefundGuards(t *testing.T) {
	c, _ := newTester(t)
	c.Send("hi").Tap("Return or refund").Send("A-1003").Expect(parleytest.Contains("couldn't find order A-1003 on your account"))
	c.Send("A-1004").Expect(parleytest.Contains("still couldn't find order A-1004"))
	c.Send("hi").Tap("Return or refund").Send("A-1001").Send("45 EUR").Expect(parleytest.Contains("Refunds are paid in US dollars"))
	c.Send("$45").Expect(parleytest.Contains("more than the $39.00 left"))
}

func TestHumanAnywhere(t *testing.T) {
	c, a := newTester(t)
	c.Send("hi").Tap("Track my order").Send("talk to a human").Expect(parleytest.Contains("asked a person from our team to join"))
	require.Len(t, a.desk.Queue(), 1)
}

func TestBackendOutageIsToldGracefully(t *testing.T) {
	c, a := newTester(t)
	a.shop.setDown(true)
	c.Send("hi").Expect(parleytest.Exact("Hi there! I'm the ShopCo assistant.")) // CRM down: no name, no error
	c.Tap("Track my order").Send("A-1001").
		Expect(parleytest.Contains("can't see your order right now"), parleytest.Contains("person")).
		ExpectQuickReplies("Talk to a person", "Email me")
	c.Tap("Email me").Expect(parleytest.Contains("we'll email you"))
}

func TestRenewalReminderAndWinBack(t *testing.T) {
	synctest.Test(t, renewalReminderAndWinBack) // the bubble's clock: the renewal is not within a week of today
}

func renewalReminderAndWinBack(t *testing.T) {
	c, a := newTester(t)
	c.Signal("renewal.due", nil).Expect(parleytest.Exact("Your Monthly Plus plan renews on December 1, 2026."))
	c.Tap("Cancel my plan").Expect(parleytest.Contains("Can I ask why you're leaving?")).ExpectQuickReplies("Too expensive", "Don't use it", "Missing feature", "Other")
	c.Tap("Other").Expect(parleytest.Contains("3 months of Plus at half price change your mind? You'd pay $6 a month until March 1, 2027, then $12: $18 less."))
	c.Tap("Yes, I'll stay").Expect(parleytest.Contains("you pay $6 a month until March 1, 2027, then $12 a month"))
	p, err := a.shop.Profile(t.Context(), "cus_ada")
	require.NoError(t, err)
	assert.Contains(t, p["plan"], "50% off")
}

func TestConversationResumesAfterRestart(t *testing.T) {
	store := memory.NewMap()
	c1, _ := newTester(t, parleytest.WithStore(store))
	c1.Send("hi").Tap("Return or refund").Check(flowtest.Node("pick_order")) // her orders listed (followup.go)
	c2, _ := newTester(t, parleytest.WithStore(store))                       // a new process, same store
	c2.Send("A-1001").Expect(parleytest.Contains("left to refund"))
}

func TestBadInput(t *testing.T) {
	c, _ := newTester(t)
	c.Send("hi").Tap("Track my order")
	for _, give := range []string{"", "   ", "\x00\x7f", "\xff", "🙂", strings.Repeat("A-1001 ", 200000)} {
		c.Send(give)
		require.NotEmpty(t, c.Replies(), "input %.20q got no reply", give)
	}
}

func TestRunFromPipe(t *testing.T) {
	in, err := os.CreateTemp(t.TempDir(), "in")
	require.NoError(t, err)
	_, err = in.WriteString("hi\n1\nA-1001\n")
	require.NoError(t, err)
	_, err = in.Seek(0, 0)
	require.NoError(t, err)
	var out strings.Builder
	require.NoError(t, run(t.Context(), []string{"-cli", "-memory"}, in, &out))
	assert.Contains(t, out.String(), "has shipped")
	require.NoError(t, in.Close())
}

func TestUpsetCustomerGetsEmpatheticTone(t *testing.T) {
	c, _ := newTester(t)
	c.Send("hi").Tap("Track my order").Send("A-9999, and this is ridiculous, I've been waiting forever").
		Expect(parleytest.Exact("I'm sorry, I couldn't find order A-9999 on your account."))
	// A calm customer gets the plain wording.
	c2, _ := newTester(t, parleytest.WithConversation("calm"))
	c2.Send("hi").Tap("Track my order").Send("A-9999").Expect(parleytest.Exact("I couldn't find order A-9999 on your account."),
		parleytest.Exact("Could you check the number in your confirmation email and type it again?"))
}

func TestHandoffLifecycle(t *testing.T) {
	c, a := newTester(t)
	c.Send("hi").Send("human").Expect(parleytest.Contains("asked a person from our team to join"))
	tk := a.desk.Queue()[0].Ticket
	ctx := t.Context()

	// While a person owns the conversation, the bot stays silent and the
	// customer's messages reach the agent.
	require.NoError(t, a.desk.Assign(ctx, tk.ID, "Sam"))
	flush(c, a).Expect(parleytest.Contains("Sam"))
	c.Send("it arrived broken, that's why").ExpectNoReply()
	got, ok := a.desk.Get(tk.ID)
	require.True(t, ok)
	require.NotEmpty(t, got.Thread)
	assert.Equal(t, "it arrived broken, that's why", got.Thread[len(got.Thread)-1].Text)

	require.NoError(t, a.desk.Reply(ctx, tk.ID, "Sam", "Approved: $80 is on its way back to you."))
	flush(c, a).Expect(parleytest.Exact("Approved: $80 is on its way back to you."))
	assert.Equal(t, memory.RoleAgent, c.Session().History[len(c.Session().History)-1].Role)

	// Resolved: back to the bot, which asks for a rating.
	require.NoError(t, a.desk.Resolve(ctx, tk.ID, "Sam", "refund approved"))
	flush(c, a).Expect(parleytest.Contains("1 to 5"))
	c.Tap("5").Expect(parleytest.Contains("Thanks"))
	c.Send("hi").Expect(parleytest.Contains("What would you like to do?"))
}

func TestPageBehaviourNudges(t *testing.T) {
	c, _ := newTester(t)
	c.Signal("product_view", map[string]string{"id": "sku-trail-2", "count_24h": "1"}).ExpectNoReply()
	c.Signal("product_view", map[string]string{"id": "sku-trail-2", "count_24h": "2"}).ExpectNoReply()
	c.Signal("product_view", map[string]string{"id": "sku-trail-2", "count_24h": "3"}).
		Expect(parleytest.Contains("Need help with this product?")).ExpectQuickReplies("Shipping times", "Return policy", "Talk to a human")
	c.Tap("Shipping times").Expect(parleytest.Contains("Standard shipping takes 2-4 business days"))
	// A visitor in the middle of a form is not interrupted.
	c.Send("hi").Tap("Track my order")
	c.Signal("page.idle", nil).ExpectNoReply().Check(flowtest.Flow("order_status"))
}

func TestWebMode(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-staff-password", "s3cret", "-db", filepath.Join(t.TempDir(), "demo.db")}, os.Stdin, pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var base string
	for sc.Scan() {
		if u, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "chat:"); ok {
			base = strings.TrimSpace(u)
			break
		}
	}
	require.NotEmpty(t, base, "the example prints where it serves")
	go func() {
		for sc.Scan() { // keep draining the output
		}
	}()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	staff := staffClient(t, strings.TrimSuffix(base, "/"), "Sam", "s3cret")
	for _, path := range []string{"", "chat/widget.js", "console/", "approvals/"} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		require.NoError(t, err)
		client := http.DefaultClient
		if strings.HasSuffix(path, "/") && path != "" {
			// Staff pages: sent to the sign-in page without a session.
			resp, err := noFollow.Do(req)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, http.StatusSeeOther, resp.StatusCode, path)
			assert.Contains(t, resp.Header.Get("Location"), "/staff/login", path)
			client = staff
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.NotEmpty(t, body, path)
	}
	cancel()
	require.NoError(t, <-done)
}

func TestChangeAddress(t *testing.T) {
	c, a := newTester(t, parleytest.WithCustomer("cus_ben"))
	c.Send("hi").Send("change my address").Expect(parleytest.Contains("Which order should go to a new address"))
	c.Send("A-1003").Expect(parleytest.Contains("new delivery address for the Running socks"))
	c.Send("flat 2").Expect(parleytest.Contains("full address"))
	c.Send("7 Ocean Drive, Leith EH6 6JJ").Expect(parleytest.Contains(`Shall I change the delivery address of A-1003 to "7 Ocean Drive, Leith EH6 6JJ"?`))
	c.Tap("Yes").Expect(parleytest.Contains("Done: A-1003 will go to 7 Ocean Drive"))
	o, err := a.shop.Order(t.Context(), "A-1003")
	require.NoError(t, err)
	assert.Equal(t, "7 Ocean Drive, Leith EH6 6JJ", o.Address)
}

func TestChangeAddressGuards(t *testing.T) {
	c, a := newTester(t)
	// Shipped already: too late, nothing asked.
	c.Send("hi").Send("change my address").Send("A-1001").Expect(parleytest.Contains("already left our warehouse"))
	// Someone else's order (A-1003 is Ben's): not found, nothing revealed.
	c.Send("change my address").Send("A-1003").Expect(parleytest.Exact("I couldn't find order A-1003 on your account."), parleytest.Contains("type it again"))
	c.Send("cancel")
	o, err := a.shop.Order(t.Context(), "A-1003")
	require.NoError(t, err)
	assert.Equal(t, "4 Harbour Road, Leith", o.Address)
}

// The clock (a synctest bubble) starts on Saturday 1 January 2000,
// 00:00 in London; newTester's team is always open, and customers are
// called between 8am and 9pm their time.
func TestCallback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, a := newTester(t)
		c.Send("hi").Send("call me back").Expect(parleytest.Contains("What number"))
		c.Send("soon").Expect(parleytest.Contains("doesn't look like a phone number"))
		// Times are the customer's: the team is told which zone they mean.
		c.Send("+44 20 7946 0958").Expect(parleytest.Exact(`When suits you (London time)? For example "tomorrow morning".`))
		c.Send("tomorrow morning").Expect(parleytest.Contains("Shall we call you on +44 20 7946 0958, Sunday, January 2, 8:00 am London time?"))
		c.Tap("Yes").Expect(parleytest.Contains("Booked"))
		require.Len(t, a.shop.callbacks, 1)
		assert.Equal(t, callback{Customer: "cus_ada", Phone: "+44 20 7946 0958", When: "2000-01-02 08:00 Europe/London"}, a.shop.callbacks[0])

		// Ben's number is on file: he is asked only when, in New York time.
		ben, b := newTester(t, parleytest.WithCustomer("cus_ben"))
		ben.Send("can someone call me back?").Expect(parleytest.Exact(`When suits you (New York time)? For example "tomorrow morning".`))
		ben.Send("Monday at 6pm").Expect(parleytest.Contains("Shall we call you on +1 212 555 0147, Monday, January 3, 6:00 pm New York time?"))
		ben.Tap("Yes").Expect(parleytest.Contains("Booked"))
		require.Len(t, b.shop.callbacks, 1)
		assert.Equal(t, "+1 212 555 0147", b.shop.callbacks[0].Phone)
		assert.Equal(t, "2000-01-03 18:00 America/New_York", b.shop.callbacks[0].When)
	})
}

func TestZoneLabel(t *testing.T) {
	winter := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		tz   string
		now  time.Time
		want string
	}{
		{"Europe/London", winter, "London time"},
		{"America/Los_Angeles", summer, "Los Angeles time"},
		{"America/Argentina/Buenos_Aires", winter, "Buenos Aires time"},
		// Not in the table: the offset, which reads the same in every
		// language, and follows daylight saving.
		{"Asia/Kathmandu", winter, "UTC+5:45"},
		{"Europe/Warsaw", winter, "UTC+1"},
		{"Europe/Warsaw", summer, "UTC+2"},
		{"America/Anchorage", winter, "UTC-9"},
		{"UTC", winter, "UTC+0"},
		{"Mars/Olympus_Mons", winter, ""},
		{"", winter, ""},
	} {
		assert.Equal(t, tc.want, zoneLabel(tc.tz, tc.now), "%s at %s", tc.tz, tc.now)
	}
}

// A Spanish call-back names the customer's zone in Spanish: the city
// ("hora de Nueva York") or, for a zone the table lacks, the offset,
// never an English city inside a Spanish sentence.
func TestCallbackZoneSpanish(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ben, _ := newTester(t, parleytest.WithCustomer("cus_ben"))
		ben.Send("me podéis llamar, por favor?").Expect(parleytest.Exact(`¿Cuándo te viene bien (hora de Nueva York)? Por ejemplo "mañana por la mañana".`))
		ben.Send("el lunes a las 6").Expect(parleytest.Exact("¿A las 6 de la mañana o a las 6 de la tarde?"))
		ben.Send("de la tarde").Expect(parleytest.Contains("¿Te llamamos al +1 212 555 0147, el lunes 3 de enero, 18:00 hora de Nueva York?"))

		c, a := newTester(t)
		ada := a.shop.customers["cus_ada"]
		ada.TimeZone = "Asia/Kathmandu"
		a.shop.customers["cus_ada"] = ada
		c.Send("me podéis llamar?").Expect(parleytest.Exact("Claro. ¿A qué número te llamamos?"))
		c.Send("+977 1 4412345").Expect(parleytest.Exact(`¿Cuándo te viene bien (UTC+5:45)? Por ejemplo "mañana por la mañana".`))
		c.Send("mañana a las 10 de la mañana").Expect(parleytest.Contains("¿Te llamamos al +977 1 4412345, el domingo 2 de enero, 10:00 UTC+5:45?"))
		c.Tap("Sí").Expect(parleytest.Exact("Reservado: te llamaremos al +977 1 4412345, el domingo 2 de enero, 10:00 UTC+5:45."))
	})
}

func TestWinBackCode(t *testing.T) {
	c, a := newTester(t)
	c.Signal("renewal.due", nil).Tap("Cancel my plan").Tap("Other").Tap("No, cancel").Expect(parleytest.Contains("code STAY20-"))
	p, err := a.shop.Profile(t.Context(), "cus_ada")
	require.NoError(t, err)
	assert.Equal(t, "Cancelled at period end", p["plan"])
	require.Len(t, a.shop.codes, 1)
	assert.Equal(t, 20, a.shop.codes[0].Percent)
}

func TestReadOnlyRefusesChanges(t *testing.T) {
	a, err := newAppWith(config{writes: false})
	require.NoError(t, err)
	c := parleytest.NewTester(t, a.handler, parleytest.WithCustomer("cus_ada"))
	// Lookups still work.
	c.Send("hi").Tap("Track my order").Send("A-1001").Expect(parleytest.Contains("has shipped"))
	c.Tap("Yes").Send("hi").Tap("Return or refund").Send("A-1002").Send("$20").
		Expect(parleytest.Contains("can't make changes to accounts right now"))
	assert.Zero(t, a.shop.refunded("A-1002"))
}

func TestEveryShopCallIsAudited(t *testing.T) {
	c, a := newTester(t)
	c.Send("hi").Tap("Return or refund").Send("A-1001").Send("$10").Tap("Yes").Expect(parleytest.Contains("on its way"))
	var got []string
	for _, e := range a.actions.reg.Audit().(*action.MemoryAudit).Entries() {
		got = append(got, e.Action+":"+e.Outcome)
	}
	assert.Equal(t, []string{"lookup_order:done", "refund:needs_confirmation", "refund:done"}, got)
}

func TestWorkspaceApprovals(t *testing.T) {
	c, a := newTester(t)
	c.Send("hi").Tap("Return or refund").Send("A-1002").Send("$90").Tap("Yes").Expect(parleytest.Contains("quick OK from a teammate"))
	id := pendingApproval(t, a).ID
	srv := httptest.NewServer(secureHeaders(a.staffMux()))
	defer srv.Close()

	// Nobody without a staff session can see or decide.
	res, err := srv.Client().Post(srv.URL+"/console/api/approvals/"+id+"/approve", "application/json", strings.NewReader(`{"agent":"Sam"}`))
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	assert.Zero(t, a.shop.refunded("A-1002"))

	// The workspace shows the approval, in words, with its conversation.
	sam := staffClient(t, srv.URL, "Sam", a.staffPassword)
	var st struct {
		Approvals []desk.Approval `json:"approvals"`
	}
	getJSON(t, sam, srv.URL+"/console/api/state", &st)
	require.Len(t, st.Approvals, 1)
	assert.Equal(t, "Refund $90.00 on order A-1002", st.Approvals[0].What)

	// A customer's own name (however it is spaced or cased) cannot approve.
	ada := staffClient(t, srv.URL, "  CUS_ada ", a.staffPassword)
	assert.Nil(t, ada, "customer IDs are not agent names")

	code := postJSON(t, sam, srv.URL+"/console/api/approvals/"+id+"/approve", `{}`)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, 90.0, a.shop.refunded("A-1002"))
	flush(c, a).Expect(parleytest.Contains("your refund of $90.00 on order A-1002 is approved"))
	getJSON(t, sam, srv.URL+"/console/api/state", &st)
	require.Len(t, st.Approvals, 1)
	assert.Equal(t, "approved", st.Approvals[0].Status, "both sides see the decision")
	assert.Equal(t, "Sam", st.Approvals[0].DecidedBy)

	// Deciding twice is refused and tells the customer nothing more.
	code = postJSON(t, sam, srv.URL+"/console/api/approvals/"+id+"/reject", `{}`)
	assert.Equal(t, http.StatusConflict, code)
	assert.Equal(t, 90.0, a.shop.refunded("A-1002"))
}

func TestSplitRefundStillNeedsApproval(t *testing.T) {
	c, a := newTester(t)
	c.Send("hi").Tap("Return or refund").Send("A-1002").Send("$30").Tap("Yes").Expect(parleytest.Contains("on its way"))
	// Another chat, another $25 on the same order: $55 in all is over the
	// automatic $50.
	c2 := parleytest.NewTester(t, a.handler, parleytest.WithCustomer("cus_ada"), parleytest.WithConversation("second"))
	c2.Send("hi").Tap("Return or refund").Send("A-1002").Send("$25").Tap("Yes").
		Expect(parleytest.Contains("quick OK from a teammate"))
	assert.Equal(t, 30.0, a.shop.refunded("A-1002"))
}

func TestSameRefundTwiceIsNotPaidTwice(t *testing.T) {
	c, a := newTester(t)
	c.Send("hi").Tap("Return or refund").Send("A-1002").Send("$20").Tap("Yes").Expect(parleytest.Contains("on its way"))
	// The same refund again is asked about, not paid (nor refused with no
	// way on): "no" pays nothing, "yes" pays it once more.
	c.Tap("Yes").Send("I want another refund").Send("order A-1002").Send("20 dollars").
		Expect(parleytest.Contains("Do you want another $20.00 refund"))
	c.Send("no").Expect(parleytest.Contains("haven't refunded anything"))
	assert.Equal(t, 20.0, a.shop.refunded("A-1002"))
	c.Send("I want another refund").Send("order A-1002").Send("20 dollars").
		Expect(parleytest.Contains("Do you want another $20.00 refund"))
	c.Send("yes").Expect(parleytest.Contains("on its way"))
	assert.Equal(t, 40.0, a.shop.refunded("A-1002"))
}

func TestRefundFromTheOpeningMessageIsChecked(t *testing.T) {
	c, a := newTester(t)
	c.Send("I'd like a refund of 30 EUR for order A-1001").Expect(parleytest.Contains("How much should I refund"))
	assert.Zero(t, a.shop.refunded("A-1001"))
}

func TestWinBackUnreadableAnswersKeepThePlan(t *testing.T) {
	c, a := newTester(t)
	// "blue" answers "why are you leaving?" (any reason will do); the
	// offer's unreadable answers then leave the plan alone.
	c.Signal("renewal.due", nil).Tap("Cancel my plan").Send("blue").Send("purple").Send("orange").Send("green").
		Expect(parleytest.Contains("left your plan as it is"))
	p, err := a.shop.Profile(t.Context(), "cus_ada")
	require.NoError(t, err)
	assert.Equal(t, "Monthly Plus", p["plan"])
	assert.Empty(t, a.shop.codes)
}

func TestApprovalNeverDisturbsAnAgentsConversation(t *testing.T) {
	c, a := newTester(t)
	c.Send("hi").Tap("Return or refund").Send("A-1002").Send("$80").Tap("Yes").Expect(parleytest.Contains("quick OK from a teammate"))
	id := pendingApproval(t, a).ID
	c.Send("human")
	tk := a.desk.Queue()[0].Ticket
	require.NoError(t, a.desk.Assign(t.Context(), tk.ID, "Kim"))
	flush(c, a).Expect(parleytest.Contains("Kim has joined"))

	require.NoError(t, a.decide(t.Context(), id, "Sam", true))
	assert.Equal(t, 80.0, a.shop.refunded("A-1002"))
	flush(c, a).Expect(parleytest.Contains("is approved"))
	assert.Equal(t, memory.RoleAgent, c.Session().History[len(c.Session().History)-1].Role, "told as its own message")
	got, ok := a.desk.Get(tk.ID)
	require.True(t, ok)
	assert.Equal(t, escalation.StatusAssigned, got.Status, "the agent keeps the conversation")
	// The agent reads the decision where the customer did, as the
	// assistant's: nothing was posted in Kim's name.
	require.Len(t, got.Thread, 1)
	assert.True(t, got.Thread[0].Bot, "the assistant's, not Kim's")
	assert.Equal(t, "Sam", got.Thread[0].From, "for Sam, who decided")
	assert.Contains(t, got.Thread[0].Text, "is approved")
	c.Send("thanks, and the lamp?").ExpectNoReply()
	got, _ = a.desk.Get(tk.ID)
	require.Len(t, got.Thread, 2, "the customer's messages still reach the agent")
	assert.Equal(t, "customer", got.Thread[1].From)
}

func TestRacingAutomaticRefundsStayUnderTheLimit(t *testing.T) {
	_, a := newTester(t)
	ctx := action.WithCustomer(t.Context(), "cus_ada")
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			// Two chats at once, $30 each on one order: each alone is
			// under the automatic $50, together they are not.
			_, _ = a.actions.reg.Call(ctx, action.Call{Action: actRefund, Conversation: fmt.Sprint("race-", i), Confirmed: true,
				Args: json.RawMessage(`{"order_id":"A-1002","amount":30}`)})
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, a.shop.refunded("A-1002"), float64(autoRefundLimit))
}
