package privacytest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/schedule"
)

// outside holds the customer data Parley keeps outside a memory.Store:
// desk tickets, the actions' pending approvals and audit log, analytics
// records and scheduled jobs, each filled for every person.
type outside struct {
	desk *desk.Memory
	reg  *action.Registry
	agg  *analytics.Aggregator
	jobs *schedule.Memory
	gaps *kb.Gaps
	// dumps counts dumps, so that each claims the jobs at a later time.
	dumps int
}

type noteArgs struct {
	Email string  `json:"email"`
	Text  string  `json:"text"`
	Cents float64 `json:"cents"`
}

type nobody struct{}

func (nobody) Deliver(context.Context, *parley.Turn) error { return nil }

func newOutside(t testing.TB, ctx context.Context, people []person) *outside {
	t.Helper()
	o := &outside{desk: desk.NewMemory(nobody{}), agg: analytics.NewAggregator(), jobs: schedule.NewMemory(), gaps: kb.NewGaps(0)}
	idx, err := kb.NewIndex()
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.Add(kb.Doc{ID: "ship", Title: "Shipping", Text: "Orders arrive in 2 to 4 working days."}); err != nil {
		t.Fatal(err)
	}
	answerer := kb.NewAnswerer(idx, kb.WithGaps(o.gaps))
	o.reg = action.NewRegistry(action.WithWrites(true),
		action.WithApprover(action.ApproverFunc(func(context.Context, action.ApprovalRequest) error { return nil })))
	if err := action.Register(o.reg, action.Def[noteArgs, string]{Name: "note", Writes: true, NoConfirm: true,
		Amount: func(a noteArgs) float64 { return a.Cents / 100 }, AutoApprove: 1,
		Run: func(context.Context, noteArgs) (string, error) { return "ok", nil }}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	for i, p := range people {
		conv := "wa-" + p.id
		if err := o.desk.Submit(ctx, escalation.Ticket{ID: "t-" + p.id, ConversationID: conv, CustomerID: p.id,
			Reason: "asked for a person", Summary: p.name + " wants a call back", Profile: map[string]string{"email": p.email}}); err != nil {
			t.Fatal(err)
		}
		// One call runs (audited), one over the limit waits for approval.
		for _, cents := range []float64{50, 500} {
			args, err := json.Marshal(noteArgs{Email: p.email, Text: "for " + p.name, Cents: cents})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := o.reg.Call(ctx, action.Call{Action: "note", Args: args, Conversation: conv, Customer: p.id, Confirmed: true}); err != nil {
				t.Fatal(err)
			}
		}
		// A question the knowledge base cannot answer, in the
		// customer's own words.
		if _, err := answerer.Answer(kb.WithCustomer(ctx, p.id), "can "+p.name+" pay with "+p.email+" credit"); err != nil {
			t.Fatal(err)
		}
		o.agg.Add(analytics.Event{Kind: parley.EventTurn, Time: at.Add(time.Duration(i) * time.Minute), Conversation: conv, Customer: p.id, Channel: "whatsapp"})
		if err := o.jobs.Schedule(ctx, schedule.Job{ID: "reminder/" + p.id, Kind: "reminder", Key: p.id, Due: at,
			Payload: []byte(`{"to":"` + p.wa + `","name":"` + p.name + `"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

// observer folds runtime events into the aggregator at once.
func (o *outside) observer() parley.Observer {
	return parley.ObserverFunc(func(_ context.Context, e parley.Event) { o.agg.Add(analytics.FromParley(e)) })
}

// dump returns every record the outside stores hold, decoded.
func (o *outside) dump(t testing.TB, ctx context.Context) dump {
	t.Helper()
	var d dump
	add := func(what string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		d.add(b)
	}
	add("desk", o.desk.Queue())
	for _, c := range o.desk.Queue() {
		add("desk case", c)
	}
	pending, err := o.reg.Pending(ctx)
	if err != nil {
		t.Fatalf("pending approvals: %v", err)
	}
	add("pending approvals", pending)
	add("audit", o.reg.Audit().(*action.MemoryAudit).Entries())
	add("analytics", o.agg.Records(analytics.Window{}))
	add("kb gaps", o.gaps.Top(0))
	// Claim every job, as of a later time at each dump (the earlier
	// claim's lease has run out by then).
	o.dumps++
	now := time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(o.dumps) * time.Hour)
	claims, err := o.jobs.Claim(ctx, now, now.Add(time.Minute), 1000)
	if err != nil {
		t.Fatalf("jobs: %v", err)
	}
	for _, c := range claims {
		d.texts = append(d.texts, c.Job.ID, c.Job.Key)
		d.add(c.Job.Payload)
	}
	if len(d.texts) == 0 {
		t.Fatal("the stores outside memory hold nothing")
	}
	return d
}

// holds reports, per outside store, whether it holds p's data; a scenario
// check that every kind was written.
func (o *outside) holds(t testing.TB, ctx context.Context, p person) error {
	t.Helper()
	id := p.id
	for what, v := range map[string]any{"desk": o.desk.Queue(), "audit": o.reg.Audit().(*action.MemoryAudit).Entries(),
		"analytics": o.agg.Records(analytics.Window{})} {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		var d dump
		d.add(b)
		if !d.has(id) {
			return fmt.Errorf("the scenario wrote nothing about %s to the %s", id, what)
		}
	}
	b, err := json.Marshal(o.gaps.Top(0))
	if err != nil {
		return err
	}
	var d dump
	d.add(b)
	if !d.has(p.email) {
		return fmt.Errorf("the scenario wrote nothing about %s to the kb gaps", id)
	}
	pending, err := o.reg.Pending(ctx)
	if err != nil {
		return err
	}
	for _, a := range pending {
		if a.Request.Customer == id {
			return nil
		}
	}
	return fmt.Errorf("the scenario left no pending approval for %s", id)
}
