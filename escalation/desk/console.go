package desk

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/memory"
)

//go:embed static
var static embed.FS

// Console is the agents' workspace over a [Memory] desk, served as one
// page with embedded assets (no CDN): the queue, most urgent and longest
// waiting first, updated live over Server-Sent Events; the open
// conversation with the customer card, their mood over time, the facts
// gathered and the reason for the hand-off in words; a suggested reply,
// canned replies, internal notes, transfer, resolve with a reason; the
// actions waiting for approval beside the conversation they belong to
// (with [WithApprovals]); and keyboard shortcuts. Mount it under a
// prefix with [http.StripPrefix], behind the application's login:
//
//	mux.Handle("/console/", http.StripPrefix("/console", desk.NewConsole(d, desk.WithAgentName(agentOf))))
//
// Without [WithAgentName] agents type their name once and the page sends
// it with each action. Requests that change anything must be same-origin
// JSON ([http.CrossOriginProtection]); every response forbids framing
// and sniffing and carries a strict Content-Security-Policy.
//
// A Console is safe for concurrent use. Each open page holds one
// event stream, which ends when the request's context does.
type Console struct {
	desk      *Memory
	agent     func(*http.Request) string
	canned    []CannedReply
	approvals Approvals
	poll      time.Duration
	h         http.Handler

	mu     sync.Mutex
	online map[string]int         // agents with an open page
	kick   chan struct{}          // closed when the console itself changed something
	recent map[string]decidedInfo // approvals decided here, by ID, shown a while
}

type decidedInfo struct {
	a    Approval
	when time.Time
}

// A CannedReply is a ready-made answer an agent can insert and edit.
// In Text, {name} stands for the customer's first name (or "there") and
// {agent} for the agent's name.
type CannedReply struct {
	Title string `json:"title"`
	Text  string `json:"text"`
	// Locale is the language of the reply ("es"). A conversation in a
	// language some replies are written in is offered those; any other
	// is offered the replies without a Locale.
	Locale string `json:"locale,omitempty"`
}

// An Approval is an action that waits for a person's decision (a refund
// over the automatic limit, say), as the workspace shows it beside its
// conversation.
type Approval struct {
	ID             string `json:"id"`
	ConversationID string `json:"conversation"`
	CustomerID     string `json:"customer,omitempty"`
	// CustomerName is the customer's name, which the workspace shows
	// (never the ID); without it, the name on the conversation's ticket.
	CustomerName string `json:"customer_name,omitempty"`
	// What says in words what approving does: "Refund $60.00 on order
	// A-1002".
	What    string    `json:"what"`
	Amount  float64   `json:"amount,omitempty"`
	Limit   float64   `json:"limit,omitempty"`
	Created time.Time `json:"created"`
	// Status is "pending", "approved" or "rejected"; DecidedBy names who
	// decided.
	Status    string `json:"status"`
	DecidedBy string `json:"decided_by,omitempty"`
	// Transcript is the conversation so far, oldest first, when the
	// application has it (the customer may still be with the bot).
	Transcript []memory.Entry `json:"transcript,omitempty"`
}

// Approvals is the application's list of actions waiting for a person.
// Implementations must be safe for concurrent use.
type Approvals interface {
	// Pending returns the approvals waiting for a decision.
	Pending(ctx context.Context) ([]Approval, error)
	// Decide approves or rejects approval id on behalf of agent, and
	// tells the customer. Its error is shown to the agent.
	Decide(ctx context.Context, id, agent string, approve bool) error
}

// A ConsoleOption configures a [Console].
type ConsoleOption func(*Console)

// WithAgentName takes the agent's name from the request (from the
// application's session, say) instead of the name the page sends.
func WithAgentName(f func(*http.Request) string) ConsoleOption {
	return func(c *Console) { c.agent = f }
}

// WithCannedReplies replaces the default canned replies.
func WithCannedReplies(r ...CannedReply) ConsoleOption {
	return func(c *Console) { c.canned = slices.Clone(r) }
}

// WithApprovals shows a's approvals in the workspace, beside their
// conversations, for agents to decide. The console looks for new ones
// every second while a page is open.
func WithApprovals(a Approvals) ConsoleOption {
	return func(c *Console) { c.approvals = a }
}

var defaultCanned = []CannedReply{
	{Title: "Greeting", Text: "Hi {name}, I'm {agent} from the support team. I've read your conversation so far, so there's no need to repeat anything."},
	{Title: "Looking into it", Text: "Thanks for your patience, {name}. I'm looking into this now and will be back with you in a couple of minutes."},
	{Title: "Apology", Text: "I'm really sorry about this, {name}. That's not the experience we want you to have, and I'll put it right."},
	{Title: "Refund sent", Text: "I've sent the refund to your original payment method. It usually shows within 5-10 business days."},
	{Title: "Anything else", Text: "Is there anything else I can help you with today?"},
	{Title: "Closing", Text: "Thanks for chatting with us, {name}. I'll hand you back to our assistant now; you can ask for a person again any time."},
}

// NewConsole returns the workspace for d. It panics if d is nil.
func NewConsole(d *Memory, opts ...ConsoleOption) *Console {
	if d == nil {
		panic("desk: NewConsole with nil desk")
	}
	c := &Console{desk: d, canned: defaultCanned, poll: time.Second, online: map[string]int{},
		kick: make(chan struct{}), recent: map[string]decidedInfo{}}
	for _, o := range opts {
		o(c)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", c.page)
	mux.HandleFunc("GET /assets/{file}", c.asset)
	mux.HandleFunc("GET /api/state", c.getState)
	mux.HandleFunc("GET /api/events", c.events)
	mux.HandleFunc("GET /api/tickets/{id}", c.getTicket)
	mux.HandleFunc("POST /api/tickets/{id}/{verb}", c.act)
	mux.HandleFunc("POST /api/approvals/{id}/{verb}", c.decide)
	c.h = http.NewCrossOriginProtection().Handler(mux)
	return c
}

// consoleCSP allows the page's own script, style and API only.
const consoleCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// ServeHTTP implements [http.Handler].
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", consoleCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	c.h.ServeHTTP(w, r)
}

func (c *Console) page(w http.ResponseWriter, r *http.Request) {
	b, err := static.ReadFile("static/workspace.html")
	if err != nil {
		http.Error(w, "missing page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b) // the client went away: nothing to do
}

func (c *Console) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	var ctype string
	switch name {
	case "workspace.js":
		ctype = "text/javascript; charset=utf-8"
	case "workspace.css":
		ctype = "text/css; charset=utf-8"
	default:
		http.NotFound(w, r)
		return
	}
	b, err := static.ReadFile("static/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(b) // the client went away: nothing to do
}

// state is what every open page gets, pushed again when it changes.
type state struct {
	Agent     string        `json:"agent,omitempty"`
	Online    []string      `json:"online"`
	Queue     []caseSummary `json:"queue"`
	Recent    []caseSummary `json:"recent"`
	Approvals []Approval    `json:"approvals"`
	Canned    []CannedReply `json:"canned"`
	Error     string        `json:"error,omitempty"`
}

func (c *Console) state(ctx context.Context, agent string) state {
	s := state{Agent: agent, Online: []string{}, Queue: []caseSummary{}, Recent: []caseSummary{}, Approvals: []Approval{}, Canned: c.canned}
	for _, cs := range c.desk.Queue() {
		s.Queue = append(s.Queue, summarize(cs))
	}
	for _, cs := range c.desk.recent(10) {
		s.Recent = append(s.Recent, summarize(cs))
	}
	c.mu.Lock()
	for a := range c.online {
		s.Online = append(s.Online, a)
	}
	now := time.Now()
	for id, d := range c.recent {
		if now.Sub(d.when) > 10*time.Minute {
			delete(c.recent, id)
			continue
		}
		s.Approvals = append(s.Approvals, d.a)
	}
	c.mu.Unlock()
	slices.Sort(s.Online)
	if c.approvals != nil {
		p, err := c.approvals.Pending(ctx)
		if err != nil {
			s.Error = "approvals unavailable: " + err.Error()
		}
		for _, a := range p {
			if a.Status == "" {
				a.Status = "pending"
			}
			s.Approvals = append(s.Approvals, a)
		}
	}
	for i, a := range s.Approvals {
		if a.CustomerName != "" {
			continue
		}
		for _, cs := range append(s.Queue, s.Recent...) {
			if cs.Conversation == a.ConversationID && cs.Named {
				s.Approvals[i].CustomerName = cs.Customer
				break
			}
		}
	}
	slices.SortFunc(s.Approvals, func(a, b Approval) int {
		if x := a.Created.Compare(b.Created); x != 0 {
			return x
		}
		return strings.Compare(a.ID, b.ID)
	})
	return s
}

func (c *Console) agentName(r *http.Request, sent string) string {
	if c.agent != nil {
		return NormalizeName(c.agent(r))
	}
	return NormalizeName(sent)
}

func (c *Console) getState(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, c.state(r.Context(), c.agentName(r, r.URL.Query().Get("agent"))))
}

func (c *Console) getTicket(w http.ResponseWriter, r *http.Request) {
	cs, ok := c.desk.Get(r.PathValue("id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, apiError{"no such conversation"})
		return
	}
	writeJSON(w, http.StatusOK, detail(cs))
}

// events streams the state as Server-Sent Events: at once, then after
// every change of the desk or of the approvals.
func (c *Console) events(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	rc := http.NewResponseController(w)
	// A stream outlives the server's read and write timeouts: clear the
	// read deadline and move the write deadline on with each event.
	if err := rc.SetReadDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return
	}
	agent := c.agentName(r, r.URL.Query().Get("agent"))
	if agent != "" {
		c.mu.Lock()
		c.online[agent]++
		c.notifyLocked()
		c.mu.Unlock()
		defer func() {
			c.mu.Lock()
			if c.online[agent]--; c.online[agent] <= 0 {
				delete(c.online, agent)
			}
			c.notifyLocked()
			c.mu.Unlock()
		}()
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	poll := time.NewTicker(c.poll)
	defer poll.Stop()
	var last []byte
	lastWrite := time.Time{}
	for {
		changed := c.desk.Changes()
		c.mu.Lock()
		kicked := c.kick
		c.mu.Unlock()
		b, err := json.Marshal(c.state(ctx, agent))
		if err != nil {
			return
		}
		var frame []byte
		switch {
		case !bytes.Equal(b, last):
			frame = append(append([]byte("event: state\ndata: "), b...), '\n', '\n')
			last = b
		case time.Since(lastWrite) > 20*time.Second:
			frame = []byte(": keep-alive\n\n")
		}
		if frame != nil {
			if err := rc.SetWriteDeadline(time.Now().Add(10 * time.Second)); err != nil && !errors.Is(err, http.ErrNotSupported) {
				return
			}
			if _, err := w.Write(frame); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
			lastWrite = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case <-kicked:
		case <-poll.C:
		}
	}
}

// notifyLocked wakes the event streams. c.mu must be held.
func (c *Console) notifyLocked() {
	close(c.kick)
	c.kick = make(chan struct{})
}

type apiError struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "cannot encode", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(b) // the client went away: nothing to do
}

// actionBody is what the page posts.
type actionBody struct {
	Agent  string `json:"agent"`
	Text   string `json:"text"`
	To     string `json:"to"`
	Reason string `json:"reason"`
}

// readBody decodes a JSON body of at most 64 KiB.
func readBody(w http.ResponseWriter, r *http.Request) (actionBody, bool) {
	var b actionBody
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeJSON(w, http.StatusUnsupportedMediaType, apiError{"send JSON"})
		return b, false
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	if err := dec.Decode(&b); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{"bad request body"})
		return b, false
	}
	return b, true
}

func (c *Console) act(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	id, verb := r.PathValue("id"), r.PathValue("verb")
	agent := c.agentName(r, body.Agent)
	text := strings.TrimSpace(body.Text)
	if agent == "" {
		writeJSON(w, http.StatusBadRequest, apiError{"who are you? (agent name required)"})
		return
	}
	ctx := r.Context()
	var err error
	switch verb {
	case "assign":
		err = c.desk.Assign(ctx, id, agent)
	case "reply", "note":
		if text == "" {
			writeJSON(w, http.StatusBadRequest, apiError{"nothing to send"})
			return
		}
		if verb == "reply" {
			err = c.desk.Reply(ctx, id, agent, text)
		} else {
			err = c.desk.Note(ctx, id, agent, text)
		}
	case "transfer":
		to := NormalizeName(body.To)
		if to == "" || to == agent {
			writeJSON(w, http.StatusBadRequest, apiError{"transfer to whom?"})
			return
		}
		err = c.desk.Transfer(ctx, id, agent, to)
	case "resolve":
		reason := strings.TrimSpace(body.Reason)
		if reason == "" {
			writeJSON(w, http.StatusBadRequest, apiError{"say how it was resolved"})
			return
		}
		err = c.desk.Resolve(ctx, id, agent, reason)
	default:
		writeJSON(w, http.StatusNotFound, apiError{"unknown action"})
		return
	}
	switch {
	case errors.Is(err, escalation.ErrUnknownTicket):
		writeJSON(w, http.StatusNotFound, apiError{"no such conversation"})
	case errors.Is(err, escalation.ErrClosedTicket):
		writeJSON(w, http.StatusConflict, apiError{"this conversation is closed"})
	case err != nil:
		writeJSON(w, http.StatusBadGateway, apiError{"saved, but could not reach the customer: " + err.Error()})
	default:
		cs, _ := c.desk.Get(id)
		writeJSON(w, http.StatusOK, detail(cs))
	}
}

func (c *Console) decide(w http.ResponseWriter, r *http.Request) {
	if c.approvals == nil {
		http.NotFound(w, r)
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	id, verb := r.PathValue("id"), r.PathValue("verb")
	if verb != "approve" && verb != "reject" {
		writeJSON(w, http.StatusNotFound, apiError{"unknown decision"})
		return
	}
	agent := c.agentName(r, body.Agent)
	if agent == "" {
		writeJSON(w, http.StatusBadRequest, apiError{"who are you? (agent name required)"})
		return
	}
	ctx := r.Context()
	var before Approval
	if p, err := c.approvals.Pending(ctx); err == nil {
		for _, a := range p {
			if a.ID == id {
				before = a
			}
		}
	}
	if err := c.approvals.Decide(ctx, id, agent, verb == "approve"); err != nil {
		writeJSON(w, http.StatusConflict, apiError{err.Error()})
		return
	}
	if before.ID != "" {
		before.Status, before.DecidedBy, before.Transcript = "rejected", agent, nil
		if verb == "approve" {
			before.Status = "approved"
		}
		c.mu.Lock()
		c.recent[id] = decidedInfo{before, time.Now()}
		c.notifyLocked()
		c.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, before)
}

// NormalizeName returns an agent's name as the console records it:
// Unicode NFC, control and format characters removed, spaces trimmed and
// runs of spaces collapsed to one, at most 64 characters. Compare
// normalised names, case-insensitively, to decide whether two are the
// same person (" Ada" and "ada" are).
func NormalizeName(s string) string {
	s = norm.NFC.String(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 64 {
		s = strings.TrimSpace(string(r[:64]))
	}
	return s
}
