package flow

import (
	"cmp"
	"slices"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/memory"
)

// holdTurns is how many turns after the one that set a form aside the
// request that interrupted it may take and still have the form asked
// again: a lookup that asks for one detail ("where is my order?" while
// the refund form asks for the order: "What's your order number?") is
// still a request in passing. A request that goes on longer, or asks the
// customer to choose (renewing a plan: "What would you like to do?"), has
// replaced the form, which is dropped.
const holdTurns = 1

// holdReplyTurns is how many turns the request may take, choices
// included, when it answers a message the bot sent on its own (a renewal
// reminder arriving while the refund form waited): the customer did not
// change their mind, they answered what we sent, and expect the form back
// once that is done.
const holdReplyTurns = 4

// A form interrupted by a request is held, not dropped.
//
// When a customer's request starts another flow while this engine's form
// waits at a question (an Ask, or a Choice that fills a slot; never a
// menu or an offer), the form is set aside in the flow state (state.Held)
// instead of abandoned, and the request is served. Once that request's
// flow ends (resolved or not), in that turn or, after asking one detail
// (an Ask), the next one, the form is asked again, introduced ("Back to
// your refund. Which order is it?").
// Its feedback question, if it reaches one, is not asked: one question
// per turn, and the form's is the one that cannot be dropped.
//
// The form is dropped instead (ended as Abandoned) when the customer
// changes their mind in words ("actually", "instead", "forget it", "en
// realidad", "mejor ..."), gives a global command, the request hands off
// or is itself abandoned, another form is held in its place (one form is
// held at most), or the request asks the customer to choose (a Choice:
// another form, a menu) or is still going after holdTurns turns.
// A signal never holds a form.

// holdable reports whether starting flow name now sets the current flow
// aside rather than abandoning it: see above.
func (x *run) holdable(name string) bool {
	if x.t.Signal != nil || name == x.st.Flow || !x.asking() {
		return false
	}
	if _, cmd := parley.Value(x.t, dialog.CommandKey); cmd {
		return false
	}
	switch n := x.node().(type) {
	case *Ask:
	case *Choice:
		if n.Slot == "" {
			return false // a menu or an offer, not a field of a form
		}
	default:
		return false
	}
	return !changedMindWords(x.t.Text()) && !noWaitFirst(x.t.Text())
}

// noWaitFirst reports whether text opens with "no wait" ("no wait, where
// is my order?", "wait no, ...", "no, espera, ¿dónde está...?") and goes
// on: the customer takes back what they were asked about for what
// follows. (Right after a cancel, "no wait" takes the cancel back: see
// takesBack.)
func noWaitFirst(text string) bool {
	ws := optionWords(text)
	for i := 0; i < len(ws) && i <= 2; i++ {
		switch ws[i] {
		case "wait", "espera", "espere", "esperad":
			return slices.Contains(ws[:min(len(ws), i+3)], "no") &&
				slices.ContainsFunc(ws[i+1:], func(w string) bool { return w != "," && w != "no" })
		}
	}
	return false
}

// hold sets the current flow aside, at its question, replacing any flow
// held before. Its question is closed; [run.resume] asks it again.
func (x *run) hold() {
	x.dropHeld()
	st := x.st
	st.Held = &state{Flow: st.Flow, Version: st.Version, Node: st.Node, Waiting: true,
		Stack: st.Stack, Slots: st.Slots, Visits: st.Visits, Intent: st.Intent}
	st.HeldAt = x.turns()
	st.HeldReply = x.answersUnprompted()
	dialog.CloseQuestion(x.t)
}

// holding reports whether a form is held and may still be asked again:
// it is recent, and the engine still has its flow version.
func (x *run) holding() bool {
	h := x.st.Held
	if h == nil || x.st.HeldCancel || x.turns()-x.st.HeldAt > x.holdLimit() {
		return false
	}
	f := x.e.lookup(h.Flow, h.Version)
	return f != nil && f.nodes[h.Node] != nil
}

// settleHeld, at the end of a run, asks the held form again if the
// request that interrupted it has been served, keeps it while that
// request waits for its one more answer, and drops it otherwise.
func (x *run) settleHeld() error {
	st := x.st
	if st.Held == nil {
		return nil
	}
	if st.HeldCancel {
		x.settleCancelled()
		return nil
	}
	switch {
	case st.Flow == "" && (x.ended == Resolved || x.ended == Unresolved) && x.holding():
		return x.resume(false)
	case st.Flow != "" && x.asking() && x.turns()-st.HeldAt < x.holdLimit():
		if _, detail := x.node().(*Ask); detail || st.HeldReply {
			return nil
		}
	}
	x.dropHeld()
	return nil
}

// resume makes the held form the conversation's flow again and asks its
// question, introduced ("Back to your refund."; "OK, back to your
// refund." when undo takes a cancel back).
func (x *run) resume(undo bool) error {
	st := x.st
	h := st.Held
	st.Held, st.HeldAt, st.HeldReply, st.HeldCancel = nil, 0, false, false
	f := x.e.lookup(h.Flow, h.Version) // there: see holding and cancelKept
	st.Flow, st.Version, st.Node, st.Waiting, st.Attempts = h.Flow, h.Version, h.Node, true, 0
	st.Stack, st.Slots, st.Visits, st.Intent = h.Stack, h.Slots, h.Visits, h.Intent
	if st.Slots == nil {
		st.Slots = map[string]string{}
	}
	x.flow = f
	x.emit(EventNode, "flow", f.name, "version", f.version, "node", h.Node, "resumed", "true")
	c := f.nodes[h.Node]
	intro := x.intro(c)
	if undo {
		intro = takeBackIntro(intro)
	}
	asked, err := x.prompt(c, "", intro)
	if err != nil || asked {
		return err
	}
	// Another question was asked this turn: the form cannot wait.
	x.emit(EventDropped, "flow", f.name, "node", h.Node)
	st.Stack = nil
	x.end(Abandoned)
	return nil
}

// dropHeld forgets the held form, if any, which ends abandoned.
func (x *run) dropHeld() {
	if h := x.st.Held; h != nil {
		if !x.st.HeldCancel { // a cancelled form ended when it was cancelled
			x.emit(EventEnd, "flow", h.Flow, "status", string(Abandoned), "held", "true")
		}
		x.st.Held, x.st.HeldAt, x.st.HeldReply, x.st.HeldCancel = nil, 0, false, false
	}
}

// holdLimit is how many turns the request that set the held form aside
// may take: holdTurns, or holdReplyTurns for an answer to a message the
// bot sent on its own.
func (x *run) holdLimit() int {
	if x.st.HeldReply {
		return holdReplyTurns
	}
	return holdTurns
}

// answersUnprompted reports whether the bot said something on its own
// (a campaign's message, a timer's) since the customer's previous
// message: this turn answers that, not the form's question.
func (x *run) answersUnprompted() bool {
	h := x.t.Session().History
	if n := len(h); n > 0 && h[n-1].Role == memory.RoleUser && h[n-1].MessageID == x.t.MessageID {
		h = h[:n-1] // this turn
	}
	spoke := false
	for _, e := range slices.Backward(h) {
		switch {
		case e.Role != memory.RoleUser:
			spoke = true
		case e.Text != "":
			return false // the customer's previous message
		case spoke:
			return true // a signal the bot answered
		}
	}
	return false
}

// turns is the conversation's turn count, which tells turns apart.
func (x *run) turns() int { return x.t.Session().Turns }

// heldFlow names the flow held in st, or "".
func heldFlow(st state) string {
	if st.Held == nil || st.HeldCancel {
		return ""
	}
	return st.Held.Flow
}

// intro is what introduces c's question asked again after another
// request: its ResumeText, or [resumeIntro] of the flow's name.
func (x *run) intro(c *cnode) string {
	def := resumeIntro(x.flow.name)
	switch n := c.n.(type) {
	case *Ask:
		return cmp.Or(n.ResumeText, def)
	case *Choice:
		return cmp.Or(n.ResumeText, def)
	case *Feedback:
		return "" // asked again after a take-back only: "OK. Was this helpful?"
	}
	return def
}

// resumeIntro introduces a form's question asked again after another
// request: "Back to your refund." for flow "refund", "Back to your
// order status." for "order_status".
func resumeIntro(flow string) string {
	return "Back to your " + strings.TrimSpace(strings.NewReplacer("_", " ", "-", " ").Replace(flow)) + "."
}

// changedMindWords reports whether text says in words that the customer
// leaves what they were doing for what follows: "actually, where is my
// order?", "forget it, I want to renew", "never mind that", "en
// realidad...", "mejor dime dónde está mi pedido", "en vez de eso...".
func changedMindWords(text string) bool {
	ws := optionWords(text)
	next := func(i int, words ...string) bool {
		for _, w := range words {
			if i+1 < len(ws) && ws[i+1] == w {
				return true
			}
		}
		return false
	}
	for i, w := range ws {
		switch w {
		case "actually", "instead", "nevermind", "olvídalo", "olvidalo", "olvida", "déjalo", "dejalo":
			return true
		case "never":
			if next(i, "mind") {
				return true
			}
		case "forget":
			if next(i, "it", "that", "about", "the") {
				return true
			}
		case "en":
			if next(i, "realidad", "vez", "lugar") {
				return true
			}
		case "mejor", "rather":
			// "mejor dime...", "rather, ...": first, as a change of
			// course; elsewhere ("el mejor plan") it is just a word.
			if i == 0 || ws[i-1] == "," {
				return true
			}
		}
	}
	return false
}
