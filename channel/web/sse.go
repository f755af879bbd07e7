package web

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/parleyhq/parley"
)

const sseHeartbeat = 25 * time.Second

// serveSSE streams a conversation's frames as server-sent events, for
// browsers or networks where the WebSocket fails. Each event's data is one
// JSON frame, the same frames the WebSocket carries, starting with ready.
// The token comes in an "Authorization: Bearer" header (the widget reads
// the stream with fetch, so the token never appears in a URL).
func (h *Chat) serveSSE(w http.ResponseWriter, r *http.Request) {
	cv, ok := h.admit(w, r)
	if !ok {
		return
	}
	defer h.wg.Done()
	rc := http.NewResponseController(w)
	ctx := r.Context()
	cl := newClient()
	cl.send(h.readyFrame(ctx, cv))
	if !h.attach(cv, cl) {
		h.fail(w, r, cv.id, reject(errRateLimited, "too many open connections"))
		return
	}
	h.emit(ctx, parley.Event{Kind: eventConnected, ConversationID: cv.id, Attrs: map[string]string{"transport": "sse"}})
	err := h.streamSSE(w, r, rc, cl)
	cl.close()
	cv.removeClient(cl, time.Now())
	h.emit(ctx, parley.Event{Kind: eventDisconnected, ConversationID: cv.id, Err: err,
		Attrs: map[string]string{"transport": "sse"}})
}

// streamSSE writes queued frames until the client is closed or goes away.
// It returns the write error that ended the stream, nil for a normal end.
func (h *Chat) streamSSE(w http.ResponseWriter, r *http.Request, rc *http.ResponseController, cl *client) error {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	// The stream outlives the server's ReadTimeout, whose background
	// read would otherwise cancel the request's context: clear it.
	if err := rc.SetReadDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	w.WriteHeader(http.StatusOK)
	tick := time.NewTicker(sseHeartbeat)
	defer tick.Stop()
	for {
		select {
		case b := <-cl.out:
			// Send everything already queued before flushing.
			if err := writeQueued(w, b, cl.out); err != nil {
				return err
			}
		case <-tick.C:
			if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil {
				return err
			}
		case <-cl.done:
			// Send what is already queued, then end the stream.
			if err := writeQueued(w, nil, cl.out); err != nil {
				return err
			}
			return rc.Flush()
		case <-r.Context().Done():
			return nil
		}
		if err := rc.Flush(); err != nil {
			return err
		}
	}
}

// writeQueued writes first (unless it is nil) and then every frame
// already waiting in out, without blocking.
func writeQueued(w io.Writer, first []byte, out <-chan []byte) error {
	if first != nil {
		if err := writeEvent(w, first); err != nil {
			return err
		}
	}
	for {
		select {
		case b := <-out:
			if err := writeEvent(w, b); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

// writeEvent writes one JSON frame as an SSE event. JSON from
// encoding/json holds no raw newlines, so one data line suffices.
func writeEvent(w io.Writer, b []byte) error {
	if _, err := io.WriteString(w, "data: "); err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n\n")
	return err
}

// serveSend accepts one frame by POST, for the SSE fallback. It answers
// once the turn is accepted (enqueued) or, for a bot that cannot enqueue,
// has run; replies arrive on the event stream.
func (h *Chat) serveSend(w http.ResponseWriter, r *http.Request) {
	cv, ok := h.admit(w, r)
	if !ok {
		return
	}
	defer h.wg.Done()
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxFrameBytes))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		h.fail(w, r, cv.id, reject(errTooLarge, "request body over the limit"))
		return
	}
	if err != nil {
		h.fail(w, r, cv.id, reject(errBadFrame, "read body: "+shorten(err.Error())))
		return
	}
	f, err := decodeFrame(b, h.cfg.MaxMessageBytes)
	if err == nil {
		err = h.receive(r.Context(), cv, f)
	}
	if err != nil {
		var re *rejectError
		if !errors.As(err, &re) {
			re = &rejectError{Code: codeInternal, Reason: "the bot could not handle the message", err: err}
		}
		if re.Code == codeInternal {
			// Already reported as eventTurnFailed.
			writeError(w, re)
			return
		}
		h.fail(w, r, cv.id, re)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}
