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
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
)

// webChannel is the channel name of web chat turns.
const webChannel = "web"

// extrasKey is the key under which an inbound message's [parley.Message.Extras]
// hold web details: a map[string]any with string values "text", what the
// visitor saw or typed, and "payload", the payload of the button they
// tapped, if any (map[string]any because an enqueued turn is stored as
// JSON and comes back in that shape).
const extrasKey = "web"

// Talk-to-a-human button: the widget always shows it; tapping it sends a
// message whose text is humanText and whose payload is humanPayload, so the
// turn's text is "human", the word flows and escalation rules treat as a
// request for a person.
const (
	humanText    = "talk to a human"
	humanPayload = "human"
)

// Event kinds emitted to [Config.Observer].
const (
	// eventRejected is emitted when inbound input is refused; Err is a
	// *rejectError.
	eventRejected parley.EventKind = "web.rejected"
	// eventConnected and eventDisconnected are emitted when a WebSocket or
	// event stream opens or closes; Attrs["transport"] is "websocket" or
	// "sse", and Err of a disconnection holds an abnormal cause.
	eventConnected    parley.EventKind = "web.connected"
	eventDisconnected parley.EventKind = "web.disconnected"
	// eventConsent is emitted when the visitor answers the consent
	// question; Attrs["consent"] is "granted" or "declined".
	eventConsent parley.EventKind = "web.consent"
	// eventTurnFailed is emitted when the bot returns an error for a turn
	// (for a bot that can enqueue, when Enqueue fails: the turn was not
	// accepted); Err holds it and the visitor gets an error frame, so the
	// widget sends the message again.
	eventTurnFailed parley.EventKind = "web.turn_failed"
)

//go:embed static
var static embed.FS

// Chat is the web chat channel. [Chat.Handler] serves the embeddable
// widget and its endpoints, and passes every visitor message and page
// event to the bot as a [parley.Turn] on channel "web" (see
// [Chat.Handler]). [Chat.Sender] is the Bot's [parley.Sender] for "web":
// replies to enqueued turns, their typing indicators and read receipts,
// agents' messages and proactive messages reach every open connection of
// the conversation, and messages wait for the visitor's next connection
// when none is open.
//
// Mount the handler under a prefix with [http.StripPrefix]:
//
//	mux.Handle("/chat/", http.StripPrefix("/chat", chat.Handler(bot)))
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
// A Chat is safe for concurrent use. It owns the goroutines of its open
// connections; [Chat.Close] closes them and waits.
type Chat struct {
	bot     atomic.Pointer[parley.Handler]
	cfg     Config
	mux     *http.ServeMux
	cop     *http.CrossOriginProtection
	origins map[string]bool
	hosts   []string
	// translations are cfg.Translations with lower-case keys, as the
	// widget looks them up.
	translations map[string]Labels

	ipFrames *ipLimits  // inbound frames per client address
	ipConvs  *ipLimits  // new conversations per client address
	files    *fileStore // kept files of every conversation, within UploadQuota

	mu        sync.Mutex
	convs     map[string]*conversation
	closed    bool
	stopped   chan struct{} // closed by Close
	lastSweep time.Time
	wg        sync.WaitGroup
}

var _ parley.Sender = chatSender{}

// New returns a Chat. It returns an error if cfg is invalid.
func New(cfg Config) (*Chat, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	h := &Chat{
		cfg:     cfg,
		mux:     http.NewServeMux(),
		cop:     http.NewCrossOriginProtection(),
		origins: make(map[string]bool),
		convs:   make(map[string]*conversation),
		stopped: make(chan struct{}),

		ipFrames: newIPLimits(cfg.IPRateLimit, cfg.IPRateBurst),
		ipConvs:  newIPLimits(cfg.IPConversationRate, cfg.IPConversationBurst),
		files:    &fileStore{quota: cfg.UploadQuota},
	}
	if len(cfg.Translations) > 0 {
		h.translations = make(map[string]Labels, len(cfg.Translations))
		for k, l := range cfg.Translations {
			h.translations[strings.ToLower(k)] = l
		}
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
		h.fail(w, r, "", reject(errOrigin, "cross-origin request from "+shorten(r.Header.Get("Origin"))))
	}))

	h.mux.HandleFunc("GET /widget.js", h.serveStatic("static/widget.js", "text/javascript; charset=utf-8"))
	h.mux.HandleFunc("GET /widget.css", h.serveStatic("static/widget.css", "text/css; charset=utf-8"))
	h.mux.Handle("GET /demo", demoHandler("widget.js"))
	h.mux.Handle("POST /session", h.api(h.serveSession))
	h.mux.HandleFunc("GET /ws", h.serveWS)
	h.mux.Handle("GET /events", h.api(h.serveSSE))
	h.mux.Handle("POST /send", h.api(h.serveSend))
	h.mux.Handle("POST /upload", h.api(h.serveUpload))
	h.mux.HandleFunc("GET /files/{conv}/{file}", h.serveFile)
	h.mux.HandleFunc("OPTIONS /", h.preflight)
	return h, nil
}

// Handler returns the widget's endpoints, which pass every turn to bot,
// normally the [*parley.Bot]. A Chat serves one bot: a later call
// replaces it for every endpoint.
//
// A bot that can enqueue (it has a method Enqueue(ctx, *parley.Turn)
// error, as [*parley.Bot] does) gets every visitor message, upload and
// page event through Enqueue, and the widget is told the message was
// received only once Enqueue returned: with a durable store, a message
// the visitor saw acknowledged is answered even if the process stops
// mid-turn ([parley.Bot.Recover] finishes it). Its replies, typing
// indicators and read receipts come back through the Chat, which must
// therefore be the Bot's Sender for "web":
//
//	bot := parley.NewBot(h, parley.WithStore(store), parley.WithSender("web", chat.Sender()))
//
// Without it the replies stay in the Bot's outbox and the Bot reports
// each turn as an [parley.EventTurnError] whose Err wraps
// [parley.ErrNoSender]. Any other bot runs each turn through HandleTurn
// while the visitor's connection waits.
func (h *Chat) Handler(bot parley.Handler) http.Handler {
	h.bot.Store(&bot)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mux.ServeHTTP(w, r.WithContext(h.withIP(r.Context(), r)))
	})
}

// Token returns a visitor token for the conversation id. Applications that
// know who the visitor is (a signed-in customer) can mint one and hand it
// to the widget as data-token, so that the conversation follows the
// customer across devices.
func (h *Chat) Token(conversationID string) (string, error) {
	if conversationID == "" {
		return "", errors.New("web: Token: empty conversation ID")
	}
	return signToken(h.cfg.Secret, conversationID, time.Now())
}

// Sender returns the Chat's [parley.Sender]: give it to the Bot with
// parley.WithSender("web", chat.Sender()) so that the replies of enqueued
// turns, agents' and proactive messages reach the visitor. It also shows
// the typing indicator and read receipts of enqueued turns.
func (h *Chat) Sender() parley.Sender { return chatSender{h} }

// chatSender is the Chat seen as the Bot's Sender, with the optional
// Typing and MarkRead the Bot looks for.
type chatSender struct{ h *Chat }

func (s chatSender) Send(ctx context.Context, to parley.Address, m parley.Message) error {
	return s.h.send(ctx, to, m)
}

func (s chatSender) Typing(ctx context.Context, to parley.Address, inbound string) error {
	return s.h.typing(ctx, to, inbound)
}

func (s chatSender) MarkRead(ctx context.Context, to parley.Address, messageID string) error {
	return s.h.markRead(ctx, to, messageID)
}

// send delivers m to the visitor of conversation to.ConversationID: to
// every open connection, and into the
// kept transcript if the visitor consented; when no connection is open
// and nothing is kept, it waits (the last 50 messages) for the visitor's
// next connection. A message whose ID was already delivered to the
// conversation is dropped, so an outbox re-send after a restart shows once.
func (h *Chat) send(ctx context.Context, to parley.Address, m parley.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if to.ConversationID == "" {
		return errors.New("web: Send: no conversation ID")
	}
	cv := h.lookup(to.ConversationID, true)
	if cv == nil {
		return errFull()
	}
	if i := strings.LastIndexByte(m.ID, '/'); i > 0 {
		// A Bot's reply to the visitor's message m.ID[:i]: the bot
		// engaged with it, so it shows as read.
		cv.engage(m.ID[:i])
	}
	return (&replyWriter{h: h, cv: cv}).Reply(ctx, m)
}

// customer returns the customer ID linked to cv, or "" when there is no
// Linker, no link, or the Linker failed (reported as
// channel.EventIdentityError). It asks the Linker every time: a visitor
// who signs in as someone else (the application links the conversation
// anew) belongs to that customer from their next message on.
func (h *Chat) customer(ctx context.Context, cv *conversation) string {
	if h.cfg.Linker == nil {
		return ""
	}
	c, err := h.cfg.Linker.Resolve(ctx, channel.Identity{Channel: webChannel, UserID: cv.id})
	if errors.Is(err, channel.ErrNotLinked) {
		return ""
	}
	if err != nil {
		h.emit(ctx, parley.Event{Kind: channel.EventIdentityError, ConversationID: cv.id, Err: err})
		return ""
	}
	return c
}

// Close closes every open connection and waits for their goroutines and
// the turns in flight to end, or for ctx to end. Connections and messages
// that arrive afterwards get 503 Service Unavailable. It does not shut down
// the bot.
func (h *Chat) Close(ctx context.Context) error {
	h.mu.Lock()
	if !h.closed {
		h.closed = true
		close(h.stopped)
	}
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

// attach adds the connection cl to cv, as cv.addClient does, and closes
// it at once if Close has begun: Close only closes the connections it
// finds, and one that was still starting would otherwise keep it waiting.
func (h *Chat) attach(cv *conversation, cl *client) bool {
	if !cv.addClient(cl, time.Now()) {
		return false
	}
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if closed {
		cl.close()
	}
	return true
}

// begin registers a connection goroutine; it reports false after Close.
func (h *Chat) begin() bool {
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
func (h *Chat) lookup(id string, create bool) *conversation {
	now := time.Now()
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
func (h *Chat) sweepLocked(now time.Time, force bool) {
	if !force && now.Sub(h.lastSweep) <= time.Minute {
		return
	}
	h.lastSweep = now
	cut := now.Add(-h.cfg.IdleTTL)
	for k, cv := range h.convs {
		if cv.idle(cut) {
			delete(h.convs, k)
			h.files.forget(cv)
		}
	}
}

// errFull is the rejection for a new conversation beyond
// Config.MaxConversations.
func errFull() *rejectError {
	return reject(errRateLimited, "too many conversations; try again later")
}

func (h *Chat) emit(ctx context.Context, e parley.Event) {
	if h.cfg.Observer == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Channel = webChannel
	h.cfg.Observer.Observe(ctx, e)
}

func (h *Chat) emitReject(ctx context.Context, conv string, err *rejectError) {
	err.ConversationID = conv
	h.emit(ctx, parley.Event{Kind: eventRejected, ConversationID: conv, MessageID: err.MessageID, Err: err,
		Attrs: map[string]string{"code": err.Code}})
}

// fail reports a rejected HTTP request to the observer and to the client.
func (h *Chat) fail(w http.ResponseWriter, r *http.Request, conv string, err *rejectError) {
	h.emitReject(r.Context(), conv, err)
	writeError(w, err)
}

// unavailable answers a request that arrives after Close.
func unavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "5")
	writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": map[string]string{"code": "closed", "message": errClosed.Error()}})
}

func writeError(w http.ResponseWriter, err *rejectError) {
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
func (h *Chat) originOK(r *http.Request) bool {
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
func (h *Chat) api(fn http.HandlerFunc) http.Handler {
	inner := h.cop.Handler(fn)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.originOK(r) {
			h.fail(w, r, "", reject(errOrigin, "origin "+shorten(r.Header.Get("Origin"))+" is not allowed"))
			return
		}
		h.corsHeaders(w, r)
		inner.ServeHTTP(w, r)
	})
}

func (h *Chat) corsHeaders(w http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" {
		w.Header().Set("Access-Control-Allow-Origin", o)
		w.Header().Add("Vary", "Origin")
	}
}

func (h *Chat) preflight(w http.ResponseWriter, r *http.Request) {
	if !h.originOK(r) {
		h.fail(w, r, "", reject(errOrigin, "origin "+shorten(r.Header.Get("Origin"))+" is not allowed"))
		return
	}
	h.corsHeaders(w, r)
	w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
	w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

func (h *Chat) serveStatic(name, ctype string) http.HandlerFunc {
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

// admit starts an HTTP request that needs the conversation named by its
// bearer token. If the token is bad or the handler is closing it answers
// the request and returns false; otherwise the caller must call h.wg.Done
// when it has finished.
func (h *Chat) admit(w http.ResponseWriter, r *http.Request) (*conversation, bool) {
	cv, rerr := h.conversationFor(bearer(r))
	if rerr != nil {
		h.fail(w, r, "", rerr)
		return nil, false
	}
	if !h.begin() {
		unavailable(w)
		return nil, false
	}
	return cv, true
}

// conversationFor returns the conversation named by token.
func (h *Chat) conversationFor(token string) (*conversation, *rejectError) {
	conv, err := parseToken(h.cfg.Secret, token, time.Now(), h.cfg.TokenTTL)
	if err != nil {
		return nil, asReject(err, errInvalidToken)
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
	History      []entry  `json:"history"`
	Title        string   `json:"title"`
	Notice       string   `json:"notice"`
	Question     string   `json:"question"`
	HumanText    string   `json:"human_text"`
	HumanPayload string   `json:"human_payload"`
	MaxMessage   int      `json:"max_message"`
	MaxUpload    int64    `json:"max_upload"`
	UploadTypes  []string `json:"upload_types"`
	Labels       Labels   `json:"labels"`
	// Translations are Config.Translations, keys in lower case.
	Translations map[string]Labels `json:"translations,omitempty"`
}

// serveSession resumes the conversation of a valid bearer token, or starts
// a new one. A forged or expired token is reported and gets a new
// conversation: it never reveals another.
func (h *Chat) serveSession(w http.ResponseWriter, r *http.Request) {
	conv := ""
	if tok := bearer(r); tok != "" {
		c, err := parseToken(h.cfg.Secret, tok, time.Now(), h.cfg.TokenTTL)
		if err != nil {
			h.emitReject(r.Context(), "", asReject(err, errInvalidToken))
			c = ""
		}
		conv = c
	}
	if conv == "" {
		if !h.allowNewConversation(r.Context()) {
			h.fail(w, r, "", reject(errRateLimited, "too many new conversations from this address; try again later"))
			return
		}
		conv = uuid.NewString()
	}
	tok, err := h.Token(conv)
	if err != nil {
		h.fail(w, r, conv, &rejectError{Code: codeInternal, Reason: err.Error(), err: err})
		return
	}
	consent, hist, err := h.consentAndHistory(r.Context(), conv)
	if err != nil {
		h.emit(r.Context(), parley.Event{Kind: eventStoreError, ConversationID: conv, Err: err})
		writeError(w, &rejectError{Code: codeInternal, ConversationID: conv, err: err})
		return
	}
	if hist == nil {
		hist = []entry{}
	}
	writeJSON(w, http.StatusOK, sessionResponse{
		Token: tok, Conversation: conv, Consent: consent, History: hist,
		Title: h.cfg.Title, Notice: h.cfg.PrivacyNotice, Question: h.cfg.ConsentQuestion,
		HumanText: humanText, HumanPayload: humanPayload,
		MaxMessage: h.cfg.MaxMessageBytes, MaxUpload: h.cfg.MaxUploadBytes, UploadTypes: h.cfg.UploadTypes,
		Labels: h.cfg.Labels, Translations: h.translations,
	})
}

// readyFrame is the first frame of a connection: the consent state and the
// kept history. If the store fails, the visitor can still chat: the frame
// then says the consent is unknown and carries no history, and the failure
// is reported as an [eventStoreError].
func (h *Chat) readyFrame(ctx context.Context, cv *conversation) []byte {
	consent, hist, err := h.consentAndHistory(ctx, cv.id)
	if err != nil {
		h.emit(ctx, parley.Event{Kind: eventStoreError, ConversationID: cv.id, Err: err})
	}
	return encode(outFrame{Type: "ready", Conversation: cv.id, Consent: consent, History: hist})
}
