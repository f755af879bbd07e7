package proactive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
)

// A Reason says why a proactive message was not sent, or not yet.
type Reason string

// Reasons recorded in a [Suppression]. Quiet hours and a busy
// conversation hold a message (it goes out later); the others drop it.
const (
	ReasonCapped          Reason = "capped"           // over the global or the campaign's cap
	ReasonQuietHours      Reason = "quiet_hours"      // held until the customer's quiet hours end
	ReasonBusy            Reason = "busy"             // held: an open question, or a person owns the conversation
	ReasonNoConsent       Reason = "no_consent"       // marketing without the customer's yes on the channel
	ReasonOptedOut        Reason = "opted_out"        // the customer said STOP (the run ends)
	ReasonExited          Reason = "exited"           // the run ended early; Detail says why ("converted", "replied", ...)
	ReasonTemplateMissing Reason = "template_missing" // WhatsApp outside the 24-hour window, no template
	ReasonChannelFailed   Reason = "channel_failed"   // no way to reach the customer, or the send failed
	ReasonBadTimeZone     Reason = "bad_time_zone"    // the profile's time zone is not an IANA name
	ReasonLate            Reason = "late"             // found later than the campaign's CatchUp window
	ReasonRenderFailed    Reason = "render_failed"    // a template field had no value, or the offer failed
)

// exitConverted is the Detail of a [ReasonExited] suppression for a run
// that reached its goal.
const exitConverted = "converted"

// A Suppression records a proactive message that was not sent, or was
// held, and why.
type Suppression struct {
	Time       time.Time `json:"time"`
	CustomerID string    `json:"customer"`
	Campaign   string    `json:"campaign"`
	Step       string    `json:"step,omitempty"`
	Channel    string    `json:"channel,omitempty"`
	Reason     Reason    `json:"reason"`
	// Detail adds to the reason: the exit rule, the cap, the error.
	Detail string `json:"detail,omitempty"`
	// Until is when a held message is tried again.
	Until time.Time `json:"until,omitzero"`
}

// A Send describes a proactive message to the policy.
type Send struct {
	// ID identifies the message across retries (campaign, customer, run
	// and step): recording it twice counts once.
	ID string
	// Campaign sending it, and its own cap.
	Campaign    string
	CampaignCap Cap
	Purpose     Purpose
	// Channel it would go out on.
	Channel string
	// HasTemplate says a WhatsApp template can stand in for the text
	// outside the channel's customer-service window.
	HasTemplate bool
}

// A Decision is the policy's answer about a [Send].
type Decision struct {
	// Allow is true when the message may go out now.
	Allow bool
	// UseTemplate is set with Allow when the channel's window is closed:
	// send the template instead of the text.
	UseTemplate bool
	// Reason says why not, when Allow is false; Detail adds to it.
	Reason Reason
	Detail string
	// Until is when to ask again for a held message (quiet hours, busy);
	// zero for a dropped one.
	Until time.Time
}

// held reports whether the message should be tried again at Until.
func (d Decision) held() bool { return !d.Allow && !d.Until.IsZero() }

// Policy is the one owner of what may be sent proactively: consent per
// purpose and channel, opt-outs, the global and per-campaign caps, quiet
// hours in the customer's time zone, the channel's customer-service window
// and whether the conversation is busy. The [Engine] asks it before every
// message, in the conversation's own turn, and records every message it
// sends through it, so that nothing proactive goes around it.
//
// A Policy is safe for concurrent use.
type Policy struct {
	store    memory.Store
	profiles *customer.Profiles

	cap        Cap
	quietFrom  time.Duration
	quietTo    time.Duration
	zone       *time.Location
	windows    map[string]time.Duration
	busy       func(*parley.Turn) bool
	briefHold  func(dialog.Question) bool
	retryBusy  time.Duration
	keepLedger time.Duration

	zones sync.Map // name -> *time.Location or error
}

// A PolicyOption configures a [Policy].
type PolicyOption func(*Policy)

// WithCap sets the global cap: at most max marketing messages per
// customer in any window (default 2 per 7 days). Service messages are
// exempt. A max of 0 removes the cap.
func WithCap(max int, window time.Duration) PolicyOption {
	return func(p *Policy) { p.cap = Cap{Max: max, Window: window} }
}

// WithQuietHours sets the quiet hours, as times of day in the customer's
// time zone (default from 21:00 to 09:00, given as 21*time.Hour and
// 9*time.Hour). Equal times switch them off.
func WithQuietHours(from, to time.Duration) PolicyOption {
	return func(p *Policy) { p.quietFrom, p.quietTo = from, to }
}

// WithTimeZone sets the time zone of customers whose profile has none
// (default UTC).
func WithTimeZone(loc *time.Location) PolicyOption { return func(p *Policy) { p.zone = loc } }

// WithSessionWindow says that on channel only a template may be sent
// more than d after the customer's last message (default: "whatsapp", 24
// hours). A d of 0 removes the channel's window.
func WithSessionWindow(channel string, d time.Duration) PolicyOption {
	return func(p *Policy) {
		if d <= 0 {
			delete(p.windows, channel)
			return
		}
		p.windows[channel] = d
	}
}

// WithBusy adds a test of whether a person owns the conversation, such
// as escalation.HumanOwns: a proactive message waits for the person to be
// done (it is tried again every 15 minutes). An open question makes the
// conversation busy too, by its policy: a form's or a confirmation
// ([dialog.Resume]) while the customer wrote in the last 30 minutes (a
// form left unanswered for longer is not interrupted), a menu, offer or
// feedback question ([dialog.Drop], or one [WithBriefHold] names) for 2
// minutes after the customer's last message only; the message then takes
// its place.
func WithBusy(f func(t *parley.Turn) bool) PolicyOption { return func(p *Policy) { p.busy = f } }

// WithBriefHold says which open questions besides those with policy
// [dialog.Drop] hold a proactive message only briefly (2 minutes after
// the customer's last message), and are then closed for it: a menu
// whose owner keeps it open through a digression ([dialog.Resume]), say.
// By default only [dialog.Drop] questions do.
func WithBriefHold(f func(q dialog.Question) bool) PolicyOption {
	return func(p *Policy) { p.briefHold = f }
}

// brief reports whether the open question q holds a message only
// briefly, and gives way to it then.
func (p *Policy) brief(q dialog.Question) bool {
	return q.Policy != dialog.Resume || p.briefHold != nil && p.briefHold(q)
}

// NewPolicy returns the delivery policy over store (where it keeps each
// customer's record of messages sent) and profiles (consent, time zone).
// It panics if either is nil.
func NewPolicy(store memory.Store, profiles *customer.Profiles, opts ...PolicyOption) *Policy {
	if store == nil || profiles == nil {
		panic("proactive: NewPolicy with nil store or profiles")
	}
	p := &Policy{store: store, profiles: profiles, cap: Cap{Max: 2, Window: 7 * 24 * time.Hour},
		quietFrom: 21 * time.Hour, quietTo: 9 * time.Hour, zone: time.UTC,
		windows: map[string]time.Duration{"whatsapp": 24 * time.Hour}, retryBusy: 15 * time.Minute}
	for _, o := range opts {
		o(p)
	}
	p.keepLedger = max(p.cap.Window, 35*24*time.Hour)
	return p
}

// zoneOf resolves a profile's time zone, caching the answer.
func (p *Policy) zoneOf(name string) (*time.Location, error) {
	if name == "" {
		return p.zone, nil
	}
	if v, ok := p.zones.Load(name); ok {
		if loc, ok := v.(*time.Location); ok {
			return loc, nil
		}
		return nil, v.(error)
	}
	loc, err := loadZone(name, p.zone)
	if err != nil {
		p.zones.Store(name, err)
		return nil, err
	}
	p.zones.Store(name, loc)
	return loc, nil
}

// ledgerEntry is one proactive message sent to a customer.
type ledgerEntry struct {
	// ID is a hash of the send's ID (see [sendHash]).
	ID       string
	Campaign string
	Purpose  Purpose
	// Unix is when it was sent, in Unix milliseconds.
	Unix int64
}

type ledger struct {
	Sends []ledgerEntry
}

// sendHash shortens a send ID for the ledger: fixed length, no
// separators.
func sendHash(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:8])
}

// The ledger is read on every check, so it is kept in a line format that
// decodes an order of magnitude faster than JSON: a version line, then
// "unixms TAB m|s TAB campaign TAB idhash" per send.
const ledgerHeader = "proactive-ledger 1\n"

func encodeLedger(l ledger) []byte {
	var b []byte
	b = append(b, ledgerHeader...)
	for _, e := range l.Sends {
		b = strconv.AppendInt(b, e.Unix, 10)
		b = append(b, '\t')
		if e.Purpose == Service {
			b = append(b, 's')
		} else {
			b = append(b, 'm')
		}
		b = append(b, '\t')
		b = append(b, strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' {
				return '_'
			}
			return r
		}, e.Campaign)...)
		b = append(b, '\t')
		b = append(b, e.ID...)
		b = append(b, '\n')
	}
	return b
}

var errLedger = errors.New("malformed send record")

func decodeLedger(raw []byte) (ledger, error) {
	rest, ok := bytes.CutPrefix(raw, []byte(ledgerHeader))
	if !ok {
		return ledger{}, errLedger
	}
	var l ledger
	l.Sends = make([]ledgerEntry, 0, bytes.Count(rest, []byte{'\n'}))
	for len(rest) > 0 {
		var line []byte
		line, rest, ok = bytes.Cut(rest, []byte{'\n'})
		if !ok {
			return ledger{}, errLedger
		}
		var f [4][]byte
		for i := range 3 {
			if f[i], line, ok = bytes.Cut(line, []byte{'\t'}); !ok {
				return ledger{}, errLedger
			}
		}
		f[3] = line
		if len(f[1]) != 1 {
			return ledger{}, errLedger
		}
		var e ledgerEntry
		for _, c := range f[0] {
			if c < '0' || c > '9' {
				return ledger{}, errLedger
			}
			e.Unix = e.Unix*10 + int64(c-'0')
		}
		e.Purpose = Marketing
		if f[1][0] == 's' {
			e.Purpose = Service
		}
		e.Campaign, e.ID = string(f[2]), string(f[3])
		l.Sends = append(l.Sends, e)
	}
	return l, nil
}

func ledgerKey(customerID string) string { return "proactive/ledger/" + customerID }

func (p *Policy) readLedger(ctx context.Context, customerID string) (ledger, int64, error) {
	rec, err := p.store.Get(ctx, ledgerKey(customerID))
	if errors.Is(err, memory.ErrNotFound) {
		return ledger{}, memory.Absent, nil
	}
	if err != nil {
		return ledger{}, 0, fmt.Errorf("proactive: read ledger of %q: %w", customerID, err)
	}
	l, err := decodeLedger(rec.Value)
	if err != nil {
		return ledger{}, rec.Version, &memory.CorruptError{Key: ledgerKey(customerID), Err: err}
	}
	return l, rec.Version, nil
}

// Check decides whether s may go to the customer of profile now, in the
// conversation of t (whose session tells whether a question is open and
// when the customer last wrote; t may be nil outside a turn). It reads,
// and records nothing: [Policy.Record] counts a message that went out.
// The error is the store's; [ErrBadTimeZone] becomes a decision.
func (p *Policy) Check(ctx context.Context, t *parley.Turn, profile *customer.Profile, s Send) (Decision, error) {
	l, _, err := p.readLedger(ctx, profile.CustomerID)
	var corrupt *memory.CorruptError
	if err != nil && !errors.As(err, &corrupt) {
		return Decision{}, err
	}
	return p.decide(t, profile, s, l, time.Now()), nil
}

func (p *Policy) decide(t *parley.Turn, profile *customer.Profile, s Send, l ledger, now time.Time) Decision {
	purpose := s.Purpose
	if purpose == "" {
		purpose = Marketing
	}
	if id := sendHash(s.ID); slices.ContainsFunc(l.Sends, func(e ledgerEntry) bool { return e.ID == id }) {
		// Sent before (a retried turn): allowed again, so that the
		// outbox, not the policy, decides whether it goes out twice.
		return Decision{Allow: true, UseTemplate: p.outsideWindow(t, s.Channel, now)}
	}
	// Opt-outs: marketing on every channel, service on the channel.
	c, ok := profile.ConsentOn(string(purpose), s.Channel)
	switch {
	case ok && !c.Granted:
		detail := fmt.Sprintf("no to %s on %s, %s", purpose, c.Channel, c.Time.Format(time.RFC3339))
		if c.Source != "" {
			detail += ", " + c.Source
		}
		return Decision{Reason: ReasonOptedOut, Detail: detail}
	case purpose == Marketing && !ok:
		return Decision{Reason: ReasonNoConsent, Detail: "no marketing consent on " + s.Channel}
	}
	loc, err := p.zoneOf(profile.TimeZone)
	if err != nil {
		return Decision{Reason: ReasonBadTimeZone, Detail: err.Error()}
	}
	useTemplate := p.outsideWindow(t, s.Channel, now)
	if useTemplate && !s.HasTemplate {
		return Decision{Reason: ReasonTemplateMissing, Detail: s.Channel + " window closed"}
	}
	if purpose == Marketing {
		if p.cap.Max > 0 && count(l, now.Add(-p.cap.Window), func(e ledgerEntry) bool { return e.Purpose == Marketing }) >= p.cap.Max {
			return Decision{Reason: ReasonCapped, Detail: fmt.Sprintf("global cap %d per %s", p.cap.Max, span(p.cap.Window))}
		}
	}
	if cc := s.CampaignCap; cc.Max > 0 && count(l, now.Add(-cc.Window), func(e ledgerEntry) bool { return e.Campaign == s.Campaign }) >= cc.Max {
		return Decision{Reason: ReasonCapped, Detail: fmt.Sprintf("campaign cap %d per %s", cc.Max, span(cc.Window))}
	}
	if until, quiet := p.quiet(now, loc); quiet {
		return Decision{Reason: ReasonQuietHours, Until: until}
	}
	if t != nil {
		if q, open := dialog.OpenQuestion(t); open {
			// A form or a confirmation in progress holds the message
			// while the customer is at it; a question its policy drops
			// (a menu, an offer, "was this helpful?") only for a
			// moment after their last message: the message takes its
			// place (Engine drops it), as a new request would.
			wrote, ok := lastWrote(t)
			switch brief := p.brief(q); {
			case !ok:
			case !brief && now.Sub(wrote) < activeFor:
				return Decision{Reason: ReasonBusy, Detail: "a question is open", Until: now.Add(p.retryBusy)}
			case brief && now.Sub(wrote) < dropHold:
				return Decision{Reason: ReasonBusy, Detail: "the customer has just been asked something", Until: wrote.Add(dropHold)}
			}
		}
		if p.busy != nil && p.busy(t) {
			return Decision{Reason: ReasonBusy, Detail: "a person owns the conversation", Until: now.Add(p.retryBusy)}
		}
	}
	return Decision{Allow: true, UseTemplate: useTemplate}
}

// span formats a cap's window for people: "7 days", "12h0m0s".
func span(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d == day:
		return "day"
	case d%day == 0:
		return strconv.Itoa(int(d/day)) + " days"
	}
	return d.String()
}

func count(l ledger, since time.Time, match func(ledgerEntry) bool) int {
	n := 0
	for _, e := range l.Sends {
		if e.Unix > since.UnixMilli() && match(e) {
			n++
		}
	}
	return n
}

// quiet reports whether now is in the quiet hours of loc, and when they
// end.
func (p *Policy) quiet(now time.Time, loc *time.Location) (time.Time, bool) {
	if p.quietFrom == p.quietTo {
		return time.Time{}, false
	}
	local := now.In(loc)
	y, m, d := local.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, loc)
	tod := local.Sub(midnight)
	var end time.Time
	switch {
	case p.quietFrom < p.quietTo: // e.g. 01:00-06:00
		if tod < p.quietFrom || tod >= p.quietTo {
			return time.Time{}, false
		}
		end = at(midnight, p.quietTo)
	case tod >= p.quietFrom: // evening part of 21:00-09:00
		end = at(midnight.AddDate(0, 0, 1), p.quietTo)
	case tod < p.quietTo: // morning part
		end = at(midnight, p.quietTo)
	default:
		return time.Time{}, false
	}
	return end, true
}

// at returns the wall-clock time of day d on the day of midnight, so
// that 09:00 stays 09:00 across a daylight-saving change.
func at(midnight time.Time, d time.Duration) time.Time {
	y, m, day := midnight.Date()
	return time.Date(y, m, day, int(d/time.Hour), int(d%time.Hour/time.Minute), 0, 0, midnight.Location())
}

// outsideWindow reports whether channel has a customer-service window
// and the customer's last message in t's conversation is older than it.
func (p *Policy) outsideWindow(t *parley.Turn, channel string, now time.Time) bool {
	w, ok := p.windows[channel]
	if !ok {
		return false
	}
	if t == nil || t.Session() == nil {
		return true
	}
	for _, e := range slices.Backward(t.Session().History) {
		if customerWrote(e) {
			return now.Sub(e.Time) > w
		}
	}
	return true
}

// activeFor is how long after the customer's last message an open
// question with policy [dialog.Resume] (a form's, a confirmation) still
// holds proactive messages back: a form left unanswered for longer is
// not waited for. dropHold is that time for a question with policy
// [dialog.Drop] (a menu, an offer, a feedback question): long enough not
// to cut in while the customer reads and answers, short enough that a
// menu left open does not hold a reminder for half an hour.
const (
	activeFor = 30 * time.Minute
	dropHold  = 2 * time.Minute
)

// lastWrote returns when the customer of t's conversation last wrote,
// and false when they never did.
func lastWrote(t *parley.Turn) (time.Time, bool) {
	s := t.Session()
	if s == nil {
		return time.Time{}, false
	}
	for _, e := range slices.Backward(s.History) {
		if customerWrote(e) {
			return e.Time, true
		}
	}
	return time.Time{}, false
}

// customerWrote reports whether a history entry is a message of the
// customer's: signal turns (page views, timers, campaign steps) are
// recorded as user entries without text.
func customerWrote(e memory.Entry) bool { return e.Role == memory.RoleUser && e.Text != "" }

// Record counts a message sent under s against the customer's caps. It
// returns false (and records nothing) when another message took the last
// place since [Policy.Check]: then the message must not go out. Recording
// an ID twice counts once.
func (p *Policy) Record(ctx context.Context, customerID string, s Send) (bool, error) {
	now := time.Now()
	for {
		l, ver, err := p.readLedger(ctx, customerID)
		var corrupt *memory.CorruptError
		if errors.As(err, &corrupt) {
			l = ledger{} // an unreadable ledger is replaced, not obeyed forever
		} else if err != nil {
			return false, err
		}
		if id := sendHash(s.ID); slices.ContainsFunc(l.Sends, func(e ledgerEntry) bool { return e.ID == id }) {
			return true, nil
		}
		if s.Purpose != Service && p.cap.Max > 0 &&
			count(l, now.Add(-p.cap.Window), func(e ledgerEntry) bool { return e.Purpose == Marketing }) >= p.cap.Max {
			return false, nil
		}
		if cc := s.CampaignCap; cc.Max > 0 && count(l, now.Add(-cc.Window), func(e ledgerEntry) bool { return e.Campaign == s.Campaign }) >= cc.Max {
			return false, nil
		}
		l.Sends = slices.DeleteFunc(l.Sends, func(e ledgerEntry) bool { return e.Unix < now.Add(-p.keepLedger).UnixMilli() })
		purpose := s.Purpose
		if purpose == "" {
			purpose = Marketing
		}
		l.Sends = append(l.Sends, ledgerEntry{ID: sendHash(s.ID), Campaign: s.Campaign, Purpose: purpose, Unix: now.UnixMilli()})
		_, err = p.store.Set(ctx, memory.Put{Key: ledgerKey(customerID), Value: encodeLedger(l), IfVersion: ver})
		if errors.Is(err, memory.ErrConflict) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("proactive: record send to %q: %w", customerID, err)
		}
		return true, nil
	}
}

// OptOut records a customer's STOP (or UNSUBSCRIBE, "stop messaging me")
// said on channel: marketing withdrawn on every channel, and service
// messages on that channel. It takes effect for the next message the
// policy checks, whatever its campaign. Mount [Engine.OptOut], which
// calls it, on the router for [dialog.CommandStop].
func (p *Policy) OptOut(ctx context.Context, customerID, channel, source string, at time.Time) error {
	_, err := p.profiles.Update(ctx, customerID, func(prof *customer.Profile) error {
		prof.RecordConsent(customer.Consent{Purpose: string(Marketing), Granted: false, Time: at, Channel: channel, Source: source})
		prof.RecordConsent(customer.Consent{Purpose: string(Service), Granted: false, Time: at, Channel: channel, Source: source,
			Channels: []string{channel}})
		return nil
	})
	if err != nil {
		return fmt.Errorf("proactive: record opt-out of %q: %w", customerID, err)
	}
	return nil
}

// Consent records the customer's answer to "may we send you offers and
// tips?" for marketing, on every channel, asked on channel.
func (p *Policy) Consent(ctx context.Context, customerID, channel string, granted bool, source string, at time.Time) error {
	_, err := p.profiles.Update(ctx, customerID, func(prof *customer.Profile) error {
		prof.RecordConsent(customer.Consent{Purpose: string(Marketing), Granted: granted, Time: at, Channel: channel, Source: source})
		if granted {
			// A yes after a STOP on this channel restores its service
			// messages too.
			if c, ok := prof.ConsentOn(string(Service), channel); ok && !c.Granted {
				prof.RecordConsent(customer.Consent{Purpose: string(Service), Granted: true, Time: at, Channel: channel, Source: source,
					Channels: []string{channel}})
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("proactive: record consent of %q: %w", customerID, err)
	}
	return nil
}
