package flow

import (
	"cmp"
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
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/internal/cache"
	"github.com/parleyhq/parley/internal/parse"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/nlu"
	"github.com/parleyhq/parley/schedule"
)

// SignalTimer is the signal a scheduler sends to wake a conversation whose
// flow waits with a timeout, and the kind of the [schedule.Job] that
// sends it (see [WithTimers]).
const SignalTimer = "flow.timer"

// ErrUnknownFlow is returned by a [Engine.Starter] handler for a flow
// that is not in the engine. Outside a [parley.Bot] (a turn with no
// session) the Engine returns [dialog.ErrNoSession], as every handler that
// keeps turn-taking state does.
var ErrUnknownFlow = errors.New("flow: unknown flow")

// Event kinds the engine emits. Attrs hold "flow" and, where it applies,
// "version", "node" and the details named below.
const (
	// EventStart: a flow started; Attrs "caller" names the calling flow
	// of a subflow.
	EventStart parley.EventKind = "flow.start"
	// EventEnd: a flow ended; Attrs "status", and "to" for a subflow
	// returning to its caller.
	EventEnd parley.EventKind = "flow.end"
	// EventNode: a node ran.
	EventNode parley.EventKind = "flow.node"
	// EventFeedback: feedback was given; Attrs "kind" and "value".
	EventFeedback parley.EventKind = "flow.feedback"
	// EventDropped: the flow's question was dropped (the customer moved
	// on) or could not be asked (another question was asked this turn).
	EventDropped parley.EventKind = "flow.dropped"
	// EventProblem: something went wrong that the customer was told
	// about gracefully; Attrs "what" is "action" (an action failed;
	// "error"), "slot" (an input node ran out of attempts), "loop" (the
	// loop guard tripped) or "profile" (the profile lookup failed;
	// "error").
	EventProblem parley.EventKind = "flow.problem"
	// EventMigrated: a conversation's flow version was gone; Attrs
	// "from", and "to" when the [WithMigration] hook moved it (else it
	// restarted).
	EventMigrated parley.EventKind = "flow.migrated"
)

// DefaultOwner is the owner name of the engine's questions
// ([dialog.Question.Owner]): mount the engine on the router under it.
const DefaultOwner = "flow"

// Profiles looks up customer profile fields for templates and expressions
// ({{customer.name}}). It is read-only, may sit behind a network, and must
// be safe for concurrent use. A lookup error is reported as an
// [EventProblem] and the turn goes on with an empty profile, so a
// CRM outage never blocks a conversation.
type Profiles interface {
	Profile(ctx context.Context, customerID string) (map[string]string, error)
}

// profilesFunc adapts a function to [Profiles].
type profilesFunc func(ctx context.Context, customerID string) (map[string]string, error)

// Profile calls f(ctx, customerID).
func (f profilesFunc) Profile(ctx context.Context, customerID string) (map[string]string, error) {
	return f(ctx, customerID)
}

// migrateFunc is the hook of [WithMigration].
type migrateFunc = func(ctx context.Context, flow, fromVersion, node string) (version, toNode string, ok bool)

// An EngineOption configures an [Engine].
type EngineOption func(*Engine)

// WithHandOffer sets who takes hand-offs, usually the escalation
// package's Escalator. Flows with [Handoff] nodes need one.
func WithHandOffer(h dialog.HandOffer) EngineOption { return func(e *Engine) { e.handoff = h } }

// WithProfiles sets the customer profile lookup for templates.
func WithProfiles(p Profiles) EngineOption { return func(e *Engine) { e.profiles = p } }

// WithTone sets how Say nodes choose a tone variant. The default picks
// "empathetic" for a frustrated or negative turn or a conversation whose
// smoothed trend is below 0.4, "enthusiastic" for a delighted one, and
// plain Text otherwise, from [nlu.MoodKey]. Turns that carry a global
// command ([dialog.CommandKey]) always get plain Text: a "menu" is not a
// mood.
func WithTone(f func(t *parley.Turn) string) EngineOption { return func(e *Engine) { e.tone = f } }

// WithMigration sets the hook for conversations on a version that is no
// longer in the engine: f moves a conversation of flow, at node of
// fromVersion, to a version the engine has. It returns the version and
// node to go on at, or ok=false to restart the flow from its start node.
func WithMigration(f func(ctx context.Context, flow, fromVersion, node string) (version, toNode string, ok bool)) EngineOption {
	return func(e *Engine) { e.migrate = f }
}

// WithVersion sets how new conversations of a flow choose its version:
// f returns the version of flow for the turn's customer, or "" (or a
// version the engine does not have) for the newest. Conversations keep
// the version they started with whatever f says later, so an A/B test
// of whole flow versions (package experiment) and the promotion of its
// winner only ever move conversations that have not started yet.
func WithVersion(f func(ctx context.Context, t *parley.Turn, flow string) string) EngineOption {
	return func(e *Engine) { e.version = f }
}

// WithMaxVisits sets the loop guard: the most times one node may run in one
// run of a flow (default 20).
func WithMaxVisits(n int) EngineOption { return func(e *Engine) { e.maxVisits = max(n, 1) } }

// Engine runs compiled flows. It keeps each conversation's position,
// slots and call stack in the session (under "flow"), so a restarted
// process resumes every conversation at the node it was on, and
// conversations keep the flow version they started with.
//
// The engine does not route: mount it on an intent.Router, which maps
// intents to [Engine.Starter] handlers and gives the answers to the
// engine's questions back to the engine (mounted under its owner name,
// [DefaultOwner]). Every Ask, Choice and Feedback node opens a
// [dialog.Question] through the turn-taking API: asks and choices resume
// after a digression ([dialog.Resume]), feedback questions are dropped
// ([dialog.Drop]) when the customer says something else. A turn that
// does not answer the engine's question (a question of the customer's
// own, a confident new intent) gets [dialog.ErrNotAnswer] back, with
// nothing written, so that the router routes it. A request that a
// [Engine.Starter] serves in passing holds the form it interrupted and
// asks its question again afterwards (see the package doc).
//
// An Engine is immutable and safe for concurrent use.
type Engine struct {
	owner     string
	handoff   dialog.HandOffer
	profiles  Profiles
	tone      func(*parley.Turn) string
	migrate   migrateFunc
	version   func(ctx context.Context, t *parley.Turn, flow string) string
	maxVisits int
	timers    *schedule.Scheduler

	states stateCache
	// runs holds the memory of turns' runs, for later turns (see
	// [Engine.handle]).
	runs sync.Pool

	versions map[string]map[string]*Flow
	// latest is each name's newest version: the last one given.
	latest map[string]string
}

// NewEngine compiles flows, the complete set, and returns an Engine
// running them: several versions of one name may be given (the last one
// is the one new conversations start). Every problem is reported at once,
// in one [*CompileError] whose Problems each name their flow (and node):
// those [Builder.Compile] finds in each flow, and those no single flow
// shows, Call nodes that name flows not in the set, Handoff nodes without
// a HandOffer, and two flows with one name and version. A builder changed
// after an earlier Compile is reported as [ErrCompiled], joined to it.
// The engine owns its compiled flows: changing a builder afterwards
// changes nothing in it.
func NewEngine(flows []*Builder, opts ...EngineOption) (*Engine, error) {
	e := &Engine{
		owner:     DefaultOwner,
		tone:      defaultTone,
		maxVisits: 20,
		states:    stateCache{cache.New[*state](4096)},
		versions:  map[string]map[string]*Flow{},
		latest:    map[string]string{},
	}
	for _, o := range opts {
		o(e)
	}
	var ps []Problem
	var errs []error
	// given is every builder by name and version, compiled or not: the
	// references between flows are checked on all of them.
	given := map[string]map[string]*Builder{}
	for i, b := range flows {
		if b == nil {
			ps = append(ps, Problem{Reason: fmt.Sprintf("flow #%d is nil", i+1)})
			continue
		}
		if given[b.name] == nil {
			given[b.name] = map[string]*Builder{}
		}
		given[b.name][b.version] = b
		f, err := b.Compile()
		var ce *CompileError
		if errors.As(err, &ce) {
			for _, p := range ce.Problems {
				p.Flow = cmp.Or(p.Flow, ce.Flow)
				ps = append(ps, p)
			}
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		vs := e.versions[f.name]
		if vs == nil {
			vs = map[string]*Flow{}
			e.versions[f.name] = vs
		}
		if _, dup := vs[f.version]; dup {
			ps = append(ps, Problem{Flow: f.name, Reason: fmt.Sprintf("version %q given twice", f.version)})
		}
		vs[f.version] = f
		e.latest[f.name] = f.version
	}
	for _, name := range sortedKeys(given) {
		for _, v := range sortedKeys(given[name]) {
			for _, n := range given[name][v].nodes {
				if n == nil || isNilNode(n) {
					continue // reported by Compile
				}
				id := n.nodeID()
				switch n := n.(type) {
				case *Call:
					if _, ok := given[n.Flow]; !ok {
						ps = append(ps, Problem{Flow: name, Node: id, Reason: fmt.Sprintf("calls flow %q, which is not in the engine", n.Flow)})
					}
				case *Handoff:
					if e.handoff == nil {
						ps = append(ps, Problem{Flow: name, Node: id, Reason: "hands off but the engine has no HandOffer (WithHandOffer)"})
					}
				}
			}
		}
	}
	if len(ps) > 0 {
		errs = append([]error{&CompileError{Problems: ps}}, errs...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return e, nil
}

func (e *Engine) lookup(name, version string) *Flow {
	if version == "" {
		version = e.latest[name]
	}
	return e.versions[name][version]
}

// Starter returns a handler that starts the named flow, abandoning any
// flow the conversation is in: mount it on the router for the flow's
// intents or signals. Entities of the turn fill the flow's Ask slots
// directly. A turn asking again for the flow the conversation is already
// in at a question ("I want a refund" while the refund form asks for the
// order) asks that question again instead of starting over. For a name
// that is not in the engine the handler returns [ErrUnknownFlow].
func (e *Engine) Starter(name string) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return e.handle(ctx, w, t, func(x *run) error { return x.start(name) })
	})
}

// Cancel returns a handler that ends the conversation's flow, if any, as
// [Abandoned] and says text: mount it on the router for
// [dialog.CommandCancel].
func (e *Engine) Cancel(text string) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return e.handle(ctx, w, t, func(x *run) error {
			if x.st.Flow != "" {
				x.keepCancelled()
				x.st.Stack = nil
				x.end(Abandoned)
			}
			if text == "" {
				return nil
			}
			return x.say(text)
		})
	})
}

// HandleTurn continues the conversation's flow with t: an answer to the
// engine's open question, or a signal a waiting flow expects; mounted on
// the router for [dialog.CommandUndo], it also asks again the form the
// customer cancelled with their previous message (see
// [Engine.UndoCommand]). It returns [dialog.ErrNotAnswer], having written
// nothing, for a turn that is none of these, so that the router routes it.
func (e *Engine) HandleTurn(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	return e.handle(ctx, w, t, (*run).turn)
}

// Drop ends the flow whose question q the router dropped: it implements
// [dialog.Dropper]. A dropped feedback question leaves the flow resolved,
// any other abandoned.
func (e *Engine) Drop(ctx context.Context, t *parley.Turn, q dialog.Question) error {
	return e.handle(ctx, nil, t, func(*run) error { return nil })
}

// Resume asks the engine's open question q again, after the router
// served a digression: it implements [dialog.Resumer].
func (e *Engine) Resume(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, q dialog.Question) error {
	return e.handle(ctx, w, t, func(x *run) error {
		if x.asking() {
			return x.reprompt()
		}
		return nil
	})
}

// handle runs do for one turn with the conversation's flow state, after
// bringing the state up to date (a removed version, a dropped question).
func (e *Engine) handle(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, do func(*run) error) error {
	sess := t.Session()
	if sess == nil {
		return dialog.ErrNoSession
	}
	st, err := e.loadState(sess)
	if err != nil {
		return err
	}
	// The run is this call's alone, unless it gave out a Scope (which a
	// node's function may keep): then it is left to the collector.
	x, _ := e.runs.Get().(*run)
	if x == nil {
		x = new(run)
	}
	*x = run{e: e, ctx: ctx, w: w, t: t, st: st}
	defer e.putRun(x)
	if st.Flow != "" {
		if err := x.resolveVersion(); err != nil {
			return err
		}
	}
	x.dropStale()
	if err := do(x); err != nil {
		return err
	}
	if err := x.settleHeld(); err != nil {
		return err
	}
	e.saveState(sess, st)
	return nil
}

// putRun gives e the memory of x, a run whose handle call has returned,
// unless x gave out a Scope.
func (e *Engine) putRun(x *run) {
	if x.scoped {
		return
	}
	*x = run{}
	e.runs.Put(x)
}

// stateKey keeps a conversation's flow [state] in its session. The
// engine reads and writes the stored bytes itself (see
// [Engine.loadState]): it encodes them by hand and caches the decoded
// state by them.
var stateKey = memory.NewStateKey[state]("flow")

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
	Intent   string            `json:"intent,omitempty"` // the intent that started Flow, if any
	Last     Resolution        `json:"last,omitempty"`
	LastFlow string            `json:"last_flow,omitempty"`
	// Held is the form a one-turn request interrupted, set aside at its
	// question to be asked again once that request is served (see
	// [run.hold]); HeldAt is the session turn it was set aside in, and
	// HeldReply whether the request that did answers a message the bot
	// sent on its own. HeldCancel says Held was stopped by a cancel
	// instead, and is kept only for the customer to take the cancel back
	// (see [run.keepCancelled]).
	Held       *state `json:"held,omitempty"`
	HeldAt     int    `json:"held_at,omitempty"`
	HeldReply  bool   `json:"held_reply,omitempty"`
	HeldCancel bool   `json:"held_cancel,omitempty"`

	// saved is the encoded state this one was last saved as, while it is
	// in the engine's cache.
	saved []byte
	// out is the buffer of the bytes saveState last gave a session, which
	// the next save of this state encodes into when that session still
	// holds them (see [Engine.saveState]).
	out []byte
}

type frame struct {
	Flow    string `json:"flow"`
	Version string `json:"version"`
	Node    string `json:"node"`
	Intent  string `json:"intent,omitempty"` // the caller's Intent, restored on return
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
	// Held names the form set aside by a request that interrupted it at
	// a question, which is asked again once that request is served;
	// empty when none is.
	Held string
	// Cancelled names the form a cancel stopped at a question, kept for
	// the customer to take the cancel back with their next message
	// (take-back: [dialog.CommandUndo]); empty when none is.
	Cancelled string
}

// SnapshotOf returns the flow position stored in a session.
func SnapshotOf(s *memory.Session) (Snapshot, error) {
	st, _, err := stateKey.Get(s)
	if err != nil {
		return Snapshot{}, err
	}
	return Snapshot{Flow: st.Flow, Version: st.Version, Node: st.Node, Waiting: st.Waiting,
		Depth: len(st.Stack), Slots: maps.Clone(st.Slots), Last: st.Last, LastFlow: st.LastFlow, Held: heldFlow(st), Cancelled: cancelledFlow(st)}, nil
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
	// sub is the resolution of a subflow that ended this turn without
	// resolving.
	sub Resolution
	// ended is how the last flow that ended in this run ended.
	ended Resolution
	// scoped says x gave out a Scope, so that it is never reused.
	scoped bool
}

// emit reports an event with the attributes given as name, value pairs;
// the map is built only when someone observes the turn.
func (x *run) emit(kind parley.EventKind, attrs ...string) {
	if !x.t.Observed() {
		return
	}
	m := make(map[string]string, len(attrs)/2)
	for i := 0; i+1 < len(attrs); i += 2 {
		m[attrs[i]] = attrs[i+1]
	}
	x.t.Emit(x.ctx, parley.Event{Kind: kind, Attrs: m})
}

func (x *run) understanding() (nlu.Understanding, bool) {
	return parley.Value(x.t, nlu.UnderstandingKey)
}

// start starts the named flow, or asks its question again if the
// conversation is at a question of that very flow.
func (x *run) start(name string) error {
	if x.asking() && x.st.Flow == name && len(x.st.Stack) == 0 {
		// The request that started this flow, repeated: ask again.
		return x.reprompt()
	}
	return x.startFlow(name)
}

// turn continues the flow with an answer or a signal.
func (x *run) turn() error {
	st := x.st
	if x.t.Signal != nil && strings.TrimSpace(x.t.Text()) == "" {
		return x.signal(x.t.Signal)
	}
	if st.Flow != "" && st.Waiting {
		if w, ok := x.node().(*Wait); ok && w.Timeout > 0 && !x.t.Time.Before(st.Since.Add(w.Timeout)) {
			return x.goTo(w.OnTimeout)
		}
	}
	if x.asking() {
		return x.input()
	}
	if st.Flow != "" && !st.Waiting {
		// A flow stopped between steps (a crash mid-turn): go on from there.
		return x.goTo(st.Node)
	}
	if undone, err := x.undo(); undone || err != nil {
		return err
	}
	return dialog.ErrNotAnswer
}

// qid is the question ID of the node the flow is at.
func (x *run) qid() string {
	if c := x.flow.nodes[x.st.Node]; c != nil {
		return c.key
	}
	return x.flow.name + "/" + x.st.Node
}

// asking reports whether the flow waits at a question node whose
// question is still the conversation's open question.
func (x *run) asking() bool {
	if x.st.Flow == "" || !x.st.Waiting || x.flow == nil {
		return false
	}
	switch x.node().(type) {
	case *Ask, *Choice, *Feedback:
	default:
		return false
	}
	q, ok := dialog.OpenQuestion(x.t)
	return ok && q.Owner == x.e.owner && q.ID == x.qid()
}

// dropStale ends a flow whose question was dropped: the customer moved
// on (a new request, a command), and the router closed the question. A
// dropped feedback question leaves the flow resolved; any other leaves
// it abandoned.
func (x *run) dropStale() {
	st := x.st
	if st.Flow == "" || !st.Waiting || x.asking() {
		return
	}
	status := Abandoned
	switch x.node().(type) {
	case *Ask, *Choice:
	case *Feedback:
		status = Resolved
	default:
		return
	}
	x.emit(EventDropped, "flow", st.Flow, "node", st.Node)
	x.keepCancelled() // dropped for a cancel (a feedback question too): see takeback.go
	st.Stack = nil
	x.end(status)
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
				x.emit(EventMigrated, "flow", st.Flow, "from", st.Version, "to", v, "node", node)
				st.Version, st.Node, x.flow = v, node, f
				return nil
			}
		}
	}
	name := st.Flow
	x.emit(EventMigrated, "flow", name, "from", st.Version)
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
			if sig.Name == dialog.SignalHandoffResolved {
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
	return nil
}

func (x *run) startFlow(name string) error {
	f := x.e.lookup(name, "")
	if x.e.version != nil && f != nil {
		if g := x.e.lookup(name, x.e.version(x.ctx, x.t, name)); g != nil {
			f = g
		}
	}
	if f == nil {
		return fmt.Errorf("%w: %q", ErrUnknownFlow, name)
	}
	st := x.st
	switch {
	case x.holdable(name):
		x.hold()
	case st.Flow != "":
		x.dropHeld()
		x.emit(EventEnd, "flow", st.Flow, "status", string(Abandoned))
	default:
		x.dropHeld()
	}
	st.Flow, st.Version, st.Node = f.name, f.version, f.start
	st.Waiting, st.Attempts, st.Stack = false, 0, nil
	st.Intent = ""
	if u, ok := x.understanding(); ok && u.Status == nlu.Understood {
		st.Intent = u.Intent.Name
	}
	st.Slots = map[string]string{}
	st.Visits = nil
	x.flow = f
	x.prefill()
	x.emit(EventStart, "flow", f.name, "version", f.version)
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
		vk := c.key
		st.Visits[vk]++
		if st.Visits[vk] > x.e.maxVisits || steps > maxSteps {
			x.emit(EventProblem, "what", "loop", "flow", x.flow.name, "node", id)
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
		x.emit(EventNode, "flow", x.flow.name, "version", x.flow.version, "node", id)

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
		if _, cmd := parley.Value(x.t, dialog.CommandKey); !cmd && len(c.tones) > 0 {
			if tone := x.e.tone(x.t); tone != "" && len(c.tones[tone]) > 0 {
				m.Text = x.pick(c, c.tones[tone])
			}
		}
		return n.Next, false, x.w.Reply(x.ctx, m)
	case *Ask:
		if st.Slots[n.Slot] != "" && !n.Always {
			return n.Next, false, nil
		}
		return x.ask(c)
	case *Choice:
		return x.ask(c)
	case *Feedback:
		if x.holding() {
			// A form set aside for this request is asked again instead:
			// one question per turn, and the feedback question is the
			// one that can go. The request is served; its flow ends.
			x.emit(EventDropped, "flow", x.flow.name, "node", n.ID)
			st.Stack = nil
			x.end(Resolved)
			return "", false, nil
		}
		asked, err := x.prompt(c, "", "")
		if err != nil || asked {
			return "", err == nil, err
		}
		// Another question was asked this turn: feedback never stacks
		// on it, the flow goes on without.
		x.emit(EventDropped, "flow", x.flow.name, "node", n.ID)
		return n.Next, false, nil
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
		sc := x.scope()
		outcome, err := n.Do(x.ctx, sc)
		if err != nil {
			x.emit(EventProblem, "what", "action", "flow", x.flow.name, "node", n.ID, "error", err.Error())
			msg := "Sorry, I can't reach our systems right now."
			if len(c.errText) > 0 {
				msg = x.pick(c, c.errText)
			}
			if err := dialog.Report(x.t, dialog.Unresolved); err != nil {
				return "", false, err
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
		st.Stack = append(st.Stack, frame{Flow: st.Flow, Version: st.Version, Node: n.Next, Intent: st.Intent})
		st.Flow, st.Version = f.name, f.version
		// The called flow's intent is the one understood on the turn
		// that entered it (a request typed at the menu), so that a
		// change of mind at its questions is told from an answer.
		st.Intent = ""
		if u, ok := x.understanding(); ok && u.Status == nlu.Understood {
			st.Intent = u.Intent.Name
		}
		x.flow = f
		x.emit(EventStart, "flow", f.name, "version", f.version, "caller", x.st.Stack[len(x.st.Stack)-1].Flow)
		return f.start, false, nil
	case *Handoff:
		req := dialog.HandoffRequest{Reason: n.Reason, Priority: n.Priority, Data: maps.Clone(st.Slots)}
		if err := x.e.handoff.HandOff(x.ctx, x.w, x.t, req); err != nil {
			return "", false, err
		}
		if err := dialog.Report(x.t, dialog.HandedOff); err != nil {
			return "", false, err
		}
		if n.Next == "" {
			// The HandOffer owns the rest of the lifecycle.
			return "", false, x.finish(Escalated)
		}
		return "", true, nil
	case *Wait:
		st.Since = x.t.Time
		if n.Timeout > 0 && x.e.timers != nil {
			if err := x.e.scheduleTimer(x.ctx, x.t, st.Since.Add(n.Timeout)); err != nil {
				return "", false, err
			}
		}
		return "", true, nil
	case *End:
		if len(c.text) > 0 {
			if err := x.say(x.pick(c, c.text)); err != nil {
				return "", false, err
			}
		}
		if len(st.Stack) > 0 {
			if n.Status == Unresolved || n.Status == Escalated {
				// A subflow that did not resolve (feedback "not
				// helpful") leaves the whole flow so.
				x.sub = n.Status
			}
			fr := st.Stack[len(st.Stack)-1]
			st.Stack = st.Stack[:len(st.Stack)-1]
			f := x.e.lookup(fr.Flow, fr.Version)
			if f == nil {
				return "", false, fmt.Errorf("%w: %s@%s (returning from %q)", ErrUnknownFlow, fr.Flow, fr.Version, x.flow.name)
			}
			x.emit(EventEnd, "flow", x.flow.name, "status", string(n.Status), "to", f.name)
			st.Flow, st.Version, st.Intent, x.flow = f.name, f.version, fr.Intent, f
			return fr.Node, false, nil
		}
		return "", false, x.finish(n.Status)
	}
	return "", false, fmt.Errorf("flow: unknown node type %T", c.n)
}

// ask asks an Ask or Choice node's question. When another question was
// asked this turn, the flow cannot wait for an answer: it ends.
func (x *run) ask(c *cnode) (next string, wait bool, err error) {
	asked, err := x.prompt(c, "", "")
	if err != nil || asked {
		return "", err == nil, err
	}
	x.emit(EventDropped, "flow", x.flow.name, "node", c.n.nodeID())
	x.st.Stack = nil
	x.end(Abandoned)
	return "", false, nil
}

// end closes the current top-level flow without running anything after it.
func (x *run) end(status Resolution) {
	st := x.st
	x.ended = status
	x.emit(EventEnd, "flow", st.Flow, "status", string(status))
	st.Last, st.LastFlow = status, st.Flow
	st.Flow, st.Version, st.Node, st.Waiting, st.Attempts = "", "", "", false, 0
	st.Stack, st.Visits, st.Intent = nil, nil, ""
	st.Slots = map[string]string{}
	if q, ok := dialog.OpenQuestion(x.t); ok && q.Owner == x.e.owner {
		dialog.CloseQuestion(x.t)
	}
}

// finish ends the flow and reports the outcome.
func (x *run) finish(status Resolution) error {
	if status == Resolved && x.sub != "" {
		status = x.sub
	}
	x.end(status)
	switch status {
	case Resolved:
		return dialog.Report(x.t, dialog.Resolved)
	case Unresolved:
		return dialog.Report(x.t, dialog.Unresolved)
	case Escalated:
		return dialog.Report(x.t, dialog.HandedOff)
	}
	return nil
}

func (x *run) eval(c *cnode, i int, cs Case) (bool, error) {
	if cs.If != nil {
		return cs.If(x.scope()), nil
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
	if m, ok := parley.Value(x.t, nlu.MoodKey); ok {
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
		if a, same := x.correctedEarlier(n); a != nil {
			if same {
				// "no wait, it's A-1001" for the order already given:
				// nothing to change, the question stands.
				return x.reprompt()
			}
			return x.goTo(a.Next)
		}
		v, err := x.answer(n, text)
		if err == nil && x.changedMind(v) {
			return dialog.ErrNotAnswer
		}
		if err == nil {
			dialog.CloseQuestion(x.t)
			st.Slots[n.Slot] = v
			return x.goTo(n.Next)
		}
		a, refused := x.correction(n)
		if a != nil {
			if refused != nil {
				// "no, make it 20 euros" to "refund $10?": the new
				// value cannot be taken. Say why and ask that question
				// again; the confirmation of the old value is void.
				return x.reask(a, refused)
			}
			return x.goTo(a.Next)
		}
		if x.fillsLater(n) {
			// "12 Oak Street, Springfield" while the address form asks
			// which order: the address is kept, and only the order
			// asked for.
			_, err := x.prompt(c, "", "Got it, I've noted that.")
			return err
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
			if x.fullRequest() {
				// "I want a refund for A-1003" at the menu: the router
				// serves the request with its order number, which the
				// option alone would ask for again.
				return dialog.ErrNotAnswer
			}
			dialog.CloseQuestion(x.t)
			if n.Slot != "" {
				st.Slots[n.Slot] = optionValue(n.Options[i])
			}
			return x.goTo(n.Options[i].Next)
		}
		if v, _ := parseYesNo(text); v == "no" {
			// "No, thanks" to a choice with no such option declines the
			// question; the router closes it.
			return dialog.ErrNotAnswer
		}
		if parse.Question(text) {
			// A question ("how much is annual") is a digression: the
			// router answers it and the choice is asked again.
			return dialog.ErrNotAnswer
		}
		if u, ok := x.understanding(); ok && u.Status == nlu.Ambiguous {
			// "refunds" at the menu: a new refund or news of one? The
			// router asks which.
			return dialog.ErrNotAnswer
		}
		return x.failed(c, n.MaxAttempts, n.OnFail, inputErr(n.Slot, "Please pick one of the options."))
	case *Feedback:
		v, ok := parseFeedback(n.Kind, text)
		if !ok {
			// Not feedback: the customer moved on. The question's
			// policy (Drop) lets the router serve the turn.
			return dialog.ErrNotAnswer
		}
		dialog.CloseQuestion(x.t)
		st.Slots[feedbackSlot(n)] = v
		x.emit(EventFeedback, "flow", x.flow.name, "kind", string(n.Kind), "value", v)
		return x.goTo(n.Next)
	}
	return fmt.Errorf("flow %q: node %q does not take input", x.flow.name, st.Node)
}

// correction serves an answer to a yes/no question that changes an
// earlier answer of the same flow instead ("wait, make it 20" when asked
// to confirm a $50 refund): the latest number, amount or date question
// ([Ask.Correctable] for other types) whose slot the text fills with a
// new, valid value takes it, and the
// flow goes on from that question as if it had just been answered, so
// its checks and the confirmation run again. It returns that question,
// or nil when the text corrects nothing (or is a new request); refused
// is the validator's refusal of a new value that parsed but cannot be
// taken ("make it $500" over a limit).
func (x *run) correction(cur *Ask) (a *Ask, refused error) {
	if cur.Type != YesNoSlot {
		return nil, nil
	}
	if u, ok := x.understanding(); ok && u.Status == nlu.Understood && u.Intent.Name != x.st.Intent {
		return nil, nil // a new request: the router serves it
	}
	var refusedAt *Ask
	for i := len(x.flow.asks) - 1; i >= 0; i-- {
		a := x.flow.asks[i]
		old := x.st.Slots[a.Slot]
		if a == cur || old == "" || (a.Type != NumberSlot && a.Type != MoneySlot && a.Type != DateSlot && !a.Correctable) {
			continue
		}
		v, err := x.answer(a, x.t.Text())
		var ve *validationError
		if errors.As(err, &ve) && refused == nil {
			refused, refusedAt = err, a
		}
		if err != nil || v == old {
			continue
		}
		x.correct(a, v)
		return a, nil
	}
	return refusedAt, refused
}

// reask serves a correction that a's validator refused: it says why,
// forgets a's answer and those after it, and asks a again.
func (x *run) reask(a *Ask, refused error) error {
	dialog.CloseQuestion(x.t)
	from := false
	for _, b := range x.flow.asks {
		from = from || b.Slot == a.Slot
		if from {
			delete(x.st.Slots, b.Slot)
		}
	}
	if err := x.say(inputMessage(refused)); err != nil {
		return err
	}
	return x.goTo(a.ID)
}

// correctedEarlier serves an answer, at any question, that corrects an
// earlier answer of another kind instead ("no wait, make it A-1002" or
// "no, era el A-1002" while the refund form asks how much): the turn
// carries an entity that an earlier question of the flow, whose slot is
// filled with another value, takes (and its validator accepts), and says
// nothing but that value and filler words. That question's slot takes
// the new value and the flow goes on from it, so whatever depends on it
// is looked up and asked again. It returns that question, or nil; same
// reports that the value is the one already given (nothing changes, and
// the current question is asked again rather than the turn being read as
// a new request).
func (x *run) correctedEarlier(cur *Ask) (a *Ask, same bool) {
	u, ok := x.understanding()
	if !ok || len(u.Entities) == 0 || !onlyFiller(x.t.Text()) {
		return nil, false
	}
	curType := cur.Entity
	if curType == "" {
		curType = naturalEntity(cur.Type)
	}
	for i := len(x.flow.asks) - 1; i >= 0; i-- {
		a := x.flow.asks[i]
		typ := a.Entity
		if typ == "" {
			typ = naturalEntity(a.Type)
		}
		old := x.st.Slots[a.Slot]
		if a.Slot == cur.Slot || old == "" || typ == "" || typ == curType {
			continue
		}
		if _, has := u.Entity(typ); !has {
			continue
		}
		v, err := x.answer(a, x.t.Text())
		if err != nil {
			continue
		}
		if v == old {
			return a, true
		}
		x.correct(a, v)
		return a, false
	}
	return nil, false
}

// fillsLater serves an answer, at a question it does not answer, that
// answers a later question of the flow instead ("12 Oak Street,
// Springfield" while the address form asks which order): the turn
// carries an entity of another type than the current question's that a
// later question with no answer yet takes, and its validator accepts.
// That question's slot keeps the value, so it is not asked when the flow
// gets there; the current question is asked again.
func (x *run) fillsLater(cur *Ask) bool {
	u, ok := x.understanding()
	if !ok || len(u.Entities) == 0 {
		return false
	}
	curType := cur.Entity
	if curType == "" {
		curType = naturalEntity(cur.Type)
	}
	later := false
	for _, a := range x.flow.asks {
		if a == cur {
			later = true
			continue
		}
		typ := a.Entity
		if typ == "" {
			typ = naturalEntity(a.Type)
		}
		if !later || typ == "" || typ == curType || x.st.Slots[a.Slot] != "" {
			continue
		}
		e, has := u.Entity(typ)
		if !has {
			continue
		}
		v := e.Value
		if a.Validate != nil {
			var err error
			if v, err = a.Validate(x.ctx, v); err != nil {
				continue
			}
		}
		x.st.Slots[a.Slot] = v
		return true
	}
	return false
}

// correct gives a's slot the corrected value v and forgets the answers
// to the questions after a's first one, which may depend on it (the
// amount to refund on an order that changed): they are asked again.
func (x *run) correct(a *Ask, v string) {
	dialog.CloseQuestion(x.t)
	after := false
	for _, b := range x.flow.asks {
		if after && b.Slot != a.Slot {
			delete(x.st.Slots, b.Slot)
		}
		after = after || b.Slot == a.Slot
	}
	x.st.Slots[a.Slot] = v
	x.st.Attempts = 0
}

// fullRequest reports whether a turn that picks an option of a choice
// is a whole request that says more than the option: it is understood as
// an intent other than the flow's and carries entities.
func (x *run) fullRequest() bool {
	u, ok := x.understanding()
	return ok && u.Status == nlu.Understood && len(u.Entities) > 0 && u.Intent.Name != x.st.Intent
}

// changedMind reports whether a turn that holds an answer v is a new
// request all the same: it is understood as an intent other than the one
// that started the flow, and says more than the answer ("actually, where
// is my order? it's A-1001" while the refund form asks for the order).
func (x *run) changedMind(v string) bool {
	u, ok := x.understanding()
	if !ok || u.Status != nlu.Understood || x.st.Intent == "" || u.Intent.Name == x.st.Intent {
		return false
	}
	return len(strings.Fields(x.t.Text())) > len(strings.Fields(v))+1 && !onlyFiller(x.t.Text())
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
			if v = x.whole(n, text); v == "" {
				return "", err
			}
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

// whole is the value an answer asking for the whole amount ("all of
// it", "todo") fills n with, or "" when it is not one or n has no whole.
func (x *run) whole(n *Ask, text string) string {
	if n.Whole == nil || (n.Type != NumberSlot && n.Type != MoneySlot) || !parse.Whole(text) {
		return ""
	}
	return n.Whole(x.scope())
}

// validationError marks an answer that parsed as the slot's type but that
// the validator refused.
type validationError struct{ err error }

// Error implements the error interface.
func (e *validationError) Error() string { return e.err.Error() }

// Unwrap returns the underlying error.
func (e *validationError) Unwrap() error { return e.err }

// failed handles an answer that did not fit: not an answer at all (a
// question of the customer's own, a confident new request), a
// re-prompt, or the fail route after too many attempts.
func (x *run) failed(c *cnode, maxAttempts int, onFail string, cause error) error {
	st := x.st
	var ve *validationError
	if !errors.As(cause, &ve) {
		// An answer of the right type that the validator refused is
		// always an answer; anything else may be a new request.
		if parse.Question(x.t.Text()) {
			return dialog.ErrNotAnswer // a question of the customer's own
		}
		if u, ok := x.understanding(); ok && u.Status == nlu.Understood {
			return dialog.ErrNotAnswer
		}
	}
	if maxAttempts == 0 {
		maxAttempts = 3
	}
	st.Attempts++
	if st.Attempts >= maxAttempts {
		x.emit(EventProblem, "what", "slot", "flow", x.flow.name, "node", st.Node)
		dialog.CloseQuestion(x.t)
		if err := dialog.Report(x.t, dialog.Unresolved); err != nil {
			return err
		}
		if onFail != "" {
			return x.goTo(onFail)
		}
		if err := x.say("Sorry, I'm having trouble with that. Let's start over, or type \"human\" to talk to a person."); err != nil {
			return err
		}
		st.Stack = nil
		return x.finish(Unresolved)
	}
	if err := dialog.Report(x.t, dialog.NotUnderstood); err != nil {
		return err
	}
	msg := inputMessage(cause)
	_, err := x.prompt(c, msg, "")
	return err
}

// inputMessage is what the customer is told about an answer refused for
// cause: an [InputError]'s message, else the error's text ("" for nil).
func inputMessage(cause error) string {
	var ie *InputError
	switch {
	case errors.As(cause, &ie):
		return ie.Message
	case cause != nil:
		return cause.Error()
	}
	return ""
}

// reprompt asks the current input node's question again.
func (x *run) reprompt() error {
	_, err := x.prompt(x.flow.nodes[x.st.Node], "", "")
	return err
}

// prompt asks an input node's question, after msg when a previous answer
// failed, or after intro when the question is asked again once a request
// that interrupted its form was served, and opens it as the
// conversation's question. Quick replies come from the node's options.
// It reports false, having sent nothing, when another question was asked
// this turn.
func (x *run) prompt(c *cnode, msg, intro string) (bool, error) {
	texts := c.text
	if msg != "" && len(c.reprompt) > 0 {
		texts, msg = c.reprompt, ""
	}
	var m parley.Message
	var suggested []parley.QuickReply
	switch n := c.n.(type) {
	case *Ask:
		m.QuickReplies = n.Options
		if n.OptionsFrom != nil {
			// Shown, not the question's accepted answers: the answer is
			// still free text for Type and Validate.
			suggested = n.OptionsFrom(&Scope{Turn: x.t, run: x})
		}
		if n.Type == YesNoSlot {
			m.QuickReplies = []parley.QuickReply{{Title: "Yes", Payload: "yes"}, {Title: "No", Payload: "no"}}
		}
	case *Choice:
		for _, o := range n.Options {
			m.QuickReplies = append(m.QuickReplies, parley.QuickReply{Title: o.Title, Payload: o.Payload})
		}
	case *Feedback:
		if len(texts) == 0 {
			m.Text = feedbackPrompt(n.Kind)
		}
		if lo, hi, ok := feedbackScale(n.Kind); ok {
			for i := lo; i <= hi; i++ {
				m.QuickReplies = append(m.QuickReplies, parley.QuickReply{Title: strconv.Itoa(i)})
			}
		} else {
			m.QuickReplies = []parley.QuickReply{{Title: "Yes", Payload: "yes"}, {Title: "No", Payload: "no"}}
		}
	}
	if len(texts) > 0 {
		m.Text = x.pick(c, texts)
	}
	q := dialog.Question{ID: x.qid(), Owner: x.e.owner, Text: m.Text, Options: m.QuickReplies, Policy: dialog.Resume, Intent: x.st.Intent}
	if len(suggested) > 0 {
		m.QuickReplies = append(slices.Clone(m.QuickReplies), suggested...)
	}
	if _, ok := c.n.(*Feedback); ok {
		q.Policy = dialog.Drop
	}
	if msg != "" {
		m.Text = msg + " " + m.Text
	}
	if intro != "" {
		m.Text = intro + " " + m.Text
	}
	if err := dialog.Ask(x.t, q); err != nil {
		if errors.Is(err, dialog.ErrQuestionOpen) {
			return false, nil
		}
		return false, err
	}
	return true, x.w.Reply(x.ctx, m)
}

func parseFeedback(k FeedbackKind, text string) (string, bool) {
	if k == Helpful {
		return parseHelpful(text)
	}
	lo, hi, _ := feedbackScale(k)
	s := fold(text)
	if n := strings.Count(s, "⭐"); n >= 1 && n <= 5 && k != NPS {
		return strconv.Itoa(n), true
	}
	if v, ok := parse.FirstNumber(s); ok && v == float64(int(v)) && v >= float64(lo) && v <= float64(hi) {
		return strconv.Itoa(int(v)), true
	}
	return "", false
}

// feedbackPrompt returns the default question of a feedback kind.
func feedbackPrompt(k FeedbackKind) string {
	switch k {
	case Rating:
		return "How would you rate this conversation, from 1 (poor) to 5 (great)?"
	case NPS:
		return "How likely are you to recommend us to a friend, from 0 (not at all) to 10 (extremely)?"
	case Effort:
		return "How easy was it to get what you needed, from 1 (very hard) to 5 (very easy)?"
	}
	return "Was this helpful?"
}

// feedbackScale returns the numeric range of a feedback kind; ok is
// false for Helpful, a yes/no question.
func feedbackScale(k FeedbackKind) (lo, hi int, ok bool) {
	switch k {
	case Rating, Effort:
		return 1, 5, true
	case NPS:
		return 0, 10, true
	}
	return 0, 0, false
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
		k := x.flow.name + "/" + c.n.nodeID()
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
		x.emit(EventProblem, "what", "profile", "error", err.Error())
		return nil
	}
	x.profile = p
	return p
}

func defaultTone(t *parley.Turn) string {
	m, ok := parley.Value(t, nlu.MoodKey)
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

// scope returns a Scope of x; x is then never reused (see
// [Engine.putRun]).
func (x *run) scope() *Scope {
	x.scoped = true
	return &Scope{Turn: x.t, run: x}
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

// Customer returns a copy of the customer's profile fields (nil when
// unknown or when the lookup failed).
func (s *Scope) Customer() map[string]string { return maps.Clone(s.run.customer()) }

// Reply sends a message to the user.
func (s *Scope) Reply(ctx context.Context, m parley.Message) error { return s.run.w.Reply(ctx, m) }

// Unwrap returns the turn's writer, so that an action reaches the
// channel's optional capabilities through the Scope:
// parley.Typing(ctx, scope) shows the channel's typing indicator, or
// returns [parley.ErrNotSupported] where the channel has none.
func (s *Scope) Unwrap() parley.ReplyWriter { return s.run.w }

// StoredProfiles adapts [customer.Profiles] to [Profiles]: templates read the
// stored profile's fields by their template names ({{customer.name}},
// {{customer.last_order_date}}). An unknown customer has no fields.
func StoredProfiles(ps *customer.Profiles) Profiles {
	return profilesFunc(func(ctx context.Context, customerID string) (map[string]string, error) {
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
