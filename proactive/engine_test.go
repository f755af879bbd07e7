package proactive_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/proactive"
	"github.com/parleyhq/parley/proactive/proactivetest"
)

const day = 24 * time.Hour

func renewal() *proactive.Campaign {
	return &proactive.Campaign{
		Name: "renewal", Trigger: proactive.SubscriptionExpiring, Anchor: "expires_at", Goal: "plan_renewed",
		Steps: []proactive.Step{
			{ID: "day-7", After: -7 * day, Text: `{{profile.first_name | "Hi"}}, your plan renews on {{event.expires_on}}.`},
			{ID: "day-3", After: -3 * day, Text: "3 days left on your plan."},
			{ID: "day+1", After: day, Text: "Your plan has ended. Come back any time."},
		},
	}
}

func welcome(name string, purpose proactive.Purpose) *proactive.Campaign {
	return &proactive.Campaign{Name: name, Purpose: purpose, Trigger: name + "_event",
		Steps: []proactive.Step{{ID: "now", Text: name + " message"}}}
}

// at10 moves the bubble's clock (midnight, 2000-01-01 UTC) to 10:00,
// outside the default quiet hours.
func at10(env *proactivetest.Env) { env.Advance(10 * time.Hour) }

// tips returns an environment with the marketing campaign "tips", which
// "tips_event" events start, and opts.
func tips(t *testing.T, opts ...proactivetest.Option) *proactivetest.Env {
	t.Helper()
	opts = append(opts, proactivetest.WithEngineOptions(proactive.WithEventTypes("tips_event")))
	return proactivetest.New(t, []*proactive.Campaign{welcome("tips", proactive.Marketing)}, opts...)
}

// tipsForAda is tips with Ada, who consented, at 10:00.
func tipsForAda(t *testing.T, opts ...proactivetest.Option) *proactivetest.Env {
	t.Helper()
	env := tips(t, opts...)
	ada(env)
	at10(env)
	return env
}

func ada(env *proactivetest.Env) {
	env.AddCustomer(&customer.Profile{CustomerID: "ada", Name: "Ada Lovelace", TimeZone: "UTC"})
	env.Consent("ada")
}

func TestRenewalSequence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := proactivetest.New(t, []*proactive.Campaign{renewal()}, proactivetest.WithEngineOptions(proactive.WithEventTypes("plan_renewed")))
		ada(env)
		at10(env)
		expires := time.Now().Add(10 * day)
		env.Ingest(proactive.Event{Type: proactive.SubscriptionExpiring, CustomerID: "ada", Attributes: map[string]string{
			"expires_at": expires.Format(time.RFC3339), "expires_on": expires.Format("January 2")}})
		assert.Empty(t, env.Texts("ada"))

		env.Advance(7 * day)
		assert.Equal(t, []string{"Ada, your plan renews on January 11.", "3 days left on your plan."}, env.Texts("ada"),
			"advance 7 days: the day -7 and day -3 reminders")

		env.Ingest(proactive.Event{Type: "plan_renewed", CustomerID: "ada"})
		env.Advance(5 * day)
		assert.Len(t, env.Texts("ada"), 2, "renewed: no day +1 message")
		assert.Equal(t, []proactive.Reason{proactive.ReasonExited}, env.Reasons("ada"))
		assert.Equal(t, "converted", env.Suppressed("ada")[0].Detail)
	})
}

func TestQuietHoursHoldInCustomerZone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := tips(t)
		env.AddCustomer(&customer.Profile{CustomerID: "ny", TimeZone: "America/New_York"})
		env.Consent("ny")
		ny, err := time.LoadLocation("America/New_York")
		require.NoError(t, err)
		y, m, d := time.Now().In(ny).Date()
		env.AdvanceTo(time.Date(y, m, d, 22, 0, 0, 0, ny))
		env.Ingest(proactive.Event{Type: "tips_event", CustomerID: "ny"})
		assert.Empty(t, env.Texts("ny"), "nothing at 22:00 in the customer's zone")
		sup := env.Suppressed("ny")
		require.Len(t, sup, 1)
		assert.Equal(t, proactive.ReasonQuietHours, sup[0].Reason)
		open := time.Date(y, m, d+1, 9, 0, 0, 0, ny)
		assert.True(t, sup[0].Until.Equal(open), "held until 09:00 there, got %v", sup[0].Until)

		env.AdvanceTo(open.Add(-time.Minute))
		assert.Empty(t, env.Texts("ny"))
		env.Advance(time.Minute)
		assert.Equal(t, []string{"tips message"}, env.Texts("ny"), "sent when the window opens")
	})
}

func TestGlobalCapThirdMessageSuppressed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cs := []*proactive.Campaign{welcome("a", proactive.Marketing), welcome("b", proactive.Marketing),
			welcome("c", proactive.Marketing), welcome("shipped", proactive.Service)}
		env := proactivetest.New(t, cs, proactivetest.WithEngineOptions(proactive.WithEventTypes("a_event", "b_event", "c_event", "shipped_event")))
		ada(env)
		at10(env)
		for _, ev := range []string{"a_event", "b_event", "c_event", "shipped_event"} {
			env.Ingest(proactive.Event{Type: ev, CustomerID: "ada"})
			env.Advance(day)
		}
		assert.Equal(t, []string{"a message", "b message", "shipped message"}, env.Texts("ada"),
			"the third marketing message this week is not sent; the service message is exempt")
		sup := env.Suppressed("ada")
		require.Len(t, sup, 1)
		assert.Equal(t, proactive.ReasonCapped, sup[0].Reason)
		assert.Equal(t, "c", sup[0].Campaign)

		env.Advance(6 * day) // a week after the first
		env.Ingest(proactive.Event{Type: "c_event", CustomerID: "ada", ID: "again"})
		assert.Equal(t, "c message", env.Texts("ada")[3], "the rolling window moved on")
	})
}

func TestCampaignCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := welcome("nudge", proactive.Marketing)
		c.Cap = proactive.Cap{Max: 1, Window: 30 * day}
		env := proactivetest.New(t, []*proactive.Campaign{c}, proactivetest.WithEngineOptions(proactive.WithEventTypes("nudge_event")),
			proactivetest.WithPolicyOptions(proactive.WithCap(0, 0)))
		ada(env)
		at10(env)
		env.Ingest(proactive.Event{Type: "nudge_event", CustomerID: "ada", ID: "1"})
		env.Advance(10 * day)
		env.Ingest(proactive.Event{Type: "nudge_event", CustomerID: "ada", ID: "2"})
		env.Advance(time.Hour)
		assert.Equal(t, []string{"nudge message"}, env.Texts("ada"))
		assert.Equal(t, []proactive.Reason{proactive.ReasonCapped}, env.Reasons("ada"))
		assert.Contains(t, env.Suppressed("ada")[0].Detail, "campaign cap")
	})
}

func TestConsentAndOptOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stop := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			return w.Reply(ctx, parley.Text("ok"))
		})
		var env *proactivetest.Env
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if t.Text() == "STOP" {
				return env.Engine.OptOut(parley.Text("You won't get offers from us any more.")).HandleTurn(ctx, w, t)
			}
			return stop.HandleTurn(ctx, w, t)
		})
		cs := []*proactive.Campaign{welcome("offer", proactive.Marketing), welcome("shipped", proactive.Service)}
		env = proactivetest.New(t, cs, proactivetest.WithHandler(h),
			proactivetest.WithEngineOptions(proactive.WithEventTypes("offer_event", "shipped_event")))
		env.AddCustomer(&customer.Profile{CustomerID: "ben",
			Identities: []customer.Identity{{Channel: "sms", ID: "+15550001"}, {Channel: "email", ID: "ben@example.com"}}})
		at10(env)
		env.Ingest(proactive.Event{Type: "offer_event", CustomerID: "ben", ID: "1"})
		assert.Empty(t, env.Texts("ben"))
		assert.Equal(t, []proactive.Reason{proactive.ReasonNoConsent}, env.Reasons("ben"), "marketing needs a yes first")

		require.NoError(t, env.Policy.Consent(context.Background(), "ben", "sms", true, "asked in chat", time.Now()))
		env.Ingest(proactive.Event{Type: "offer_event", CustomerID: "ben", ID: "2"})
		env.Ingest(proactive.Event{Type: "shipped_event", CustomerID: "ben", ID: "3"})
		assert.Equal(t, []string{"offer message", "shipped message"}, env.Texts("ben"))

		env.Say("ben", "STOP")
		env.Ingest(proactive.Event{Type: "offer_event", CustomerID: "ben", ID: "4"})
		env.Ingest(proactive.Event{Type: "shipped_event", CustomerID: "ben", ID: "5"})
		assert.Equal(t, []string{"offer message", "shipped message", "You won't get offers from us any more."}, env.Texts("ben"),
			"after STOP on SMS neither marketing nor service messages go out on SMS")
		assert.Equal(t, []proactive.Reason{proactive.ReasonNoConsent, proactive.ReasonOptedOut, proactive.ReasonOptedOut}, env.Reasons("ben"))

		// Service messages by e-mail still go out: the STOP was for SMS.
		_, err := env.Profiles.Update(context.Background(), "ben", func(p *customer.Profile) error {
			p.Preferences = map[string]string{"contact": "email"}
			return nil
		})
		require.NoError(t, err)
		env.Ingest(proactive.Event{Type: "shipped_event", CustomerID: "ben", ID: "6"})
		env.Ingest(proactive.Event{Type: "offer_event", CustomerID: "ben", ID: "7"})
		sent := env.Sent("ben")
		require.Len(t, sent, 4)
		assert.Equal(t, "email", sent[3].To.Channel)
		assert.Equal(t, "shipped message", sent[3].Message.Text)
		assert.Equal(t, proactive.ReasonOptedOut, env.Reasons("ben")[3], "marketing stays stopped on every channel")
	})
}

func TestOpenQuestionMakesItWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if t.Signal != nil {
				return nil
			}
			if t.Text() == "refund" {
				// A form's question: it holds messages while the customer is at it.
				if err := dialog.Ask(t, dialog.Question{ID: "amount", Owner: "test", Text: "How much?", Policy: dialog.Resume}); err != nil {
					return err
				}
				return w.Reply(ctx, parley.Text("How much?"))
			}
			dialog.CloseQuestion(t)
			return w.Reply(ctx, parley.Text("Done."))
		})
		env := tipsForAda(t, proactivetest.WithHandler(h))
		env.Say("ada", "refund")
		env.Ingest(proactive.Event{Type: "tips_event", CustomerID: "ada"})
		assert.Equal(t, []string{"How much?"}, env.Texts("ada"), "the question is not interrupted")
		assert.Equal(t, []proactive.Reason{proactive.ReasonBusy}, env.Reasons("ada"))
		env.Advance(5 * time.Minute)
		env.Say("ada", "20")
		env.Advance(15 * time.Minute)
		assert.Equal(t, []string{"How much?", "Done.", "tips message"}, env.Texts("ada"), "sent once the question is answered")
	})
}

// TestMenuHoldsOnlyBriefly is issue 11's campaign held while the menu
// was open: a question its policy drops (a menu, an offer, "was this
// helpful?") holds a message for a moment after the customer's last
// message, not for half an hour, and the message then takes its place.
func TestMenuHoldsOnlyBriefly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if t.Signal != nil {
				return nil
			}
			if t.Text() == "hi" {
				if err := dialog.Ask(t, dialog.Question{ID: "menu", Owner: "test", Text: "What can I help you with?", Policy: dialog.Drop,
					Options: []parley.QuickReply{{Title: "Track my order"}, {Title: "Return or refund"}}}); err != nil {
					return err
				}
				return w.Reply(ctx, parley.Text("What can I help you with?"))
			}
			if q, open := dialog.OpenQuestion(t); open {
				return w.Reply(ctx, parley.Text("answer to "+q.ID+": "+t.Text()))
			}
			return w.Reply(ctx, parley.Text("no question open: "+t.Text()))
		})
		env := tipsForAda(t, proactivetest.WithHandler(h))
		env.Say("ada", "hi")
		env.Advance(30 * time.Second)
		env.Ingest(proactive.Event{Type: "tips_event", CustomerID: "ada"})
		assert.Equal(t, []string{"What can I help you with?"}, env.Texts("ada"), "not while the customer reads the menu")
		sup := env.Suppressed("ada")
		require.Len(t, sup, 1)
		assert.Equal(t, proactive.ReasonBusy, sup[0].Reason)
		assert.Equal(t, 90*time.Second, time.Until(sup[0].Until), "held until 2 minutes after the customer's last message")

		env.Advance(90 * time.Second)
		assert.Equal(t, []string{"What can I help you with?", "tips message"}, env.Texts("ada"), "a menu left open holds it no longer")
		env.Say("ada", "2")
		assert.Equal(t, "no question open: 2", env.Texts("ada")[2], "the message took the menu's place: \"2\" is not its second option")
	})
}

// TestFormHoldsWhileActive: a form's question ([dialog.Resume]) holds a
// message while the customer is at it, and no longer than 30 minutes
// after their last message; it stays open after the message.
func TestFormHoldsWhileActive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if t.Signal != nil {
				return nil
			}
			if q, open := dialog.OpenQuestion(t); open {
				return w.Reply(ctx, parley.Text("answer to "+q.ID+": "+t.Text()))
			}
			if err := dialog.Ask(t, dialog.Question{ID: "amount", Owner: "test", Text: "How much?", Policy: dialog.Resume}); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text("How much?"))
		})
		env := tipsForAda(t, proactivetest.WithHandler(h))
		env.Say("ada", "refund")
		env.Ingest(proactive.Event{Type: "tips_event", CustomerID: "ada"})
		env.Advance(29 * time.Minute)
		assert.Equal(t, []string{"How much?"}, env.Texts("ada"), "held while the form may still be answered")
		env.Advance(2 * time.Minute)
		assert.Equal(t, []string{"How much?", "tips message"}, env.Texts("ada"), "a form left for over 30 minutes is not waited for")
		env.Say("ada", "20")
		assert.Equal(t, "answer to amount: 20", env.Texts("ada")[2], "the form's question stays open")
	})
}

// TestBriefHoldNamesMenus: a menu its owner keeps open through a
// digression ([dialog.Resume], as a flow engine's menu) holds a message
// only briefly when WithBriefHold names it; a form's question still
// holds it while the customer is at it.
func TestBriefHoldNamesMenus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if t.Signal != nil {
				return nil
			}
			id := "form/amount"
			if t.Text() == "hi" {
				id = "menu/menu"
			}
			if err := dialog.Ask(t, dialog.Question{ID: id, Owner: "flow", Text: "?", Policy: dialog.Resume}); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text(id))
		})
		env := tipsForAda(t, proactivetest.WithHandler(h), proactivetest.WithPolicyOptions(proactive.WithBriefHold(func(q dialog.Question) bool {
			return strings.HasPrefix(q.ID, "menu/")
		})))
		env.Say("ada", "hi")
		env.Ingest(proactive.Event{Type: "tips_event", CustomerID: "ada", ID: "1"})
		env.Advance(2 * time.Minute)
		assert.Equal(t, []string{"menu/menu", "tips message"}, env.Texts("ada"), "the menu holds it 2 minutes")

		env.Say("ada", "refund")
		env.Ingest(proactive.Event{Type: "tips_event", CustomerID: "ada", ID: "2"})
		env.Advance(10 * time.Minute)
		assert.Equal(t, []string{"menu/menu", "tips message", "form/amount"}, env.Texts("ada"), "the form holds it longer")
	})
}

func TestHoldUntilPurchase(t *testing.T) {
	cart := &proactive.Campaign{Name: "cart", Trigger: proactive.CartAbandoned, Goal: proactive.OrderPlaced,
		Hold:  &proactive.Hold{Event: proactive.OrderPlaced, Timeout: time.Hour},
		Steps: []proactive.Step{{ID: "nudge", Text: "You left something in your cart: {{event.cart_url}}"}}}
	synctest.Test(t, func(t *testing.T) {
		env := proactivetest.New(t, []*proactive.Campaign{cart})
		ada(env)
		at10(env)
		env.Ingest(proactive.Event{Type: proactive.CartAbandoned, CustomerID: "ada", ID: "c1", Attributes: map[string]string{"cart_url": "https://shop.example/cart/1"}})
		env.Advance(59 * time.Minute)
		assert.Empty(t, env.Texts("ada"))
		env.Advance(time.Minute)
		assert.Equal(t, []string{"You left something in your cart: https://shop.example/cart/1"}, env.Texts("ada"))

		env.Ingest(proactive.Event{Type: proactive.CartAbandoned, CustomerID: "ada", ID: "c2", Attributes: map[string]string{"cart_url": "u"}})
		env.Advance(30 * time.Minute)
		env.Ingest(proactive.Event{Type: proactive.OrderPlaced, CustomerID: "ada", ID: "o1"})
		env.Advance(2 * time.Hour)
		assert.Len(t, env.Texts("ada"), 1, "bought within the hour: no message")
		assert.Equal(t, []proactive.Reason{proactive.ReasonExited}, env.Reasons("ada"))
	})
}

func TestRepliedExits(t *testing.T) {
	c := &proactive.Campaign{Name: "onboarding", Trigger: proactive.OrderPlaced, ExitOnReply: true,
		Steps: []proactive.Step{{ID: "day1", After: day, Text: "How is it going?"}, {ID: "day7", After: 7 * day, Text: "Tip of the week."}}}
	synctest.Test(t, func(t *testing.T) {
		env := proactivetest.New(t, []*proactive.Campaign{c})
		ada(env)
		at10(env)
		env.Ingest(proactive.Event{Type: proactive.OrderPlaced, CustomerID: "ada"})
		env.Advance(day)
		env.Say("ada", "great, thanks")
		env.Advance(7 * day)
		assert.Equal(t, []string{"How is it going?", "ok"}, env.Texts("ada"))
		sup := env.Suppressed("ada")
		require.Len(t, sup, 1)
		assert.Equal(t, proactive.ReasonExited, sup[0].Reason)
		assert.Equal(t, "replied", sup[0].Detail)
	})
}

func TestWhatsAppWindow(t *testing.T) {
	with := &proactive.Campaign{Name: "with", Purpose: proactive.Service, Trigger: proactive.OrderShipped,
		Steps: []proactive.Step{{ID: "s", Text: "Order {{event.order}} shipped.", Template: &proactive.Template{
			Name: "order_shipped", Language: "en_US", Params: []string{"{{event.order}}"}}}}}
	without := &proactive.Campaign{Name: "without", Purpose: proactive.Service, Trigger: proactive.OrderDelayed,
		Steps: []proactive.Step{{ID: "s", Text: "Sorry, it is late."}}}
	synctest.Test(t, func(t *testing.T) {
		env := proactivetest.New(t, []*proactive.Campaign{with, without})
		env.AddCustomer(&customer.Profile{CustomerID: "wa", Identities: []customer.Identity{{Channel: "whatsapp", ID: "+447700900123"}}})
		at10(env)
		env.Ingest(proactive.Event{Type: proactive.OrderShipped, CustomerID: "wa", Attributes: map[string]string{"order": "A-1"}})
		env.Ingest(proactive.Event{Type: proactive.OrderDelayed, CustomerID: "wa"})
		sent := env.Sent("wa")
		require.Len(t, sent, 1)
		tpl, ok := sent[0].Message.Extras["whatsapp"].(map[string]any)
		require.True(t, ok, "the template goes with the message: %#v", sent[0].Message.Extras)
		assert.Equal(t, "order_shipped", tpl["name"])
		assert.Equal(t, []proactive.Reason{proactive.ReasonTemplateMissing}, env.Reasons("wa"))

		env.Say("wa", "hello")
		env.Ingest(proactive.Event{Type: proactive.OrderDelayed, CustomerID: "wa", ID: "again"})
		assert.Equal(t, "Sorry, it is late.", env.Texts("wa")[2], "inside the 24-hour window free text goes")
	})
}

func TestIngestRefusesBadEventsWithoutWriting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := proactivetest.New(t, []*proactive.Campaign{renewal()}, proactivetest.WithEngineOptions(proactive.WithEventTypes("plan_renewed")))
		ada(env)
		env.AddCustomer(&customer.Profile{CustomerID: "mars", TimeZone: "Mars/Olympus_Mons"})
		ctx := context.Background()
		tests := []struct {
			name string
			give proactive.Event
			want error
		}{
			{name: "unknown type", give: proactive.Event{Type: "cart_exploded", CustomerID: "ada"}, want: proactive.ErrUnknownEvent},
			{name: "unknown customer", give: proactive.Event{Type: proactive.OrderPlaced, CustomerID: "nobody"}, want: proactive.ErrUnknownCustomer},
			{name: "no customer", give: proactive.Event{Type: proactive.OrderPlaced}, want: proactive.ErrUnknownCustomer},
			{name: "missing anchor", give: proactive.Event{Type: proactive.SubscriptionExpiring, CustomerID: "ada"}},
			{name: "bad anchor", give: proactive.Event{Type: proactive.SubscriptionExpiring, CustomerID: "ada",
				Attributes: map[string]string{"expires_at": "soon"}}},
		}
		for _, tt := range tests {
			err := env.Engine.Ingest(ctx, tt.give)
			var ee *proactive.EventError
			require.ErrorAs(t, err, &ee, tt.name)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want, tt.name)
			}
		}
		err := env.Engine.Ingest(ctx, proactive.Event{Type: proactive.OrderPlaced, CustomerID: "mars"})
		require.ErrorIs(t, err, proactive.ErrBadTimeZone)
		assert.Contains(t, err.Error(), `"Mars/Olympus_Mons"`)
		var keys []string
		require.NoError(t, env.Store.Keys(ctx, "proactive/", func(k string) bool { keys = append(keys, k); return true }))
		assert.Empty(t, keys, "nothing half-done")

		ev := proactive.Event{Type: proactive.OrderPlaced, CustomerID: "ada", ID: "o-1"}
		require.NoError(t, env.Engine.Ingest(ctx, ev))
		assert.ErrorIs(t, env.Engine.Ingest(ctx, ev), proactive.ErrDuplicateEvent)
		assert.True(t, errors.Is(env.Engine.Ingest(ctx, proactive.Event{Type: proactive.OrderPlaced, CustomerID: "ada", ID: "o-1"}), proactive.ErrDuplicateEvent))
	})
}

func TestAbandonedQuestionDoesNotHoldForever(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if t.Signal != nil {
				return nil
			}
			if err := dialog.Ask(t, dialog.Question{ID: "menu", Owner: "test", Text: "What can I help you with?"}); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text("What can I help you with?"))
		})
		env := tipsForAda(t, proactivetest.WithHandler(h))
		env.Say("ada", "hi")
		env.Ingest(proactive.Event{Type: "tips_event", CustomerID: "ada"})
		assert.Equal(t, []string{"What can I help you with?"}, env.Texts("ada"), "held while the customer is there")
		env.Advance(30 * time.Minute)
		assert.Equal(t, []string{"What can I help you with?", "tips message"}, env.Texts("ada"),
			"sent once the customer has walked away from the question")
	})
}
