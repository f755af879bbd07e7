package intent

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"unicode"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/internal/parse"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// stateKey keeps the router's per-conversation state in the session.
var stateKey = memory.NewStateKey[routerState]("intent")

// routerState is the per-conversation state of a [Router].
type routerState struct {
	// Misses counts consecutive turns not understood.
	Misses int `json:"misses,omitempty"`
	// Held are the entities of the message the open clarifying question
	// asks about (its order number, its amount), and of answers to it
	// that named nothing else: the request chosen gets them.
	Held []nlu.Entity `json:"held,omitempty"`
}

// Event kinds of the [Router].
const (
	EventRouted   parley.EventKind = "intent.routed"  // Attrs: intent
	EventClarify  parley.EventKind = "intent.clarify" // Attrs: candidates
	EventFallback parley.EventKind = "fallback"       // not understood; Attrs: status, count
	EventDropped  parley.EventKind = "intent.dropped" // an open question was dropped; Attrs: owner, question
	EventResumed  parley.EventKind = "intent.resumed" // an open question was asked again after a digression; Attrs: owner, question
	EventIgnored  parley.EventKind = "intent.ignored" // a signal nobody handles; Attrs: signal
)

// DefaultOwner is the owner name of the router's own questions (the
// clarifying question and the menu) unless [WithOwner] sets another.
const DefaultOwner = "router"

// A Router is the one map from intents to handlers, as
// [net/http.ServeMux] is from paths, and it owns turn-taking: it gives
// each turn to the right handler.
//
//   - A global command ([dialog.CommandKey], set by [Commands]) goes to
//     the handler given with [Router.HandleCommand], in any state; any
//     open question is dropped first, except for [dialog.CommandStop]:
//     an opt-out is an aside, after which a question with policy
//     [dialog.Resume] is asked again, as after a digression. Without a handler, "cancel" says it
//     stopped, "menu" shows the menu, and "human" and "stop" say they
//     cannot be done here (mount escalation's and the consent handlers).
//   - With a [dialog.Question] open, the turn goes to its owner, the
//     handler mounted under [dialog.Question.Owner], first. An owner
//     that returns [dialog.ErrNotAnswer] lets the router route the turn
//     normally; afterwards a question with policy [dialog.Resume] that
//     nothing replaced is asked again through the owner's
//     [dialog.Resumer], and any other is dropped (an owner that is a
//     [dialog.Dropper] is told).
//   - An understood turn goes to the handler of its intent, then those
//     of the further intents of the message ([nlu.Understanding.Then])
//     while none of them has asked a question.
//   - An ambiguous turn gets a clarifying question ("Did you mean A / B?").
//   - A turn not understood gets, the first time, a request to put it
//     another way, and the second time in a row the menu. Each reports
//     [dialog.NotUnderstood]: the router never hands off by itself; the
//     escalation package reads the outcomes and decides whether to offer
//     a person.
//   - A signal turn goes to the handler given with [Router.HandleSignal],
//     else to the open question's owner (a flow waiting for it).
//
// The router reports [dialog.Served] before dispatching, so handlers
// report only when they know more ([dialog.Resolved], ...). Register
// handlers before serving; a Router is then safe for concurrent use. It
// keeps per-conversation state in the session under the name "intent".
type Router struct {
	owner       string
	handlers    map[string]parley.Handler
	commands    map[dialog.Command]parley.Handler
	signals     map[string]parley.Handler
	titles      map[string]string
	menu        []string
	menuText    string
	rephrase    string
	outOfScope  string
	declined    string
	clarifyText string
	questions   parley.Handler
	noMatch     parley.Handler
	notUnder    parley.Handler
}

// A RouterOption configures a [Router].
type RouterOption func(*Router)

// WithMenu sets the menu shown on the second turn in a row not understood
// and for the "menu" command without a handler: text and the intents
// offered, as quick replies with their titles (default "Here's what I can
// help with:" and no quick replies).
func WithMenu(text string, intents ...string) RouterOption {
	return func(r *Router) { r.menuText, r.menu = text, intents }
}

// WithRephrase sets the reply to the first turn not understood (default
// "Sorry, I didn't quite get that. Could you say it another way?").
func WithRephrase(text string) RouterOption { return func(r *Router) { r.rephrase = text } }

// WithOutOfScope sets the lead of the menu shown, in place of the request
// to put it another way, for a question understood to be outside what the
// bot does ("what is the meaning of life?": asking to rephrase it would
// not help), the first time and each time after. By default such a
// question is treated as any turn not understood.
func WithOutOfScope(text string) RouterOption { return func(r *Router) { r.outOfScope = text } }

// WithTitles sets the names shown for intents in clarifying questions and
// the menu ("track_order": "Track my order"). Others are derived from the
// intent name ("track_order" becomes "Track order").
func WithTitles(titles map[string]string) RouterOption {
	return func(r *Router) {
		for k, v := range titles {
			r.titles[k] = v
		}
	}
}

// WithClarifyPrompt sets the clarifying question's lead (default "Did you
// mean:").
func WithClarifyPrompt(text string) RouterOption { return func(r *Router) { r.clarifyText = text } }

// WithNoMatch sets the handler for understood intents that have no
// handler of their own; by default they are treated as not understood.
func WithNoMatch(h parley.Handler) RouterOption { return func(r *Router) { r.noMatch = h } }

// WithNotUnderstood sets the handler for turns not understood, in place
// of the request to put it another way and the menu: a language model, a
// knowledge base, or the start flow of a bot without language
// understanding. The router reports [dialog.NotUnderstood] first; h may
// report another outcome.
func WithNotUnderstood(h parley.Handler) RouterOption { return func(r *Router) { r.notUnder = h } }

// WithQuestions sets the handler (typically a knowledge base) for a
// question of the customer's own (a text with "?" or "¿") asked while a
// question with policy [dialog.Resume] is open and that its owner did
// not take as an answer, when no other intent's handler serves it ("how
// long does a refund take?" in the middle of the refund form) or it is
// about the very request that asked ([dialog.Question.Intent]: "how much
// is the annual plan?" while choosing a plan). The form's question is
// asked again afterwards. An unsure question with no form open goes
// there too.
func WithQuestions(h parley.Handler) RouterOption { return func(r *Router) { r.questions = h } }

// WithOwner sets the owner name of the router's own questions (default
// [DefaultOwner]).
func WithOwner(name string) RouterOption { return func(r *Router) { r.owner = name } }

// NewRouter returns an empty Router.
func NewRouter(opts ...RouterOption) *Router {
	r := &Router{
		owner:       DefaultOwner,
		handlers:    map[string]parley.Handler{},
		commands:    map[dialog.Command]parley.Handler{},
		signals:     map[string]parley.Handler{},
		titles:      map[string]string{},
		menuText:    "Here's what I can help with:",
		rephrase:    "Sorry, I didn't quite get that. Could you say it another way?",
		declined:    "No problem. I'm here whenever you need me.",
		clarifyText: "Did you mean:",
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Handle registers h under name: an intent, or the owner name of the
// questions h reads the answers to (such as flow.DefaultOwner for a flow
// engine). It panics if h is nil, the name is empty or already
// registered (programmer errors, as in ServeMux).
func (r *Router) Handle(name string, h parley.Handler) {
	switch {
	case h == nil:
		panic("intent: Router.Handle with nil handler")
	case name == "":
		panic("intent: Router.Handle with empty name")
	case r.handlers[name] != nil:
		panic(fmt.Sprintf("intent: Router.Handle: %q registered twice", name))
	}
	r.handlers[name] = h
}

// HandleFunc registers a function under name, as [Router.Handle].
func (r *Router) HandleFunc(name string, f func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error) {
	r.Handle(name, parley.HandlerFunc(f))
}

// HandleCommand registers h for a global command. It panics if h is nil
// or the command already has a handler.
func (r *Router) HandleCommand(c dialog.Command, h parley.Handler) {
	if h == nil || r.commands[c] != nil {
		panic(fmt.Sprintf("intent: Router.HandleCommand(%q): nil or registered twice", c))
	}
	r.commands[c] = h
}

// HandleSignal registers h for turns carrying the named
// [parley.Signal]. It panics if h is nil or the signal already has a
// handler.
func (r *Router) HandleSignal(name string, h parley.Handler) {
	if h == nil || name == "" || r.signals[name] != nil {
		panic(fmt.Sprintf("intent: Router.HandleSignal(%q): nil, empty or registered twice", name))
	}
	r.signals[name] = h
}

// Title returns the name shown for an intent.
func (r *Router) Title(intent string) string {
	if t, ok := r.titles[intent]; ok {
		return t
	}
	s := strings.ReplaceAll(strings.ReplaceAll(intent, "_", " "), "-", " ")
	rs := []rune(s)
	if len(rs) > 0 {
		rs[0] = unicode.ToUpper(rs[0])
	}
	return string(rs)
}

// HandleTurn routes t. See [Router].
func (r *Router) HandleTurn(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	q, open := dialog.OpenQuestion(t)
	if t.Signal != nil && strings.TrimSpace(t.Text()) == "" {
		return r.signal(ctx, w, t, q, open)
	}
	if c, ok := parley.Value(t, dialog.CommandKey); ok {
		if open && c == dialog.CommandStop {
			// An opt-out is an aside, not a new request: the
			// conversation goes on, and a form asks its question again.
			if err := r.command(ctx, w, t, c); err != nil {
				return err
			}
			return r.after(ctx, w, t, q, r.handlers[q.Owner])
		}
		if open {
			if err := r.drop(ctx, t, q); err != nil {
				return err
			}
		}
		if _, ok := dialog.Unpause(t); ok {
			dialog.CloseQuestion(t) // a form paused by the dropped question ends with it
		}
		return r.command(ctx, w, t, c)
	}
	if open {
		switch owner := r.handlers[q.Owner]; {
		case q.Owner == r.owner:
			dialog.CloseQuestion(t)
			if v, _ := parse.YesNo(t.Text()); v == "no" {
				return r.decline(ctx, w, t) // "no, thanks" to the menu
			}
			held, err := r.held(t, q)
			if err != nil {
				return err
			}
			und, _ := parley.Value(t, nlu.UnderstandingKey)
			if name := matchAnswer(t.Text(), q.Options); name != "" {
				und.Status, und.Intent, und.Then = nlu.Understood, nlu.Intent{Name: name, Confidence: 1}, nil
				if len(held) > 0 {
					und.Entities = held // the text is only the choice
				}
				return r.route(ctx, w, parley.With(t, nlu.UnderstandingKey, und))
			}
			if q.ID == clarifyID && onlyEntities(t.Text(), und.Entities) {
				// "A-1001" to "Check on a refund / Return or refund?"
				// fits either: it is kept for the request chosen, not
				// read as a new one (order tracking).
				return r.clarify(ctx, w, t, optionNames(q.Options), append(held, und.Entities...))
			}
		case owner != nil:
			return r.toOwner(ctx, w, t, q, owner)
		default:
			// Nobody reads this question any more: drop it.
			if err := r.drop(ctx, t, q); err != nil {
				return err
			}
		}
	}
	if p, ok := dialog.Unpause(t); ok {
		// The question that paused a form is gone (passed by, or the
		// menu's, not chosen from): the turn may answer the form ("$20"
		// after an offer of a person, to "How much?").
		if owner := r.handlers[p.Owner]; owner != nil {
			return r.toOwner(ctx, w, t, p, owner)
		}
		dialog.CloseQuestion(t)
	}
	return r.route(ctx, w, t)
}

// toOwner gives the turn to owner, who asked the open question q: its
// answer, or a digression, or a "no, thanks" that declines q.
func (r *Router) toOwner(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, q dialog.Question, owner parley.Handler) error {
	err := owner.HandleTurn(ctx, w, t)
	if !errors.Is(err, dialog.ErrNotAnswer) {
		if err != nil {
			return err
		}
		if err := r.reset(t); err != nil {
			return err
		}
		return r.unpause(ctx, w, t)
	}
	if v, _ := parse.YesNo(t.Text()); v == "no" {
		// A plain "no, thanks" its owner does not take as an
		// answer declines the question.
		if err := r.drop(ctx, t, q); err != nil {
			return err
		}
		return r.decline(ctx, w, t)
	}
	return r.digress(ctx, w, t, q, owner)
}

// signal routes a signal turn.
func (r *Router) signal(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, q dialog.Question, open bool) error {
	if h := r.signals[t.Signal.Name]; h != nil {
		return h.HandleTurn(ctx, w, t)
	}
	if t.Signal.Name == dialog.SignalResume {
		return r.unpause(ctx, w, t)
	}
	if open {
		if owner := r.handlers[q.Owner]; owner != nil {
			err := owner.HandleTurn(ctx, w, t)
			if !errors.Is(err, dialog.ErrNotAnswer) {
				return err
			}
		}
	}
	t.Emit(ctx, parley.Event{Kind: EventIgnored, Attrs: map[string]string{"signal": t.Signal.Name}})
	return nil
}

// digress routes a turn that did not answer the open question q, then
// resumes or drops q by its policy.
func (r *Router) digress(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, q dialog.Question, owner parley.Handler) error {
	var err error
	und, _ := parley.Value(t, nlu.UnderstandingKey)
	known := und.Status == nlu.Understood && r.handlers[und.Intent.Name] != nil
	// A question about the request that asked q ("how much is the annual
	// plan?" while choosing a plan) is for the help centre too: routing
	// it would only start that request over.
	same := known && q.Intent != "" && und.Intent.Name == q.Intent
	if q.Policy == dialog.Resume && r.questions != nil && (!known || same) && isQuestion(t.Text()) {
		if err = dialog.Report(t, dialog.Served); err != nil {
			return err
		}
		if err = r.questions.HandleTurn(ctx, w, t); err == nil {
			err = r.reset(t)
		}
	} else {
		err = r.route(ctx, w, t)
	}
	if err != nil {
		return err
	}
	return r.after(ctx, w, t, q, owner)
}

// after resumes or drops the open question q, owned by owner (nil for
// the router's own), once a turn that did not answer it was served.
func (r *Router) after(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, q dialog.Question, owner parley.Handler) error {
	cur, still := dialog.OpenQuestion(t)
	if !still || cur.Owner != q.Owner || cur.ID != q.ID || dialog.AskedThisTurn(t) {
		return nil // answered, replaced or closed by the digression
	}
	if rs, ok := owner.(dialog.Resumer); ok && q.Policy == dialog.Resume {
		t.Emit(ctx, parley.Event{Kind: EventResumed, Attrs: map[string]string{"owner": q.Owner, "question": q.ID}})
		return rs.Resume(ctx, w, t, q)
	}
	return r.drop(ctx, t, q)
}

// unpause has the owner of a question paused by the one just answered
// (a form's question, paused by an offer of a person) ask it again,
// unless the answer handed the conversation to a person.
func (r *Router) unpause(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	if o, _ := dialog.TurnOutcome(t); o == dialog.HandedOff {
		return nil
	}
	q, ok := dialog.Unpause(t)
	if !ok {
		return nil
	}
	rw := &replyCounter{next: w}
	if rs, ok := r.handlers[q.Owner].(dialog.Resumer); ok {
		t.Emit(ctx, parley.Event{Kind: EventResumed, Attrs: map[string]string{"owner": q.Owner, "question": q.ID}})
		if err := rs.Resume(ctx, rw, t, q); err != nil {
			return err
		}
	}
	if rw.n == 0 {
		dialog.CloseQuestion(t) // its owner has moved on since
	}
	return nil
}

// replyCounter counts the replies written through it. It claims no
// capability of its own: [parley.Typing] and [parley.MarkRead] reach the
// channel through Unwrap. It intercepts streaming only to count the
// streamed reply.
type replyCounter struct {
	next parley.ReplyWriter
	n    int
}

// Reply implements [parley.ReplyWriter].
func (w *replyCounter) Reply(ctx context.Context, m parley.Message) error {
	w.n++
	return w.next.Reply(ctx, m)
}

// Unwrap returns the writer it wraps, so that the channel's typing
// indicator and read receipts stay reachable.
func (w *replyCounter) Unwrap() parley.ReplyWriter { return w.next }

// StreamReply keeps the wrapped writer's streaming (or its one-message
// fallback) and counts the reply.
func (w *replyCounter) StreamReply(ctx context.Context, chunks iter.Seq2[string, error]) error {
	w.n++
	return parley.Stream(ctx, w.next, chunks)
}

// decline answers a customer who said no to the open question: nothing
// more is wanted for now.
func (r *Router) decline(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	if err := r.reset(t); err != nil {
		return err
	}
	if err := dialog.Report(t, dialog.Served); err != nil {
		return err
	}
	return w.Reply(ctx, parley.Text(r.declined))
}

// drop closes q and tells its owner, if it wants to know.
func (r *Router) drop(ctx context.Context, t *parley.Turn, q dialog.Question) error {
	dialog.CloseQuestion(t)
	t.Emit(ctx, parley.Event{Kind: EventDropped, Attrs: map[string]string{"owner": q.Owner, "question": q.ID}})
	if d, ok := r.handlers[q.Owner].(dialog.Dropper); ok {
		return d.Drop(ctx, t, q)
	}
	return nil
}

// command serves a global command.
func (r *Router) command(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, c dialog.Command) error {
	if err := r.reset(t); err != nil {
		return err
	}
	if err := dialog.Report(t, dialog.Served); err != nil {
		return err
	}
	if h := r.commands[c]; h != nil {
		return h.HandleTurn(ctx, w, t)
	}
	switch c {
	case dialog.CommandCancel:
		return w.Reply(ctx, parley.Text("OK, I've stopped that. What would you like to do next?"))
	case dialog.CommandMenu, dialog.CommandStart:
		return r.showMenu(ctx, w, t, r.menuText)
	}
	return w.Reply(ctx, parley.Text("Sorry, I can't do that here."))
}

// route serves a turn that is not an answer to an open question.
func (r *Router) route(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	und, _ := parley.Value(t, nlu.UnderstandingKey)
	switch und.Status {
	case nlu.Understood:
		if r.handlers[und.Intent.Name] == nil && r.noMatch == nil {
			return r.notUnderstood(ctx, w, t, "no handler")
		}
		if err := r.reset(t); err != nil {
			return err
		}
		if err := dialog.Report(t, dialog.Served); err != nil {
			return err
		}
		return r.dispatch(ctx, w, t, und)
	case nlu.Ambiguous:
		var cands []string
		for _, in := range und.Ranked {
			if len(cands) == 2 || (len(cands) > 0 && in.Confidence < clarifyFloor) {
				break
			}
			if r.handlers[in.Name] != nil {
				cands = append(cands, in.Name)
			}
		}
		if len(cands) < 2 {
			return r.notUnderstood(ctx, w, t, string(und.Status))
		}
		return r.clarify(ctx, w, t, cands, und.Entities)
	}
	if und.Status == nlu.Unsure && r.questions != nil && isQuestion(t.Text()) {
		// A question the intents do not place with confidence ("how
		// much does shipping cost? my lawyer will hear about this") may
		// still be answered by the help centre, which reports whether it
		// could.
		if err := dialog.Report(t, dialog.Served); err != nil {
			return err
		}
		return r.questions.HandleTurn(ctx, w, t)
	}
	status := string(und.Status)
	if status == "" {
		status = "not classified"
	}
	return r.notUnderstood(ctx, w, t, status)
}

// clarifyFloor is the confidence a candidate other than the top one needs
// to be offered in a clarifying question (the default policy's
// AmbiguousFloor).
const clarifyFloor = 0.2

// isQuestion reports whether text asks something: a question mark ("¿"
// counts too) or a question word first ("how much is annual").
func isQuestion(text string) bool { return parse.Question(text) }

// dispatch runs the handler of und.Intent, then those of und.Then in
// order while none has asked a question, each seeing an Understanding
// with that intent and, as Then, the intents still to come (so that a
// handler can leave out a closing question such as "Was this
// helpful?"). With several intents, the first sees the entities of the
// message's first clause and the others those of the rest: "where is
// A-1001 and also change the address of A-1010" tracks A-1001 and
// changes A-1010.
func (r *Router) dispatch(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, und nlu.Understanding) error {
	all := append([]nlu.Intent{und.Intent}, und.Then...)
	for i, in := range all {
		if i > 0 && dialog.AskedThisTurn(t) {
			break // one question per turn: the rest waits for the customer
		}
		h := r.handlers[in.Name]
		if h == nil {
			h = r.noMatch
		}
		if h == nil {
			continue
		}
		u := und
		u.Intent, u.Then, u.Status = in, all[i+1:], nlu.Understood
		if len(all) > 1 {
			u.Entities = clauseEntities(t.Text(), und.Entities, i == 0)
		}
		t.Emit(ctx, parley.Event{Kind: EventRouted, Attrs: map[string]string{"intent": in.Name}})
		if err := h.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u)); err != nil {
			return err
		}
	}
	return nil
}

// clauseEntities returns the entities of es in the first clause of text
// (first true) or after it (first false); entities without a place in
// the text go with every clause.
func clauseEntities(text string, es []nlu.Entity, first bool) []nlu.Entity {
	segs := Split(text)
	if len(segs) < 2 {
		return es
	}
	var out []nlu.Entity
	for _, e := range es {
		if e.End <= e.Start || (e.Start < segs[0].End) == first {
			out = append(out, e)
		}
	}
	return out
}

// matchAnswer maps an answer to one of the router's questions onto an
// option's payload: a tapped quick reply, the title, or its number.
func matchAnswer(text string, opts []parley.QuickReply) string {
	s := commandFold(text)
	for i, o := range opts {
		if s == commandFold(o.Payload) || s == commandFold(o.Title) || s == strconv.Itoa(i+1) {
			return o.Value()
		}
	}
	return ""
}

// clarifyID is the ID of the router's clarifying question.
const clarifyID = "clarify"

// optionNames returns the payloads of a question's options.
func optionNames(opts []parley.QuickReply) []string {
	names := make([]string, len(opts))
	for i, o := range opts {
		names[i] = o.Value()
	}
	return names
}

// held returns the entities kept for the clarifying question q and
// forgets them: they belong to this answer or to none.
func (r *Router) held(t *parley.Turn, q dialog.Question) ([]nlu.Entity, error) {
	st, err := r.load(t)
	if err != nil || len(st.Held) == 0 {
		return nil, err
	}
	held := st.Held
	st.Held = nil
	if q.ID != clarifyID {
		held = nil
	}
	return held, r.save(t, st)
}

// clarify asks which of cands the customer meant, keeping the entities
// of the message (held) for the request they choose.
func (r *Router) clarify(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, cands []string, held []nlu.Entity) error {
	st, err := r.load(t)
	if err != nil {
		return err
	}
	st.Held = held
	if err := r.save(t, st); err != nil {
		return err
	}
	titles := make([]string, len(cands))
	qr := make([]parley.QuickReply, len(cands))
	for i, c := range cands {
		titles[i] = r.Title(c)
		qr[i] = parley.QuickReply{Title: titles[i], Payload: c}
	}
	t.Emit(ctx, parley.Event{Kind: EventClarify, Attrs: map[string]string{"candidates": strings.Join(cands, ",")}})
	if err := dialog.Report(t, dialog.NotUnderstood); err != nil {
		return err
	}
	text := r.clarifyText + " " + strings.Join(titles, " / ") + "?"
	return r.ask(ctx, w, t, clarifyID, parley.Message{Text: text, QuickReplies: qr})
}

// notUnderstood asks the customer to put it another way, and the second
// time in a row shows the menu.
func (r *Router) notUnderstood(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, status string) error {
	st, err := r.load(t)
	if err != nil {
		return err
	}
	st.Misses++
	if err := r.save(t, st); err != nil {
		return err
	}
	t.Emit(ctx, parley.Event{Kind: EventFallback, Attrs: map[string]string{"status": status, "count": strconv.Itoa(st.Misses)}})
	if err := dialog.Report(t, dialog.NotUnderstood); err != nil {
		return err
	}
	if r.notUnder != nil {
		return r.notUnder.HandleTurn(ctx, w, t)
	}
	if m, ok := parley.Value(t, nlu.MoodKey); ok && m.Label == "negative" {
		// An upset customer ("terrible service") is not asked to say it
		// another way, nor told the bot did not get it: what the bot can
		// do, at once.
		return r.showMenu(ctx, w, t, r.menuText)
	}
	if r.outOfScope != "" && status == string(nlu.OutOfScope) && isQuestion(t.Text()) {
		// Understood to be outside what the bot does, the second
		// time too: "I still didn't get that" would not be true.
		return r.showMenu(ctx, w, t, r.outOfScope)
	}
	if st.Misses == 1 {
		return w.Reply(ctx, parley.Text(r.rephrase))
	}
	if st.Misses%2 == 1 {
		// The third miss in a row and every other one after it (when
		// escalation offered a person and the customer let it pass):
		// not the same sentence as the miss before.
		return r.showMenu(ctx, w, t, "I'm still not sure what you need. "+r.menuText)
	}
	return r.showMenu(ctx, w, t, "Sorry, I still didn't get that. "+r.menuText)
}

// showMenu shows the menu as the router's question.
func (r *Router) showMenu(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, text string) error {
	qr := make([]parley.QuickReply, 0, len(r.menu))
	for _, in := range r.menu {
		qr = append(qr, parley.QuickReply{Title: r.Title(in), Payload: in})
	}
	return r.ask(ctx, w, t, "menu", parley.Message{Text: text, QuickReplies: qr})
}

// ask sends m as the router's question id. When a question was already
// asked this turn it sends the text alone.
func (r *Router) ask(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, id string, m parley.Message) error {
	err := dialog.Ask(t, dialog.Question{ID: id, Owner: r.owner, Text: m.Text, Options: m.QuickReplies, Policy: dialog.Drop})
	switch {
	case errors.Is(err, dialog.ErrQuestionOpen):
		m.QuickReplies = nil
	case err != nil:
		return err
	}
	return w.Reply(ctx, m)
}

// reset forgets the count of turns not understood.
func (r *Router) reset(t *parley.Turn) error {
	s := t.Session()
	if s == nil || len(s.State[stateKey.Name()]) == 0 {
		return nil
	}
	st, err := r.load(t)
	if err != nil {
		return err
	}
	return r.save(t, routerState{Held: st.Held})
}

func (r *Router) load(t *parley.Turn) (routerState, error) {
	s := t.Session()
	if s == nil {
		return routerState{}, nil
	}
	st, _, err := stateKey.Get(s)
	if err != nil {
		return routerState{}, fmt.Errorf("intent: router state: %w", err)
	}
	return st, nil
}

func (r *Router) save(t *parley.Turn, st routerState) error {
	s := t.Session()
	if s == nil {
		return nil
	}
	if st.Misses == 0 && len(st.Held) == 0 {
		stateKey.Delete(s)
		return nil
	}
	if err := stateKey.Set(s, st); err != nil {
		return fmt.Errorf("intent: router state: %w", err)
	}
	return nil
}
