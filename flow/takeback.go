package flow

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
)

// A cancel can be taken back.
//
// When the customer cancels ([dialog.CommandCancel]) a form waiting at
// one of its questions (an Ask, a Choice that fills a slot or a
// Feedback question; never a menu or an offer), the form ends abandoned as before, and is also kept
// in the flow state (state.Held, with HeldCancel set) for undoTurns
// turns. A message right after the cancel that takes it back ("no wait",
// "I do want to change it", "go back", "continue", "undo", "no espera",
// "sí quiero", "seguir", "volver"; see takesBack) is the global command
// [dialog.CommandUndo] ([Engine.UndoCommand] recognises it, only then),
// and the engine, mounted for that command, makes the form the conversation's flow again, at its
// question with the slots already given, introduced ("OK, back to your
// address change. What's the new delivery address?").
//
// Anything else after the cancel (a new request, "no", silence for a
// turn) lets the kept form go without a word: a new request starts
// afresh, and take-back words later on mean what they meant before.

// undoTurns is how many turns after the cancel the customer may take it
// back in: only the next message.
const undoTurns = 1

// keepCancelled keeps the current form, stopped by this turn's cancel,
// for a take-back (undo); it does nothing for a turn that is no cancel, or a
// flow that waits at no form question. Any form held before is dropped.
func (x *run) keepCancelled() {
	if c, _ := parley.Value(x.t, dialog.CommandKey); c != dialog.CommandCancel || x.t.Signal != nil {
		return
	}
	st := x.st
	if st.Flow == "" || !st.Waiting || x.flow == nil {
		return
	}
	switch n := x.node().(type) {
	case *Ask:
	case *Feedback:
		// "cancel" at "Was this helpful?", then "no wait": the
		// question is asked again ("OK. Was this helpful?") rather
		// than the take-back read as a message the bot does not get.
	case *Choice:
		if n.Slot == "" {
			return // a menu or an offer
		}
	default:
		return
	}
	x.dropHeld()
	st.Held = &state{Flow: st.Flow, Version: st.Version, Node: st.Node, Waiting: true,
		Stack: st.Stack, Slots: st.Slots, Visits: st.Visits, Intent: st.Intent}
	st.HeldAt, st.HeldReply, st.HeldCancel = x.turns(), false, true
}

// settleCancelled, at the end of a run, lets the form a cancel stopped
// go once the turn that could take the cancel back has passed.
func (x *run) settleCancelled() {
	if x.turns() != x.st.HeldAt {
		x.dropHeld()
	}
}

// cancelKept reports whether the form a cancel stopped may still be
// taken back: right after the cancel, with its flow version still there.
func (x *run) cancelKept() bool {
	st := x.st
	h := st.Held
	if h == nil || !st.HeldCancel || st.Flow != "" {
		return false
	}
	if n := x.turns() - st.HeldAt; n < 1 || n > undoTurns {
		return false
	}
	f := x.e.lookup(h.Flow, h.Version)
	return f != nil && f.nodes[h.Node] != nil
}

// undo asks again the question of the form the customer cancelled with
// their previous message, with the slots given before the cancel,
// introduced ("OK, back to your refund."), for a turn carrying
// [dialog.CommandUndo] that the engine handles ([Engine.HandleTurn]). It
// reports false, having done nothing, for any other turn or with no such
// form (the turn after next, or no cancel).
func (x *run) undo() (bool, error) {
	if x.st.Held == nil || !x.st.HeldCancel {
		return false, nil
	}
	if c, _ := parley.Value(x.t, dialog.CommandKey); c != dialog.CommandUndo || !x.cancelKept() {
		return false, nil
	}
	x.emit(EventStart, "flow", x.st.Held.Flow, "version", x.st.Held.Version, "undo", "true")
	return true, x.resume(true)
}

// cancelledMark is how saved flow state that keeps a cancelled form
// starts its mark: looked for in the raw bytes, so that a turn with none
// (nearly all) costs the recogniser nothing but the search.
var cancelledMark = []byte(`"held_cancel":true`)

// UndoCommand returns middleware that annotates a turn with
// [dialog.CommandUndo] when its text takes back (takesBack) the cancel
// the customer gave with their previous message, which stopped a form
// this engine keeps (the engine, mounted on the router for
// dialog.CommandUndo, asks it again). At any other time
// the words are left to mean what they mean. Put it after the command
// recogniser (intent.Commands): a turn that already carries a command is
// left alone.
func (e *Engine) UndoCommand() parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if e.takesBackNow(t) {
				t = parley.With(t, dialog.CommandKey, dialog.CommandUndo)
			}
			return next.HandleTurn(ctx, w, t)
		})
	}
}

// takesBackNow reports whether t takes back the cancel its conversation's
// previous turn gave to a form this engine keeps.
func (e *Engine) takesBackNow(t *parley.Turn) bool {
	s := t.Session()
	if s == nil || t.Signal != nil {
		return false
	}
	raw := s.State[stateKey.Name()]
	if !bytes.Contains(raw, cancelledMark) {
		return false
	}
	if _, cmd := parley.Value(t, dialog.CommandKey); cmd || !takesBack(t.Text()) {
		return false
	}
	var st struct {
		Flow       string `json:"flow"`
		HeldAt     int    `json:"held_at"`
		HeldCancel bool   `json:"held_cancel"`
	}
	if json.Unmarshal(raw, &st) != nil || !st.HeldCancel || st.Flow != "" {
		return false
	}
	n := s.Turns - st.HeldAt
	return n >= 1 && n <= undoTurns
}

// cancelledFlow names the form a cancel stopped, kept in st to be
// taken back, or "".
func cancelledFlow(st state) string {
	if st.Held == nil || !st.HeldCancel {
		return ""
	}
	return st.Held.Flow
}

// takeBackIntro turns a form's resume intro into the one said when a
// cancel is taken back: "Back to your refund." becomes "OK, back to your
// refund.".
func takeBackIntro(intro string) string {
	r, n := utf8.DecodeRuneInString(intro)
	if n == 0 {
		return "OK."
	}
	return "OK, " + string(unicode.ToLower(r)) + intro[n:]
}

// takesBack reports whether text, said right after a cancel, takes it
// back: "no wait", "wait", "go back", "continue", "carry on", "undo",
// "I do want to change it", "yes I want to", "I still want it", and in
// Spanish "no espera", "sigue", "seguir", "continuar", "volver", "sí
// quiero", "quiero cambiarla". "no" alone does not (it is no answer to
// anything once the form is stopped), nor does a new request ("I want
// to track my order"), nor another change of mind ("actually, forget
// it").
func takesBack(text string) bool {
	if len(text) > 120 || changedMindWords(text) {
		return false
	}
	ws := optionWords(foldTakeBack.Replace(text))
	at := func(i int, w string) bool { return i >= 0 && i < len(ws) && ws[i] == w }
	for i, w := range ws {
		switch w {
		case "undo", "continue", "resume", "wait", "deshacer", "deshaz", "espera", "espere",
			"continuar", "continua", "continúa", "continuemos", "seguir", "sigue", "sigamos",
			"volver", "vuelve", "volvamos", "vuelva":
			return true
		case "back":
			if at(i-1, "go") || at(i-1, "come") || at(i-1, "take") || at(i-1, "it") {
				return true
			}
		case "on":
			if at(i-1, "carry") || at(i-1, "hold") || at(i-1, "go") {
				return true
			}
		case "going":
			if at(i-1, "keep") {
				return true
			}
		case "mind":
			if at(i-1, "my") && at(i-2, "changed") { // "I changed my mind"
				return true
			}
		case "want", "need", "quiero", "necesito":
			// "I do want to change it", "yes I want to", "sí quiero",
			// "quiero cambiarla": wanting what was just stopped, not
			// something new ("I want to track my order").
			if at(i-1, "do") || at(i-1, "still") || at(i-1, "sí") || at(i-1, "si") || at(i-1, "todavía") || at(i-1, "todavia") {
				return true
			}
			if wantsItBack(ws[i+1:]) {
				return true
			}
		}
	}
	return false
}

// foldTakeBack spells out the contractions TakesBack reads.
var foldTakeBack = strings.NewReplacer("wanna", "want to", "Wanna", "want to")

// wantsItBack reports whether the words after "want" or "quiero" name
// what was just stopped rather than something new: nothing ("yes I
// want to", "sí quiero"), or a verb and "it" or "that" ("want to change
// it", "want to do that"), or a Spanish verb that carries its object
// ("quiero cambiarla", "quiero hacerlo").
func wantsItBack(rest []string) bool {
	for len(rest) > 0 && rest[len(rest)-1] == "," {
		rest = rest[:len(rest)-1]
	}
	if len(rest) > 0 && rest[0] == "to" {
		rest = rest[1:]
	}
	switch len(rest) {
	case 0:
		return true
	case 1:
		w := rest[0]
		return w == "it" || w == "that" || w == "this" || w == "eso" || w == "seguir" || w == "continuar" ||
			strings.HasSuffix(w, "rlo") || strings.HasSuffix(w, "rla") || strings.HasSuffix(w, "rle")
	case 2:
		w := rest[1]
		return w == "it" || w == "that" || w == "this" || w == "eso" || rest[0] == "lo" || rest[0] == "la"
	}
	return false
}
