package intent

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// stateName is the session state name the router keeps its state under.
const stateName = "intent"

// routerState is the per-conversation state of a [Router].
type routerState struct {
	// Pending holds the candidates of a clarifying question just asked.
	Pending []string `json:"pending,omitempty"`
	// Fallbacks counts consecutive turns not understood.
	Fallbacks int `json:"fallbacks,omitempty"`
}

// Event kinds of the [Router].
const (
	EventRouted    parley.EventKind = "intent.routed"      // Attrs: intent
	EventClarify   parley.EventKind = "intent.clarify"     // Attrs: candidates
	EventFallback                   = parley.EventFallback // Attrs: status, count
	EventEscalated parley.EventKind = "intent.escalated"   // Attrs: reason
)

// DefaultFallbackReplies returns the default quick replies of the
// fallback message: Track Order, Refund, Speak to Human, Product Info.
func DefaultFallbackReplies() []string {
	return []string{"Track Order", "Refund", "Speak to Human", "Product Info"}
}

// A Router dispatches understood turns to the handler registered for
// their intent, as [net/http.ServeMux] does for paths. It reads the
// [parley.Understanding] that [Understander.Middleware] attached; when the
// understanding is ambiguous it asks a clarifying question and acts on the
// answer, when it is unsure or out of scope it replies with a fallback and
// quick replies, and on the second consecutive fallback it hands the
// conversation to a human through the [parley.HandOffer] given with
// [WithHandOffer].
//
// Register handlers before serving; a Router is then safe for concurrent
// use. It keeps per-conversation state in the turn's session under the
// name "intent".
type Router struct {
	handlers     map[string]parley.Handler
	titles       map[string]string
	fallbackText string
	replies      []string
	clarifyText  string
	handOffer    parley.HandOffer
	escalateAt   int
	noMatch      parley.Handler
}

// A RouterOption configures a [Router].
type RouterOption func(*Router)

// WithHandOffer sets who takes over after repeated fallbacks.
func WithHandOffer(h parley.HandOffer) RouterOption { return func(r *Router) { r.handOffer = h } }

// WithFallback sets the fallback message and its quick replies (default
// "Sorry, I didn't get that. I can help with:" and
// [DefaultFallbackReplies]).
func WithFallback(text string, quickReplies ...string) RouterOption {
	return func(r *Router) { r.fallbackText, r.replies = text, quickReplies }
}

// WithEscalateAfter sets how many consecutive fallbacks hand the
// conversation over (default 2; 0 never).
func WithEscalateAfter(n int) RouterOption { return func(r *Router) { r.escalateAt = n } }

// WithTitles sets the names shown for intents in clarifying questions
// ("track_order": "Track my order"). Others are derived from the intent
// name ("track_order" becomes "Track order").
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
// handler of their own; by default they get the fallback.
func WithNoMatch(h parley.Handler) RouterOption { return func(r *Router) { r.noMatch = h } }

// NewRouter returns an empty Router.
func NewRouter(opts ...RouterOption) *Router {
	r := &Router{
		handlers:     map[string]parley.Handler{},
		titles:       map[string]string{},
		fallbackText: "Sorry, I didn't get that. I can help with:",
		replies:      DefaultFallbackReplies(),
		clarifyText:  "Did you mean:",
		escalateAt:   2,
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Handle registers h for an intent. It panics if h is nil, the name is
// empty or already registered (programmer errors, as in ServeMux).
func (r *Router) Handle(intent string, h parley.Handler) {
	switch {
	case h == nil:
		panic("intent: Router.Handle with nil handler")
	case intent == "":
		panic("intent: Router.Handle with empty intent")
	case r.handlers[intent] != nil:
		panic(fmt.Sprintf("intent: Router.Handle: %q registered twice", intent))
	}
	r.handlers[intent] = h
}

// HandleFunc registers a function for an intent.
func (r *Router) HandleFunc(intent string, f func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error) {
	r.Handle(intent, parley.HandlerFunc(f))
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
	und, _ := parley.Value(t, parley.UnderstandingKey)
	st, err := r.load(t)
	if err != nil {
		return err
	}
	if len(st.Pending) > 0 {
		pending := st.Pending
		st.Pending = nil
		if choice := r.answer(t.Text(), pending, und); choice != "" {
			und.Status = parley.Understood
			und.Intent = parley.Intent{Name: choice, Confidence: 1}
		}
	}
	switch und.Status {
	case parley.Understood:
		h := r.handlers[und.Intent.Name]
		if h == nil && r.noMatch == nil {
			return r.fallback(ctx, w, t, st, "no handler")
		}
		st.Fallbacks = 0
		if err := r.save(t, st); err != nil {
			return err
		}
		return r.dispatch(ctx, w, t, und)
	case parley.Ambiguous:
		var cands []string
		for _, in := range und.Ranked {
			if len(cands) == 2 || (len(cands) > 0 && in.Confidence < und.Ranked[0].Confidence/2) {
				break
			}
			cands = append(cands, in.Name)
		}
		st.Pending = cands
		if err := r.save(t, st); err != nil {
			return err
		}
		return r.clarify(ctx, w, t, cands)
	default:
		status := string(und.Status)
		if status == "" {
			status = "not classified"
		}
		return r.fallback(ctx, w, t, st, status)
	}
}

// dispatch runs the handler of und.Intent, then those of und.Then in
// order, each seeing an Understanding with that intent and no Then.
func (r *Router) dispatch(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, und parley.Understanding) error {
	all := append([]parley.Intent{und.Intent}, und.Then...)
	for _, in := range all {
		h := r.handlers[in.Name]
		if h == nil {
			h = r.noMatch
		}
		if h == nil {
			continue
		}
		u := und
		u.Intent, u.Then, u.Status = in, nil, parley.Understood
		t.Emit(ctx, parley.Event{Kind: EventRouted, Attrs: map[string]string{"intent": in.Name}})
		if err := h.HandleTurn(ctx, w, parley.With(t, parley.UnderstandingKey, u)); err != nil {
			return err
		}
	}
	return nil
}

// answer maps a reply to a clarifying question onto one of its
// candidates: a tapped quick reply (the intent name), the title, its
// number ("1", "2"), or a new classification naming one of them.
func (r *Router) answer(text string, cands []string, und parley.Understanding) string {
	s := strings.ToLower(strings.TrimSpace(text))
	for i, c := range cands {
		if s == strings.ToLower(c) || s == strings.ToLower(r.Title(c)) || s == strconv.Itoa(i+1) {
			return c
		}
	}
	if und.Status == parley.Understood || und.Status == parley.Ambiguous {
		top := und.Intent.Name
		if top == "" && len(und.Ranked) > 0 {
			top = und.Ranked[0].Name
		}
		for _, c := range cands {
			if c == top {
				return c
			}
		}
	}
	return ""
}

func (r *Router) clarify(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, cands []string) error {
	titles := make([]string, len(cands))
	qr := make([]parley.QuickReply, len(cands))
	for i, c := range cands {
		titles[i] = r.Title(c)
		qr[i] = parley.QuickReply{Title: titles[i], Payload: c}
	}
	t.Emit(ctx, parley.Event{Kind: EventClarify, Attrs: map[string]string{"candidates": strings.Join(cands, ",")}})
	return w.Reply(ctx, parley.Message{Text: r.clarifyText + " " + strings.Join(titles, " / ") + "?", QuickReplies: qr})
}

func (r *Router) fallback(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, st routerState, status string) error {
	st.Fallbacks++
	st.Pending = nil
	t.Emit(ctx, parley.Event{Kind: EventFallback, Attrs: map[string]string{"status": status, "count": strconv.Itoa(st.Fallbacks)}})
	if r.handOffer != nil && r.escalateAt > 0 && st.Fallbacks >= r.escalateAt {
		st.Fallbacks = 0
		if err := r.save(t, st); err != nil {
			return err
		}
		reason := "not understood " + strconv.Itoa(r.escalateAt) + " times in a row"
		t.Emit(ctx, parley.Event{Kind: EventEscalated, Attrs: map[string]string{"reason": reason}})
		return r.handOffer.HandOff(ctx, w, t, parley.HandoffRequest{Reason: reason, Note: "last message: " + t.Text()})
	}
	if err := r.save(t, st); err != nil {
		return err
	}
	qr := make([]parley.QuickReply, len(r.replies))
	for i, q := range r.replies {
		qr[i] = parley.QuickReply{Title: q}
	}
	return w.Reply(ctx, parley.Message{Text: r.fallbackText, QuickReplies: qr})
}

func (r *Router) load(t *parley.Turn) (routerState, error) {
	s := t.Session()
	if s == nil {
		return routerState{}, nil
	}
	st, _, err := memory.GetState[routerState](s, stateName)
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
	if len(st.Pending) == 0 && st.Fallbacks == 0 {
		memory.DeleteState(s, stateName)
		return nil
	}
	if err := memory.SetState(s, stateName, st); err != nil {
		return fmt.Errorf("intent: router state: %w", err)
	}
	return nil
}
