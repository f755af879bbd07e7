package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef-test")

// pipeListener is an in-memory net.Listener: each connection is a
// net.Pipe, so that the handler's tests can run in a testing/synctest
// bubble (whose clock moves only when every goroutine waits), with no
// real socket.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// dial is the clients' DialContext: the server end goes to Accept.
func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "127.0.0.1:80" }

// newPipeServer serves h on a pipeListener; its Client dials the
// listener, whatever the URL's host.
func newPipeServer(h http.Handler) *httptest.Server {
	l := newPipeListener()
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h}}
	srv.Start()
	srv.Client().Transport.(*http.Transport).DialContext = l.dial
	return srv
}

// recorder collects the turns the bot saw and the handler's events.
type recorder struct {
	mu     sync.Mutex
	turns  []*parley.Turn
	events []parley.Event
}

func (r *recorder) Observe(_ context.Context, e parley.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) Turns() []*parley.Turn {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*parley.Turn(nil), r.turns...)
}

func (r *recorder) Rejections() []*rejectError {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*rejectError
	for _, e := range r.events {
		if e.Kind == eventRejected {
			out = append(out, e.Err.(*rejectError))
		}
	}
	return out
}

// testBot is a small deterministic bot: it shows typing, marks the message
// read and answers. Its replies go out through chat, its "web" Sender
// (none if chat is nil).
func testBot(rec *recorder, chat *Chat, opts ...parley.Option) *parley.Bot {
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		rec.mu.Lock()
		rec.turns = append(rec.turns, t)
		rec.mu.Unlock()
		if t.Signal != nil {
			return w.Reply(ctx, parley.Text(fmt.Sprintf("signal %s count=%s", t.Signal.Name, t.Signal.Data["count_24h"])))
		}
		if err := parley.Typing(ctx, w); err != nil {
			return err
		}
		if rm, ok := w.(parley.ReadMarker); ok {
			if err := rm.MarkRead(ctx, t.MessageID); err != nil {
				return err
			}
		}
		switch {
		case len(t.Message.Attachments) > 0:
			a := t.Message.Attachments[0]
			return w.Reply(ctx, parley.Text(fmt.Sprintf("got %s %s %d bytes", a.Kind, a.MIMEType, len(a.Data))))
		case t.Text() == "hello":
			return w.Reply(ctx, parley.Message{Text: "Hi! Want a discount?", QuickReplies: []parley.QuickReply{
				{Title: "Yes please", Payload: "yes"}, {Title: "No"}}})
		case t.Text() == "card":
			return w.Reply(ctx, parley.Message{Cards: []parley.Card{{Title: "Trail Runner", URL: "https://shop.example/p/1"}},
				Attachments: []parley.Attachment{{Kind: parley.Image, MIMEType: "image/png", Data: pngBytes}}})
		}
		return w.Reply(ctx, parley.Text("you said: "+t.Text()))
	})
	if chat != nil {
		opts = append(opts, parley.WithSender("web", chat.Sender()))
	}
	return parley.NewBot(h, opts...)
}

// pngBytes is a 1x1 PNG.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

type env struct {
	t   *testing.T
	h   *Chat
	srv *httptest.Server
	rec *recorder
}

func newEnv(t *testing.T, mod func(*Config)) *env {
	t.Helper()
	rec := &recorder{}
	cfg := Config{Secret: testSecret, Observer: rec, RateLimit: 100, RateBurst: 100}
	if mod != nil {
		mod(&cfg)
	}
	h, err := New(cfg)
	require.NoError(t, err)
	bot := testBot(rec, h)
	srv := newPipeServer(h.Handler(bot))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		require.NoError(t, bot.Shutdown(ctx))
		require.NoError(t, h.Close(ctx))
		srv.Close()
	})
	return &env{t: t, h: h, srv: srv, rec: rec}
}

func (e *env) history(conv string) []entry {
	e.t.Helper()
	_, h, err := e.h.consentAndHistory(context.Background(), conv)
	require.NoError(e.t, err)
	return h
}

// session calls POST /session with an optional bearer token.
func (e *env) session(token string) sessionResponse {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.srv.URL+"/session", nil)
	require.NoError(e.t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	require.Equal(e.t, http.StatusOK, resp.StatusCode)
	var s sessionResponse
	require.NoError(e.t, json.NewDecoder(resp.Body).Decode(&s))
	return s
}

// post sends a body to path with a bearer token and extra headers, and
// returns the status and decoded error code, if any.
func (e *env) post(path, token, ctype string, body io.Reader, hdr map[string]string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.srv.URL+path, body)
	require.NoError(e.t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	var out struct {
		Error struct{ Code string } `json:"error"`
	}
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	if len(b) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		require.NoError(e.t, json.Unmarshal(b, &out), string(b))
	}
	return resp.StatusCode, out.Error.Code
}

type wsClient struct {
	t       *testing.T
	c       *websocket.Conn
	pending []outFrame  // frames of a batch not yet returned
	frames  chan []byte // with keepReading: what the reader read
}

// keepReading reads the connection in the background from now on, as a
// browser does, so that it answers the handler's pings while a test in
// a synctest bubble lets hours pass; read takes the frames it read.
func (w *wsClient) keepReading() {
	w.frames = make(chan []byte, 256)
	go func() {
		defer close(w.frames)
		for {
			_, b, err := w.c.Read(context.Background())
			if err != nil {
				return
			}
			w.frames <- b
		}
	}()
}

func (e *env) dial(hdr http.Header) (*websocket.Conn, *http.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.srv.URL, "http")+"/ws", &websocket.DialOptions{HTTPHeader: hdr, HTTPClient: e.srv.Client()})
}

// connect opens a WebSocket, says hello with token and returns the client
// and the ready frame.
func (e *env) connect(token string) (*wsClient, outFrame) {
	e.t.Helper()
	c, _, err := e.dial(nil)
	require.NoError(e.t, err)
	e.t.Cleanup(func() { c.CloseNow() })
	w := &wsClient{t: e.t, c: c}
	w.send(map[string]any{"type": "hello", "token": token})
	ready := w.read()
	require.Equal(e.t, "ready", ready.Type, "first frame: %+v", ready)
	return w, ready
}

// connectConsented connects with token like connect and grants consent
// to keeping the history, waiting until the handler confirms it.
func (e *env) connectConsented(token string) *wsClient {
	e.t.Helper()
	w, _ := e.connect(token)
	w.send(map[string]any{"type": "consent", "granted": true})
	require.Equal(e.t, consentGranted, w.until("consent").Consent)
	return w
}

func (w *wsClient) send(v any) {
	w.t.Helper()
	b, err := json.Marshal(v)
	require.NoError(w.t, err)
	w.sendRaw(websocket.MessageText, b)
}

func (w *wsClient) sendRaw(typ websocket.MessageType, b []byte) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	require.NoError(w.t, w.c.Write(ctx, typ, b))
}

// read returns the next frame, unpacking batches.
func (w *wsClient) read() outFrame {
	w.t.Helper()
	if len(w.pending) == 0 {
		var b []byte
		if w.frames != nil {
			select {
			case f, ok := <-w.frames:
				require.True(w.t, ok, "the connection closed")
				b = f
			case <-time.After(15 * time.Second):
				w.t.Fatal("no frame in 15s")
			}
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			_, f, err := w.c.Read(ctx)
			require.NoError(w.t, err)
			b = f
		}
		fs, err := decodeOut(b)
		require.NoError(w.t, err)
		w.pending = fs
	}
	f := w.pending[0]
	w.pending = w.pending[1:]
	return f
}

// decodeOut decodes one WebSocket message: a frame or an array of frames.
func decodeOut(b []byte) ([]outFrame, error) {
	if len(b) > 0 && b[0] == '[' {
		var fs []outFrame
		err := json.Unmarshal(b, &fs)
		return fs, err
	}
	var f outFrame
	err := json.Unmarshal(b, &f)
	return []outFrame{f}, err
}

// until reads frames until one of type typ arrives, and returns it.
func (w *wsClient) until(typ string) outFrame {
	w.t.Helper()
	for range 50 {
		if f := w.read(); f.Type == typ {
			return f
		}
	}
	w.t.Fatalf("no %q frame in 50 frames", typ)
	return outFrame{}
}

// botReply reads until a bot message arrives.
func (w *wsClient) botReply() entry {
	w.t.Helper()
	for range 50 {
		f := w.read()
		if f.Type == "message" && f.Entry.Role == roleBot {
			return *f.Entry
		}
	}
	w.t.Fatal("no bot reply in 50 frames")
	return entry{}
}

func msg(id, text string) map[string]any {
	return map[string]any{"type": "message", "id": id, "text": text}
}

func httptestServer(t *testing.T, h *Chat, served http.Handler) *httptest.Server {
	srv := newPipeServer(served)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		require.NoError(t, h.Close(ctx))
		srv.Close()
	})
	return srv
}

// sseStream reads frames from GET /events.
type sseStream struct {
	t  *testing.T
	ch chan outFrame
}

func (e *env) openSSE(token string) *sseStream {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/events", nil)
	require.NoError(e.t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	require.Equal(e.t, http.StatusOK, resp.StatusCode)
	require.Equal(e.t, "text/event-stream", resp.Header.Get("Content-Type"))
	s := &sseStream{t: e.t, ch: make(chan outFrame, 64)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(s.ch)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var f outFrame
			if json.Unmarshal([]byte(line), &f) != nil {
				continue
			}
			select {
			case s.ch <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	e.t.Cleanup(func() {
		cancel()
		resp.Body.Close()
		<-done
	})
	return s
}

func (s *sseStream) next() outFrame {
	s.t.Helper()
	select {
	case f, ok := <-s.ch:
		require.True(s.t, ok, "event stream ended")
		return f
	case <-time.After(15 * time.Second):
		s.t.Fatal("no event within 15s")
		return outFrame{}
	}
}

// connected reports whether the visitor of a conversation has an open
// connection.
func (e *env) connected(conv string) bool {
	cv := e.h.lookup(conv, false)
	return cv != nil && cv.connected() > 0
}
