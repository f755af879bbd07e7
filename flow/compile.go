package flow

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// standardCustomerFields returns the profile fields templates may use as
// {{customer.FIELD}} without declaring them with [Builder.CustomerFields].
func standardCustomerFields() []string {
	return []string{
		"id", "name", "first_name", "last_name", "email", "phone", "language", "time_zone",
		"tier", "total_spent", "last_order_date", "last_order_id", "plan", "renewal_date",
	}
}

// ErrCompiled is reported by [Builder.Compile] when the builder was
// changed after an earlier Compile: a compiled flow is frozen, and a
// builder is used once.
var ErrCompiled = errors.New("flow: builder changed after Compile")

// A Builder collects the nodes of a flow. Call [Builder.Compile] to check
// the graph and get a frozen [Flow], which owns copies of the nodes:
// changing a node or the builder afterwards changes nothing in the Flow,
// and a later Compile of a builder changed after Compile reports
// [ErrCompiled]. A Builder is not safe for concurrent use.
type Builder struct {
	name     string
	version  string
	start    string
	nodes    []Node
	slots    []string
	customer []string
	onLoop   string
	compiled bool
	changed  bool
}

// change records a change, which is an error after Compile.
func (b *Builder) change() {
	if b.compiled {
		b.changed = true
	}
}

// New starts a flow named name, version "1".
func New(name string) *Builder { return &Builder{name: name, version: "1"} }

// Version sets the flow's version. Conversations keep the version they
// started with when a newer one is registered.
func (b *Builder) Version(v string) *Builder { b.change(); b.version = v; return b }

// Start sets the start node; the default is the first node added.
func (b *Builder) Start(id string) *Builder { b.change(); b.start = id; return b }

// Add appends nodes to the flow. After [Builder.Compile] it is an error,
// reported by the next Compile as [ErrCompiled].
func (b *Builder) Add(nodes ...Node) *Builder {
	b.change()
	b.nodes = append(b.nodes, nodes...)
	return b
}

// Slots declares slots that actions set with [Scope.SetSlot], so templates
// may use them. Slots collected by Ask, Choice and Feedback nodes are
// declared by those nodes.
func (b *Builder) Slots(names ...string) *Builder {
	b.change()
	b.slots = append(b.slots, names...)
	return b
}

// CustomerFields declares profile fields that templates may use beyond
// the standard ones: id, name, first_name, last_name, email, phone,
// language, time_zone, tier, total_spent, last_order_date,
// last_order_id, plan and renewal_date.
func (b *Builder) CustomerFields(names ...string) *Builder {
	b.change()
	b.customer = append(b.customer, names...)
	return b
}

// OnLoop sets the node the flow goes to when the loop guard trips: a node
// visited more than the engine's maximum in one run of the flow. Without
// it the flow apologises and ends as Unresolved.
func (b *Builder) OnLoop(id string) *Builder { b.change(); b.onLoop = id; return b }

// A Problem is one thing wrong with a flow graph.
type Problem struct {
	// Flow names the flow. [NewEngine] sets it on every problem it
	// reports; [Builder.Compile] leaves it empty, its [CompileError]
	// naming the flow.
	Flow string
	// Node is the node's ID, or empty for the flow as a whole.
	Node   string
	Reason string
}

// String implements fmt.Stringer.
func (p Problem) String() string {
	var b strings.Builder
	if p.Flow != "" {
		fmt.Fprintf(&b, "flow %q: ", p.Flow)
	}
	if p.Node != "" {
		fmt.Fprintf(&b, "node %q: ", p.Node)
	}
	b.WriteString(p.Reason)
	return b.String()
}

// A CompileError lists every problem [Builder.Compile] found in one flow
// (Flow names it), or [NewEngine] found in the complete set of flows, in
// each flow and between them (Flow is empty and each Problem names its
// flow).
type CompileError struct {
	Flow     string
	Problems []Problem
}

// Error implements the error interface.
func (e *CompileError) Error() string {
	var b strings.Builder
	if e.Flow != "" {
		fmt.Fprintf(&b, "flow %q: ", e.Flow)
	} else {
		b.WriteString("flows: ")
	}
	fmt.Fprintf(&b, "%d problem", len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	for _, p := range e.Problems {
		b.WriteString("\n\t")
		b.WriteString(p.String())
	}
	return b.String()
}

// A Flow is a compiled, immutable conversation graph. It is safe for
// concurrent use.
type Flow struct {
	name, version string
	start         string
	order         []string
	nodes         map[string]*cnode
	onLoop        string
	asks          []*Ask
}

// Name returns the flow's name.
func (f *Flow) Name() string { return f.name }

// Version returns the flow's version.
func (f *Flow) Version() string { return f.version }

type cnode struct {
	n Node
	// key is "flow/node": the node's question ID and visit counter.
	key      string
	text     []*template
	tones    map[string][]*template
	reprompt []*template
	errText  []*template
	exprs    []*vm.Program
}

// exprEnv is the shape of the environment Branch expressions see.
func exprEnv() map[string]any {
	return map[string]any{
		"slots":      map[string]string{},
		"customer":   map[string]string{},
		"entities":   map[string]string{},
		"intent":     "",
		"confidence": 0.0,
		"sentiment":  0.5,
		"mood":       map[string]float64{},
		"text":       "",
	}
}

// Compile checks the graph and returns the frozen Flow, or a
// [*CompileError] listing every problem: missing or duplicate IDs, unknown
// targets, unreachable nodes, dead ends, cycles that never wait for the
// user, templates that are malformed or name unknown variables, expressions
// that do not compile, and nodes missing required fields.
func (b *Builder) Compile() (*Flow, error) {
	if b.changed {
		return nil, fmt.Errorf("%w: flow %q", ErrCompiled, b.name)
	}
	b.compiled = true
	var ps []Problem
	bad := func(node, format string, args ...any) {
		ps = append(ps, Problem{Node: node, Reason: fmt.Sprintf(format, args...)})
	}
	f := &Flow{name: b.name, version: b.version, nodes: make(map[string]*cnode), onLoop: b.onLoop}
	if b.name == "" {
		bad("", "flow has no name")
	}
	if b.version == "" {
		bad("", "flow has an empty version")
	}
	for i, n := range b.nodes {
		if n == nil || isNilNode(n) {
			bad("", "node #%d is nil", i+1)
			continue
		}
		id := n.nodeID()
		if id == "" {
			bad("", "node #%d (%T) has no ID", i+1, n)
			continue
		}
		if _, dup := f.nodes[id]; dup {
			bad(id, "duplicate ID")
			continue
		}
		f.nodes[id] = &cnode{n: cloneNode(n), key: f.name + "/" + id}
		f.order = append(f.order, id)
	}
	f.start = b.start
	if f.start == "" && len(f.order) > 0 {
		f.start = f.order[0]
	}
	if f.start == "" {
		bad("", "no start node (the flow has no nodes)")
	} else if _, ok := f.nodes[f.start]; !ok {
		bad("", "start node %q does not exist", f.start)
	}
	if b.onLoop != "" {
		if _, ok := f.nodes[b.onLoop]; !ok {
			bad("", "loop-guard node %q does not exist", b.onLoop)
		}
	}

	// Declared variables.
	slots := map[string]bool{}
	for _, s := range b.slots {
		slots[s] = true
	}
	for _, id := range f.order {
		switch n := f.nodes[id].n.(type) {
		case *Ask:
			slots[n.Slot] = true
			f.asks = append(f.asks, n)
		case *Choice:
			if n.Slot != "" {
				slots[n.Slot] = true
			}
		case *Feedback:
			slots[feedbackSlot(n)] = true
		}
	}
	customer := map[string]bool{}
	for _, c := range standardCustomerFields() {
		customer[c] = true
	}
	for _, c := range b.customer {
		customer[c] = true
	}
	compileTexts := func(id, what string, texts []string) []*template {
		var out []*template
		for _, s := range texts {
			t, err := parseTemplate(s)
			if err != nil {
				bad(id, "%s: %v", what, err)
				continue
			}
			for _, r := range t.refs() {
				if r.ns == "slots" && !slots[r.name] {
					bad(id, "%s: template names unknown variable {{%s}} (no node collects slot %q; declare it with Builder.Slots)", what, r, r.name)
				}
				if r.ns == "customer" && !customer[r.name] {
					bad(id, "%s: template names unknown variable {{%s}} (declare it with Builder.CustomerFields)", what, r)
				}
			}
			out = append(out, t)
		}
		return out
	}

	// Per-node checks.
	for _, id := range f.order {
		c := f.nodes[id]
		switch n := c.n.(type) {
		case *Say:
			if len(n.Text) == 0 && len(n.Tones) == 0 && len(n.Cards) == 0 && len(n.Attachments) == 0 {
				bad(id, "say has nothing to say")
			}
			c.text = compileTexts(id, "text", n.Text)
			for _, tone := range sortedKeys(n.Tones) {
				if c.tones == nil {
					c.tones = map[string][]*template{}
				}
				c.tones[tone] = compileTexts(id, "tone "+tone, n.Tones[tone])
			}
			need(bad, id, "Next", n.Next)
		case *Ask:
			if n.Slot == "" {
				bad(id, "ask has no slot")
			}
			switch n.Type {
			case "", TextSlot, NumberSlot, EmailSlot, PhoneSlot, DateSlot, MoneySlot, YesNoSlot:
			case ChoiceSlot:
				if len(n.Options) == 0 {
					bad(id, "choice slot has no options")
				}
			default:
				bad(id, "unknown slot type %q", n.Type)
			}
			if n.Whole != nil && n.Type != NumberSlot && n.Type != MoneySlot {
				bad(id, "Whole is for number and money slots, not %q", n.Type)
			}
			if n.Correctable && n.Validate == nil && (n.Type == "" || n.Type == TextSlot) {
				bad(id, "a Correctable text slot needs a Validate that refuses what is not its value")
			}
			if len(n.Prompt) == 0 {
				bad(id, "ask has no prompt")
			}
			if n.MaxAttempts < 0 {
				bad(id, "negative MaxAttempts")
			}
			c.text = compileTexts(id, "prompt", n.Prompt)
			c.reprompt = compileTexts(id, "reprompt", n.Reprompt)
			need(bad, id, "Next", n.Next)
		case *Choice:
			if len(n.Prompt) == 0 {
				bad(id, "choice has no prompt")
			}
			if len(n.Options) == 0 {
				bad(id, "choice has no options")
			}
			seen := map[string]bool{}
			for i, o := range n.Options {
				if o.Title == "" {
					bad(id, "option #%d has no title", i+1)
				}
				k := fold(optionValue(o))
				if seen[k] {
					bad(id, "two options answer to %q", optionValue(o))
				}
				seen[k] = true
				need(bad, id, fmt.Sprintf("option %q Next", o.Title), o.Next)
			}
			c.text = compileTexts(id, "prompt", n.Prompt)
		case *Branch:
			env := exprEnv()
			for i, cs := range n.Cases {
				switch {
				case cs.If == nil && cs.Expr == "":
					bad(id, "case #%d has neither If nor Expr", i+1)
				case cs.If != nil && cs.Expr != "":
					bad(id, "case #%d has both If and Expr", i+1)
				}
				var prog *vm.Program
				if cs.Expr != "" {
					p, err := expr.Compile(cs.Expr, expr.Env(env), expr.AsBool())
					if err != nil {
						bad(id, "case #%d: expression %q: %v", i+1, cs.Expr, firstLine(err.Error()))
					}
					prog = p
				}
				c.exprs = append(c.exprs, prog)
				need(bad, id, fmt.Sprintf("case #%d Next", i+1), cs.Next)
			}
			need(bad, id, "Else", n.Else)
		case *Action:
			if n.Do == nil {
				bad(id, "action has no Do function")
			}
			need(bad, id, "OnError", n.OnError)
			if n.Next == "" && len(n.Routes) == 0 {
				bad(id, "dead end: action has no Next and no Routes")
			}
			c.errText = compileTexts(id, "error text", n.ErrorText)
		case *Call:
			if n.Flow == "" {
				bad(id, "call names no flow")
			}
			need(bad, id, "Next", n.Next)
		case *Handoff:
			if n.Reason == "" {
				bad(id, "hand-off has no reason")
			}
		case *Feedback:
			switch n.Kind {
			case Helpful, Rating, NPS, Effort:
			default:
				bad(id, "unknown feedback kind %q", n.Kind)
			}
			c.text = compileTexts(id, "prompt", n.Prompt)
			need(bad, id, "Next", n.Next)
		case *Wait:
			if n.Signal == "" && n.Timeout <= 0 {
				bad(id, "wait has neither a signal nor a timeout")
			}
			if n.Timeout < 0 {
				bad(id, "negative timeout")
			}
			if n.Signal != "" {
				need(bad, id, "Next", n.Next)
			}
			if n.Timeout > 0 {
				need(bad, id, "OnTimeout", n.OnTimeout)
			}
		case *End:
			switch n.Status {
			case Resolved, Unresolved, Escalated, Abandoned:
			default:
				bad(id, "unknown resolution %q", n.Status)
			}
			c.text = compileTexts(id, "text", n.Text)
		}
		for _, e := range c.n.targets() {
			if e.to == "" {
				continue
			}
			if _, ok := f.nodes[e.to]; !ok {
				bad(id, "unknown target %q", e.to)
			}
		}
	}

	if _, ok := f.nodes[f.start]; ok {
		// Reachability.
		seen := map[string]bool{}
		stack := []string{f.start}
		if b.onLoop != "" {
			stack = append(stack, b.onLoop)
		}
		for len(stack) > 0 {
			id := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			c, ok := f.nodes[id]
			if !ok || seen[id] {
				continue
			}
			seen[id] = true
			for _, e := range c.n.targets() {
				if e.to != "" {
					stack = append(stack, e.to)
				}
			}
		}
		for _, id := range f.order {
			if !seen[id] {
				bad(id, "unreachable from start node %q", f.start)
			}
		}
		// Cycles that never wait for the user.
		for _, cyc := range inputFreeCycles(f) {
			bad(cyc[0], "cycle that never waits for the user: %s", strings.Join(cyc, " -> "))
		}
	}
	if len(ps) > 0 {
		return nil, &CompileError{Flow: b.name, Problems: ps}
	}
	return f, nil
}

// MustCompile is like Compile but panics on error. Use it for flows
// defined in code and covered by tests.
func (b *Builder) MustCompile() *Flow {
	f, err := b.Compile()
	if err != nil {
		panic(err)
	}
	return f
}

func need(bad func(node, format string, args ...any), id, field, target string) {
	if target == "" {
		bad(id, "dead end: %s is empty", field)
	}
}

// cloneNode returns a copy of n that shares nothing the caller can
// change: the compiled flow owns it.
func cloneNode(n Node) Node {
	switch v := n.(type) {
	case *Say:
		c := *v
		c.Text = slices.Clone(v.Text)
		c.Tones = maps.Clone(v.Tones)
		for k, ts := range c.Tones {
			c.Tones[k] = slices.Clone(ts)
		}
		c.QuickReplies = slices.Clone(v.QuickReplies)
		c.Cards = slices.Clone(v.Cards)
		c.Attachments = slices.Clone(v.Attachments)
		return &c
	case *Ask:
		c := *v
		c.Options = slices.Clone(v.Options)
		c.Prompt = slices.Clone(v.Prompt)
		c.Reprompt = slices.Clone(v.Reprompt)
		return &c
	case *Choice:
		c := *v
		c.Prompt = slices.Clone(v.Prompt)
		c.Options = slices.Clone(v.Options)
		for i := range c.Options {
			c.Options[i].Synonyms = slices.Clone(v.Options[i].Synonyms)
		}
		return &c
	case *Branch:
		c := *v
		c.Cases = slices.Clone(v.Cases)
		return &c
	case *Action:
		c := *v
		c.Routes = maps.Clone(v.Routes)
		c.ErrorText = slices.Clone(v.ErrorText)
		return &c
	case *Call:
		c := *v
		return &c
	case *Handoff:
		c := *v
		return &c
	case *Feedback:
		c := *v
		c.Prompt = slices.Clone(v.Prompt)
		return &c
	case *Wait:
		c := *v
		return &c
	case *End:
		c := *v
		c.Text = slices.Clone(v.Text)
		return &c
	}
	return n
}

func isNilNode(n Node) bool {
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func optionValue(o Option) string {
	if o.Payload != "" {
		return o.Payload
	}
	return o.Title
}

func feedbackSlot(n *Feedback) string {
	if n.Slot != "" {
		return n.Slot
	}
	return "feedback"
}

// inputFreeCycles finds cycles made only of nodes that neither wait for the
// user nor call a subflow (which may wait). Each cycle is reported once,
// starting at its first node in definition order.
func inputFreeCycles(f *Flow) [][]string {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var out [][]string
	reported := map[string]bool{}
	var path []string
	var visit func(id string)
	visit = func(id string) {
		c := f.nodes[id]
		if c == nil || c.n.input() {
			return
		}
		if _, isCall := c.n.(*Call); isCall {
			return
		}
		color[id] = grey
		path = append(path, id)
		for _, e := range c.n.targets() {
			if e.to == "" {
				continue
			}
			switch color[e.to] {
			case white:
				visit(e.to)
			case grey:
				i := slices.Index(path, e.to)
				cyc := append(slices.Clone(path[i:]), e.to)
				key := strings.Join(cyc, ">")
				if !reported[key] {
					reported[key] = true
					out = append(out, cyc)
				}
			}
		}
		path = path[:len(path)-1]
		color[id] = black
	}
	for _, id := range f.order {
		if color[id] == white {
			visit(id)
		}
	}
	return out
}
