package proactive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/schedule"
)

// JobKind is the [schedule.Job] kind of campaign steps: register
// [Engine.Jobs] for it with the scheduler before the first event.
const JobKind = "proactive.step"

// signalStep names the internal turn that delivers a campaign step in the
// customer's conversation; [Middleware] handles it.
const signalStep = "proactive.step"

// Event kinds the engine reports to the Bot's observer, from the step's
// turn. Besides these, the campaign funnel's later steps are reported in
// the customer's conversation with the kinds package analytics defines:
// "proactive.replied" when the customer writes within 48 hours of a
// campaign message (once per message), and "proactive.converted" when
// the campaign's goal event ends a run that sent something, or comes
// within 7 days of the last message of a completed run (from an
// internal turn that replies nothing; Attrs "value" is the goal event's
// "value" attribute). Each carries Attrs "campaign", "step" and "goal";
// delivery and read receipts come from the channel ([channel.EventStatus]).
const (
	EventSent       parley.EventKind = "proactive.sent"
	EventSuppressed parley.EventKind = "proactive.suppressed"
)

// The funnel kinds, the values of analytics.EventReplied and
// analytics.EventConverted (this package does not import analytics).
const (
	eventReplied   parley.EventKind = "proactive.replied"
	eventConverted parley.EventKind = "proactive.converted"
	// replyWindow is how long after a campaign message the customer's
	// next message counts as a reply to it.
	replyWindow = 48 * time.Hour
	// convertWindow is how long after a run's last message its goal
	// event still counts as the campaign's conversion.
	convertWindow = 7 * 24 * time.Hour
	// outcomeCompleted is the outcome of a run that sent all its steps.
	outcomeCompleted = "completed"
)

// lastKey is the engine's session state: the conversation's last
// campaign message. Its name is the one the state had before typed keys,
// so that stored sessions keep it.
var lastKey = memory.NewStateKey[lastCampaign]("proactive")

// lastCampaign is the latest campaign message sent in a conversation,
// kept in its session to report the customer's reply.
type lastCampaign struct {
	Campaign string    `json:"campaign"`
	Step     string    `json:"step"`
	Goal     string    `json:"goal,omitempty"`
	Sent     time.Time `json:"sent"`
	Replied  bool      `json:"replied,omitempty"`
	// What [LastMessage] reports (reply.go): the run, the rendered
	// reason, the offer, and whether the customer declined.
	Run     string `json:"run,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Code    string `json:"code,omitempty"`
	Expires string `json:"expires,omitempty"`
	// ExpiresAt is when the offer expires, in the customer's zone:
	// [LastMessage] writes it in the language of the turn that reads it
	// (the message went out in English, the customer asks in Spanish).
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	Declined  bool      `json:"declined,omitempty"`
	// Attrs are the run's trigger attributes.
	Attrs map[string]string `json:"attrs,omitempty"`
}

// A Scheduler keeps the engine's jobs durably and fires them on time:
// [*schedule.Scheduler] with any of its stores. Schedule replaces a job
// with the same ID; Cancel returns [schedule.ErrNotFound] for none.
type Scheduler interface {
	Schedule(ctx context.Context, jobs ...schedule.Job) error
	Cancel(ctx context.Context, id string) error
}

// An Enqueuer accepts a turn into its conversation: [*parley.Bot].
type Enqueuer interface {
	Enqueue(ctx context.Context, t *parley.Turn) error
}

// ErrNoRoute is returned by the default route for a customer with no
// identity on any channel; the step is recorded as
// [ReasonChannelFailed].
var ErrNoRoute = errors.New("proactive: no channel to reach the customer")

// Engine runs campaigns: it takes events ([Engine.Ingest], the signed
// endpoint of [Engine.Endpoint], the widget's signals through
// [Engine.Track]), starts and ends runs, schedules each step with the
// [Scheduler], and when a step is due enqueues it into the customer's
// conversation, where [Middleware] asks the [Policy] and sends it
// through the Bot's outbox.
//
// An Engine is safe for concurrent use. It starts no goroutines: the
// scheduler and the Bot run the work.
type Engine struct {
	policy    *Policy
	sched     Scheduler
	campaigns map[string]*compiled
	names     []string
	events    map[string]bool
	start     func(name string) parley.Handler
	actions   *action.Registry
	route     func(ctx context.Context, p *customer.Profile) (parley.Address, error)
	eventTTL  time.Duration
}

// An Option configures an [Engine].
type Option func(*engineConfig)

type engineConfig struct {
	events  []string
	flows   []string
	start   func(name string) parley.Handler
	actions *action.Registry
	route   func(ctx context.Context, p *customer.Profile) (parley.Address, error)
}

// WithEventTypes adds custom event types ("trial_started") to the ones
// the engine accepts.
func WithEventTypes(types ...string) Option {
	return func(c *engineConfig) { c.events = append(c.events, types...) }
}

// WithFlows lets steps start the named flows, through start (such as
// flow.Engine.Starter). Steps naming any other flow fail [New].
func WithFlows(start func(name string) parley.Handler, names ...string) Option {
	return func(c *engineConfig) { c.start, c.flows = start, append(c.flows, names...) }
}

// WithActions gives offers their action registry.
func WithActions(a *action.Registry) Option { return func(c *engineConfig) { c.actions = a } }

// WithRoute sets where a customer's messages go (default: the identity
// on the channel of the profile's "contact" preference, else the first
// identity, with the identity's ID as conversation ID and recipient). An
// error records the step as [ReasonChannelFailed].
func WithRoute(f func(ctx context.Context, p *customer.Profile) (parley.Address, error)) Option {
	return func(c *engineConfig) { c.route = f }
}

// New validates campaigns and returns an engine that runs them under
// policy, with sched for the steps' times. It returns a [*CompileError]
// listing every problem in the campaigns. It panics if policy or sched
// is nil.
func New(policy *Policy, sched Scheduler, campaigns []*Campaign, opts ...Option) (*Engine, error) {
	if policy == nil || sched == nil {
		panic("proactive: New with nil policy or scheduler")
	}
	var cfg engineConfig
	for _, o := range opts {
		o(&cfg)
	}
	events := map[string]bool{}
	for _, ev := range slices.Concat(builtinEvents, cfg.events) {
		events[ev] = true
	}
	flows := map[string]bool{}
	for _, f := range cfg.flows {
		flows[f] = true
	}
	frozen := make([]*Campaign, len(campaigns))
	for i, c := range campaigns {
		if c != nil {
			cp := *c
			cp.Steps = slices.Clone(c.Steps)
			cp.ExitEvents = slices.Clone(c.ExitEvents)
			frozen[i] = &cp
		}
	}
	cs, err := compile(frozen, events, flows, cfg.actions != nil)
	if err != nil {
		return nil, err
	}
	e := &Engine{policy: policy, sched: sched, campaigns: cs, events: events, start: cfg.start,
		actions: cfg.actions, route: cfg.route, eventTTL: 30 * 24 * time.Hour}
	for _, c := range frozen {
		e.names = append(e.names, c.Name)
	}
	if e.route == nil {
		e.route = defaultRoute
	}
	return e, nil
}

func defaultRoute(_ context.Context, p *customer.Profile) (parley.Address, error) {
	if len(p.Identities) == 0 {
		return parley.Address{}, ErrNoRoute
	}
	id := p.Identities[0]
	if want := p.Preferences["contact"]; want != "" {
		if i := slices.IndexFunc(p.Identities, func(x customer.Identity) bool { return x.Channel == want }); i >= 0 {
			id = p.Identities[i]
		}
	}
	return parley.Address{Channel: id.Channel, ConversationID: id.ID, CustomerID: p.CustomerID, Recipient: id.ID}, nil
}

// runState is one customer's run of one campaign.
type runState struct {
	Run      string            `json:"run"`
	Campaign string            `json:"campaign"`
	Customer string            `json:"customer"`
	Started  time.Time         `json:"started"`
	Anchor   time.Time         `json:"anchor,omitzero"`
	Held     bool              `json:"held,omitempty"`
	Attrs    map[string]string `json:"attrs,omitempty"`
	Next     int               `json:"next"`
	Due      time.Time         `json:"due,omitzero"`
	LastSent time.Time         `json:"last_sent,omitzero"`
	// LastTurn is the MessageID of the turn that sent step LastStep (with
	// its template if LastTemplate): a retry of that turn (the Bot could
	// not save it) replies the same again instead of moving on.
	LastTurn     string `json:"last_turn,omitempty"`
	LastStep     int    `json:"last_step,omitempty"`
	LastTemplate bool   `json:"last_template,omitempty"`
	Done         bool   `json:"done,omitempty"`
	Outcome      string `json:"outcome,omitempty"`
}

// jobPayload is what a step's job carries.
type jobPayload struct {
	Run  string `json:"run"`
	Step int    `json:"step"`
	// Due is when the step was due, for a job retrying it later (zero:
	// the job's own due time).
	Due time.Time `json:"due,omitzero"`
	// Retries counts the retries after errors, for the back-off.
	Retries int `json:"retries,omitempty"`
	// Turn counts the step's turns that ran and failed: a new turn needs
	// a new MessageID, as the Bot took the last one.
	Turn int `json:"turn,omitempty"`
	// Converted marks the job that reports the run's conversion in the
	// customer's conversation, with the goal event's "value" and the
	// last step sent.
	Converted bool   `json:"converted,omitempty"`
	Value     string `json:"value,omitempty"`
	LastStep  string `json:"last_step,omitempty"`
}

func runKey(customerID, campaign string) string {
	return "proactive/run/" + customerID + "/" + campaign
}
func eventKey(key string) string               { return "proactive/event/" + key }
func logKey(customerID string) string          { return "proactive/log/" + customerID }
func jobID(customerID, campaign string) string { return "proactive/" + campaign + "/" + customerID }

func (e *Engine) store() memory.Store { return e.policy.store }

func (e *Engine) readRun(ctx context.Context, customerID, campaign string) (*runState, int64, error) {
	rec, err := e.store().Get(ctx, runKey(customerID, campaign))
	if errors.Is(err, memory.ErrNotFound) {
		return nil, memory.Absent, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("proactive: read run: %w", err)
	}
	var r runState
	if err := json.Unmarshal(rec.Value, &r); err != nil {
		// An unreadable run is replaced by the next trigger.
		return nil, rec.Version, nil
	}
	return &r, rec.Version, nil
}

func (e *Engine) writeRun(ctx context.Context, r *runState, ver int64) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	var ttl time.Duration
	if r.Done {
		ttl = e.eventTTL // kept a while for the record
	}
	_, err = e.store().Set(ctx, memory.Put{Key: runKey(r.Customer, r.Campaign), Value: raw, IfVersion: ver, TTL: ttl})
	if err != nil {
		return fmt.Errorf("proactive: write run of %q in %q: %w", r.Customer, r.Campaign, err)
	}
	return nil
}

// updateRun applies fn to the customer's run of campaign until its write
// wins. fn returns false to write nothing; it is called with nil when
// there is no run.
func (e *Engine) updateRun(ctx context.Context, customerID, campaign string, fn func(*runState) (*runState, bool, error)) error {
	for {
		r, ver, err := e.readRun(ctx, customerID, campaign)
		if err != nil {
			return err
		}
		nr, write, err := fn(r)
		if err != nil || !write {
			return err
		}
		err = e.writeRun(ctx, nr, ver)
		if !errors.Is(err, memory.ErrConflict) {
			return err
		}
	}
}

// Ingest takes one event: it ends the customer's runs whose goal or exit
// event it is, ends holds waiting for it, and starts the campaigns it
// triggers for a customer in their audience (one run per campaign and
// customer at a time). It returns a [*EventError] (wrapping
// [ErrUnknownEvent], [ErrUnknownCustomer] or [ErrBadTimeZone]) for an
// event it refuses before recording anything, [ErrDuplicateEvent] for an
// event it already took, or the store's or scheduler's error: then it
// may have done part of the work, and taking the same event again (same
// ID) finishes it without doing anything twice.
func (e *Engine) Ingest(ctx context.Context, ev Event) error {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	fail := func(err error) error { return &EventError{Type: ev.Type, CustomerID: ev.CustomerID, Err: err} }
	if !e.events[ev.Type] {
		return fail(ErrUnknownEvent)
	}
	if ev.CustomerID == "" {
		return fail(ErrUnknownCustomer)
	}
	prof, err := e.policy.profiles.Load(ctx, ev.CustomerID)
	if errors.Is(err, memory.ErrNotFound) {
		return fail(ErrUnknownCustomer)
	}
	if err != nil {
		return fmt.Errorf("proactive: load customer %q: %w", ev.CustomerID, err)
	}
	if _, err := e.policy.zoneOf(prof.TimeZone); err != nil {
		return fail(err)
	}
	// Triggered campaigns whose anchor the event lacks are refused before
	// anything is written.
	anchors := map[string]time.Time{}
	for _, name := range e.names {
		c := e.campaigns[name]
		if c.Trigger != ev.Type || c.Anchor == "" {
			continue
		}
		at, err := parseTime(ev.Attributes[c.Anchor])
		if err != nil {
			return fail(fmt.Errorf("campaign %q anchors on attribute %q: %w", name, c.Anchor, err))
		}
		anchors[name] = at
	}
	key := ev.key()
	if _, err := e.store().Get(ctx, eventKey(key)); err == nil {
		return ErrDuplicateEvent
	} else if !errors.Is(err, memory.ErrNotFound) {
		return fmt.Errorf("proactive: event %q: %w", key, err)
	}
	for _, name := range e.names {
		c := e.campaigns[name]
		if err := e.applyEvent(ctx, c, ev, key); err != nil {
			return err
		}
		if c.Trigger == ev.Type && (c.Audience == nil || c.Audience(prof)) {
			if err := e.startRun(ctx, c, ev, key, anchors[name]); err != nil {
				return err
			}
		}
	}
	_, err = e.store().Set(ctx, memory.Put{Key: eventKey(key), Value: []byte(ev.Type), IfVersion: memory.AnyVersion, TTL: e.eventTTL})
	if err != nil {
		return fmt.Errorf("proactive: record event %q: %w", key, err)
	}
	return nil
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("missing")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time or a date", s)
	}
	return t, nil
}

// applyEvent ends or releases the customer's run of c for ev.
func (e *Engine) applyEvent(ctx context.Context, c *compiled, ev Event, key string) error {
	goal := c.Goal != "" && ev.Type == c.Goal
	exit := slices.Contains(c.ExitEvents, ev.Type)
	hold := c.Hold != nil && c.Hold.Event == ev.Type
	if !goal && !exit && !hold {
		return nil
	}
	var resched, converted *runState
	var ended bool
	err := e.updateRun(ctx, ev.CustomerID, c.Name, func(r *runState) (*runState, bool, error) {
		resched, converted, ended = nil, nil, false
		if r == nil || ev.Time.Before(r.Started) {
			return nil, false, nil
		}
		if r.Done {
			// A purchase soon after the last step is the campaign's
			// conversion too.
			if !goal || r.Outcome != outcomeCompleted || r.LastSent.IsZero() || ev.Time.Sub(r.LastSent) > convertWindow {
				return nil, false, nil
			}
			r.Outcome, converted = exitConverted, r
			return r, true, nil
		}
		switch {
		case goal || exit:
			r.Done, r.Outcome = true, exitConverted
			if !goal {
				r.Outcome = "event " + ev.Type
			} else if !r.LastSent.IsZero() {
				converted = r
			}
			ended = true
		case r.Held:
			r.Held, r.Anchor = false, ev.Time
			if !e.firstDue(c, r, ev.Time) {
				ended = true
				break
			}
			resched = r
		default:
			return nil, false, nil
		}
		return r, true, nil
	})
	if err != nil {
		return err
	}
	if resched != nil {
		return e.scheduleStep(ctx, resched)
	}
	if converted != nil && !ended {
		return e.reportConversion(ctx, c, converted, ev)
	}
	if ended {
		why := exitConverted
		if !goal {
			why = "event " + ev.Type
		}
		if err := e.appendLog(ctx, key, Suppression{Time: time.Now(), CustomerID: ev.CustomerID, Campaign: c.Name,
			Reason: ReasonExited, Detail: why}); err != nil {
			return err
		}
		if converted != nil {
			// The job that reports it replaces the run's next step.
			return e.reportConversion(ctx, c, converted, ev)
		}
		if err := e.sched.Cancel(ctx, jobID(ev.CustomerID, c.Name)); err != nil && !errors.Is(err, schedule.ErrNotFound) {
			return fmt.Errorf("proactive: cancel step: %w", err)
		}
	}
	return nil
}

// reportConversion schedules the job that reports r's conversion by ev
// in the customer's conversation (see [Engine.fireConverted]), now.
func (e *Engine) reportConversion(ctx context.Context, c *compiled, r *runState, ev Event) error {
	raw, err := json.Marshal(jobPayload{Run: r.Run, Converted: true, Value: ev.Attributes["value"],
		LastStep: c.Steps[min(r.LastStep, len(c.Steps)-1)].ID})
	if err != nil {
		return err
	}
	if err := e.sched.Schedule(ctx, schedule.Job{ID: jobID(r.Customer, c.Name), Kind: JobKind, Key: r.Customer,
		Due: time.Now(), Payload: raw}); err != nil {
		return fmt.Errorf("proactive: report conversion: %w", err)
	}
	return nil
}

// firstDue sets r.Next and r.Due to the first step due at or after from
// (steps already past at the start are skipped); false if none is left.
func (e *Engine) firstDue(c *compiled, r *runState, from time.Time) bool {
	// Anchors are often whole seconds or dates: a step due within the
	// minute of the trigger is not "already past".
	from = from.Add(-time.Minute)
	for i, s := range c.Steps {
		if due := r.Anchor.Add(s.After); !due.Before(from) || c.Anchor == "" {
			r.Next, r.Due = i, due
			return true
		}
	}
	r.Done, r.Outcome = true, "no step left"
	return false
}

// startRun starts c for ev's customer unless a run is under way.
func (e *Engine) startRun(ctx context.Context, c *compiled, ev Event, key string, anchor time.Time) error {
	var sched *runState
	err := e.updateRun(ctx, ev.CustomerID, c.Name, func(r *runState) (*runState, bool, error) {
		sched = nil
		if r != nil && !r.Done {
			if r.Run == key {
				sched = r // taken before, scheduling unfinished: finish it
			}
			return nil, false, nil
		}
		nr := &runState{Run: key, Campaign: c.Name, Customer: ev.CustomerID, Started: ev.Time, Attrs: ev.Attributes}
		switch {
		case c.Hold != nil:
			nr.Held, nr.Due = true, ev.Time.Add(c.Hold.Timeout)
		case c.Anchor != "":
			nr.Anchor = anchor
			if !e.firstDue(c, nr, ev.Time) {
				return nil, false, nil
			}
		default:
			nr.Anchor = ev.Time
			e.firstDue(c, nr, ev.Time)
		}
		sched = nr
		return nr, true, nil
	})
	if err != nil || sched == nil {
		return err
	}
	return e.scheduleStep(ctx, sched)
}

func (e *Engine) scheduleStep(ctx context.Context, r *runState) error {
	raw, err := json.Marshal(jobPayload{Run: r.Run, Step: r.Next})
	if err != nil {
		return err
	}
	err = e.sched.Schedule(ctx, schedule.Job{ID: jobID(r.Customer, r.Campaign), Kind: JobKind, Key: r.Customer, Due: r.Due, Payload: raw})
	if err != nil {
		return fmt.Errorf("proactive: schedule %s/%d for %q: %w", r.Campaign, r.Next, r.Customer, err)
	}
	return nil
}

// Jobs returns the scheduler's handler for [JobKind]: it enqueues a due
// step into the customer's conversation through q (the [parley.Bot]), as
// an internal turn whose MessageID is derived from the campaign, customer,
// run, step and due time, so that a job fired twice is taken once. A hold
// that times out starts the steps. An error (the store or the Bot is down)
// makes the scheduler try again later: a step is delayed, never lost.
func (e *Engine) Jobs(q Enqueuer) schedule.Handler {
	return schedule.HandlerFunc(func(ctx context.Context, j *schedule.Job) error {
		var p jobPayload
		if err := json.Unmarshal(j.Payload, &p); err != nil {
			return nil // not ours to understand; nothing to retry
		}
		due := j.Due
		if !p.Due.IsZero() {
			due = p.Due
		}
		err := e.fire(ctx, q, j, p, due)
		if err == nil {
			return nil
		}
		return e.retry(ctx, j.ID, p, due, err)
	})
}

// retryBase is the first wait before a step that failed (the store or
// the Bot was down) is tried again; it doubles up to an hour.
const retryBase = 30 * time.Second

// retry schedules the step of p again after a back-off, instead of
// leaving it to the scheduler's limited attempts: an outage of any
// length delays a step and never drops it. It returns cause if even that
// fails, for the scheduler to retry.
func (e *Engine) retry(ctx context.Context, id string, p jobPayload, due time.Time, cause error) error {
	p.Due = due
	p.Retries++
	raw, err := json.Marshal(p)
	if err != nil {
		return errors.Join(cause, err)
	}
	wait := min(retryBase<<min(p.Retries-1, 16), time.Hour)
	customerID, _, _ := parseJobID(id)
	if err := e.sched.Schedule(ctx, schedule.Job{ID: id, Kind: JobKind, Key: customerID, Due: time.Now().Add(wait), Payload: raw}); err != nil {
		return errors.Join(cause, err)
	}
	return nil
}

// fire enqueues the step of p, due at due.
func (e *Engine) fire(ctx context.Context, q Enqueuer, j *schedule.Job, p jobPayload, due time.Time) error {
	customerID, campaign, ok := parseJobID(j.ID)
	c := e.campaigns[campaign]
	if !ok || c == nil {
		return nil // a campaign removed since: its runs end here
	}
	r, _, err := e.readRun(ctx, customerID, campaign)
	if err != nil {
		return err
	}
	if p.Converted {
		return e.fireConverted(ctx, q, c, r, p)
	}
	if r == nil || r.Done || r.Run != p.Run || r.Next != p.Step {
		return nil // ended or moved on since
	}
	if r.Held {
		var next *runState
		err := e.updateRun(ctx, customerID, campaign, func(r *runState) (*runState, bool, error) {
			next = nil
			if r == nil || r.Done || r.Run != p.Run || !r.Held {
				return nil, false, nil
			}
			r.Held, r.Anchor = false, j.Due
			e.firstDue(c, r, j.Due)
			next = r
			return r, true, nil
		})
		if err != nil || next == nil {
			return err
		}
		if next.Due.After(time.Now()) {
			return e.scheduleStep(ctx, next)
		}
		r, due = next, next.Due
	}
	prof, err := e.policy.profiles.Load(ctx, customerID)
	if errors.Is(err, memory.ErrNotFound) {
		return e.end(ctx, nil, r, "customer deleted")
	}
	if err != nil {
		return err
	}
	to, err := e.route(ctx, prof)
	if err != nil {
		if err := e.suppress(ctx, nil, r, c, "", Decision{Reason: ReasonChannelFailed, Detail: err.Error()}); err != nil {
			return err
		}
		return e.advance(ctx, nil, c, r)
	}
	t := &parley.Turn{ConversationID: to.ConversationID, CustomerID: customerID, Channel: to.Channel,
		Recipient: to.Recipient, MessageID: stepMessageID(r, c, due, p.Turn), Time: time.Now(),
		Signal: &parley.Signal{Name: signalStep, Data: map[string]string{
			"campaign": campaign, "run": r.Run, "step": strconv.Itoa(r.Next), "due": due.UTC().Format(time.RFC3339Nano),
			"turn": strconv.Itoa(p.Turn)}}}
	if err := q.Enqueue(ctx, t); err != nil && !errors.Is(err, parley.ErrDuplicate) {
		return fmt.Errorf("proactive: enqueue %s for %q: %w", campaign, customerID, err)
	}
	return nil
}

// fireConverted enqueues the turn that reports r's conversion in the
// customer's conversation.
func (e *Engine) fireConverted(ctx context.Context, q Enqueuer, c *compiled, r *runState, p jobPayload) error {
	if r == nil || r.Run != p.Run {
		return nil // a new run started since
	}
	prof, err := e.policy.profiles.Load(ctx, r.Customer)
	if errors.Is(err, memory.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	to, err := e.route(ctx, prof)
	if err != nil {
		return nil // nowhere to report it: the run's record says converted
	}
	t := &parley.Turn{ConversationID: to.ConversationID, CustomerID: r.Customer, Channel: to.Channel,
		Recipient: to.Recipient, MessageID: "proactive/" + c.Name + "/" + r.Customer + "/" + r.Run + "/converted", Time: time.Now(),
		Signal: &parley.Signal{Name: signalStep, Data: map[string]string{
			"campaign": c.Name, "run": r.Run, "converted": "true", "step": p.LastStep, "value": p.Value}}}
	if err := q.Enqueue(ctx, t); err != nil && !errors.Is(err, parley.ErrDuplicate) {
		return fmt.Errorf("proactive: enqueue %s conversion for %q: %w", c.Name, r.Customer, err)
	}
	return nil
}

// stepMessageID is the stable MessageID of a step's turn: the same for
// every fire of one job, so that the Bot takes it once.
func stepMessageID(r *runState, c *compiled, due time.Time, turn int) string {
	id := "proactive/" + c.Name + "/" + r.Customer + "/" + r.Run + "/" + c.Steps[r.Next].ID + "@" + strconv.FormatInt(due.UnixMicro(), 10)
	if turn > 0 {
		id += "#" + strconv.Itoa(turn)
	}
	return id
}

func parseJobID(id string) (customerID, campaign string, ok bool) {
	rest, ok := strings.CutPrefix(id, "proactive/")
	if !ok {
		return "", "", false
	}
	campaign, customerID, ok = strings.Cut(rest, "/")
	return customerID, campaign, ok
}

// Middleware returns middleware that delivers e's campaign steps: a turn
// carrying signalStep is handled here, in the customer's conversation
// and in order with their own turns, and every other turn goes on. Put it
// before escalation's middleware, so that a step meets a conversation a
// person owns and waits for it rather than being swallowed.
//
// For each step it applies the campaign's exit rules, asks the
// [Policy], and then sends the step's message through w (the Bot's
// outbox) and starts its flow, or records why not: held messages are
// scheduled again for when the policy allows them, dropped ones are
// skipped and the run goes on, an opt-out ends the run. It panics if e is
// nil.
func Middleware(e *Engine) parley.Middleware {
	if e == nil {
		panic("proactive: Middleware with nil Engine")
	}
	return func(next parley.Handler) parley.Handler { return e.middleware(next) }
}

// middleware is [Middleware]'s wrapper around next.
func (e *Engine) middleware(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Signal == nil {
			e.noteReply(ctx, t)
		}
		if t.Signal == nil || t.Signal.Name != signalStep {
			return next.HandleTurn(ctx, w, t)
		}
		return e.deliver(ctx, w, t)
	})
}

// noteReply reports the customer's message t as a reply to the
// conversation's last campaign message, the first time within
// replyWindow.
func (e *Engine) noteReply(ctx context.Context, t *parley.Turn) {
	s := t.Session()
	if s == nil || t.Message.Text == "" {
		return
	}
	last, ok, err := lastKey.Get(s)
	at := t.Time
	if at.IsZero() {
		at = time.Now()
	}
	if err != nil || !ok || last.Replied || at.Sub(last.Sent) > replyWindow {
		return
	}
	last.Replied = true
	if err := lastKey.Set(s, last); err != nil {
		return
	}
	t.Emit(ctx, parley.Event{Kind: eventReplied, Attrs: map[string]string{"campaign": last.Campaign, "step": last.Step, "goal": last.Goal}})
}

func (e *Engine) deliver(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	d := t.Signal.Data
	c := e.campaigns[d["campaign"]]
	if d["converted"] != "" {
		if c != nil {
			t.Emit(ctx, parley.Event{Kind: eventConverted, Attrs: map[string]string{"campaign": c.Name, "step": d["step"],
				"goal": c.Goal, "value": d["value"]}})
		}
		return nil
	}
	step, err := strconv.Atoi(d["step"])
	if c == nil || err != nil || step < 0 || step >= len(c.Steps) || t.CustomerID == "" {
		return nil
	}
	due, err := time.Parse(time.RFC3339Nano, d["due"])
	if err != nil {
		due = t.Time
	}
	err = e.deliverStep(ctx, w, t, c, step, due)
	if err == nil {
		return nil
	}
	// Nothing was replied (replies come last): the step is tried again
	// later, rather than failing the turn, which would ask the customer
	// to send a message they never sent.
	t.Emit(ctx, parley.Event{Kind: parley.EventTurnError, Err: err, Attrs: map[string]string{"campaign": c.Name, "step": c.Steps[step].ID}})
	turn, _ := strconv.Atoi(d["turn"])
	return e.retry(ctx, jobID(t.CustomerID, c.Name), jobPayload{Run: d["run"], Step: step, Turn: turn + 1}, due, err)
}

func (e *Engine) deliverStep(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, c *compiled, step int, due time.Time) error {
	r, _, err := e.readRun(ctx, t.CustomerID, c.Name)
	if err != nil {
		return err
	}
	if r != nil && r.Run == t.Signal.Data["run"] && r.LastTurn == t.MessageID {
		return e.resend(ctx, w, t, c, r)
	}
	if r == nil || r.Done || r.Held || r.Run != t.Signal.Data["run"] || r.Next != step {
		return nil // ended or moved on since it was enqueued
	}
	s := c.Steps[step]
	if c.CatchUp > 0 && time.Since(due) > c.CatchUp {
		if err := e.suppress(ctx, t, r, c, t.Channel, Decision{Reason: ReasonLate, Detail: fmt.Sprintf("%v late", time.Since(due).Round(time.Second))}); err != nil {
			return err
		}
		return e.advance(ctx, t, c, r)
	}
	prof, err := e.policy.profiles.Load(ctx, t.CustomerID)
	if errors.Is(err, memory.ErrNotFound) {
		return e.end(ctx, t, r, "customer deleted")
	}
	if err != nil {
		return err
	}
	switch {
	case c.ExitOnLeavingAudience && !c.Audience(prof):
		return e.exit(ctx, t, r, c, s.ID, "left the audience")
	case c.ExitOnReply && replied(t, r):
		return e.exit(ctx, t, r, c, s.ID, "replied")
	case c.ExitOnHuman && e.policy.busy != nil && e.policy.busy(t):
		return e.exit(ctx, t, r, c, s.ID, "a person took over")
	}
	send := Send{ID: stepID(r, c), Campaign: c.Name, CampaignCap: c.Cap, Purpose: c.purpose(), Channel: t.Channel, HasTemplate: s.Template != nil}
	dec, err := e.policy.Check(ctx, t, prof, send)
	if err != nil {
		return err
	}
	if !dec.Allow {
		return e.refused(ctx, t, r, c, dec)
	}
	now := time.Now()
	m, about, err := e.render(ctx, c, step, r, prof, languageOf(t, prof), dec.UseTemplate, now)
	if err != nil {
		if err := e.suppress(ctx, t, r, c, t.Channel, Decision{Reason: ReasonRenderFailed, Detail: err.Error()}); err != nil {
			return err
		}
		return e.advance(ctx, t, c, r)
	}
	if ok, err := e.policy.Record(ctx, t.CustomerID, send); err != nil {
		return err
	} else if !ok {
		return e.refused(ctx, t, r, c, Decision{Reason: ReasonCapped, Detail: "cap reached meanwhile"})
	}
	// The run moves on before anything is replied: if the Bot cannot
	// save this turn and runs it again, LastTurn makes it reply the same.
	r.LastSent, r.LastTurn, r.LastStep, r.LastTemplate = now, t.MessageID, step, dec.UseTemplate
	if err := e.advance(ctx, t, c, r); err != nil {
		return err
	}
	return e.reply(ctx, w, t, c, r, step, m, about, dec.UseTemplate)
}

// resend replies again what the turn t sent before the Bot had to run it
// again.
func (e *Engine) resend(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, c *compiled, r *runState) error {
	prof, err := e.policy.profiles.Load(ctx, t.CustomerID)
	if err != nil {
		return err
	}
	m, about, err := e.render(ctx, c, r.LastStep, r, prof, languageOf(t, prof), r.LastTemplate, r.LastSent)
	if err != nil {
		return err
	}
	return e.reply(ctx, w, t, c, r, r.LastStep, m, about, r.LastTemplate)
}

func (e *Engine) reply(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, c *compiled, r *runState, step int, m parley.Message, about stepAbout, useTemplate bool) error {
	s := c.Steps[step]
	if q, open := dialog.OpenQuestion(t); open && e.policy.brief(q) {
		// A menu or an offer left open (the policy let the message
		// through): the message takes its place, so that "2" afterwards
		// is not read as its second option. A form's question stays.
		dialog.CloseQuestion(t)
	}
	if m.Text != "" {
		if err := w.Reply(ctx, m); err != nil {
			return err
		}
	}
	if s.Flow != "" && !useTemplate {
		if err := e.start(s.Flow).HandleTurn(ctx, w, t); err != nil {
			return err
		}
	}
	t.Emit(ctx, parley.Event{Kind: EventSent, Attrs: map[string]string{"campaign": c.Name, "step": s.ID, "customer": t.CustomerID, "goal": c.Goal}})
	if sess := t.Session(); sess != nil {
		// For the reply that may follow; a failure only loses the
		// "replied" event.
		_ = lastKey.Set(sess, lastCampaign{Campaign: c.Name, Step: s.ID, Goal: c.Goal, Sent: time.Now(),
			Run: r.Run, Reason: about.reason, Code: about.code, Expires: about.expires, ExpiresAt: about.expiresAt, Attrs: r.Attrs})
	}
	return nil
}

// stepID identifies a step of a run for the policy's ledger.
func stepID(r *runState, c *compiled) string {
	return c.Name + "/" + r.Run + "/" + c.Steps[r.Next].ID
}

// replied reports whether the customer wrote in t's conversation since
// the run's last message.
func replied(t *parley.Turn, r *runState) bool {
	s := t.Session()
	if s == nil || r.LastSent.IsZero() {
		return false
	}
	for _, h := range slices.Backward(s.History) {
		if h.Time.Before(r.LastSent) {
			return false
		}
		if customerWrote(h) {
			return true
		}
	}
	return false
}

// refused handles a policy refusal: held messages are scheduled again,
// an opt-out ends the run, anything else skips the step.
func (e *Engine) refused(ctx context.Context, t *parley.Turn, r *runState, c *compiled, dec Decision) error {
	if err := e.suppress(ctx, t, r, c, t.Channel, dec); err != nil {
		return err
	}
	switch {
	case dec.held():
		// The held step's next turn gets a MessageID of its own, even if
		// it comes due at the same time again (a replica whose clock is
		// behind fired it early): the Bot took this one.
		r.Due = dec.Until
		turn, _ := strconv.Atoi(t.Signal.Data["turn"])
		raw, err := json.Marshal(jobPayload{Run: r.Run, Step: r.Next, Turn: turn + 1})
		if err != nil {
			return err
		}
		if err := e.sched.Schedule(ctx, schedule.Job{ID: jobID(r.Customer, r.Campaign), Kind: JobKind, Key: r.Customer, Due: r.Due, Payload: raw}); err != nil {
			return fmt.Errorf("proactive: schedule %s/%d for %q: %w", r.Campaign, r.Next, r.Customer, err)
		}
		return e.save(ctx, r)
	case dec.Reason == ReasonOptedOut:
		return e.end(ctx, t, r, "opted out")
	}
	return e.advance(ctx, t, c, r)
}

// exit ends r by an exit rule, recorded as [ReasonExited].
func (e *Engine) exit(ctx context.Context, t *parley.Turn, r *runState, c *compiled, step, why string) error {
	ch := ""
	if t != nil {
		ch = t.Channel
	}
	if err := e.suppress(ctx, t, r, c, ch, Decision{Reason: ReasonExited, Detail: why}); err != nil {
		return err
	}
	return e.end(ctx, t, r, why)
}

func (e *Engine) end(ctx context.Context, _ *parley.Turn, r *runState, outcome string) error {
	r.Done, r.Outcome = true, outcome
	return e.save(ctx, r)
}

// advance moves r to its next step and schedules it, or ends the run.
func (e *Engine) advance(ctx context.Context, _ *parley.Turn, c *compiled, r *runState) error {
	r.Next++
	if r.Next >= len(c.Steps) {
		return e.end(ctx, nil, r, outcomeCompleted)
	}
	r.Due = r.Anchor.Add(c.Steps[r.Next].After)
	if now := time.Now(); r.Due.Before(now) {
		r.Due = now
	}
	if err := e.scheduleStep(ctx, r); err != nil {
		return err
	}
	return e.save(ctx, r)
}

// save writes r if it is still the run it was (an event may have ended
// it meanwhile, which wins).
func (e *Engine) save(ctx context.Context, r *runState) error {
	return e.updateRun(ctx, r.Customer, r.Campaign, func(cur *runState) (*runState, bool, error) {
		if cur == nil || cur.Run != r.Run || cur.Done {
			return nil, false, nil
		}
		return r, true, nil
	})
}

// suppress records a message not sent, in the customer's log and as an
// [EventSuppressed] to the Bot's observer.
func (e *Engine) suppress(ctx context.Context, t *parley.Turn, r *runState, c *compiled, channel string, dec Decision) error {
	s := Suppression{Time: time.Now(), CustomerID: r.Customer, Campaign: c.Name, Channel: channel, Reason: dec.Reason,
		Detail: dec.Detail, Until: dec.Until}
	if r.Next < len(c.Steps) {
		s.Step = c.Steps[r.Next].ID
	}
	if t != nil {
		t.Emit(ctx, parley.Event{Kind: EventSuppressed, Attrs: map[string]string{"campaign": s.Campaign, "step": s.Step,
			"customer": s.CustomerID, "reason": string(s.Reason), "detail": s.Detail}})
	}
	return e.appendLog(ctx, r.Run, s)
}

// maxLog is how many suppressions are kept per customer.
const maxLog = 200

type logRecord struct {
	Entries []logEntry `json:"entries"`
}

type logEntry struct {
	Run string `json:"run"`
	Suppression
}

func (e *Engine) appendLog(ctx context.Context, run string, s Suppression) error {
	key := logKey(s.CustomerID)
	for {
		var l logRecord
		ver := memory.Absent
		rec, err := e.store().Get(ctx, key)
		switch {
		case err == nil:
			ver = rec.Version
			if json.Unmarshal(rec.Value, &l) != nil {
				l = logRecord{}
			}
		case !errors.Is(err, memory.ErrNotFound):
			return fmt.Errorf("proactive: read log of %q: %w", s.CustomerID, err)
		}
		// A retried turn records the same suppression once.
		if slices.ContainsFunc(l.Entries, func(x logEntry) bool {
			return x.Run == run && x.Step == s.Step && x.Reason == s.Reason && x.Until.Equal(s.Until) && x.Campaign == s.Campaign
		}) {
			return nil
		}
		l.Entries = append(l.Entries, logEntry{Run: run, Suppression: s})
		if n := len(l.Entries); n > maxLog {
			l.Entries = l.Entries[n-maxLog:]
		}
		raw, err := json.Marshal(l)
		if err != nil {
			return err
		}
		_, err = e.store().Set(ctx, memory.Put{Key: key, Value: raw, IfVersion: ver})
		if errors.Is(err, memory.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("proactive: record suppression for %q: %w", s.CustomerID, err)
		}
		return nil
	}
}

// Suppressed returns the messages not sent (or held) to a customer, oldest
// first (the last 200).
func (e *Engine) Suppressed(ctx context.Context, customerID string) ([]Suppression, error) {
	rec, err := e.store().Get(ctx, logKey(customerID))
	if errors.Is(err, memory.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("proactive: read log of %q: %w", customerID, err)
	}
	var l logRecord
	if err := json.Unmarshal(rec.Value, &l); err != nil {
		return nil, &memory.CorruptError{Key: logKey(customerID), Err: err}
	}
	out := make([]Suppression, len(l.Entries))
	for i, x := range l.Entries {
		out[i] = x.Suppression
	}
	return out, nil
}

// offerError reports an offer action that refused or returned no code.
type offerError struct{ err error }

func (e *offerError) Error() string { return "proactive: offer: " + e.err.Error() }
func (e *offerError) Unwrap() error { return e.err }

// languageOf is the language to write a step's values in: the
// conversation's (set by an i18n middleware around the engine), else the
// profile's.
func languageOf(t *parley.Turn, prof *customer.Profile) string {
	if t.Locale != "" {
		return t.Locale
	}
	return prof.Language
}

// offerTime writes when an offer expires in the customer's language
// ("Sat Jan 8 at 10:15", "sáb 8 ene a las 10:15"): the message catalog
// translates the sentence around it, not the date inside it.
func offerTime(t time.Time, lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "es") {
		days := [...]string{"dom", "lun", "mar", "mié", "jue", "vie", "sáb"}
		months := [...]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"}
		return fmt.Sprintf("%s %d %s a las %s", days[t.Weekday()], t.Day(), months[t.Month()-1], t.Format("15:04"))
	}
	return t.Format("Mon Jan 2 at 15:04")
}

// stepAbout is what a sent step was about, for [LastMessage]: its
// rendered reason and its offer.
type stepAbout struct {
	reason, code, expires string
	expiresAt             time.Time
}

// render builds the step's message for the customer, and what it is
// about.
func (e *Engine) render(ctx context.Context, c *compiled, i int, r *runState, prof *customer.Profile, lang string, useTemplate bool, at time.Time) (parley.Message, stepAbout, error) {
	s := c.Steps[i]
	offer := map[string]string{}
	var expiresAt time.Time
	if o := s.Offer; o != nil {
		args, err := json.Marshal(o.Args)
		if err != nil {
			return parley.Message{}, stepAbout{}, &offerError{err: err}
		}
		res, err := e.actions.Call(ctx, action.Call{Action: o.Action, Args: args, Customer: r.Customer, Confirmed: true,
			Conversation: "proactive/" + c.Name + "/" + r.Run, IdempotencyKey: c.Name + "/" + r.Run + "/" + s.ID})
		if err != nil {
			// A refusal, or a backend that is down: the message goes
			// without the offer never, and is recorded as not sent.
			return parley.Message{}, stepAbout{}, &offerError{err: err}
		}
		var out struct {
			Code string `json:"code"`
		}
		if res.Status != action.Done || json.Unmarshal(res.Output, &out) != nil || out.Code == "" {
			return parley.Message{}, stepAbout{}, &offerError{err: fmt.Errorf("%q returned no code (%s)", o.Action, res.Status)}
		}
		loc, err := e.policy.zoneOf(prof.TimeZone)
		if err != nil {
			loc = e.policy.zone
		}
		offer["code"] = out.Code
		expiresAt = at.Add(o.Valid).In(loc)
		offer["expires"] = offerTime(expiresAt, lang)
	}
	lookup := func(ns, name string) (string, bool) {
		switch ns {
		case "profile":
			return prof.Field(name)
		case "event":
			v, ok := r.Attrs[name]
			return v, ok
		case "offer":
			v, ok := offer[name]
			return v, ok
		}
		return "", false
	}
	text, err := c.steps[i].text.render(lookup)
	if err != nil {
		return parley.Message{}, stepAbout{}, err
	}
	// A reason with a missing field is left out; the message still goes.
	why, _ := c.steps[i].reason.render(lookup)
	about := stepAbout{reason: why, code: offer["code"], expires: offer["expires"], expiresAt: expiresAt}
	m := parley.Message{Text: text, QuickReplies: slices.Clone(s.QuickReplies)}
	if useTemplate {
		params := make([]any, len(c.steps[i].params))
		for k, p := range c.steps[i].params {
			v, err := p.render(lookup)
			if err != nil {
				return parley.Message{}, stepAbout{}, err
			}
			params[k] = map[string]string{"type": "text", "text": v}
		}
		tpl := map[string]any{"name": s.Template.Name, "language": s.Template.Language}
		if len(params) > 0 {
			tpl["components"] = []any{map[string]any{"type": "body", "parameters": params}}
		}
		m.Extras = map[string]any{"whatsapp": tpl}
	}
	return m, about, nil
}

// Track returns a handler for the web widget's behaviour signals (mount
// it on the router for a track frame's name): each signal turn becomes an
// [Event] of eventType for the turn's customer, with the signal's data as
// attributes and an ID from the turn's MessageID. Signals from visitors
// who are not known customers are ignored; so is a repeated signal.
func (e *Engine) Track(eventType string) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, _ parley.ReplyWriter, t *parley.Turn) error {
		if t.Signal == nil || t.CustomerID == "" {
			return nil
		}
		err := e.Ingest(ctx, Event{ID: "signal/" + t.ConversationID + "/" + t.MessageID, Type: eventType, CustomerID: t.CustomerID,
			Time: t.Time, Attributes: t.Signal.Data})
		if errors.Is(err, ErrDuplicateEvent) || errors.Is(err, ErrUnknownCustomer) {
			return nil
		}
		return err
	})
}

// OptOut returns the handler for [dialog.CommandStop] (STOP, UNSUBSCRIBE,
// "stop messaging me", on any channel): it records the opt-out through
// the policy ([Policy.OptOut]) at once and replies with confirm. A turn
// without a known customer gets the reply only.
func (e *Engine) OptOut(confirm parley.Message) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.CustomerID != "" {
			at := t.Time
			if at.IsZero() {
				at = time.Now()
			}
			if err := e.policy.OptOut(ctx, t.CustomerID, t.Channel, "chat: "+t.Text(), at); err != nil {
				return err
			}
		}
		return w.Reply(ctx, confirm)
	})
}
