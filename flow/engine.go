package flow

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/cache"
	"github.com/parleyhq/parley/internal/parse"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
)

// SignalTimer is the signal a scheduler sends to wake a conversation whose
// flow waits with a timeout.
const SignalTimer = "flow.timer"

// Errors returned by the [Engine].
var (
	// ErrNoSession is returned when a turn reaches the engine outside a
	// [parley.Bot] (or another runtime that sets [parley.Turn.Session]).
	ErrNoSession = errors.New("flow: turn has no session")
	// ErrUnknownFlow is returned when a flow name is not registered.
	ErrUnknownFlow = errors.New("flow: unknown flow")
	// ErrDuplicateVersion is returned by Register for a name and version
	// that is already registered.
	ErrDuplicateVersion = errors.New("flow: version already registered")
)

// Profiles looks up customer profile fields for templates and expressions
// ({{customer.name}}). It is read-only, may sit behind a network, and must
// be safe for concurrent use. A lookup error is reported as a
// "flow.profile_error" event and the turn goes on with an empty profile, so
// a CRM outage never blocks a conversation.
type Profiles interface {
	Profile(ctx context.Context, customerID string) (map[string]string, error)
}

// ProfilesFunc adapts a function to [Profiles].
type ProfilesFunc func(ctx context.Context, customerID string) (map[string]string, error)

// Profile calls f(ctx, customerID).
func (f ProfilesFunc) Profile(ctx context.Context, customerID string) (map[string]string, error) {
	return f(ctx, customerID)
}

// A Global is a route active anywhere in any flow: "talk to a human",
// "cancel", "help", or an intent that should interrupt a form. It matches
// when the turn is understood as one of Intents, or when the text (or a
// quick-reply payload) equals one of Phrases, compared case-insensitively.
// It does one of: hand off (Handoff), end the current flow (End), run a
// flow as a digression (Flow), or say something (Say). With Resume, the
// interrupted question is asked again afterwards, at the same slot.
type Global struct {
	Name    string
	Intents []string
	Phrases []string
	Handoff *parley.HandoffRequest
	End     Resolution
	Flow    string
	Say     []string
	Resume  bool
}

// MigrateFunc moves a conversation from a flow version that is no longer
// registered to a registered one. It returns the version and node to go
// on at, or ok=false to restart the flow from its start node.
type MigrateFunc func(ctx context.Context, flow, fromVersion, node string) (version, toNode string, ok bool)

// An EngineOption configures an [Engine].
type EngineOption func(*Engine)

// WithStart names the flow an idle conversation starts when no trigger
// matches, typically a greeting or main menu.
func WithStart(flow string) EngineOption { return func(e *Engine) { e.start = flow } }

// WithHandOffer sets who takes hand-offs, usually an escalation manager.
func WithHandOffer(h parley.HandOffer) EngineOption { return func(e *Engine) { e.handoff = h } }

// WithProfiles sets the customer profile lookup for templates.
func WithProfiles(p Profiles) EngineOption { return func(e *Engine) { e.profiles = p } }

// WithFallback sets the handler for turns no flow takes: in an idle
// conversation, a turn that was classified ([parley.UnderstandingKey]) but
// triggers no flow, or any turn when there is no start flow; and a message
// while a flow waits for a signal or a human. An intent router (which asks
// clarifying questions and maps the remaining intents to handlers, such as
// [Engine.Starter]) or a knowledge base fits here.
func WithFallback(h parley.Handler) EngineOption { return func(e *Engine) { e.fallback = h } }

// WithDigression sets the handler that answers a question asked in the
// middle of a form: an answer that does not fill the slot and is a
// question (ends with "?", or is understood as another intent). The form
// then resumes at the same slot without counting a failed attempt.
func WithDigression(h parley.Handler) EngineOption { return func(e *Engine) { e.digress = h } }

// WithGlobals adds global routes, checked in order before the flow.
func WithGlobals(gs ...Global) EngineOption {
	return func(e *Engine) { e.globals = append(e.globals, gs...) }
}

// WithTone sets how Say nodes choose a tone variant. The default picks
// "empathetic" for a frustrated or negative turn or a conversation whose
// smoothed trend is below 0.4, "enthusiastic" for a
// delighted one, and plain Text otherwise, from [parley.MoodKey].
func WithTone(f func(t *parley.Turn) string) EngineOption { return func(e *Engine) { e.tone = f } }

// WithMigration sets the hook for conversations on a removed flow version.
func WithMigration(f MigrateFunc) EngineOption { return func(e *Engine) { e.migrate = f } }

// WithMaxVisits sets the loop guard: the most times one node may run in one
// run of a flow (default 20).
func WithMaxVisits(n int) EngineOption { return func(e *Engine) { e.maxVisits = max(n, 1) } }

// Engine runs compiled flows as a [parley.Handler]. It keeps each
// conversation's position, slots and call stack in the session (under
// "flow"), so a restarted process resumes every conversation at the node it
// was on. Conversations keep the flow version they started with.
//
// An Engine is safe for concurrent use; flows may be registered while it
// serves traffic.
type Engine struct {
	start     string
	handoff   parley.HandOffer
	profiles  Profiles
	fallback  parley.Handler
	digress   parley.Handler
	globals   []Global
	tone      func(*parley.Turn) string
	migrate   MigrateFunc
	maxVisits int

	states stateCache

	mu       sync.RWMutex
	versions map[string]map[string]*Flow
	// order lists each name's registered versions, oldest first; the
	// last is the one new conversations start.
	order map[string][]string
}

// NewEngine returns an Engine with no flows.
func NewEngine(opts ...EngineOption) *Engine {
	e := &Engine{
		tone:      defaultTone,
		maxVisits: 20,
		states:    stateCache{cache.New[*state](4096)},
		versions:  map[string]map[string]*Flow{},
		order:     map[string][]string{},
	}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Register adds a compiled flow. The most recently registered version of a
// name is the one new conversations start; conversations already in an
// older version stay on it.
func (e *Engine) Register(f *Flow) error {
	if f == nil {
		return errors.New("flow: Register(nil)")
	}
	if e.handoff == nil {
		for _, id := range f.order {
			if _, ok := f.nodes[id].n.(*Handoff); ok {
				return fmt.Errorf("flow %q: node %q hands off but the engine has no HandOffer (use WithHandOffer)", f.name, id)
			}
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	vs := e.versions[f.name]
	if vs == nil {
		vs = map[string]*Flow{}
		e.versions[f.name] = vs
	}
	if _, dup := vs[f.version]; dup {
		return fmt.Errorf("%w: %s@%s", ErrDuplicateVersion, f.name, f.version)
	}
	vs[f.version] = f
	e.order[f.name] = append(e.order[f.name], f.version)
	return nil
}

// Unregister removes a flow version. Conversations on it are migrated with
// the [MigrateFunc] or restarted on their next turn.
func (e *Engine) Unregister(name, version string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.versions[name], version)
	e.order[name] = slices.DeleteFunc(e.order[name], func(v string) bool { return v == version })
	if len(e.order[name]) == 0 {
		delete(e.order, name)
		delete(e.versions, name)
	}
}

// latestLocked returns the most recently registered version of name that
// is still registered, or "". e.mu must be held.
func (e *Engine) latestLocked(name string) string {
	vs := e.order[name]
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

// Check reports references between flows that do not resolve: Call nodes,
// global routes and the start flow naming unregistered flows. Call it
// after registering everything.
func (e *Engine) Check() error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var errs []error
	if e.start != "" && e.latestLocked(e.start) == "" {
		errs = append(errs, fmt.Errorf("%w: start flow %q", ErrUnknownFlow, e.start))
	}
	for _, g := range e.globals {
		if g.Flow != "" && e.latestLocked(g.Flow) == "" {
			errs = append(errs, fmt.Errorf("%w: global %q runs flow %q", ErrUnknownFlow, g.Name, g.Flow))
		}
		if g.Handoff != nil && e.handoff == nil {
			errs = append(errs, fmt.Errorf("flow: global %q hands off but the engine has no HandOffer", g.Name))
		}
	}
	for _, name := range sortedKeys(e.versions) {
		for _, v := range sortedKeys(e.versions[name]) {
			f := e.versions[name][v]
			for _, id := range f.order {
				if c, ok := f.nodes[id].n.(*Call); ok && e.latestLocked(c.Flow) == "" {
					errs = append(errs, fmt.Errorf("%w: %s@%s node %q calls %q", ErrUnknownFlow, name, v, id, c.Flow))
				}
			}
		}
	}
	return errors.Join(errs...)
}

func (e *Engine) lookup(name, version string) *Flow {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if version == "" {
		version = e.latestLocked(name)
	}
	return e.versions[name][version]
}

func (e *Engine) triggerFor(intent, signal string) string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, name := range sortedKeys(e.order) {
		f := e.versions[name][e.latestLocked(name)]
		if intent != "" && slices.Contains(f.intents, intent) {
			return name
		}
		if signal != "" && slices.Contains(f.signals, signal) {
			return name
		}
	}
	return ""
}

// Starter returns a handler that starts the named flow, abandoning any flow
// the conversation is in. Map intents to it with an intent router, or call
// it from a proactive campaign.
func (e *Engine) Starter(name string) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return e.handle(ctx, w, t, name)
	})
}

// HandleTurn implements [parley.Handler].
func (e *Engine) HandleTurn(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	return e.handle(ctx, w, t, "")
}

func (e *Engine) handle(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, startFlow string) error {
	sess := t.Session()
	if sess == nil {
		return ErrNoSession
	}
	st, err := e.loadState(sess)
	if err != nil {
		return err
	}
	x := &run{e: e, ctx: ctx, w: w, t: t, st: st}
	if err := x.turn(startFlow); err != nil {
		return err
	}
	e.saveState(sess, st)
	return nil
}

const stateKey = "flow"

// state is a conversation's flow position, stored in the session.
type state struct {
	Flow     string            `json:"flow,omitempty"`
	Version  string            `json:"version,omitempty"`
	Node     string            `json:"node,omitempty"`
	Waiting  bool              `json:"waiting,omitempty"`
	Attempts int               `json:"attempts,omitempty"`
	Since    time.Time         `json:"since,omitzero"`
	Stack    []frame           `json:"stack,omitempty"`
	Slots    map[string]string `json:"slots,omitempty"`
	Visits   map[string]int    `json:"visits,omitempty"`
	Rotation map[string]int    `json:"rot,omitempty"`
	Pending  []string          `json:"pending,omitempty"`
	Last     Resolution        `json:"last,omitempty"`
	LastFlow string            `json:"last_flow,omitempty"`
}

type frame struct {
	Flow    string `json:"flow"`
	Version string `json:"version"`
	Node    string `json:"node"`
}

// A Snapshot is a read-only view of a conversation's flow position, for
// tests, agent consoles and analytics.
type Snapshot struct {
	// Flow, Version and Node locate the conversation; Flow is empty when
	// it is in no flow.
	Flow, Version, Node string
	// Waiting reports whether the flow waits for the user at Node.
	Waiting bool
	// Depth is the number of subflow calls in progress.
	Depth int
	Slots map[string]string
	// Last is the resolution of the most recently ended flow, LastFlow its
	// name.
	Last     Resolution
	LastFlow string
}

// SnapshotOf returns the flow position stored in a session.
func SnapshotOf(s *memory.Session) (Snapshot, error) {
	st, _, err := memory.GetState[state](s, stateKey)
	if err != nil {
		return Snapshot{}, err
	}
	return Snapshot{Flow: st.Flow, Version: st.Version, Node: st.Node, Waiting: st.Waiting,
		Depth: len(st.Stack), Slots: maps.Clone(st.Slots), Last: st.Last, LastFlow: st.LastFlow}, nil
}

// run is one turn's execution.
type run struct {
	e       *Engine
	ctx     context.Context
	w       parley.ReplyWriter
	t       *parley.Turn
	st      *state
	flow    *Flow
	profile map[string]string
	loaded  bool
}

func (x *run) emit(kind string, attrs map[string]string) {
	if !x.t.Observed() {
		return
	}
	x.t.Emit(x.ctx, parley.Event{Kind: parley.EventKind(kind), Attrs: attrs})
}

func (x *run) understanding() (parley.Understanding, bool) {
	return parley.Value(x.t, parley.UnderstandingKey)
}

func (x *run) turn(startFlow string) error {
	st := x.st
	if st.Flow != "" {
		if err := x.resolveVersion(); err != nil {
			return err
		}
	}
	if startFlow != "" {
		return x.startFlow(startFlow)
	}
	if sig := x.t.Signal; sig != nil {
		return x.signal(sig)
	}
	if st.Flow != "" && st.Waiting {
		if w, ok := x.node().(*Wait); ok && w.Timeout > 0 && !x.t.Time.Before(st.Since.Add(w.Timeout)) {
			return x.goTo(w.OnTimeout)
		}
	}
	if g := x.matchGlobal(); g != nil {
		return x.global(g)
	}
	if st.Flow != "" && st.Waiting {
		return x.input()
	}
	return x.idle()
}

// resolveVersion finds the conversation's flow version, migrating or
// restarting if it was removed.
func (x *run) resolveVersion() error {
	st := x.st
	if f := x.e.lookup(st.Flow, st.Version); f != nil {
		x.flow = f
		return nil
	}
	if x.e.migrate != nil {
		if v, node, ok := x.e.migrate(x.ctx, st.Flow, st.Version, st.Node); ok {
			if f := x.e.lookup(st.Flow, v); f != nil && f.nodes[node] != nil {
				x.emit("flow.migrated", map[string]string{"flow": st.Flow, "from": st.Version, "to": v, "node": node})
				st.Version, st.Node, x.flow = v, node, f
				return nil
			}
		}
	}
	name := st.Flow
	x.emit("flow.restart", map[string]string{"flow": name, "version": st.Version})
	*st = state{Slots: map[string]string{}, Last: st.Last, LastFlow: st.LastFlow}
	if err := x.w.Reply(x.ctx, parley.Text("We've updated how I handle this, so let's pick it up from the start.")); err != nil {
		return err
	}
	if x.e.lookup(name, "") == nil {
		return nil
	}
	return x.startFlow(name)
}

func (x *run) node() Node {
	if x.flow == nil {
		return nil
	}
	if c := x.flow.nodes[x.st.Node]; c != nil {
		return c.n
	}
	return nil
}

func (x *run) signal(sig *parley.Signal) error {
	st := x.st
	if st.Flow != "" && st.Waiting {
		switch n := x.node().(type) {
		case *Handoff:
			if sig.Name == parley.SignalHandoffResolved {
				if n.Next == "" {
					return x.finish(Escalated)
				}
				return x.goTo(n.Next)
			}
		case *Wait:
			if n.Signal != "" && sig.Name == n.Signal {
				return x.goTo(n.Next)
			}
			if n.Timeout > 0 && !x.t.Time.Before(st.Since.Add(n.Timeout)) {
				return x.goTo(n.OnTimeout)
			}
		}
	}
	if st.Flow == "" {
		if name := x.e.triggerFor("", sig.Name); name != "" {
			return x.startFlow(name)
		}
	}
	x.emit("flow.signal_ignored", map[string]string{"signal": sig.Name})
	return nil
}

func (x *run) matchGlobal() *Global {
	text := fold(x.t.Text())
	u, hasU := x.understanding()
	for i := range x.e.globals {
		g := &x.e.globals[i]
		if hasU && u.Status == parley.Understood && slices.Contains(g.Intents, u.Intent.Name) {
			return g
		}
		if text == "" {
			continue
		}
		for _, p := range g.Phrases {
			if text == fold(p) {
				return g
			}
		}
	}
	return nil
}

func (x *run) global(g *Global) error {
	st := x.st
	x.emit("flow.global", map[string]string{"global": g.Name, "flow": st.Flow, "node": st.Node})
	resumable := g.Resume && st.Flow != "" && st.Waiting
	switch {
	case g.Handoff != nil:
		if x.e.handoff == nil {
			return fmt.Errorf("flow: global %q hands off but the engine has no HandOffer", g.Name)
		}
		if err := x.e.handoff.HandOff(x.ctx, x.w, x.t, *g.Handoff); err != nil {
			return err
		}
		if st.Flow != "" {
			x.end(Escalated)
		}
		return nil
	case g.End != "":
		for _, s := range g.Say {
			if err := x.say(x.renderPlain(s)); err != nil {
				return err
			}
		}
		if st.Flow != "" {
			x.st.Stack = nil
			x.end(g.End)
		}
		return nil
	case g.Flow != "":
		if resumable {
			return x.call(g.Flow, st.Node)
		}
		return x.startFlow(g.Flow)
	}
	for _, s := range g.Say {
		if err := x.say(x.renderPlain(s)); err != nil {
			return err
		}
	}
	if resumable {
		return x.reprompt()
	}
	return nil
}

func (x *run) renderPlain(s string) string {
	t, err := parseTemplate(s)
	if err != nil {
		return s
	}
	return t.render(x.st.Slots, x.customer())
}

// idle handles a turn when no flow is waiting for input.
func (x *run) idle() error {
	st := x.st
	if st.Flow != "" && !st.Waiting {
		// A flow stopped between steps (a crash mid-turn): go on from there.
		return x.goTo(st.Node)
	}
	u, hasU := x.understanding()
	if hasU && u.Status == parley.Understood {
		if name := x.e.triggerFor(u.Intent.Name, ""); name != "" {
			st.Pending = nil
			for _, next := range u.Then {
				if x.e.triggerFor(next.Name, "") != "" {
					st.Pending = append(st.Pending, next.Name)
				}
			}
			return x.startFlow(name)
		}
	}
	if st.Flow != "" {
		// Waiting for a signal: let the fallback answer meanwhile.
		if x.e.fallback != nil {
			return x.e.fallback.HandleTurn(x.ctx, x.w, x.t)
		}
		return nil
	}
	// With language understanding, turns that no flow is triggered by go
	// to the fallback (an intent router, a knowledge base); without it,
	// they start the start flow.
	if x.e.fallback != nil && (hasU || x.e.start == "") {
		return x.e.fallback.HandleTurn(x.ctx, x.w, x.t)
	}
	if x.e.start != "" {
		return x.startFlow(x.e.start)
	}
	return x.say("Sorry, I can't help with that here.")
}

func (x *run) startFlow(name string) error {
	f := x.e.lookup(name, "")
	if f == nil {
		return fmt.Errorf("%w: %q", ErrUnknownFlow, name)
	}
	st := x.st
	if st.Flow != "" {
		x.emit("flow.end", map[string]string{"flow": st.Flow, "status": string(Abandoned)})
	}
	st.Flow, st.Version, st.Node = f.name, f.version, f.start
	st.Waiting, st.Attempts, st.Stack = false, 0, nil
	st.Slots = map[string]string{}
	st.Visits = nil
	x.flow = f
	x.prefill()
	x.emit("flow.start", map[string]string{"flow": f.name, "version": f.version})
	return x.goTo(f.start)
}

// prefill fills the flow's slots from entities in the current turn, in
// order: the n-th entity of a type fills the n-th ask of that type, if
// the ask's validator accepts it (and as the validator normalised it).
func (x *run) prefill() {
	u, ok := x.understanding()
	if !ok || len(u.Entities) == 0 {
		return
	}
	used := map[int]bool{}
	for _, a := range x.flow.asks {
		typ := a.Entity
		if typ == "" {
			typ = naturalEntity(a.Type)
		}
		if typ == "" || x.st.Slots[a.Slot] != "" {
			continue
		}
		for i, ent := range u.Entities {
			if ent.Type == typ && !used[i] {
				used[i] = true
				v := ent.Value
				if a.Validate != nil {
					// The same check as an answer: a value the ask would
					// refuse ("30 EUR" where only USD is paid back) must
					// not slip in with the opening message. The ask then
					// asks as usual.
					var err error
					if v, err = a.Validate(x.ctx, v); err != nil {
						break
					}
				}
				x.st.Slots[a.Slot] = v
				break
			}
		}
	}
}

func (x *run) call(name, returnTo string) error {
	f := x.e.lookup(name, "")
	if f == nil {
		return fmt.Errorf("%w: %q", ErrUnknownFlow, name)
	}
	st := x.st
	st.Stack = append(st.Stack, frame{Flow: st.Flow, Version: st.Version, Node: returnTo})
	st.Flow, st.Version, st.Node, st.Waiting, st.Attempts = f.name, f.version, f.start, false, 0
	x.flow = f
	x.emit("flow.call", map[string]string{"flow": f.name, "version": f.version})
	return x.goTo(f.start)
}

// maxSteps bounds the nodes one turn may run, whatever the graph.
const maxSteps = 200

// goTo runs nodes from id until one waits for input or the flow ends.
func (x *run) goTo(id string) error {
	st := x.st
	for steps := 0; ; steps++ {
		st.Node, st.Waiting, st.Attempts = id, false, 0
		c := x.flow.nodes[id]
		if c == nil {
			return fmt.Errorf("flow %q: no node %q", x.flow.name, id)
		}
		if st.Visits == nil {
			st.Visits = map[string]int{}
		}
		vk := x.flow.name + "/" + id
		st.Visits[vk]++
		if st.Visits[vk] > x.e.maxVisits || steps > maxSteps {
			x.emit("flow.loop_guard", map[string]string{"flow": x.flow.name, "node": id})
			st.Visits = nil
			if x.flow.onLoop != "" && x.flow.onLoop != id {
				id = x.flow.onLoop
				continue
			}
			if err := x.say("Sorry, we seem to be going round in circles. Let's start again, or type \"human\" to talk to a person."); err != nil {
				return err
			}
			st.Stack = nil
			return x.finish(Unresolved)
		}
		x.emit("flow.node", map[string]string{"flow": x.flow.name, "version": x.flow.version, "node": id})

		next, wait, err := x.step(c)
		if err != nil {
			return err
		}
		if wait {
			st.Waiting = true
			return nil
		}
		if next == "" {
			return nil // the flow ended
		}
		id = next
	}
}

// step runs one node. It returns the next node, or wait=true when the node
// waits for the user, or next="" when the flow ended.
func (x *run) step(c *cnode) (next string, wait bool, err error) {
	st := x.st
	switch n := c.n.(type) {
	case *Say:
		m := parley.Message{Text: x.pick(c, c.text), QuickReplies: n.QuickReplies, Cards: n.Cards, Attachments: n.Attachments}
		if tone := x.e.tone(x.t); tone != "" && len(c.tones[tone]) > 0 {
			m.Text = x.pick(c, c.tones[tone])
		}
		return n.Next, false, x.w.Reply(x.ctx, m)
	case *Ask:
		if st.Slots[n.Slot] != "" && !n.Always {
			return n.Next, false, nil
		}
		return "", true, x.prompt(c, "")
	case *Choice, *Feedback:
		return "", true, x.prompt(c, "")
	case *Branch:
		for i, cs := range n.Cases {
			ok, err := x.eval(c, i, cs)
			if err != nil {
				return "", false, fmt.Errorf("flow %q node %q case #%d: %w", x.flow.name, n.ID, i+1, err)
			}
			if ok {
				return cs.Next, false, nil
			}
		}
		return n.Else, false, nil
	case *Action:
		sc := &Scope{Turn: x.t, run: x}
		outcome, err := n.Do(x.ctx, sc)
		if err != nil {
			x.emit("flow.action_error", map[string]string{"flow": x.flow.name, "node": n.ID, "error": err.Error()})
			msg := "Sorry, I can't reach our systems right now."
			if len(c.errText) > 0 {
				msg = x.pick(c, c.errText)
			}
			return n.OnError, false, x.say(msg)
		}
		if to, ok := n.Routes[outcome]; ok {
			return to, false, nil
		}
		if n.Next == "" {
			return "", false, fmt.Errorf("flow %q node %q: outcome %q has no route and there is no Next", x.flow.name, n.ID, outcome)
		}
		return n.Next, false, nil
	case *Call:
		f := x.e.lookup(n.Flow, "")
		if f == nil {
			return "", false, fmt.Errorf("%w: %q (called from %s/%s)", ErrUnknownFlow, n.Flow, x.flow.name, n.ID)
		}
		st.Stack = append(st.Stack, frame{Flow: st.Flow, Version: st.Version, Node: n.Next})
		st.Flow, st.Version = f.name, f.version
		x.flow = f
		x.emit("flow.call", map[string]string{"flow": f.name, "version": f.version})
		return f.start, false, nil
	case *Handoff:
		req := parley.HandoffRequest{Reason: n.Reason, Priority: n.Priority, Data: maps.Clone(st.Slots)}
		if err := x.e.handoff.HandOff(x.ctx, x.w, x.t, req); err != nil {
			return "", false, err
		}
		if n.Next == "" {
			// The HandOffer owns the rest of the lifecycle.
			return "", false, x.finish(Escalated)
		}
		return "", true, nil
	case *Wait:
		st.Since = x.t.Time
		return "", true, nil
	case *End:
		if len(c.text) > 0 {
			if err := x.say(x.pick(c, c.text)); err != nil {
				return "", false, err
			}
		}
		if len(st.Stack) > 0 {
			fr := st.Stack[len(st.Stack)-1]
			st.Stack = st.Stack[:len(st.Stack)-1]
			f := x.e.lookup(fr.Flow, fr.Version)
			if f == nil {
				return "", false, fmt.Errorf("%w: %s@%s (returning from %q)", ErrUnknownFlow, fr.Flow, fr.Version, x.flow.name)
			}
			x.emit("flow.return", map[string]string{"flow": f.name, "from": x.flow.name})
			st.Flow, st.Version, x.flow = f.name, f.version, f
			return fr.Node, false, nil
		}
		return "", false, x.finish(n.Status)
	}
	return "", false, fmt.Errorf("flow: unknown node type %T", c.n)
}

// end closes the current top-level flow without running anything after it.
func (x *run) end(status Resolution) {
	st := x.st
	x.emit("flow.end", map[string]string{"flow": st.Flow, "status": string(status)})
	st.Last, st.LastFlow = status, st.Flow
	st.Flow, st.Version, st.Node, st.Waiting, st.Attempts = "", "", "", false, 0
	st.Stack, st.Visits, st.Pending = nil, nil, nil
	st.Slots = map[string]string{}
}

// finish ends the flow and starts the next intent of a multi-intent
// message, if one is pending.
func (x *run) finish(status Resolution) error {
	pending := x.st.Pending
	x.end(status)
	for len(pending) > 0 {
		next := pending[0]
		pending = pending[1:]
		if name := x.e.triggerFor(next, ""); name != "" {
			if err := x.startFlow(name); err != nil {
				return err
			}
			if x.st.Flow != "" {
				x.st.Pending = append(x.st.Pending, pending...)
			}
			return nil
		}
	}
	return nil
}

func (x *run) eval(c *cnode, i int, cs Case) (bool, error) {
	if cs.If != nil {
		return cs.If(&Scope{Turn: x.t, run: x}), nil
	}
	env := exprEnv()
	env["slots"] = x.st.Slots
	env["customer"] = x.customer()
	env["text"] = x.t.Text()
	if u, ok := x.understanding(); ok {
		env["intent"] = u.Intent.Name
		env["confidence"] = u.Intent.Confidence
		ents := map[string]string{}
		for _, e := range u.Entities {
			if _, dup := ents[e.Type]; !dup {
				ents[e.Type] = e.Value
			}
		}
		env["entities"] = ents
	}
	if m, ok := parley.Value(x.t, parley.MoodKey); ok {
		env["sentiment"] = m.Score
		env["mood"] = map[string]float64{"compound": m.Compound, "score": m.Score, "frustration": m.Frustration,
			"confusion": m.Confusion, "urgency": m.Urgency, "delight": m.Delight, "trend": m.Trend}
	}
	out, err := expr.Run(c.exprs[i], env)
	if err != nil {
		return false, err
	}
	b, _ := out.(bool)
	return b, nil
}

// input handles the user's answer at the node the flow waits on.
func (x *run) input() error {
	st := x.st
	c := x.flow.nodes[st.Node]
	text := x.t.Text()
	switch n := c.n.(type) {
	case *Ask:
		v, err := x.answer(n, text)
		if err == nil {
			st.Slots[n.Slot] = v
			return x.goTo(n.Next)
		}
		return x.failed(c, n.MaxAttempts, n.OnFail, err)
	case *Choice:
		qs := make([]parley.QuickReply, len(n.Options))
		syn := make([][]string, len(n.Options))
		for i, o := range n.Options {
			qs[i] = parley.QuickReply{Title: o.Title, Payload: o.Payload}
			syn[i] = o.Synonyms
		}
		if i := matchOption(text, qs, syn); i >= 0 {
			if n.Slot != "" {
				st.Slots[n.Slot] = optionValue(n.Options[i])
			}
			return x.goTo(n.Options[i].Next)
		}
		return x.failed(c, n.MaxAttempts, n.OnFail, inputErr(n.Slot, "Please pick one of the options."))
	case *Feedback:
		v, ok := parseFeedback(n.Kind, text)
		if ok {
			st.Slots[feedbackSlot(n)] = v
			x.emit("flow.feedback", map[string]string{"flow": x.flow.name, "kind": string(n.Kind), "value": v})
			return x.goTo(n.Next)
		}
		if st.Attempts >= 1 {
			return x.goTo(n.Next)
		}
		st.Attempts++
		return x.prompt(c, "")
	case *Handoff:
		if x.e.fallback != nil {
			return x.e.fallback.HandleTurn(x.ctx, x.w, x.t)
		}
		return x.say("You're in the queue for a person; they'll answer here as soon as they can.")
	case *Wait:
		if x.e.fallback != nil {
			return x.e.fallback.HandleTurn(x.ctx, x.w, x.t)
		}
		return nil
	}
	return fmt.Errorf("flow %q: node %q does not take input", x.flow.name, st.Node)
}

// answer fills an Ask from the turn: an entity of the slot's type first,
// then the slot type's parser, then the validator.
func (x *run) answer(n *Ask, text string) (string, error) {
	var v string
	typ := n.Entity
	if typ == "" {
		typ = naturalEntity(n.Type)
	}
	if u, ok := x.understanding(); ok && typ != "" {
		if e, ok := u.Entity(typ); ok {
			v = e.Value
		}
	}
	if v == "" {
		var err error
		if v, err = parseSlot(n, text, x.t.Time); err != nil {
			return "", err
		}
	}
	if n.Validate != nil {
		v, err := n.Validate(x.ctx, v)
		if err != nil && n.Type != "" && n.Type != TextSlot {
			// The answer had the right type (a date, an amount): a
			// validation failure, never a sign the customer wants
			// something else. For text slots the validator is the real
			// parser, so its refusal is an ordinary failed answer.
			return "", &validationError{err}
		}
		return v, err
	}
	return v, nil
}

// validationError marks an answer that parsed as the slot's type but that
// the validator refused.
type validationError struct{ err error }

// Error implements the error interface.
func (e *validationError) Error() string { return e.err.Error() }

// Unwrap returns the underlying error.
func (e *validationError) Unwrap() error { return e.err }

// failed handles an answer that did not fit: a digression, a re-prompt, or
// the fail route after too many attempts.
func (x *run) failed(c *cnode, maxAttempts int, onFail string, cause error) error {
	st := x.st
	question := strings.HasSuffix(strings.TrimSpace(x.t.Text()), "?")
	if x.e.digress != nil && question {
		return x.digression(c)
	}
	var ve *validationError
	validation := errors.As(cause, &ve)
	if u, ok := x.understanding(); ok && u.Status == parley.Understood {
		switch name := x.e.triggerFor(u.Intent.Name, ""); {
		case name == "":
			if x.e.digress != nil {
				return x.digression(c)
			}
		case name == st.Flow:
			// The request that started this flow, repeated: ask again
			// without counting a failed attempt.
			return x.prompt(c, "")
		case !validation:
			// The customer changed their mind: an intent that starts
			// another flow replaces this one. An answer of the right
			// type that the validator refused never does.
			x.emit("flow.switch", map[string]string{"from": st.Flow, "to": name, "intent": u.Intent.Name})
			return x.startFlow(name)
		}
	}
	if maxAttempts == 0 {
		maxAttempts = 3
	}
	st.Attempts++
	if st.Attempts >= maxAttempts {
		x.emit("flow.slot_failed", map[string]string{"flow": x.flow.name, "node": st.Node})
		if onFail != "" {
			return x.goTo(onFail)
		}
		if err := x.say("Sorry, I'm having trouble with that. Let's start over, or type \"human\" to talk to a person."); err != nil {
			return err
		}
		st.Stack = nil
		return x.finish(Unresolved)
	}
	var ie *InputError
	msg := ""
	if errors.As(cause, &ie) {
		msg = ie.Message
	} else if cause != nil {
		msg = cause.Error()
	}
	return x.prompt(c, msg)
}

// digression answers a question asked in the middle of a form with the
// digression handler, then asks the form's question again.
func (x *run) digression(c *cnode) error {
	x.emit("flow.digression", map[string]string{"flow": x.flow.name, "node": x.st.Node})
	if err := x.e.digress.HandleTurn(x.ctx, x.w, x.t); err != nil {
		return err
	}
	return x.prompt(c, "")
}

// reprompt asks the current input node's question again.
func (x *run) reprompt() error {
	return x.prompt(x.flow.nodes[x.st.Node], "")
}

// prompt asks an input node's question, after msg when a previous answer
// failed. Quick replies come from the node's options.
func (x *run) prompt(c *cnode, msg string) error {
	texts := c.text
	if msg != "" && len(c.reprompt) > 0 {
		texts, msg = c.reprompt, ""
	}
	var m parley.Message
	switch n := c.n.(type) {
	case *Ask:
		m.QuickReplies = n.Options
		if n.Type == YesNoSlot {
			m.QuickReplies = []parley.QuickReply{{Title: "Yes", Payload: "yes"}, {Title: "No", Payload: "no"}}
		}
	case *Choice:
		for _, o := range n.Options {
			m.QuickReplies = append(m.QuickReplies, parley.QuickReply{Title: o.Title, Payload: o.Payload})
		}
	case *Feedback:
		if len(texts) == 0 {
			m.Text = "Was this helpful?"
			if n.Kind == Rating {
				m.Text = "How would you rate this conversation, from 1 (poor) to 5 (great)?"
			}
		}
		if n.Kind == Rating {
			for i := 1; i <= 5; i++ {
				m.QuickReplies = append(m.QuickReplies, parley.QuickReply{Title: strconv.Itoa(i)})
			}
		} else {
			m.QuickReplies = []parley.QuickReply{{Title: "Yes", Payload: "yes"}, {Title: "No", Payload: "no"}}
		}
	}
	if len(texts) > 0 {
		m.Text = x.pick(c, texts)
	}
	if msg != "" {
		m.Text = msg + " " + m.Text
	}
	return x.w.Reply(x.ctx, m)
}

func parseFeedback(k FeedbackKind, text string) (string, bool) {
	if k == Helpful {
		return parseYesNo(text)
	}
	s := fold(text)
	if n := strings.Count(s, "⭐"); n >= 1 && n <= 5 {
		return strconv.Itoa(n), true
	}
	if v, ok := parse.FirstNumber(s); ok && v == float64(int(v)) && v >= 1 && v <= 5 {
		return strconv.Itoa(int(v)), true
	}
	return "", false
}

// pick renders one of texts, rotating per conversation and node.
func (x *run) pick(c *cnode, texts []*template) string {
	if len(texts) == 0 {
		return ""
	}
	i := 0
	if len(texts) > 1 {
		if x.st.Rotation == nil {
			x.st.Rotation = map[string]int{}
		}
		k := x.flow.name + "/" + c.n.NodeID()
		i = x.st.Rotation[k] % len(texts)
		x.st.Rotation[k] = (i + 1) % len(texts)
	}
	return texts[i].render(x.st.Slots, x.customer())
}

func (x *run) say(text string) error { return x.w.Reply(x.ctx, parley.Text(text)) }

// customer loads the profile once per turn.
func (x *run) customer() map[string]string {
	if x.loaded {
		return x.profile
	}
	x.loaded = true
	if x.e.profiles == nil || x.t.CustomerID == "" {
		return nil
	}
	p, err := x.e.profiles.Profile(x.ctx, x.t.CustomerID)
	if err != nil {
		x.emit("flow.profile_error", map[string]string{"error": err.Error()})
		return nil
	}
	x.profile = p
	return p
}

func defaultTone(t *parley.Turn) string {
	m, ok := parley.Value(t, parley.MoodKey)
	if !ok {
		return ""
	}
	switch {
	case m.Frustration >= 0.5 || m.Label == "negative" && m.Score < 0.35:
		return "empathetic"
	case m.Trend > 0 && m.Trend < 0.4:
		// Calm now, but the conversation has been going badly.
		return "empathetic"
	case m.Delight >= 0.5 || m.Score > 0.8:
		return "enthusiastic"
	}
	return ""
}

// Scope is what an [Action] or a [Case] predicate sees of the
// conversation: the turn, the slots and the customer profile. It is valid
// only during the call.
type Scope struct {
	// Turn is the turn being handled.
	Turn *parley.Turn
	run  *run
}

// Slot returns a slot's value, or "" if unset.
func (s *Scope) Slot(name string) string { return s.run.st.Slots[name] }

// SetSlot sets a slot; templates can then use {{slots.NAME}} if the flow
// declares it.
func (s *Scope) SetSlot(name, value string) { s.run.st.Slots[name] = value }

// Slots returns a copy of all slots.
func (s *Scope) Slots() map[string]string { return maps.Clone(s.run.st.Slots) }

// Customer returns a copy of the customer's profile fields (nil when
// unknown or when the lookup failed).
func (s *Scope) Customer() map[string]string { return maps.Clone(s.run.customer()) }

// Reply sends a message to the user.
func (s *Scope) Reply(ctx context.Context, m parley.Message) error { return s.run.w.Reply(ctx, m) }

// Emit reports an event, as [parley.Turn.Emit].
func (s *Scope) Emit(ctx context.Context, e parley.Event) { s.Turn.Emit(ctx, e) }

// StoredProfiles adapts [customer.Profiles] to [Profiles]: templates read the
// stored profile's fields by their template names ({{customer.name}},
// {{customer.last_order_date}}). An unknown customer has no fields.
func StoredProfiles(ps *customer.Profiles) Profiles {
	return ProfilesFunc(func(ctx context.Context, customerID string) (map[string]string, error) {
		p, err := ps.Load(ctx, customerID)
		if errors.Is(err, memory.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return p.Fields(), nil
	})
}
