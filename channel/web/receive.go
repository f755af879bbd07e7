package web

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
)

// receive handles one decoded inbound frame of conversation cv: it applies
// the rate limit, echoes and records user messages, and runs the bot. It
// returns a *rejectError for refused input, or the bot's error.
func (h *Chat) receive(ctx context.Context, cv *conversation, f inFrame) error {
	switch f.Type {
	case framePing:
		return nil
	case frameHello:
		return reject(errBadFrame, "hello is only valid as the first WebSocket frame")
	}
	now := time.Now()
	lim := cv.limiter
	if f.Type != frameMessage {
		lim = cv.events
	}
	if !lim.AllowN(now, 1) {
		e := reject(errRateLimited, "too many messages; wait a moment")
		e.MessageID = f.ID
		return e
	}
	if !h.allowFrame(ctx) {
		e := reject(errRateLimited, "too many messages from this address; wait a moment")
		e.MessageID = f.ID
		return e
	}
	switch f.Type {
	case frameConsent:
		state, err := h.setConsent(ctx, cv, *f.Granted)
		if err != nil {
			h.emit(ctx, parley.Event{Kind: eventStoreError, ConversationID: cv.id, Err: err})
			return &rejectError{Code: codeInternal, Reason: "could not record the consent answer", ConversationID: cv.id, err: err}
		}
		cv.broadcast(encode(outFrame{Type: "consent", Conversation: cv.id, Consent: state}))
		h.emit(ctx, parley.Event{Kind: eventConsent, ConversationID: cv.id, Attrs: map[string]string{"consent": state}})
		return nil
	case frameMessage:
		m := parley.Message{ID: f.ID, Text: f.Text, Locale: f.Locale}
		return h.userMessage(ctx, cv, f.ID, m, f.Payload)
	case frameTrack:
		return h.track(ctx, cv, f)
	}
	return reject(errBadFrame, "unknown frame type")
}

// userMessage echoes and records a visitor message once, acknowledges it,
// and passes it to the bot once. A resent message (same ID, after a
// reconnect) is only acknowledged, unless the bot failed to handle the
// first copy.
func (h *Chat) userMessage(ctx context.Context, cv *conversation, id string, m parley.Message, payload string) error {
	return h.deliver(ctx, cv, id, m, payload, nil)
}

// userMessageData is userMessage for an upload: the bot's copy of the
// single attachment carries data.
func (h *Chat) userMessageData(ctx context.Context, cv *conversation, id string, m parley.Message, data []byte) error {
	return h.deliver(ctx, cv, id, m, "", data)
}

func (h *Chat) deliver(ctx context.Context, cv *conversation, id string, m parley.Message, payload string, data []byte) error {
	now := time.Now()
	if h.cfg.Redact != nil && m.Text != "" {
		text, err := h.cfg.Redact(ctx, cv.id, m.Text)
		if err != nil {
			return &rejectError{Code: codeInternal, Reason: "could not redact the message", MessageID: id, ConversationID: cv.id, err: err}
		}
		m.Text = text
	}
	if cv.markSeen(id) {
		e := entry{ID: id, Role: roleUser, Message: m, Time: now}
		h.keep(ctx, cv, e)
		cv.broadcast(encode(outFrame{Type: "message", Entry: &e}))
	}
	if h.enqueuer() == nil {
		cv.broadcast(encode(outFrame{Type: "ack", ID: id}))
	}
	if !cv.claim(id) {
		if h.enqueuer() != nil {
			cv.broadcast(encode(outFrame{Type: "ack", ID: id}))
		}
		return nil
	}

	in := m
	in.Extras = map[string]any{extrasKey: map[string]any{"text": m.Text, "payload": payload}}
	if payload != "" {
		in.Text = payload
	}
	if data != nil && len(in.Attachments) == 1 {
		a := in.Attachments[0]
		a.Data = data
		in.Attachments = []parley.Attachment{a}
	}
	t := &parley.Turn{ConversationID: cv.id, CustomerID: h.customer(ctx, cv), Channel: webChannel, MessageID: id, Time: now,
		Locale: m.Locale, Message: in}
	return h.run(ctx, cv, t, id)
}

// track turns a page event into a signal turn. Data gains "count_24h":
// how many events of the same name (and the same "id" field, if any) the
// conversation sent in the last 24 hours, this one included, so that a
// rule such as "viewed a product 3 times in 24 hours" is a comparison.
func (h *Chat) track(ctx context.Context, cv *conversation, f inFrame) error {
	if !h.trackAllowed(f.Name) {
		e := reject(errEventNotAllowed, fmt.Sprintf("event %q is not one a page may send", f.Name))
		e.MessageID = f.ID
		e.ConversationID = cv.id
		return e
	}
	if h.enqueuer() == nil {
		cv.broadcast(encode(outFrame{Type: "ack", ID: f.ID}))
	}
	if !cv.claim(f.ID) {
		if h.enqueuer() != nil {
			cv.broadcast(encode(outFrame{Type: "ack", ID: f.ID}))
		}
		return nil
	}
	now := time.Now()
	data := make(map[string]string, len(f.Data)+1)
	maps.Copy(data, f.Data)
	n := cv.countSignal(f.Name+"\x00"+f.Data["id"], now)
	data["count_24h"] = strconv.Itoa(n)
	t := &parley.Turn{ConversationID: cv.id, CustomerID: h.customer(ctx, cv), Channel: webChannel, MessageID: f.ID, Time: now,
		Locale: f.Locale, Signal: &parley.Signal{Name: f.Name, Data: data}}
	return h.run(ctx, cv, t, "")
}

// An enqueuer accepts a turn durably and runs it later, as [*parley.Bot]
// does; its replies come back through [Chat.Sender].
type enqueuer interface {
	Enqueue(ctx context.Context, t *parley.Turn) error
}

// enqueuer returns the handler as an enqueuer, or nil if it cannot
// enqueue.
func (h *Chat) enqueuer() enqueuer {
	e, _ := (*h.bot.Load()).(enqueuer)
	return e
}

// run passes t to the bot. inbound is the visitor message the turn
// answers, "" for a signal. A bot that can enqueue gets the turn through
// Enqueue, and the visitor's frame is acknowledged only once the turn is
// accepted (recorded in the bot's store); a bot that cannot runs it now,
// its frame acknowledged before.
func (h *Chat) run(ctx context.Context, cv *conversation, t *parley.Turn, inbound string) error {
	var err error
	if q := h.enqueuer(); q != nil {
		err = q.Enqueue(ctx, t)
		if err == nil || errors.Is(err, parley.ErrDuplicate) {
			cv.broadcast(encode(outFrame{Type: "ack", ID: t.MessageID}))
			return nil
		}
	} else {
		err = (*h.bot.Load()).HandleTurn(ctx, &replyWriter{h: h, cv: cv, inbound: inbound}, t)
	}
	if err != nil {
		cv.release(t.MessageID)
		h.emit(ctx, parley.Event{Kind: eventTurnFailed, ConversationID: cv.id, MessageID: t.MessageID, Err: err})
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return err
		}
		return &rejectError{Code: codeInternal, Reason: "the bot could not handle the message", MessageID: t.MessageID,
			ConversationID: cv.id, err: err}
	}
	return nil
}

// replyWriter delivers a turn's replies to every open connection of the
// conversation and keeps them in the transcript. It implements
// [parley.Typer] and [parley.ReadMarker]. The visitor's message shows as
// read once the bot engages with it (its first typing indicator or reply),
// unless the bot marked it read itself, so read receipts work with bots
// that never call MarkRead.
//
// A replyWriter belongs to one turn; the Bot calls it from the turn's
// goroutine only.
type replyWriter struct {
	h       *Chat
	cv      *conversation
	inbound string // the visitor message of the turn; "" for signals and pushes
	read    bool
}

// engage marks the inbound message read before the bot's first output.
func (w *replyWriter) engage() {
	if w.inbound != "" && !w.read {
		w.read = true
		w.cv.markRead(w.inbound)
		w.cv.broadcast(encode(outFrame{Type: "read", ID: w.inbound}))
	}
}

var (
	_ parley.ReplyWriter = (*replyWriter)(nil)
	_ parley.Typer       = (*replyWriter)(nil)
	_ parley.ReadMarker  = (*replyWriter)(nil)
)

// Reply sends m. A visitor who is not connected sees it on reconnect, if
// they consented to keeping the conversation.
func (w *replyWriter) Reply(ctx context.Context, m parley.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	id := m.ID
	if id == "" {
		id = uuid.NewString()
	} else if !w.cv.markSent(id) {
		return nil // already delivered: an outbox re-send
	}
	w.engage()
	now := time.Now()
	e := entry{ID: id, Role: roleBot, Message: w.h.outbound(w.cv, m), Time: now, Human: humanOf(m)}
	w.h.keep(ctx, w.cv, e)
	w.cv.broadcastOrHold(encode(outFrame{Type: "message", Entry: &e}))
	return nil
}

// Typing shows the typing indicator until the next reply (or for at most
// 15 seconds).
func (w *replyWriter) Typing(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w.engage()
	w.cv.broadcast(encode(outFrame{Type: "typing"}))
	return nil
}

// MarkRead shows the visitor's message id as read.
func (w *replyWriter) MarkRead(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if id == w.inbound {
		if w.read {
			return nil
		}
		w.read = true
	}
	if w.cv.markRead(id) {
		w.h.keepRead(ctx, w.cv, id)
	}
	w.cv.broadcast(encode(outFrame{Type: "read", ID: id}))
	return nil
}

// typing shows the typing indicator in conversation to.ConversationID
// until the next reply (or for at most 15 seconds), and shows the
// visitor's message inbound as read, if it was not yet: the bot engaged
// with it. It is the typing indicator of turns a [*parley.Bot] runs after
// [parley.Bot.Enqueue], when the Chat is its Sender for "web"; a
// conversation with no open connection is left alone.
func (h *Chat) typing(ctx context.Context, to parley.Address, inbound string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cv := h.lookup(to.ConversationID, false)
	if cv == nil {
		return nil
	}
	cv.engage(inbound)
	cv.broadcast(encode(outFrame{Type: "typing"}))
	return nil
}

// markRead shows the visitor's message messageID in conversation
// to.ConversationID as read, once. It is the read receipt of turns a
// [*parley.Bot] runs after [parley.Bot.Enqueue], when the Chat is its
// Sender for "web".
func (h *Chat) markRead(ctx context.Context, to parley.Address, messageID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cv := h.lookup(to.ConversationID, false)
	if cv == nil || !cv.markRead(messageID) {
		return nil
	}
	h.keepRead(ctx, cv, messageID)
	cv.broadcast(encode(outFrame{Type: "read", ID: messageID}))
	return nil
}

// outbound prepares a bot message for the wire: channel extras are dropped
// and inline attachment data is kept as a file behind a signed link.
func (h *Chat) outbound(cv *conversation, m parley.Message) parley.Message {
	m.Extras = nil
	if len(m.Attachments) == 0 {
		return m
	}
	atts := make([]parley.Attachment, len(m.Attachments))
	for i, a := range m.Attachments {
		if len(a.Data) > 0 {
			id := uuid.NewString()
			mt := a.MIMEType
			if mt == "" {
				mt = "application/octet-stream"
			}
			h.files.keep(cv, id, &upload{name: a.Name, mime: mt, data: a.Data}, 8*h.cfg.MaxUploadBytes, 0)
			a.URL = h.fileURL(cv.id, id)
			a.Data = nil
		}
		atts[i] = a
	}
	m.Attachments = atts
	return m
}

// fileURL is the signed link of a kept file, relative to the handler's
// mount point.
func (h *Chat) fileURL(conv, file string) string {
	return "files/" + url.PathEscape(conv) + "/" + file + "?sig=" + fileSig(h.cfg.Secret, conv, file)
}
