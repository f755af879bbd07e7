package proactivetest_test

import (
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/proactive"
	"github.com/parleyhq/parley/proactive/proactivetest"
)

// testTrialTips is a campaign's test with the kit: inside a synctest
// bubble, two days of fake time pass in milliseconds. A customer who said
// yes to marketing gets both tips; one who did not gets none, and the
// record says why.
//
//	func TestTrialTips(t *testing.T) { testTrialTips(t) }
func testTrialTips(t *testing.T) {
	tips := &proactive.Campaign{Name: "trial-tips", Purpose: proactive.Marketing, Trigger: "trial_started",
		Steps: []proactive.Step{
			{ID: "first", After: time.Hour, Text: "Tip: reply STOP any time."},
			{ID: "second", After: 25 * time.Hour, Text: "Tip: ask me for your invoices."},
		}}
	synctest.Test(t, func(t *testing.T) {
		env := proactivetest.New(t, []*proactive.Campaign{tips},
			proactivetest.WithPolicyOptions(proactive.WithQuietHours(0, 0)),
			proactivetest.WithEngineOptions(proactive.WithEventTypes("trial_started")))
		for _, id := range []string{"ada", "bob"} {
			env.AddCustomer(&customer.Profile{CustomerID: id, TimeZone: "Europe/London"})
			env.Ingest(proactive.Event{Type: "trial_started", CustomerID: id})
		}
		env.Consent("ada")
		env.Advance(48 * time.Hour)
		if got := env.Texts("ada"); len(got) != 2 {
			t.Errorf("ada got %q, want both tips", got)
		}
		if got := env.Texts("bob"); len(got) != 0 || !slices.Contains(env.Reasons("bob"), proactive.ReasonNoConsent) {
			t.Errorf("bob got %q (reasons %v), want nothing for want of consent", got, env.Reasons("bob"))
		}
	})
}

// Customers added without an identity are reached on the kit's own
// channel, whose Sender records the messages for Env.Texts.
func Example() {
	fmt.Println(proactivetest.Channel)
	// Output: test
}
