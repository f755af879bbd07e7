package parley

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley/memory"
)

// ErrClosed is returned by [Bot.HandleTurn] after [Bot.Shutdown] has begun.
var ErrClosed = errors.New("parley: bot is shut down")

// ErrNoConversation is returned for a turn without a conversation ID: a bug
// in the channel adapter, not in user input.
var ErrNoConversation = errors.New("parley: turn has no conversation ID")

// A PanicError is the error reported when a handler panics.
type PanicError struct {
	Value any
	Stack []byte
}

// Error implements the error interface.
func (e *PanicError) Error() string { return fmt.Sprintf("parley: handler panic: %v", e.Value) }

// An InputError reports inbound input the Bot refused to pass to the handler.
// The user got a reply saying why.
type InputError struct {
	Reason string
}

// Error implements the error interface.
func (e *InputError) Error() string { return "parley: input rejected: " + e.Reason }

// Bot is the runtime that runs a [Handler] for every inbound turn, as
// [http.Server] runs an [http.Handler]:
//
//   - turns of one conversation run strictly in arrival order, different
//     conversations concurrently, at most MaxConcurrency at a time;
//   - a redelivered message (same conversation and message ID) is dropped,
//     so a webhook retry never produces a second reply;
//   - the session is loaded before the handler and saved after it, with
//     the inbound message and every reply in its history;
//   - a handler error, panic or missed deadline becomes the fallback reply
//     plus an [EventTurnError]; the state saved before the turn is kept;
//   - every turn's response time is reported as an [EventTurn].
//
// Bot is itself a Handler, so channel adapters accept either. A Bot is safe
// for concurrent use. NewBot starts no goroutines; HandleTurn runs the turn
// on the caller's goroutine and returns when it is done.
type Bot struct {
	h        Handler
	sessions *memory.Sessions
	obs      Observer
	now      func() time.Time
	timeout  time.Duration
	fallback Message
	tooLong  Message
	maxInput int
	sem      chan struct{}

	closeMu  sync.RWMutex // guards closed and orders wg.Add before Wait
	closed   bool
	wg       sync.WaitGroup
	inflight atomic.Int64
	lanes    *lanes
}

// An Option configures a [Bot].
type Option func(*Bot)

// WithSessions makes the Bot keep sessions in s. The default is an
// in-memory store, which does not survive a restart and is not shared
// between replicas.
func WithSessions(s *memory.Sessions) Option { return func(b *Bot) { b.sessions = s } }

// WithStore is shorthand for WithSessions(memory.NewSessions(s)).
func WithStore(s memory.Store) Option {
	return func(b *Bot) { b.sessions = memory.NewSessions(s) }
}

// WithObserver sends the Bot's events, and those handlers emit with
// [Turn.Emit], to o.
func WithObserver(o Observer) Option { return func(b *Bot) { b.obs = o } }

// WithTurnTimeout sets the per-turn deadline (default 15s). The handler's
// context is cancelled then; a handler that returns the context's error gets
// the fallback reply.
func WithTurnTimeout(d time.Duration) Option { return func(b *Bot) { b.timeout = d } }

// WithFallback sets the reply sent when a handler fails.
func WithFallback(m Message) Option { return func(b *Bot) { b.fallback = m } }

// WithMaxConcurrency bounds how many turns run at once (default 64).
// Turns beyond it wait, in order per conversation.
func WithMaxConcurrency(n int) Option {
	return func(b *Bot) { b.sem = make(chan struct{}, max(n, 1)) }
}

// WithMaxInput sets the largest inbound text, in bytes, passed to the
// handler (default 16 KiB); longer input gets the reply m instead.
func WithMaxInput(n int, m Message) Option {
	return func(b *Bot) { b.maxInput, b.tooLong = n, m }
}

// WithClock sets the Bot's clock; tests use it with a fake time.
func WithClock(now func() time.Time) Option { return func(b *Bot) { b.now = now } }

// NewBot returns a Bot that runs h. It panics if h is nil.
func NewBot(h Handler, opts ...Option) *Bot {
	if h == nil {
		panic("parley: NewBot with nil handler")
	}
	b := &Bot{
		h:        h,
		now:      time.Now,
		timeout:  15 * time.Second,
		fallback: Text("Sorry, something went wrong on my side. Please try again, or type \"human\" to talk to a person."),
		tooLong:  Text("That message is too long for me. Could you send a shorter version?"),
		maxInput: 16 << 10,
		sem:      make(chan struct{}, 64),
		lanes:    newLanes(),
	}
	for _, o := range opts {
		o(b)
	}
	if b.sessions == nil {
		b.sessions = memory.NewSessions(memory.NewMap())
	}
	return b
}

// Sessions returns the session front the Bot uses.
func (b *Bot) Sessions() *memory.Sessions { return b.sessions }

func (b *Bot) emit(ctx context.Context, e Event) {
	if b.obs == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = b.now()
	}
	b.obs.Observe(ctx, e)
}

// HandleTurn runs one inbound turn and returns when it is done. It returns
// nil when the turn was handled, including by the fallback reply, or
// dropped as a duplicate; the outcome is reported to the Observer. It
// returns an error only when the turn could not be run at all: the Bot is
// shut down ([ErrClosed]), the turn has no conversation ID
// ([ErrNoConversation]), ctx ended while the turn waited, or the reply or
// session could not be written.
func (b *Bot) HandleTurn(ctx context.Context, w ReplyWriter, t *Turn) error {
	start := b.now()
	if t == nil || t.ConversationID == "" {
		return ErrNoConversation
	}
	b.closeMu.RLock()
	if b.closed {
		b.closeMu.RUnlock()
		return ErrClosed
	}
	b.wg.Add(1)
	b.closeMu.RUnlock()
	b.inflight.Add(1)
	defer func() {
		b.inflight.Add(-1)
		b.wg.Done()
	}()

	if err := b.acquire(ctx, t.ConversationID); err != nil {
		return err
	}
	defer b.release(t.ConversationID)
	select {
	case b.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-b.sem }()

	t2 := *t
	t = &t2
	if t.Time.IsZero() {
		t.Time = start
	}
	err := b.run(ctx, w, t)
	b.emit(ctx, Event{Kind: EventTurn, ConversationID: t.ConversationID, CustomerID: t.CustomerID,
		Channel: t.Channel, MessageID: t.MessageID, Duration: b.now().Sub(start), Err: err})
	return err
}

func (b *Bot) run(ctx context.Context, w ReplyWriter, t *Turn) error {
	s, err := b.sessions.LoadOrNew(ctx, t.ConversationID)
	var corrupt *memory.CorruptError
	if errors.As(err, &corrupt) {
		// An unreadable record must not trap the customer forever: report
		// it and start the conversation afresh over it.
		b.emit(ctx, eventFor(EventTurnError, t, err))
		s, err = b.resetSession(ctx, t.ConversationID)
	}
	if err != nil {
		return fmt.Errorf("parley: load session %q: %w", t.ConversationID, err)
	}
	if s.HasSeen(t.MessageID) {
		b.emit(ctx, eventFor(EventDuplicate, t, nil))
		return nil
	}
	if s.CustomerID == "" {
		s.CustomerID = t.CustomerID
	}
	t.session = s
	if b.obs != nil {
		t.emit = b.emitFromTurn
	}

	text, reason := sanitize(t.Message.Text, b.maxInput)
	t.Message.Text = text
	rw := &recorder{w: w, b: b, t: t}
	s.Turns++
	s.MarkSeen(t.MessageID)
	s.Append(memory.Entry{Role: memory.RoleUser, Text: text, Time: t.Time, MessageID: t.MessageID, Channel: t.Channel})

	var herr error
	if reason != "" {
		b.emit(ctx, eventFor(EventInputRejected, t, &InputError{Reason: reason}))
		herr = rw.Reply(ctx, b.tooLong)
		if herr != nil {
			return herr
		}
	} else {
		herr = b.call(ctx, rw, t)
	}
	if herr != nil {
		b.emit(ctx, eventFor(EventTurnError, t, herr))
		return b.recoverTurn(ctx, rw, t)
	}
	return b.save(ctx, s)
}

// recoverTurn sends the fallback reply and saves the session as it was
// before the turn, plus the turn's messages, discarding whatever the failed
// handler half-changed.
func (b *Bot) recoverTurn(ctx context.Context, rw *recorder, t *Turn) error {
	sent := rw.sent
	ctx = context.WithoutCancel(ctx)
	replyErr := rw.Reply(ctx, b.fallback)
	s, err := b.sessions.LoadOrNew(ctx, t.ConversationID)
	if err != nil {
		return errors.Join(replyErr, fmt.Errorf("parley: reload session %q: %w", t.ConversationID, err))
	}
	s.Turns++
	s.MarkSeen(t.MessageID)
	s.Append(memory.Entry{Role: memory.RoleUser, Text: t.Message.Text, Time: t.Time, MessageID: t.MessageID, Channel: t.Channel})
	for _, m := range sent {
		s.Append(historyEntry(m, b.now(), t.Channel))
	}
	s.Append(memory.Entry{Role: memory.RoleBot, Text: b.fallback.Text, Time: b.now(), Channel: t.Channel})
	return errors.Join(replyErr, b.save(ctx, s))
}

func (b *Bot) save(ctx context.Context, s *memory.Session) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := b.sessions.Save(ctx, s); err != nil {
		return fmt.Errorf("parley: save session %q: %w", s.ID, err)
	}
	return nil
}

func (b *Bot) resetSession(ctx context.Context, id string) (*memory.Session, error) {
	rec, err := b.sessions.Store().Get(ctx, memory.SessionKey(id))
	if err != nil {
		return nil, err
	}
	s := b.sessions.New(id)
	s.Version = rec.Version
	return s, nil
}

func (b *Bot) call(ctx context.Context, w ReplyWriter, t *Turn) (err error) {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	err = b.h.HandleTurn(ctx, w, t)
	if err == nil && ctx.Err() != nil && errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		// The handler returned nil after its deadline: fine, it finished.
		return nil
	}
	return err
}

func (b *Bot) emitFromTurn(ctx context.Context, e Event) { b.emit(ctx, e) }

func eventFor(k EventKind, t *Turn, err error) Event {
	e := Event{Kind: k, Err: err}
	e.fill(t)
	return e
}

// Shutdown stops accepting turns and waits for those in flight (including
// those waiting for their conversation) to finish, or for ctx to end.
func (b *Bot) Shutdown(ctx context.Context) error {
	b.closeMu.Lock()
	b.closed = true
	b.closeMu.Unlock()
	done := make(chan struct{})
	go func() {
		b.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sanitize makes inbound text safe to process: invalid UTF-8 becomes
// U+FFFD and control characters other than tab and newline are dropped.
// It returns a reason when the text is too long.
func sanitize(s string, limit int) (string, string) {
	if limit > 0 && len(s) > limit {
		return "", fmt.Sprintf("message of %d bytes is over the limit of %d", len(s), limit)
	}
	clean := utf8.ValidString(s)
	if clean {
		for _, r := range s {
			if r != '\n' && r != '\t' && unicode.IsControl(r) {
				clean = false
				break
			}
		}
	}
	if clean {
		return s, ""
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return s, ""
}

// recorder wraps the channel's ReplyWriter: it records replies in the
// session history and reports them. It always offers the optional
// capabilities, degrading when the channel lacks them.
type recorder struct {
	w    ReplyWriter
	b    *Bot
	t    *Turn
	sent []Message
}

// Reply implements [ReplyWriter].
func (r *recorder) Reply(ctx context.Context, m Message) error {
	if err := r.w.Reply(ctx, m); err != nil {
		return err
	}
	r.record(ctx, m)
	return nil
}

func (r *recorder) record(ctx context.Context, m Message) {
	r.sent = append(r.sent, m)
	if s := r.t.session; s != nil {
		s.Append(historyEntry(m, r.b.now(), r.t.Channel))
	}
	if r.b.obs != nil {
		r.b.emit(ctx, eventFor(EventReply, r.t, nil))
	}
}

// Typing implements [Typer].
func (r *recorder) Typing(ctx context.Context) error { return Typing(ctx, r.w) }

// MarkRead implements [ReadMarker].
func (r *recorder) MarkRead(ctx context.Context, id string) error {
	if m, ok := r.w.(ReadMarker); ok {
		return m.MarkRead(ctx, id)
	}
	return nil
}

// StreamReply implements [Streamer].
func (r *recorder) StreamReply(ctx context.Context, chunks iter.Seq2[string, error]) error {
	var b strings.Builder
	tee := func(yield func(string, error) bool) {
		for c, err := range chunks {
			if err == nil {
				b.WriteString(c)
			}
			if !yield(c, err) {
				return
			}
		}
	}
	if err := Stream(ctx, r.w, tee); err != nil {
		return err
	}
	r.record(ctx, Text(b.String()))
	return nil
}

// InFlight returns the number of turns running or waiting for their
// conversation.
func (b *Bot) InFlight() int { return int(b.inflight.Load()) }

// historyEntry records an outbound message: the bot's, or an agent's when
// the message names one.
func historyEntry(m Message, at time.Time, channel string) memory.Entry {
	e := memory.Entry{Role: memory.RoleBot, Text: m.Text, Time: at, Channel: channel}
	if m.Agent != "" {
		e.Role = memory.RoleAgent
		e.Meta = map[string]string{"agent": m.Agent}
	}
	return e
}
