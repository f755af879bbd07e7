// Package zendesk is an [escalation.Desk] backed by Zendesk Support.
//
// A hand-off becomes a Zendesk ticket whose first comment (an internal
// note) holds the summary, the reason, the customer's data and the
// transcript; the hand-off's priority maps to Zendesk's (low, normal,
// high, urgent are the same words) and its ID is the ticket's
// external_id, which makes Submit idempotent across restarts. The
// customer's messages while an agent owns the conversation are added as
// public comments authored by the requester; Cancel solves the ticket
// with an internal note.
//
// The note ends with a "parley-route:" line naming the conversation,
// customer, channel and locale, so that a replica which did not submit
// the ticket (or a restarted process) still delivers the agents' side to
// the right conversation.
//
// The agents' side comes back through a Zendesk webhook, which the Desk
// serves as an [http.Handler] (see [Desk.ServeHTTP] for the trigger's
// JSON body). Requests are checked against the webhook's signing secret
// as Zendesk documents it:
// https://developer.zendesk.com/documentation/webhooks/verifying/
//
// A ticket for a known customer (escalation.Ticket.CustomerID) is
// requested by the Zendesk end user whose external_id is the customer's
// ID, created or updated first; that link is how [Desk.Erase] and
// [Desk.Export], which make the Desk a privacy.Source, find the
// customer's user and tickets in Zendesk.
//
// API reference: https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/
// (create, update, list with external_id), authentication with an API
// token ("{email}/token:{api_token}" in basic auth) and rate limits
// (429 with Retry-After): https://developer.zendesk.com/api-reference/introduction/rate-limits/
package zendesk

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk/internal/rest"
)

// Config configures a [Desk]: the Zendesk account, the agent it acts as
// and the webhook's signing secret.
type Config struct {
	// BaseURL is the account's address, https://{subdomain}.zendesk.com.
	BaseURL string
	// Email and Token authenticate as an agent with an API token.
	Email, Token string
	// Secret is the webhook's signing secret; without it ServeHTTP
	// refuses every request.
	Secret []byte
	// Client sends the requests; nil means http.DefaultClient.
	Client *http.Client
	// Attempts bounds tries of one request when Zendesk answers 429 or
	// 5xx (default 3); MaxWait caps one Retry-After wait (default 30s):
	// a longer wait fails at once with escalation.ErrDeskUnavailable.
	Attempts int
	MaxWait  time.Duration
	// Skew is how old a webhook's signature timestamp may be (default 5
	// minutes), against replays.
	Skew time.Duration
}

// Desk is an [escalation.Desk] on Zendesk Support. It is safe for
// concurrent use.
type Desk struct {
	cfg     Config
	api     *rest.Client
	deliver escalation.Deliverer
	tickets rest.Tickets
}

// New returns a Desk; d receives the agents' messages, assignments and
// resolutions as lifecycle turns (see [escalation.LifecycleTurn]).
func New(cfg Config, d escalation.Deliverer) (*Desk, error) {
	if cfg.BaseURL == "" || cfg.Email == "" || cfg.Token == "" {
		return nil, errors.New("zendesk: BaseURL, Email and Token are required")
	}
	if d == nil {
		return nil, errors.New("zendesk: nil Deliverer")
	}
	if cfg.Skew <= 0 {
		cfg.Skew = 5 * time.Minute
	}
	api := rest.New(cfg.BaseURL, cfg.Client, cfg.Attempts, cfg.MaxWait,
		func(r *http.Request) { r.SetBasicAuth(cfg.Email+"/token", cfg.Token) })
	return &Desk{cfg: cfg, api: api, deliver: d, tickets: rest.Tickets{Desk: "zendesk"}}, nil
}

// apiTicket is the part of Zendesk's ticket object the desk reads.
type apiTicket struct {
	ID          int64  `json:"id"`
	ExternalID  string `json:"external_id"`
	Status      string `json:"status"`
	RequesterID int64  `json:"requester_id"`
	Description string `json:"description"`
	Subject     string `json:"subject"`
	CreatedAt   string `json:"created_at"`
}

// Submit implements [escalation.Desk]: it creates the Zendesk ticket
// unless one with external_id t.ID exists.
func (d *Desk) Submit(ctx context.Context, t escalation.Ticket) error {
	return d.tickets.Submit(ctx, t, d.find, func(ctx context.Context) error {
		tk := newTicket(t)
		if t.CustomerID != "" {
			id, err := d.requester(ctx, t)
			if err != nil {
				return fmt.Errorf("zendesk: submit %q: requester: %w", t.ID, err)
			}
			delete(tk, "requester")
			tk["requester_id"] = id
		}
		var out struct {
			Ticket apiTicket `json:"ticket"`
		}
		if err := d.do(ctx, http.MethodPost, "/api/v2/tickets.json", map[string]any{"ticket": tk}, &out); err != nil {
			return fmt.Errorf("zendesk: submit %q: %w", t.ID, err)
		}
		d.remember(t, out.Ticket)
		return nil
	})
}

func (d *Desk) remember(t escalation.Ticket, a apiTicket) *rest.Entry {
	return d.tickets.Remember(t, a.Description, a.ID, a.RequesterID, a.Status == "solved" || a.Status == "closed")
}

// find returns the ticket of hand-off id, from memory or by listing
// tickets with that external_id (following next_page), or nil.
func (d *Desk) find(ctx context.Context, id string) (*rest.Entry, error) {
	return d.tickets.Find(ctx, id, d.search)
}

func (d *Desk) search(ctx context.Context, id string) (*rest.Entry, error) {
	path := "/api/v2/tickets.json?external_id=" + url.QueryEscape(id)
	for path != "" {
		var page struct {
			Tickets  []apiTicket `json:"tickets"`
			NextPage *string     `json:"next_page"`
		}
		if err := d.do(ctx, http.MethodGet, path, nil, &page); err != nil {
			return nil, fmt.Errorf("zendesk: find %q: %w", id, err)
		}
		for _, a := range page.Tickets {
			if a.ExternalID == id {
				return d.remember(escalation.Ticket{ID: id}, a), nil
			}
		}
		path = d.nextPage(page.NextPage)
	}
	return nil, nil
}

// Relay implements [escalation.Desk]: m becomes a public comment by the
// requester.
func (d *Desk) Relay(ctx context.Context, id string, m parley.Message) error {
	e, snap, err := d.tickets.Open(ctx, id, d.find)
	if err != nil {
		return err
	}
	c := map[string]any{"body": m.Text, "public": true}
	if snap.Requester != 0 {
		c["author_id"] = snap.Requester
	}
	err = d.do(ctx, http.MethodPut, fmt.Sprintf("/api/v2/tickets/%d.json", e.DeskID), map[string]any{"ticket": map[string]any{"comment": c}}, nil)
	if errors.Is(err, errClosed) {
		d.tickets.Update(e, func(e *rest.Entry) { e.Closed = true })
		return fmt.Errorf("%w: %q", escalation.ErrClosedTicket, id)
	}
	if err != nil {
		return fmt.Errorf("zendesk: relay to %q: %w", id, err)
	}
	return nil
}

// Cancel implements [escalation.Desk]: the ticket is solved with reason
// as an internal note.
func (d *Desk) Cancel(ctx context.Context, id, reason string) error {
	e, err := d.tickets.Cancelable(ctx, id, d.find)
	if e == nil || err != nil {
		return err
	}
	body := map[string]any{"ticket": map[string]any{"status": "solved",
		"comment": map[string]any{"body": "Withdrawn by the assistant: " + reason, "public": false}}}
	err = d.do(ctx, http.MethodPut, fmt.Sprintf("/api/v2/tickets/%d.json", e.DeskID), body, nil)
	if err != nil && !errors.Is(err, errClosed) {
		return fmt.Errorf("zendesk: cancel %q: %w", id, err)
	}
	d.tickets.Update(e, func(e *rest.Entry) { e.Closed = true })
	return nil
}

// errClosed is Zendesk's 422 on updating a closed ticket.
var errClosed = errors.New("ticket is closed")

// do sends one API request (see rest.Client.Do); 422 naming a closed
// ticket is errClosed.
func (d *Desk) do(ctx context.Context, method, path string, in, out any) error {
	err := d.api.Do(ctx, method, path, in, out)
	var se *rest.StatusError
	if errors.As(err, &se) && se.Code == http.StatusUnprocessableEntity && bytes.Contains(bytes.ToLower(se.Body), []byte("closed")) {
		return errClosed
	}
	return err
}

// Webhook signature headers, as Zendesk sends them.
const (
	HeaderSignature = "X-Zendesk-Webhook-Signature"
	HeaderTimestamp = "X-Zendesk-Webhook-Signature-Timestamp"
)

// ServeHTTP receives Zendesk's webhook: it checks the signature (401 when
// wrong or older than Config.Skew), decodes the [Event] and delivers the
// lifecycle turns. A ticket the desk did not submit is acknowledged and
// ignored; a failed delivery answers 503 so that Zendesk retries.
func (d *Desk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := rest.ReadHook(w, r)
	if !ok {
		return
	}
	if err := d.verify(r.Header, body); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "bad JSON", http.StatusBadRequest)
		return
	}
	if strings.EqualFold(strings.TrimSpace(ev.ActorEmail), d.cfg.Email) {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	e, err := d.lookup(r.Context(), ev)
	if err != nil {
		http.Error(w, "ticket lookup failed", http.StatusServiceUnavailable)
		return
	}
	solved := ev.Status == "solved" || ev.Status == "closed"
	if e != nil && solved {
		d.tickets.Update(e, func(e *rest.Entry) { e.Closed = true })
	}
	if e == nil || e.Ticket.ConversationID == "" {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	rest.Deliver(w, r, d.deliver, turns(e.Ticket, ev, solved))
}

// Event is the JSON body the Zendesk trigger sends to [Desk.ServeHTTP].
// Configure a webhook (request format JSON) and a trigger with
// conditions "Ticket > Tags contains parley" and "Current user is
// (agent)", whose action notifies it with:
//
//	{"ticket_id": "{{ticket.id}}", "external_id": "{{ticket.external_id}}",
//	 "status": "{{ticket.status}}", "agent": "{{current_user.name}}", "actor_email": "{{current_user.email}}",
//	 "assignee": "{{ticket.assignee.name}}", "comment": "{{ticket.latest_public_comment}}"}
//
// A comment becomes the agent's message to the customer, status Solved
// or Closed ends the hand-off, and an assignee with neither says an agent
// took the ticket. Events the desk caused itself (actor_email is
// Config.Email: the customer's relayed messages, Cancel's solve) are
// acknowledged and ignored, so the customer never gets their own words
// back as the agent's.
type Event struct {
	ActorEmail string `json:"actor_email"`
	TicketID   string `json:"ticket_id"`
	ExternalID string `json:"external_id"`
	Status     string `json:"status"`
	Agent      string `json:"agent"`
	Assignee   string `json:"assignee"`
	Comment    string `json:"comment"`
}

// lookup finds the entry of ev's ticket: from memory, else by fetching
// the ticket (GET /api/v2/tickets/{id}.json) and reading its routing
// line. It returns nil for a ticket the assistant did not submit.
func (d *Desk) lookup(ctx context.Context, ev Event) (*rest.Entry, error) {
	zid, err := strconv.ParseInt(ev.TicketID, 10, 64)
	e := d.tickets.Get(ev.ExternalID)
	if e == nil && err == nil {
		e = d.tickets.ByDesk(zid)
	}
	if e != nil || err != nil || ev.ExternalID == "" {
		return e, nil
	}
	var out struct {
		Ticket apiTicket `json:"ticket"`
	}
	switch err := d.do(ctx, http.MethodGet, fmt.Sprintf("/api/v2/tickets/%d.json", zid), nil, &out); {
	case errors.Is(err, escalation.ErrUnknownTicket):
		return nil, nil
	case err != nil:
		return nil, err
	}
	if out.Ticket.ExternalID != ev.ExternalID {
		return nil, nil
	}
	return d.remember(escalation.Ticket{ID: ev.ExternalID}, out.Ticket), nil
}

// turns are the lifecycle turns of event ev on ticket t, in order: an
// assignment when there is neither a comment nor a solve.
func turns(t escalation.Ticket, ev Event, solved bool) []*parley.Turn {
	agent := ev.Agent
	if agent == "" {
		agent = ev.Assignee
	}
	out := rest.AgentTurns(t, agent, ev.Comment, solved)
	if len(out) == 0 && ev.Assignee != "" {
		out = append(out, escalation.LifecycleTurn(t, escalation.SignalAssigned, map[string]string{escalation.DataAgent: ev.Assignee}))
	}
	return out
}

// verify checks base64(HMAC-SHA256(secret, timestamp + body)) and the
// timestamp's age.
func (d *Desk) verify(h http.Header, body []byte) error {
	if len(d.cfg.Secret) == 0 {
		return errors.New("no webhook secret configured")
	}
	ts, sig := h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if ts == "" || sig == "" {
		return errors.New("missing signature")
	}
	if !hmac.Equal([]byte(Sign(d.cfg.Secret, ts, body)), []byte(sig)) {
		return errors.New("bad signature")
	}
	at, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return errors.New("bad signature timestamp")
	}
	if age := time.Since(at); age > d.cfg.Skew || age < -d.cfg.Skew {
		return errors.New("stale signature")
	}
	return nil
}

// Sign returns Zendesk's webhook signature of body sent at timestamp ts:
// base64(HMAC-SHA256(secret, ts + body)). Tests and proxies use it to
// sign requests as Zendesk does.
func Sign(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
