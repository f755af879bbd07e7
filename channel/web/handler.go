package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
)

// Channel is the channel name of web chat turns.
const Channel = "web"

// ExtrasKey is the key under which an inbound message's [parley.Message.Extras]
// hold web details: a map[string]string with "text", what the visitor saw
// or typed, and "payload", the payload of the button they tapped, if any.
const ExtrasKey = "web"

// Talk-to-a-human button: the widget always shows it; tapping it sends a
// message whose text is HumanText and whose payload is HumanPayload, so the
// turn's text is "human", the word flows and escalation rules treat as a
// request for a person.
const (
	HumanText    = "talk to a human"
	HumanPayload = "human"
)

// Event kinds emitted to [Config.Observer].
const (
	// EventRejected is emitted when inbound input is refused; Err is a
	// *RejectError.
	EventRejected parley.EventKind = "web.rejected"
	// EventConnected and EventDisconnected are emitted when a WebSocket or
	// event stream opens or closes; Attrs["transport"] is "websocket" or
	// "sse", and Err of a disconnection holds an abnormal cause.
	EventConnected    parley.EventKind = "web.connected"
	EventDisconnected parley.EventKind = "web.disconnected"
	// EventConsent is emitted when the visitor answers the consent
	// question; Attrs["consent"] is "granted" or "declined".
	EventConsent parley.EventKind = "web.consent"
	// EventTurnFailed is emitted when the bot returns an error for a turn
	// (for a [parley.Bot], only when the turn could not run at all); Err
	// holds it and the visitor gets an error frame.
	EventTurnFailed parley.EventKind = "web.turn_failed"
)

//go:embed static
var static embed.FS

// Handler is the web chat channel: an [http.Handler] that serves the
// embeddable widget and its endpoints, and passes every visitor message and
// page event to the bot as a [parley.Turn] on channel "web".
//
// Mount it under a prefix with [http.StripPrefix]:
//
//	mux.Handle("/chat/", http.StripPrefix("/chat", h))
//
// and add <script src="/chat/widget.js" async></script> to any page. The
// routes, relative to the mount point, are:
//
//	GET  /widget.js, /widget.css   the widget (plain JS and CSS)
//	GET  /demo                     a demo product page with the widget
//	POST /session                  a visitor token, consent state and history
//	GET  /ws                       the WebSocket
//	GET  /events                   the event stream (SSE fallback)
//	POST /send                     send a frame (SSE fallback)
//	POST /upload                   upload a file or image (multipart)
//	GET  /files/{conv}/{file}      an uploaded file, by signed link
//
// A Handler is safe for concurrent use. It owns the goroutines of its open
// connections; [Handler.Close] closes them and waits.
type Handler struct {
	bot     parley.Handler
	cfg     Config
	mux     *http.ServeMux
	cop     *http.CrossOriginProtection
	origins map[string]bool
	hosts   []string

	mu        sync.Mutex
	convs     map[string]*conversation
	closed    bool
	lastSweep time.Time
	wg        sync.WaitGroup
}

var _ channel.Adapter = (*Handler)(nil)

// NewHandler returns a Handler that passes turns to bot, normally a
// [*parley.Bot]. It returns an error if cfg is invalid, and panics if bot
// is nil.
func NewHandler(bot parley.Handler, cfg Config) (*Handler, error) {
	if bot == nil {
		panic("web: NewHandler with nil bot")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	h := &Handler{
		bot:     bot,
		cfg:     cfg,
		mux:     http.NewServeMux(),
		cop:     http.NewCrossOriginProtection(),
		origins: make(map[string]bool),
		convs:   make(map[string]*conversation),
	}
	for _, o := range cfg.AllowedOrigins {
		if err := h.cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("web: Config.AllowedOrigins: %w", err)
		}
		u, err := url.Parse(o)
		if err != nil {
			return nil, fmt.Errorf("web: Config.AllowedOrigins: %w", err)
		}
		h.origins[o] = true
		h.hosts = append(h.hosts, u.Host)
	}
	h.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, "", reject(ErrOrigin, "cross-origin request from "+shorten(r.Header.Get("Origin"))))
	}))

	h.mux.HandleFunc("GET /widget.js", h.serveStatic("static/widget.js", "text/javascript; charset=utf-8"))
	h.mux.HandleFunc("GET /widget.css", h.serveStatic("static/widget.css", "text/css; charset=utf-8"))
	h.mux.Handle("GET /demo", DemoPage("widget.js"))
	h.mux.Handle("POST /session", h.api(h.serveSession))
	h.mux.HandleFunc("GET /ws", h.serveWS)
	h.mux.Handle("GET /events", h.api(h.serveSSE))
	h.mux.Handle("POST /send", h.api(h.serveSend))
	h.mux.Handle("POST /upload", h.api(h.serveUpload))
	h.mux.HandleFunc("GET /files/{conv}/{file}", h.serveFile)
	h.mux.HandleFunc("OPTIONS /", h.preflight)
	return h, nil
}

// ServeHTTP serves the widget and its endpoints.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Token returns a visitor token for the conversation id. Applications that
// know who the visitor is (a signed-in customer) can mint one and hand it
// to the widget as data-token, so that the conversation follows the
// customer across devices.
func (h *Handler) Token(conversationID string) (string, error) {
	if conversationID == "" {
		return "", errors.New("web: Token: empty conversation ID")
	}
	return signToken(h.cfg.Secret, conversationID, h.cfg.Clock())
}

// History returns the kept transcript of a conversation, oldest first: empty
// unless the visitor consented to keeping it. It fails only when
// [Config.Store] does.
func (h *Handler) History(ctx context.Context, conversationID string) ([]Entry, error) {
	_, hist, err := h.consentAndHistory(ctx, conversationID)
	return hist, err
}

// Connected reports whether the visitor of a conversation has at least one
// open connection.
func (h *Handler) Connected(conversationID string) bool {
	cv := h.lookup(conversationID, false)
	return cv != nil && cv.connected() > 0
}

// Push sends a proactive message to a connected visitor, outside any turn:
// a reminder, an agent's message, an offer. It returns [ErrNotConnected] if
// the visitor has no open connection, in which case nothing is sent or
// kept.
func (h *Handler) Push(ctx context.Context, conversationID string, m parley.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cv := h.lookup(conversationID, false)
	if cv == nil || cv.connected() == 0 {
		return ErrNotConnected
	}
	return (&replyWriter{h: h, cv: cv}).Reply(ctx, m)
}

// Link links the visitor of a conversation to the customer who owns the
// verified contact c (an e-mail address or phone number the application
// has confirmed, for example with a code), through [Config.Linker], and
// returns the customer ID. Later turns of the conversation carry it as
// CustomerID. It returns an error if no Linker is configured.
func (h *Handler) Link(ctx context.Context, conversationID string, c channel.Contact) (string, error) {
	if h.cfg.Linker == nil {
		return "", errors.New("web: Link: no Config.Linker")
	}
	customer, err := h.cfg.Linker.Link(ctx, channel.Identity{Channel: Channel, UserID: conversationID}, c)
	if err != nil {
		return "", fmt.Errorf("web: link %q: %w", conversationID, err)
	}
	if cv := h.lookup(conversationID, false); cv != nil {
		cv.mu.Lock()
		cv.customer = customer
		cv.mu.Unlock()
	}
	return customer, nil
}

// customer returns the customer ID linked to cv, or "" when there is no
// Linker, no link, or the Linker failed (reported as
// channel.EventIdentityError).
func (h *Handler) customer(ctx context.Context, cv *conversation) string {
	if h.cfg.Linker == nil {
		return ""
	}
	cv.mu.Lock()
	c := cv.customer
	cv.mu.Unlock()
	if c != "" {
		return c
	}
	c, err := h.cfg.Linker.Resolve(ctx, channel.Identity{Channel: Channel, UserID: cv.id})
	if errors.Is(err, channel.ErrNotLinked) {
		return ""
	}
	if err != nil {
		h.emit(ctx, parley.Event{Kind: channel.EventIdentityError, ConversationID: cv.id, Err: err})
		return ""
	}
	cv.mu.Lock()
	cv.customer = c
	cv.mu.Unlock()
	return c
}

// Close closes every open connection and waits for their goroutines and
// the turns in flight to end, or for ctx to end. Connections and messages
// that arrive afterwards get 503 Service Unavailable. It does not shut down
// the bot.
func (h *Handler) Close(ctx context.Context) error {
	h.mu.Lock()
	h.closed = true
	convs := make([]*conversation, 0, len(h.convs))
	for _, cv := range h.convs {
		convs = append(convs, cv)
	}
	h.mu.Unlock()
	for _, cv := range convs {
		cv.closeClients()
	}
	done := make(chan struct{})
	go func() {
		h.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// begin registers a connection goroutine; it reports false after Close.
func (h *Handler) begin() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.wg.Add(1)
	return true
}

// lookup returns the conversation id, creating it if create is set (nil
// when Config.MaxConversations are already held), and forgets idle
// conversations now and then.
func (h *Handler) lookup(id string, create bool) *conversation {
	now := h.cfg.Clock()
	h.mu.Lock()
	defer h.mu.Unlock()
	cv := h.convs[id]
	if cv != nil || !create {
		h.sweepLocked(now, false)
		return cv
	}
	if len(h.convs) >= h.cfg.MaxConversations {
		h.sweepLocked(now, true)
		if len(h.convs) >= h.cfg.MaxConversations {
			return nil
		}
	}
	cv = newConversation(id, &h.cfg, now)
	h.convs[id] = cv
	return cv
}

// sweepLocked forgets idle conversations, at most once a minute unless
// forced.
func (h *Handler) sweepLocked(now time.Time, force bool) {
	if !force && now.Sub(h.lastSweep) <= time.Minute {
		return
	}
	h.lastSweep = now
	cut := now.Add(-h.cfg.IdleTTL)
	for k, cv := range h.convs {
		if cv.idle(cut) {
			delete(h.convs, k)
		}
	}
}

// errFull is the rejection for a new conversation beyond
// Config.MaxConversations.
func errFull() *RejectError {
	return reject(ErrRateLimited, "too many conversations; try again later")
}

func (h *Handler) emit(ctx context.Context, e parley.Event) {
	if h.cfg.Observer == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = h.cfg.Clock()
	}
	e.Channel = Channel
	h.cfg.Observer.Observe(ctx, e)
}

func (h *Handler) emitReject(ctx context.Context, conv string, err *RejectError) {
	err.ConversationID = conv
	h.emit(ctx, parley.Event{Kind: EventRejected, ConversationID: conv, MessageID: err.MessageID, Err: err,
		Attrs: map[string]string{"code": err.Code}})
}

// fail reports a rejected HTTP request to the observer and to the client.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, conv string, err *RejectError) {
	h.emitReject(r.Context(), conv, err)
	writeError(w, err)
}

// unavailable answers a request that arrives after Close.
func unavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "5")
	writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": map[string]string{"code": "closed", "message": ErrClosed.Error()}})
}

func writeError(w http.ResponseWriter, err *RejectError) {
	writeJSON(w, err.status(), map[string]any{"error": map[string]string{"code": err.Code, "message": err.clientText()}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"web: cannot encode response"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// The response is complete or the client is gone; nothing to do about
	// a write error here.
	if _, err := w.Write(b); err != nil {
		return
	}
}

// originOK reports whether a browser request comes from the handler's own
// origin, an allowed origin, or is not a cross-origin browser request.
func (h *Handler) originOK(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	if h.origins[o] {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// api wraps an API endpoint with the origin checks (an allowed origin for
// every method, CrossOriginProtection for POST) and CORS headers.
func (h *Handler) api(fn http.HandlerFunc) http.Handler {
	inner := h.cop.Handler(fn)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.originOK(r) {
			h.fail(w, r, "", reject(ErrOrigin, "origin "+shorten(r.Header.Get("Origin"))+" is not allowed"))
			return
		}
		h.corsHeaders(w, r)
		inner.ServeHTTP(w, r)
	})
}

func (h *Handler) corsHeaders(w http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" {
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Add("Vary", "Origin")
	}
}

func (h *Handler) preflight(w http.ResponseWriter, r *http.Request) {
	if !h.originOK(r) {
		h.fail(w, r, "", reject(ErrOrigin, "origin "+shorten(r.Header.Get("Origin"))+" is not allowed"))
		return
	}
	h.corsHeaders(w, r)
	w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
	w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) serveStatic(name, ctype string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := static.ReadFile(name)
		if err != nil {
			http.Error(w, "web: missing asset", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if _, err := w.Write(b); err != nil {
			return
		}
	}
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) string {
	a := r.Header.Get("Authorization")
	if len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

// authorize returns the conversation named by the request's bearer token.
func (h *Handler) authorize(r *http.Request) (*conversation, *RejectError) {
	conv, err := parseToken(h.cfg.Secret, bearer(r), h.cfg.Clock(), h.cfg.TokenTTL)
	if err != nil {
		return nil, asReject(err, ErrInvalidToken)
	}
	cv := h.lookup(conv, true)
	if cv == nil {
		return nil, errFull()
	}
	return cv, nil
}

type sessionResponse struct {
	Token        string   `json:"token"`
	Conversation string   `json:"conversation"`
	Consent      string   `json:"consent"`
	History      []Entry  `json:"history"`
	Title        string   `json:"title"`
	Notice       string   `json:"notice"`
	Question     string   `json:"question"`
	HumanText    string   `json:"human_text"`
	HumanPayload string   `json:"human_payload"`
	MaxMessage   int      `json:"max_message"`
	MaxUpload    int64    `json:"max_upload"`
	UploadTypes  []string `json:"upload_types"`
	Labels       Labels   `json:"labels"`
}

// serveSession resumes the conversation of a valid bearer token, or starts
// a new one. A forged or expired token is reported and gets a new
// conversation: it never reveals another.
func (h *Handler) serveSession(w http.ResponseWriter, r *http.Request) {
	conv := ""
	if tok := bearer(r); tok != "" {
		c, err := parseToken(h.cfg.Secret, tok, h.cfg.Clock(), h.cfg.TokenTTL)
		if err != nil {
			h.emitReject(r.Context(), "", asReject(err, ErrInvalidToken))
			c = ""
		}
		conv = c
	}
	if conv == "" {
		conv = uuid.NewString()
	}
	tok, err := h.Token(conv)
	if err != nil {
		h.fail(w, r, conv, &RejectError{Code: CodeInternal, Reason: err.Error(), err: err})
		return
	}
	consent, hist, err := h.consentAndHistory(r.Context(), conv)
	if err != nil {
		h.emit(r.Context(), parley.Event{Kind: EventStoreError, ConversationID: conv, Err: err})
		writeError(w, &RejectError{Code: CodeInternal, ConversationID: conv, err: err})
		return
	}
	if hist == nil {
		hist = []Entry{}
	}
	writeJSON(w, http.StatusOK, sessionResponse{
		Token: tok, Conversation: conv, Consent: consent, History: hist,
		Title: h.cfg.Title, Notice: h.cfg.PrivacyNotice, Question: h.cfg.ConsentQuestion,
		HumanText: HumanText, HumanPayload: HumanPayload,
		MaxMessage: h.cfg.MaxMessageBytes, MaxUpload: h.cfg.MaxUploadBytes, UploadTypes: h.cfg.UploadTypes,
		Labels: h.cfg.Labels,
	})
}

// readyFrame is the first frame of a connection: the consent state and the
// kept history. If the store fails, the visitor can still chat: the frame
// then says the consent is unknown and carries no history, and the failure
// is reported as an [EventStoreError].
func (h *Handler) readyFrame(ctx context.Context, cv *conversation) []byte {
	consent, hist, err := h.consentAndHistory(ctx, cv.id)
	if err != nil {
		h.emit(ctx, parley.Event{Kind: EventStoreError, ConversationID: cv.id, Err: err})
	}
	return encode(outFrame{Type: "ready", Conversation: cv.id, Consent: consent, History: hist})
}
