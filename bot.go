package parley

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley/internal/tee"
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
// [http.Server] runs an [http.Handler], and the only one: channel adapters
// verify, parse and hand turns over; nothing else queues them.
//
//   - turns of one conversation run strictly in arrival order, different
//     conversations concurrently, at most MaxConcurrency at a time; with
//     [WithLocker], also across replicas sharing a store;
//   - a redelivered message (same conversation and message ID) is dropped,
//     so a retry never produces a second reply: for [Bot.Enqueue], days
//     later too ([WithDedupTTL]); for [Bot.HandleTurn], which serves live
//     connections, among the conversation's recent messages;
//   - the session is loaded before the handler and saved after it, with
//     the inbound message and every reply in its history; a tap on a
//     quick reply is kept as its payload, with the title the customer
//     tapped in the entry's Meta "tapped";
//   - a handler error, panic or missed deadline becomes the fallback reply
//     plus an [EventTurnError]; the state saved before the turn is kept;
//   - every turn's response time is reported as an [EventTurn].
//
// [Bot.HandleTurn] runs a turn on the caller's goroutine and writes the
// replies to the caller's writer (a terminal, a live socket, a test); Bot
// is itself a Handler. [Bot.Enqueue] records a turn and returns at once;
// the Bot runs it on a goroutine it owns and delivers the replies through
// the channel's [Sender]. A Bot is safe for concurrent use. NewBot starts
// no goroutines; [Bot.Shutdown] waits for those Enqueue started.
type Bot struct {
	h        Handler
	sessions *memory.Sessions
	obs      Observer
	timeout  time.Duration
	fallback Message
	tooLong  Message
	maxInput int
	sem      chan struct{}

	dedupTTL time.Duration
	senders  map[string]Sender
	locker   memory.Locker
	leaseTTL time.Duration
	leaseMax time.Duration
	retry    Message

	drainMu  sync.Mutex
	draining map[string]*drainState
	failures map[string]int // consecutive failed drains per conversation
	afterDue sync.Map       // conversation -> after-turn funcs waiting for delivery (after.go)

	gate  *gate // drains in flight, for Shutdown
	lanes *lanes
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

// WithSender makes the Bot deliver the replies of turns on channel (and
// any message sent to its conversations outside a request) through s.
// Channel adapters that acknowledge webhooks and let the Bot run the turn
// later, through [Bot.Enqueue], are registered this way.
func WithSender(channel string, s Sender) Option {
	return func(b *Bot) {
		if b.senders == nil {
			b.senders = make(map[string]Sender)
		}
		b.senders[channel] = s
	}
}

// WithDedupTTL sets how long the Bot remembers a handled message ID, so
// that a redelivery is dropped (default 7 days). Each remembered ID is a
// small record in the store, written with this TTL.
func WithDedupTTL(d time.Duration) Option { return func(b *Bot) { b.dedupTTL = d } }

// WithLocker makes the Bot take a lease on a conversation from l before
// running its turns, so that several replicas sharing one store (Redis,
// PostgreSQL) never run turns of one conversation at the same time. The
// lease lives ttl without renewal (default 30s when ttl is zero): how long
// the conversations of a crashed replica wait. It is renewed while turns
// run; a turn whose lease is lost is cancelled with
// [memory.ErrLeaseLost]. A turn waits for a taken lease for at most
// twice the TTL.
func WithLocker(l memory.Locker, ttl time.Duration) Option {
	return func(b *Bot) {
		b.locker = l
		if ttl > 0 {
			b.leaseTTL = ttl
		}
	}
}

// NewBot returns a Bot that runs h. It panics if h is nil.
func NewBot(h Handler, opts ...Option) *Bot {
	if h == nil {
		panic("parley: NewBot with nil handler")
	}
	b := &Bot{
		h:        h,
		timeout:  15 * time.Second,
		fallback: Text("Sorry, something went wrong on my side. Please try again, or type \"human\" to talk to a person."),
		tooLong:  Text("That message is too long for me. Could you send a shorter version?"),
		maxInput: 16 << 10,
		sem:      make(chan struct{}, 64),
		lanes:    newLanes(),
		gate:     newGate(),
		dedupTTL: 7 * 24 * time.Hour,
		leaseTTL: 30 * time.Second,
		retry:    Text("Sorry, I couldn't process your last message just now. Please send it again in a moment."),
		draining: make(map[string]*drainState),
		failures: make(map[string]int),
	}
	for _, o := range opts {
		o(b)
	}
	if b.sessions == nil {
		b.sessions = memory.NewSessions(memory.NewMap())
	}
	b.leaseMax = 2 * b.leaseTTL
	return b
}

// Sessions returns the session front the Bot uses.
func (b *Bot) Sessions() *memory.Sessions { return b.sessions }

func (b *Bot) emit(ctx context.Context, e Event) {
	if b.obs == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
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
	start := time.Now()
	if t == nil || t.ConversationID == "" {
		return ErrNoConversation
	}
	// The turn's lane also counts it for Shutdown.
	if err := b.lanes.enter(ctx, t.ConversationID, true); err != nil {
		return err
	}
	defer b.release(t.ConversationID)
	select {
	case b.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-b.sem }()

	// One allocation for the turn's copy of t and its recorder.
	tr := &turnRun{t: *t}
	t = &tr.t
	if t.Time.IsZero() {
		t.Time = start
	}
	err := b.run(ctx, w, t, &tr.rw)
	if b.obs != nil { // else the clock is not worth reading
		b.emit(ctx, turnEvent(t, time.Since(start), err))
	}
	if err == nil && tr.rw.after != nil {
		b.runAfter(ctx, t, *tr.rw.after)
	}
	return err
}

// A turnRun is the memory of one turn run by [Bot.HandleTurn]: its own
// copy of the caller's Turn and the recorder of its replies. It is one
// allocation a turn, kept within 512 bytes (a size class): what only some
// turns use (an enqueued turn's outbox, AfterTurn's functions) is behind
// pointers.
type turnRun struct {
	t  Turn
	rw recorder
}

func (b *Bot) run(ctx context.Context, w ReplyWriter, t *Turn, rw *recorder) error {
	err := b.withLease(ctx, t.ConversationID, func(ctx context.Context) error {
		s, err := b.loadSession(ctx, t)
		if err != nil {
			return err
		}
		if s.HasSeen(t.MessageID) {
			b.emit(ctx, eventFor(EventDuplicate, t, nil))
			b.sessions.Release(s)
			return nil
		}
		// The turn's session is released as it is saved: its memory
		// serves a later turn.
		*rw = recorder{w: w, b: b, t: t}
		return b.runLoaded(ctx, rw, t, s)
	})
	if err != nil {
		// The turn could not run at all (the store is down, the lease
		// stayed taken): the user hears so, and the channel may redeliver.
		// A signal's caller (a timer, a campaign) handles the error: the
		// customer sent nothing to send again.
		if !t.fromCustomer() {
			return err
		}
		return b.tellRetry(ctx, w, err)
	}
	return nil
}

// tellRetry asks the user to send the message again and returns err,
// joined with the reply's error if that failed too.
func (b *Bot) tellRetry(ctx context.Context, w ReplyWriter, err error) error {
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return err // the caller gave up: nobody to tell
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if rerr := w.Reply(rctx, b.retry); rerr != nil {
		return errors.Join(err, fmt.Errorf("parley: send retry message: %w", rerr))
	}
	return err
}

// loadSession loads t's session, starting afresh over an unreadable one.
func (b *Bot) loadSession(ctx context.Context, t *Turn) (*memory.Session, error) {
	s, err := b.sessions.LoadOrNew(ctx, t.ConversationID)
	if err == nil {
		return s, nil
	}
	var corrupt *memory.CorruptError
	if errors.As(err, &corrupt) {
		// An unreadable record must not trap the customer forever: report
		// it and start the conversation afresh over it.
		b.emit(ctx, eventFor(EventTurnError, t, err))
		s, err = b.resetSession(ctx, t.ConversationID)
	}
	if err != nil {
		return nil, fmt.Errorf("parley: load session %q: %w", t.ConversationID, err)
	}
	return s, nil
}

// runLoaded runs the handler for t with its session s loaded and saves
// the session with the turn, its replies and (for enqueued turns) the
// outbox.
func (b *Bot) runLoaded(ctx context.Context, rw *recorder, t *Turn, s *memory.Session) error {
	if s.CustomerID == "" {
		s.CustomerID = t.CustomerID
	}
	t.session, t.run = s, rw
	if b.obs != nil {
		t.emit = b.emitFromTurn
	}

	text, reason := sanitize(t.Message.Text, b.maxInput)
	t.Message.Text = text
	s.Turns++
	s.MarkSeen(t.MessageID)
	s.Append(userEntry(s, t, text))

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
		rw.after = nil // discarded with the turn's changes (AfterTurn)
		b.emit(ctx, eventFor(EventTurnError, t, herr))
		return b.recoverTurn(ctx, rw, t)
	}
	return b.commit(ctx, rw, s)
}

// commit saves s, with rw's replies as its outbox when they are to be
// sent after the write.
func (b *Bot) commit(ctx context.Context, rw *recorder, s *memory.Session) error {
	if rw.ob == nil {
		return b.save(ctx, s, true)
	}
	if len(rw.ob.sent) > 0 {
		out, _, err := outboxKey.Get(s)
		if err != nil {
			return err
		}
		to := AddressOf(rw.t)
		for _, m := range rw.ob.sent {
			out = append(out, outboxEntry{To: to, Message: m})
		}
		if err := outboxKey.Set(s, out); err != nil {
			return err
		}
	}
	rw.ob.saved = s
	return b.save(ctx, s, false)
}

// recoverTurn sends the fallback reply and saves the session as it was
// before the turn, plus the turn's messages, discarding whatever the failed
// handler half-changed.
func (b *Bot) recoverTurn(ctx context.Context, rw *recorder, t *Turn) error {
	said := len(rw.said)
	ctx = context.WithoutCancel(ctx)
	replyErr := rw.Reply(ctx, b.fallback)
	s, err := b.sessions.LoadOrNew(ctx, t.ConversationID)
	if err != nil {
		return errors.Join(replyErr, fmt.Errorf("parley: reload session %q: %w", t.ConversationID, err))
	}
	s.Turns++
	s.MarkSeen(t.MessageID)
	s.Append(userEntry(s, t, t.Message.Text))
	for _, m := range rw.said[:said] {
		s.Append(historyEntry(Message{Text: m.text, Agent: m.agent}, time.Now(), t.Channel))
	}
	s.Append(memory.Entry{Role: memory.RoleBot, Text: b.fallback.Text, Time: time.Now(), Channel: t.Channel})
	return errors.Join(replyErr, b.commit(ctx, rw, s))
}

// save saves s; with release, s is released too and must not be used
// afterwards.
func (b *Bot) save(ctx context.Context, s *memory.Session, release bool) error {
	// The save goes ahead when the turn's context ends, for at most 10s.
	// An in-memory Map never waits and reads nothing of the context but
	// Err: it gets one that is never done, with no deadline (nor its
	// timer) and no allocation (context.WithoutCancel's), on every turn.
	if _, inMemory := b.sessions.Store().(*memory.Map); inMemory {
		ctx = context.Background()
	} else {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
	}
	id := s.ID
	var err error
	if release {
		err = b.sessions.SaveAndRelease(ctx, s)
	} else {
		err = b.sessions.Save(ctx, s)
	}
	if err != nil {
		return fmt.Errorf("parley: save session %q: %w", id, err)
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

// call runs the handler with the turn's deadline, in rw's context.
func (b *Bot) call(ctx context.Context, rw *recorder, t *Turn) (err error) {
	tc := &rw.ctx
	tc.start(ctx, b.timeout)
	defer tc.end()
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	err = b.h.HandleTurn(tc, rw, t)
	if err == nil && tc.Err() != nil && errors.Is(context.Cause(tc), context.DeadlineExceeded) {
		// The handler returned nil after its deadline: fine, it finished.
		return nil
	}
	return err
}

func (b *Bot) emitFromTurn(ctx context.Context, e Event) { b.emit(ctx, e) }

// turnEvent is the [EventTurn] of t, which took d: a turn the customer
// did not send says which signal it was (Attrs "signal").
func turnEvent(t *Turn, d time.Duration, err error) Event {
	e := Event{Kind: EventTurn, ConversationID: t.ConversationID, CustomerID: t.CustomerID,
		Channel: t.Channel, MessageID: t.MessageID, Duration: d, Err: err}
	if !t.fromCustomer() {
		e.Attrs = map[string]string{"signal": t.Signal.Name}
	}
	return e
}

func eventFor(k EventKind, t *Turn, err error) Event {
	e := Event{Kind: k, Err: err}
	e.fill(t)
	return e
}

func (b *Bot) isClosed() bool { return b.lanes.closed.Load() }

// Shutdown stops accepting turns and waits for those in flight (including
// those waiting for their conversation) to finish, or for ctx to end.
func (b *Bot) Shutdown(ctx context.Context) error {
	b.lanes.close()
	drains := b.gate.close()
	if err := b.lanes.waitIdle(ctx); err != nil {
		return err
	}
	select {
	case <-drains:
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
// session history and reports them. For an enqueued turn (outbox) it only
// records them, with IDs, and the Bot sends them once the turn is saved.
type recorder struct {
	w ReplyWriter
	b *Bot
	t *Turn
	// said is what the history keeps of every reply.
	said []said
	// ob is an enqueued turn's outbox; nil for a turn of
	// [Bot.HandleTurn], whose session is released as it is saved.
	ob  *outbox
	buf [2]said // said's first array: most turns reply once or twice
	// after holds AfterTurn's functions, run once the turn is committed;
	// nil when there are none.
	after *[]func(context.Context) error
	// ctx is the handler's context, with the turn's deadline.
	ctx turnContext
}

// outbox is what a recorder keeps of an enqueued turn: its replies, sent
// once the turn is saved, and the session saved, for the caller.
type outbox struct {
	sent  []Message
	saved *memory.Session
}

// afterFuncs returns AfterTurn's functions of r's turn.
func (r *recorder) afterFuncs() []func(context.Context) error {
	if r.after == nil {
		return nil
	}
	return *r.after
}

// said is what a turn's history records of a reply.
type said struct{ text, agent string }

// Reply implements [ReplyWriter].
func (r *recorder) Reply(ctx context.Context, m Message) error {
	if r.ob != nil {
		if m.ID == "" {
			m.ID = outboxID(r.t.MessageID, len(r.ob.sent)+1)
		}
		r.ob.sent = append(r.ob.sent, m)
	} else if err := r.w.Reply(ctx, m); err != nil {
		return err
	}
	r.record(ctx, m)
	return nil
}

func (r *recorder) record(ctx context.Context, m Message) {
	if r.said == nil {
		r.said = r.buf[:0]
	}
	r.said = append(r.said, said{text: m.Text, agent: m.Agent})
	if s := r.t.session; s != nil {
		s.Append(historyEntry(m, time.Now(), r.t.Channel))
	}
	if r.b.obs != nil {
		r.b.emit(ctx, eventFor(EventReply, r.t, nil))
	}
}

// Unwrap returns the channel's writer, so that [Typing] and [MarkRead]
// find what the channel supports; for an enqueued turn, whose replies the
// Bot sends later, what the channel's Sender supports.
func (r *recorder) Unwrap() ReplyWriter {
	if r.ob != nil {
		return senderWriter{s: r.b.senders[r.t.Channel], to: AddressOf(r.t), inbound: r.t.MessageID}
	}
	return r.w
}

// StreamReply implements [Streamer], recording the streamed text; [Stream]
// degrades to one message where the channel cannot stream.
func (r *recorder) StreamReply(ctx context.Context, chunks iter.Seq2[string, error]) error {
	var b strings.Builder
	chunks = tee.Text(chunks, &b)
	if r.ob != nil {
		for _, err := range chunks {
			if err != nil {
				return err
			}
		}
		return r.Reply(ctx, Text(b.String()))
	}
	if err := Stream(ctx, r.w, chunks); err != nil {
		return err
	}
	r.record(ctx, Text(b.String()))
	return nil
}

// historyEntry records an outbound message: the bot's, or an agent's when
// the message names one. Quick replies whose payload is not their title
// are kept in Meta "choices" (a JSON object from payload to title), so
// that the customer's tap is remembered as what they tapped (userEntry).
func historyEntry(m Message, at time.Time, channel string) memory.Entry {
	e := memory.Entry{Role: memory.RoleBot, Text: m.Text, Time: at, Channel: channel}
	if m.Agent != "" {
		e.Role = memory.RoleAgent
		e.Meta = map[string]string{"agent": m.Agent}
	}
	var choices map[string]string
	for _, q := range m.QuickReplies {
		if q.Payload != "" && q.Payload != q.Title {
			if choices == nil {
				choices = map[string]string{}
			}
			if _, ok := choices[q.Payload]; !ok {
				choices[q.Payload] = q.Title
			}
		}
	}
	if choices != nil {
		b, err := json.Marshal(choices)
		if err == nil {
			if e.Meta == nil {
				e.Meta = map[string]string{}
			}
			e.Meta[metaChoices] = string(b)
		}
	}
	return e
}

// History annotations of the Bot's (memory.Entry.Meta keys).
const (
	metaChoices = "choices" // on a bot message: its quick replies, payload to title
	metaTapped  = "tapped"  // on the customer's: the title of the quick reply they tapped
)

// userEntry records the inbound text of t in s's history. When the text
// is the payload of a quick reply the Bot offered since the customer's
// previous message ("yes" for "Yes", "human" for "Talk to a human"),
// Meta "tapped" keeps the title the customer tapped, for transcripts
// shown to people.
func userEntry(s *memory.Session, t *Turn, text string) memory.Entry {
	e := memory.Entry{Role: memory.RoleUser, Text: text, Time: t.Time, MessageID: t.MessageID, Channel: t.Channel}
	if text == "" {
		return e
	}
	for _, p := range slices.Backward(s.History) {
		if p.Role == memory.RoleUser {
			if strings.TrimSpace(p.Text) == "" {
				continue // a signal's turn: a page event, a timer
			}
			break
		}
		c := p.Meta[metaChoices]
		if c == "" {
			continue
		}
		var choices map[string]string
		if json.Unmarshal([]byte(c), &choices) == nil {
			if title := choices[text]; title != "" {
				e.Meta = map[string]string{metaTapped: title}
				break
			}
		}
	}
	return e
}
