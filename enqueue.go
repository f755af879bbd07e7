package parley

import (
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/memory"
)

// ErrDuplicate is returned by [Bot.Enqueue] for a message whose ID the
// conversation has already accepted, however long ago (within the claim
// TTL, see [WithDedupTTL]). A webhook handler acknowledges such a
// redelivery and does nothing else.
var ErrDuplicate = errors.New("parley: duplicate message")

// Store key prefixes of the Bot's durable delivery records.
const (
	inboxPrefix = "inbox/"
	claimPrefix = "claim/"
)

// outboxKey keeps a conversation's replies recorded but not yet sent.
var outboxKey = memory.NewStateKey[[]outboxEntry]("parley.outbox")

func inboxKey(conv string) string { return inboxPrefix + conv }

// claimKey hashes the conversation and message IDs, so that the claims
// kept for days hold nothing that identifies a customer (conversation IDs
// often embed a phone number) and need no erasure.
func claimKey(conv, msg string) string {
	sum := sha256.Sum256([]byte(conv + "\x1f" + msg))
	return claimPrefix + hex.EncodeToString(sum[:16])
}

// wireTurn is a Turn as the inbox stores it.
type wireTurn struct {
	ConversationID string    `json:"conversation"`
	CustomerID     string    `json:"customer,omitempty"`
	Channel        string    `json:"channel,omitempty"`
	MessageID      string    `json:"message_id"`
	Recipient      string    `json:"recipient,omitempty"`
	Time           time.Time `json:"time"`
	Locale         string    `json:"locale,omitempty"`
	Message        Message   `json:"message"`
	Signal         *Signal   `json:"signal,omitempty"`
	// Internal marks a message ID the Bot made up (agent messages,
	// timers): nothing can redeliver it, so it has no claim.
	Internal bool `json:"internal,omitempty"`
}

func toWire(t *Turn, internal bool) wireTurn {
	return wireTurn{ConversationID: t.ConversationID, CustomerID: t.CustomerID, Channel: t.Channel,
		MessageID: t.MessageID, Recipient: t.Recipient, Time: t.Time, Locale: t.Locale,
		Message: t.Message, Signal: t.Signal, Internal: internal}
}

func (w wireTurn) turn() *Turn {
	return &Turn{ConversationID: w.ConversationID, CustomerID: w.CustomerID, Channel: w.Channel,
		MessageID: w.MessageID, Recipient: w.Recipient, Time: w.Time, Locale: w.Locale,
		Message: w.Message, Signal: w.Signal}
}

// An inboxEntry is one accepted turn waiting to run. Token ties it to the
// message's claim: of two deliveries of one message, only the one whose
// token the claim holds runs.
type inboxEntry struct {
	Token string   `json:"token"`
	Turn  wireTurn `json:"turn"`
}

type inbox struct {
	Turns []inboxEntry `json:"turns"`
}

// An outboxEntry is a reply recorded with the turn that produced it and
// not yet delivered.
type outboxEntry struct {
	To      Address `json:"to"`
	Message Message `json:"message"`
}

// Enqueue accepts t for handling and returns once it is recorded in the
// Bot's store, before any handler runs: the door for webhooks, which must
// be acknowledged fast, and for turns that do not come from a channel (an
// agent's message, a timer, an approval decision, a proactive message),
// which are then ordered with the customer's own turns.
//
// The Bot runs accepted turns on goroutines it owns, in arrival order per
// conversation, and delivers their replies through the [Sender] registered
// for t.Channel with [WithSender]. Replies are recorded in the session's
// outbox in the same write that records the turn as handled, then sent;
// with a durable store, [Bot.Recover] finishes after a crash whatever was
// accepted but not handled, and re-sends what was recorded but not sent,
// without running the handler again.
//
// A turn without a MessageID gets one. Enqueue returns [ErrDuplicate] for
// a MessageID the conversation already accepted (see [WithDedupTTL]),
// [ErrNoConversation], [ErrClosed], or the store's error: then the turn
// was not accepted and the platform should deliver it again.
func (b *Bot) Enqueue(ctx context.Context, t *Turn) error {
	if t == nil || t.ConversationID == "" {
		return ErrNoConversation
	}
	if b.isClosed() {
		return ErrClosed
	}
	w := toWire(t, t.MessageID == "")
	if w.Internal {
		w.MessageID = "internal-" + crand.Text()[:16]
	}
	if w.Time.IsZero() {
		w.Time = time.Now()
	}
	e := inboxEntry{Token: crand.Text()[:16], Turn: w}
	conv := t.ConversationID
	store := b.sessions.Store()

	// The inbox entry is written before the claim: a crash between the two
	// leaves an entry that runs (the drain claims it) and a redelivery that
	// finds it in the inbox; the other order would leave a claim that
	// turns every redelivery away from a message that never ran.
	dup, err := b.inboxAdd(ctx, conv, e)
	if err != nil {
		return fmt.Errorf("parley: enqueue %q: %w", conv, err)
	}
	if dup {
		b.emit(ctx, eventFor(EventDuplicate, t, nil))
		return ErrDuplicate
	}
	if !w.Internal {
		_, err := store.Set(ctx, memory.Put{Key: claimKey(conv, w.MessageID), Value: []byte(e.Token),
			IfVersion: memory.Absent, TTL: b.dedupTTL})
		if errors.Is(err, memory.ErrConflict) {
			if rec, gerr := store.Get(ctx, claimKey(conv, w.MessageID)); gerr == nil && string(rec.Value) == e.Token {
				// The drain got to the entry first and claimed it for us.
				return nil
			}
			// Handled before. The entry is dropped by the drain, which
			// finds the claim holds another token; removing it now only
			// saves that work.
			if rerr := b.inboxRemove(ctx, conv, e.Token); rerr != nil {
				b.schedule(conv)
			}
			b.emit(ctx, eventFor(EventDuplicate, t, nil))
			return ErrDuplicate
		}
		if err != nil {
			b.schedule(conv) // the drain claims the entry, or finds it taken
			return fmt.Errorf("parley: claim %q in %q: %w", w.MessageID, conv, err)
		}
	}
	b.schedule(conv)
	return nil
}

// Recover schedules every conversation with accepted turns that have not
// finished (after a crash or a failed send) and returns how many it
// found. Call it once at start-up, before serving; it returns as soon as
// the work is scheduled.
func (b *Bot) Recover(ctx context.Context) (int, error) {
	var convs []string
	err := b.sessions.Store().Keys(ctx, inboxPrefix, func(k string) bool {
		convs = append(convs, strings.TrimPrefix(k, inboxPrefix))
		return true
	})
	if err != nil {
		return 0, fmt.Errorf("parley: recover: %w", err)
	}
	for _, c := range convs {
		b.schedule(c)
	}
	return len(convs), nil
}

func (b *Bot) readInbox(ctx context.Context, conv string) (inbox, int64, error) {
	var ib inbox
	rec, err := b.sessions.Store().Get(ctx, inboxKey(conv))
	if errors.Is(err, memory.ErrNotFound) {
		return ib, memory.Absent, nil
	}
	if err != nil {
		return ib, 0, err
	}
	if err := json.Unmarshal(rec.Value, &ib); err != nil {
		return inbox{}, rec.Version, &memory.CorruptError{Key: inboxKey(conv), Err: err}
	}
	return ib, rec.Version, nil
}

// updateInbox applies fn to the conversation's inbox until its write
// wins; fn returns false to write nothing.
func (b *Bot) updateInbox(ctx context.Context, conv string, fn func(*inbox) bool) error {
	store := b.sessions.Store()
	for {
		ib, ver, err := b.readInbox(ctx, conv)
		var corrupt *memory.CorruptError
		if errors.As(err, &corrupt) {
			// Unreadable turns cannot run; the record is replaced so that
			// the conversation goes on.
			b.emit(ctx, Event{Kind: EventTurnError, ConversationID: conv, Err: err})
		} else if err != nil {
			return err
		}
		if !fn(&ib) {
			return nil
		}
		if len(ib.Turns) == 0 {
			if ver == memory.Absent {
				return nil
			}
			err = store.Delete(ctx, inboxKey(conv), ver)
		} else {
			var raw []byte
			if raw, err = json.Marshal(ib); err != nil {
				return err
			}
			_, err = store.Set(ctx, memory.Put{Key: inboxKey(conv), Value: raw, IfVersion: ver})
		}
		if !errors.Is(err, memory.ErrConflict) {
			return err
		}
	}
}

func (b *Bot) inboxAdd(ctx context.Context, conv string, e inboxEntry) (dup bool, err error) {
	err = b.updateInbox(ctx, conv, func(ib *inbox) bool {
		dup = false
		for _, x := range ib.Turns {
			if x.Turn.MessageID == e.Turn.MessageID {
				dup = true
				return false
			}
		}
		ib.Turns = append(ib.Turns, e)
		return true
	})
	return dup, err
}

func (b *Bot) inboxRemove(ctx context.Context, conv, token string) error {
	return b.updateInbox(ctx, conv, func(ib *inbox) bool {
		for i, x := range ib.Turns {
			if x.Token == token {
				ib.Turns = append(ib.Turns[:i], ib.Turns[i+1:]...)
				return true
			}
		}
		return false
	})
}

// drainState tracks a conversation whose inbox a goroutine is draining.
type drainState struct {
	again bool // more was enqueued while draining
}

// maxDrainFailures is how many times in a row the Bot tries a
// conversation's inbox, backing off (about a minute in all), before it
// tells the customer to send their message again and leaves the turn for
// the conversation's next message or [Bot.Recover].
const maxDrainFailures = 8

// schedule makes sure a goroutine drains conv's inbox soon.
func (b *Bot) schedule(conv string) {
	if !b.gate.enter() {
		return
	}
	b.drainMu.Lock()
	defer b.drainMu.Unlock()
	if st, ok := b.draining[conv]; ok {
		st.again = true
		b.gate.leave()
		return
	}
	b.draining[conv] = &drainState{}
	go b.runDrain(conv) // it leaves the gate
}

func (b *Bot) runDrain(conv string) {
	defer b.gate.leave()
	for {
		failed, err := b.drain(conv)
		b.drainMu.Lock()
		st := b.draining[conv]
		// Failures count across drains, until one succeeds.
		if err != nil {
			b.failures[conv]++
		} else {
			delete(b.failures, conv)
		}
		n := b.failures[conv]
		if st.again && err == nil {
			st.again = false
			b.drainMu.Unlock()
			continue
		}
		delete(b.draining, conv)
		if n >= maxDrainFailures {
			delete(b.failures, conv) // the next message starts afresh
		}
		b.drainMu.Unlock()
		switch {
		case err == nil || b.isClosed():
		case n < maxDrainFailures:
			// Try again later, backing off.
			d := time.Duration(1<<n) * 250 * time.Millisecond
			time.AfterFunc(d, func() { b.schedule(conv) })
		case failed != nil:
			b.tellStuck(failed)
		}
		return
	}
}

// tellStuck asks the customer of a turn the Bot could not run, after
// trying for a while, to send their message again. The turn stays
// accepted: it runs with the conversation's next message or Recover.
func (b *Bot) tellStuck(t *Turn) {
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	defer cancel()
	if !t.fromCustomer() {
		// A timer, a campaign step or an agent's signal: the customer
		// sent nothing to send again. The turn stays accepted.
		b.emit(ctx, eventFor(EventTurnError, t, fmt.Errorf("parley: signal %q could not run; it runs with the conversation's next turn or Recover", t.Signal.Name)))
		return
	}
	snd := b.senders[t.Channel]
	if snd == nil {
		b.emit(ctx, eventFor(EventTurnError, t, fmt.Errorf("%w %q: cannot ask the customer to retry", ErrNoSender, t.Channel)))
		return
	}
	m := b.retry
	m.ID = t.MessageID + "/retry"
	if err := snd.Send(ctx, AddressOf(t), m); err != nil {
		b.emit(ctx, eventFor(EventTurnError, t, fmt.Errorf("parley: ask the customer to retry: %w", err)))
	}
}

// drain runs conv's accepted turns in order until its inbox is empty. On
// an error it returns the turn that could not run, if it got that far.
func (b *Bot) drain(conv string) (failed *Turn, err error) {
	ctx := context.Background()
	if err := b.acquire(ctx, conv); err != nil {
		return nil, err
	}
	defer b.release(conv)
	b.sem <- struct{}{}
	defer func() { <-b.sem }()
	err = b.withLease(ctx, conv, func(ctx context.Context) error {
		for {
			ib, _, err := b.readInbox(ctx, conv)
			var corrupt *memory.CorruptError
			if errors.As(err, &corrupt) {
				// An unreadable inbox must not block the conversation
				// for good: report it and start afresh.
				b.emit(ctx, Event{Kind: EventTurnError, ConversationID: conv, Err: err})
				if err := b.sessions.Store().Delete(ctx, inboxKey(conv), memory.AnyVersion); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				b.emit(ctx, Event{Kind: EventTurnError, ConversationID: conv, Err: err})
				return err
			}
			if len(ib.Turns) == 0 {
				return nil
			}
			e := ib.Turns[0]
			after, err := b.process(ctx, e)
			if err != nil {
				b.deferAfter(conv, after)
				failed = e.Turn.turn()
				return err
			}
			if err := b.inboxRemove(ctx, conv, e.Token); err != nil {
				b.deferAfter(conv, after)
				b.emit(ctx, eventFor(EventTurnError, e.Turn.turn(), err))
				return err
			}
			if after = b.dueAfter(conv, after); after != nil {
				b.runAfter(ctx, e.Turn.turn(), after)
			}
		}
	})
	return failed, err
}

// process runs one accepted turn: claims it, runs the handler unless the
// session shows it already ran, and delivers its outbox. It returns the
// turn's after-turn functions ([AfterTurn]), to run once the turn is
// out of the inbox.
func (b *Bot) process(ctx context.Context, e inboxEntry) (after []func(context.Context) error, err error) {
	t := e.Turn.turn()
	if !e.Turn.Internal {
		mine, err := b.claimed(ctx, e)
		if err != nil {
			b.emit(ctx, eventFor(EventTurnError, t, err))
			return nil, err
		}
		if !mine {
			b.emit(ctx, eventFor(EventDuplicate, t, nil))
			return nil, nil
		}
	}
	start := time.Now()
	s, err := b.loadSession(ctx, t)
	if err != nil {
		b.emit(ctx, eventFor(EventTurnError, t, err))
		return nil, err
	}
	if !s.HasSeen(t.MessageID) {
		// Replies go to the outbox, written with the turn; nothing is sent
		// before that write, so a crash never leaves a half-answered turn
		// whose replies would be generated twice.
		// One allocation for the recorder and its outbox.
		er := &struct {
			rw recorder
			ob outbox
		}{}
		rw := &er.rw
		*rw = recorder{b: b, t: t, ob: &er.ob}
		if err := b.runLoaded(ctx, rw, t, s); err != nil {
			b.emit(ctx, eventFor(EventTurnError, t, err))
			return nil, err
		}
		b.emit(ctx, turnEvent(t, time.Since(start), nil))
		s, after = rw.ob.saved, rw.afterFuncs()
	}
	err = b.flush(ctx, t, s)
	// The turn is over: its session's memory serves a later turn.
	b.sessions.Release(s)
	return after, err
}

// claimed reports whether e holds its message's claim, taking the claim
// if nobody has.
func (b *Bot) claimed(ctx context.Context, e inboxEntry) (bool, error) {
	store := b.sessions.Store()
	key := claimKey(e.Turn.ConversationID, e.Turn.MessageID)
	for {
		rec, err := store.Get(ctx, key)
		if err == nil {
			return string(rec.Value) == e.Token, nil
		}
		if !errors.Is(err, memory.ErrNotFound) {
			return false, err
		}
		_, err = store.Set(ctx, memory.Put{Key: key, Value: []byte(e.Token), IfVersion: memory.Absent, TTL: b.dedupTTL})
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, memory.ErrConflict) {
			return false, err
		}
	}
}

// flush sends s's outbox in order through the channels' Senders and
// saves what is left. It stops at the first failure, keeping the order.
func (b *Bot) flush(ctx context.Context, t *Turn, s *memory.Session) error {
	out, _, err := outboxKey.Get(s)
	if err != nil || len(out) == 0 {
		return err
	}
	sent := 0
	var serr error
	for _, o := range out {
		snd := b.senders[o.To.Channel]
		if snd == nil {
			serr = fmt.Errorf("%w %q", ErrNoSender, o.To.Channel)
			break
		}
		sctx, cancel := context.WithTimeout(ctx, b.timeout)
		serr = snd.Send(sctx, o.To, o.Message)
		cancel()
		if serr != nil {
			serr = fmt.Errorf("parley: send %s to %q: %w", o.Message.ID, o.To.ConversationID, serr)
			break
		}
		sent++
	}
	if sent > 0 {
		if sent == len(out) {
			outboxKey.Delete(s)
		} else if err := outboxKey.Set(s, out[sent:]); err != nil {
			return errors.Join(serr, err)
		}
		if err := b.save(ctx, s, false); err != nil {
			serr = errors.Join(serr, err)
		}
	}
	if serr != nil {
		b.emit(ctx, eventFor(EventTurnError, t, serr))
	}
	return serr
}

// outboxID is the ID of the n-th reply (from 1) to inbound message msg:
// the same every time the reply is sent.
func outboxID(msg string, n int) string { return msg + "/" + strconv.Itoa(n) }
