package proactive_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/proactive"
)

// BenchmarkPolicyCheck measures the delivery policy's decision for one
// send: the customer's send record read from an in-memory store and
// decoded (6 earlier sends), consent, time zone, caps and quiet hours.
// The profile is loaded by the caller, as the engine does once per step.
func BenchmarkPolicyCheck(b *testing.B) {
	ctx := context.Background()
	store := memory.NewMap()
	profiles := customer.NewProfiles(store)
	policy := proactive.NewPolicy(store, profiles, proactive.WithQuietHours(0, 0), proactive.WithCap(100, 7*24*time.Hour))
	p := &customer.Profile{CustomerID: "ada", TimeZone: "Europe/London", Name: "Ada Lovelace"}
	p.RecordConsent(customer.Consent{Purpose: "marketing", Granted: true, Time: time.Now(), Channel: "web"})
	for i := range 6 {
		s := proactive.Send{ID: "earlier" + string(rune('a'+i)), Campaign: "tips", Purpose: proactive.Marketing, Channel: "web"}
		if _, err := policy.Record(ctx, "ada", s); err != nil {
			b.Fatal(err)
		}
	}
	send := proactive.Send{ID: "new", Campaign: "renewal", CampaignCap: proactive.Cap{Max: 3, Window: 30 * 24 * time.Hour},
		Purpose: proactive.Marketing, Channel: "web"}
	b.ReportAllocs()
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		d, err := policy.Check(ctx, nil, p, send)
		if err != nil || !d.Allow {
			b.Fatal(d, err)
		}
		n++
	}
	// The process's CPU time per check, which other load on a shared
	// machine inflates far less than the wall-clock ns/op.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/op")
}
