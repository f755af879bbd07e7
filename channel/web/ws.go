package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/parleyhq/parley"
)

const (
	helloTimeout = 10 * time.Second
	writeTimeout = 10 * time.Second
	// pingInterval is how often an idle-looking connection is pinged; a
	// peer that does not answer within writeTimeout is dropped, so a
	// vanished browser does not hold a connection forever.
	pingInterval = 30 * time.Second
)

// serveWS runs one WebSocket connection. The first frame must be
// {"type":"hello","token":"..."}; the server answers with a ready frame
// holding the consent state and the kept history, then relays frames both
// ways until either side closes.
func (h *Chat) serveWS(w http.ResponseWriter, r *http.Request) {
	if !h.originOK(r) {
		h.fail(w, r, "", reject(errOrigin, "origin "+shorten(r.Header.Get("Origin"))+" is not allowed"))
		return
	}
	if !h.begin() {
		unavailable(w)
		return
	}
	defer h.wg.Done()
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: h.hosts})
	if err != nil {
		// Accept has written the HTTP error response.
		h.emitReject(r.Context(), "", reject(errBadFrame, "websocket handshake: "+shorten(err.Error())))
		return
	}
	defer func() {
		// After a completed close handshake this is a no-op; otherwise it
		// drops a connection whose peer is gone, and there is nobody left
		// to report a failure to.
		if err := c.CloseNow(); err != nil {
			return
		}
	}()
	c.SetReadLimit(h.cfg.MaxFrameBytes)
	ctx := r.Context()

	cv, rerr := h.hello(ctx, c)
	select {
	case <-h.stopped:
		// Close cut the hello short: drop the connection (the widget
		// reconnects to a 503 and backs off) rather than wait for a
		// close handshake.
		return
	default:
	}
	if rerr != nil {
		h.emitReject(ctx, "", rerr)
		if err := c.Write(ctx, websocket.MessageText, errorFrame(rerr)); err != nil {
			return // the deferred CloseNow drops the connection
		}
		// 1008 tells the widget to drop its token and start afresh; any
		// other refusal (a full server, a bad first frame) is 1013, try
		// again later, so that it backs off instead.
		status := websocket.StatusTryAgainLater
		if rerr.Code == codeInvalidToken {
			status = websocket.StatusPolicyViolation
		}
		if err := c.Close(status, rerr.Code); err != nil {
			return
		}
		return
	}
	cl := newClient()
	cl.send(h.readyFrame(ctx, cv))
	if !h.attach(cv, cl) {
		h.emitReject(ctx, cv.id, reject(errRateLimited, "too many open connections"))
		if err := c.Close(websocket.StatusTryAgainLater, "too many connections"); err != nil {
			return // the deferred CloseNow drops the connection
		}
		return
	}
	h.emit(ctx, parley.Event{Kind: eventConnected, ConversationID: cv.id, Attrs: map[string]string{"transport": "websocket"}})

	var wg sync.WaitGroup
	var werr error
	wg.Go(func() { werr = writeLoop(ctx, c, cl) })
	readErr := h.readLoop(ctx, c, cv, cl)
	cl.close()
	cv.removeClient(cl, time.Now())
	wg.Wait()
	h.emit(ctx, parley.Event{Kind: eventDisconnected, ConversationID: cv.id,
		Err:   errors.Join(disconnectErr(readErr), disconnectErr(werr)),
		Attrs: map[string]string{"transport": "websocket"}})
}

// hello reads and checks the first frame.
func (h *Chat) hello(ctx context.Context, c *websocket.Conn) (*conversation, *rejectError) {
	hctx, cancel := context.WithTimeout(ctx, helloTimeout)
	defer cancel()
	go func() { // Close does not wait for a hello
		select {
		case <-h.stopped:
			cancel()
		case <-hctx.Done():
		}
	}()
	typ, b, err := c.Read(hctx)
	if err != nil {
		return nil, reject(errBadFrame, "no hello frame: "+shorten(err.Error()))
	}
	if typ != websocket.MessageText {
		return nil, reject(errBadFrame, "binary frames are not accepted")
	}
	f, err := decodeFrame(b, h.cfg.MaxMessageBytes)
	if err != nil {
		return nil, asReject(err, errBadFrame)
	}
	if f.Type != frameHello {
		return nil, reject(errBadFrame, "the first frame must be hello")
	}
	return h.conversationFor(f.Token)
}

// readLoop reads and handles frames until the connection ends, and
// returns the read error that ended it.
func (h *Chat) readLoop(ctx context.Context, c *websocket.Conn, cv *conversation, cl *client) error {
	for {
		typ, b, err := c.Read(ctx)
		if err != nil {
			if errors.Is(err, websocket.ErrMessageTooBig) {
				h.emitReject(ctx, cv.id, reject(errTooLarge, "frame over the limit; connection closed with status 1009"))
			}
			return err
		}
		var rerr error
		if typ != websocket.MessageText {
			rerr = reject(errBadFrame, "binary frames are not accepted")
		} else if f, err := decodeFrame(b, h.cfg.MaxMessageBytes); err != nil {
			rerr = err
		} else {
			rerr = h.receive(ctx, cv, f)
		}
		if rerr == nil {
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var re *rejectError
		if !errors.As(rerr, &re) {
			re = &rejectError{Code: codeInternal, Reason: "the bot could not handle the message", err: rerr}
		}
		if re.Code != codeInternal {
			h.emitReject(ctx, cv.id, re)
		}
		cl.send(errorFrame(re))
	}
}

// maxBatch bounds how many queued frames one WebSocket message carries.
const maxBatch = 32

// writeLoop writes queued frames until the client is closed, then flushes
// the queue and closes the WebSocket, which also ends the read loop. Frames
// that are already queued together go out as one message holding a JSON
// array of frames, which saves a write and a wake-up per frame. It returns
// the error that ended the connection, nil for a clean close.
func writeLoop(ctx context.Context, c *websocket.Conn, cl *client) error {
	var buf []byte
	write := func(first []byte) error {
		msg := first
		if len(cl.out) > 0 {
			buf = append(append(buf[:0], '['), first...)
		batch:
			for range maxBatch - 1 {
				select {
				case b := <-cl.out:
					buf = append(append(buf, ','), b...)
				default:
					break batch
				}
			}
			msg = append(buf, ']')
		}
		wctx, cancel := context.WithTimeout(ctx, writeTimeout)
		defer cancel()
		return c.Write(wctx, websocket.MessageText, msg)
	}
	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	for {
		select {
		case b := <-cl.out:
			if err := write(b); err != nil {
				cl.close()
				return err
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, writeTimeout)
			err := c.Ping(pctx)
			cancel()
			if err != nil {
				cl.close()
				return err
			}
		case <-cl.done:
		flush:
			for {
				select {
				case b := <-cl.out:
					if err := write(b); err != nil {
						return err
					}
				default:
					break flush
				}
			}
			return c.Close(websocket.StatusGoingAway, "closing")
		case <-ctx.Done():
			return nil
		}
	}
}

// disconnectErr returns the error worth reporting when a connection ends:
// nil for a normal close by either side.
func disconnectErr(err error) error {
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, net.ErrClosed):
		return nil
	}
	switch websocket.CloseStatus(err) {
	case websocket.StatusNormalClosure, websocket.StatusGoingAway, websocket.StatusNoStatusRcvd:
		return nil
	}
	return err
}
