// Package freshdesk is an [escalation.Desk] backed by Freshdesk.
//
// A hand-off becomes a Freshdesk ticket (source Chat, status Open) whose
// description holds the summary, the reason, the customer's data and the
// transcript, with the hand-off priority mapped to Freshdesk's 1-4 and
// the tags "parley" and "parley-{hand-off ID}". Freshdesk tickets have
// no external ID, so Submit looks the tag up with the search API before
// creating; the search index lags a few seconds behind, so only a
// restart within that window can create a second ticket. The customer's
// messages while an agent owns the conversation are added as public,
// incoming notes by the requester (the reply endpoint would e-mail the
// customer their own words); Cancel adds a private note and resolves the
// ticket.
//
// A ticket for a known customer (escalation.Ticket.CustomerID) is also
// tagged "parley-c-" and a hash of the customer's ID; that tag is how
// [Desk.Erase] and [Desk.Export], which make the Desk a privacy.Source,
// find the customer's tickets and contact in Freshdesk.
//
// Freshdesk automations do not sign their webhooks: the Desk, which is
// also the webhook's [http.Handler], checks a shared secret the
// automation sends in a custom header (see [Desk.ServeHTTP]).
//
// API reference: https://developers.freshdesk.com/api/ (create ticket,
// create note, update ticket, view ticket, filter tickets; basic auth with
// the API key as user name and "X" as password; 429 with Retry-After).
package freshdesk

import (
	"cmp"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk/internal/rest"
)

// Config configures a [Desk].
type Config struct {
	// BaseURL is the account's address, https://{domain}.freshdesk.com.
	BaseURL string
	// APIKey authenticates as an agent.
	APIKey string
	// Secret is the value the automation sends in header Header (default
	// [DefaultHeader]); without it ServeHTTP refuses every request.
	Secret string
	Header string
	// Client sends the requests; nil means http.DefaultClient.
	Client *http.Client
	// Attempts bounds tries of one request when Freshdesk answers 429 or
	// 5xx (default 3); MaxWait caps one Retry-After wait (default 30s).
	Attempts int
	MaxWait  time.Duration
}

// DefaultHeader carries the webhook's shared secret unless Config.Header
// names another.
const DefaultHeader = "X-Parley-Webhook-Secret"

// Freshdesk's ticket statuses.
const (
	statusOpen     = 2
	statusResolved = 4
	statusClosed   = 5
	sourceChat     = 7
)

// Desk is an [escalation.Desk] on Freshdesk. It is safe for concurrent
// use.
type Desk struct {
	cfg     Config
	api     *rest.Client
	deliver escalation.Deliverer
	tickets rest.Tickets
}

// maxRelayed bounds rest.Entry.Relayed.
const maxRelayed = 20

// apiTicket is the part of Freshdesk's ticket object the desk reads.
type apiTicket struct {
	ID              int64    `json:"id"`
	Status          int      `json:"status"`
	RequesterID     int64    `json:"requester_id"`
	DescriptionText string   `json:"description_text"`
	Tags            []string `json:"tags"`
	Subject         string   `json:"subject"`
	CreatedAt       string   `json:"created_at"`
}

// New returns a Desk; d receives the agents' messages and resolutions as
// lifecycle turns (see [escalation.LifecycleTurn]).
func New(cfg Config, d escalation.Deliverer) (*Desk, error) {
	if cfg.BaseURL == "" || cfg.APIKey == "" {
		return nil, errors.New("freshdesk: BaseURL and APIKey are required")
	}
	if d == nil {
		return nil, errors.New("freshdesk: nil Deliverer")
	}
	if cfg.Header == "" {
		cfg.Header = DefaultHeader
	}
	api := rest.New(cfg.BaseURL, cfg.Client, cfg.Attempts, cfg.MaxWait,
		func(r *http.Request) { r.SetBasicAuth(cfg.APIKey, "X") })
	return &Desk{cfg: cfg, api: api, deliver: d, tickets: rest.Tickets{Desk: "freshdesk"}}, nil
}

// tag marks the ticket of hand-off id.
func tag(id string) string { return "parley-" + id }

// Submit implements [escalation.Desk]: it creates the Freshdesk ticket
// unless one tagged with t.ID exists.
func (d *Desk) Submit(ctx context.Context, t escalation.Ticket) error {
	return d.tickets.Submit(ctx, t, d.find, func(ctx context.Context) error {
		var out apiTicket
		if err := d.api.Do(ctx, http.MethodPost, "/api/v2/tickets", newTicket(t), &out); err != nil {
			return fmt.Errorf("freshdesk: submit %q: %w", t.ID, err)
		}
		d.remember(t, out)
		return nil
	})
}

// newTicket is the create request for t.
func newTicket(t escalation.Ticket) map[string]any {
	tk := map[string]any{
		"subject":     rest.Subject(t),
		"description": strings.ReplaceAll(html.EscapeString(rest.Body(t)), "\n", "<br>\n"),
		"priority":    priority(t.Priority),
		"status":      statusOpen,
		"source":      sourceChat,
		"tags":        []string{"parley", tag(t.ID)},
	}
	if t.CustomerID != "" {
		tk["tags"] = []string{"parley", tag(t.ID), customerTag(t.CustomerID)}
	}
	// Freshdesk needs a requester: e-mail, phone or the contact's
	// unique external ID, in that order of preference.
	switch p := t.Profile; {
	case p["email"] != "":
		tk["email"] = p["email"]
	case t.Phone != "" || p["phone"] != "":
		tk["phone"] = cmp.Or(t.Phone, p["phone"])
	default:
		tk["unique_external_id"] = cmp.Or(t.CustomerID, "parley:"+t.ConversationID)
	}
	if name := t.Profile["name"]; name != "" {
		tk["name"] = name
	} else if _, ok := tk["phone"]; ok {
		tk["name"] = tk["phone"] // Freshdesk requires a name with a phone
	}
	return tk
}

// priority maps a hand-off priority to Freshdesk's: 1 low, 2 medium, 3
// high, 4 urgent.
func priority(p dialog.Priority) int {
	switch p {
	case dialog.PriorityLow:
		return 1
	case dialog.PriorityHigh:
		return 3
	case dialog.PriorityUrgent:
		return 4
	}
	return 2
}

func (d *Desk) remember(t escalation.Ticket, a apiTicket) *rest.Entry {
	return d.tickets.Remember(t, a.DescriptionText, a.ID, a.RequesterID, a.Status >= statusResolved)
}

// find returns the ticket of hand-off id, from memory or by searching
// for its tag (following pages), or nil.
func (d *Desk) find(ctx context.Context, id string) (*rest.Entry, error) {
	return d.tickets.Find(ctx, id, d.search)
}

func (d *Desk) search(ctx context.Context, id string) (*rest.Entry, error) {
	found, err := d.tagged(ctx, tag(id), true)
	if err != nil {
		return nil, fmt.Errorf("freshdesk: find %q: %w", id, err)
	}
	if len(found) == 0 {
		return nil, nil
	}
	return d.remember(escalation.Ticket{ID: id}, found[0]), nil
}

// tagged returns the tickets tagged tg, by the search API (GET
// /api/v2/search/tickets, 30 results a page and at most 10 pages), only
// the first when first is set.
func (d *Desk) tagged(ctx context.Context, tg string, first bool) ([]apiTicket, error) {
	q := url.QueryEscape(fmt.Sprintf(`"tag:'%s'"`, tg))
	var out []apiTicket
	for page := 1; page <= 10; page++ {
		var res struct {
			Results []apiTicket `json:"results"`
			Total   int         `json:"total"`
		}
		if err := d.api.Do(ctx, http.MethodGet, fmt.Sprintf("/api/v2/search/tickets?query=%s&page=%d", q, page), nil, &res); err != nil {
			return nil, err
		}
		for _, a := range res.Results {
			if slices.Contains(a.Tags, tg) {
				out = append(out, a)
				if first {
					return out, nil
				}
			}
		}
		if len(res.Results) == 0 || page*30 >= res.Total {
			break
		}
	}
	return out, nil
}

// Relay implements [escalation.Desk]: m becomes a public, incoming note
// by the requester.
func (d *Desk) Relay(ctx context.Context, id string, m parley.Message) error {
	e, snap, err := d.tickets.Open(ctx, id, d.find)
	if err != nil {
		return err
	}
	note := map[string]any{"body": html.EscapeString(m.Text), "private": false, "incoming": true}
	if snap.Requester != 0 {
		note["user_id"] = snap.Requester
	}
	if err := d.api.Do(ctx, http.MethodPost, fmt.Sprintf("/api/v2/tickets/%d/notes", e.DeskID), note, nil); err != nil {
		return fmt.Errorf("freshdesk: relay to %q: %w", id, err)
	}
	d.tickets.Update(e, func(e *rest.Entry) {
		e.Relayed = append(e.Relayed, strings.TrimSpace(m.Text))
		if len(e.Relayed) > maxRelayed {
			e.Relayed = e.Relayed[1:]
		}
	})
	return nil
}

// Cancel implements [escalation.Desk]: reason becomes a private note and
// the ticket is resolved.
func (d *Desk) Cancel(ctx context.Context, id, reason string) error {
	e, err := d.tickets.Cancelable(ctx, id, d.find)
	if e == nil || err != nil {
		return err
	}
	note := map[string]any{"body": html.EscapeString("Withdrawn by the assistant: " + reason), "private": true}
	if err := d.api.Do(ctx, http.MethodPost, fmt.Sprintf("/api/v2/tickets/%d/notes", e.DeskID), note, nil); err != nil {
		return fmt.Errorf("freshdesk: cancel %q: %w", id, err)
	}
	if err := d.api.Do(ctx, http.MethodPut, fmt.Sprintf("/api/v2/tickets/%d", e.DeskID), map[string]any{"status": statusResolved}, nil); err != nil {
		return fmt.Errorf("freshdesk: cancel %q: %w", id, err)
	}
	d.tickets.Update(e, func(e *rest.Entry) { e.Closed = true })
	return nil
}

// Event is the JSON body the Freshdesk automation sends to
// [Desk.ServeHTTP]. Create an automation rule on ticket updates with the
// conditions "Tags contains parley" and "Performed by Agent", and the
// action "Trigger webhook": POST to the handler, a custom header
// [DefaultHeader] (or Config.Header) with Config.Secret, and the JSON:
//
//	{"ticket_id": "{{ticket.id}}", "status": "{{ticket.status}}",
//	 "agent": "{{ticket.agent.name}}", "comment": "{{ticket.latest_public_comment}}"}
//
// A comment becomes the agent's message to the customer (unless it is
// the text of a message the desk relayed from the customer, should the
// automation fire on it); status Resolved or Closed ends the hand-off.
type Event struct {
	TicketID string `json:"ticket_id"`
	Status   string `json:"status"`
	Agent    string `json:"agent"`
	Comment  string `json:"comment"`
}

// ServeHTTP receives the automation's webhook: 401 without the shared
// secret, 202 for a ticket the assistant did not submit, 503 when the
// delivery fails (Freshdesk retries), 200 otherwise.
func (d *Desk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, ok := rest.ReadHook(w, r)
	if !ok {
		return
	}
	got := r.Header.Get(d.cfg.Header)
	if d.cfg.Secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(d.cfg.Secret)) != 1 {
		http.Error(w, "bad secret", http.StatusUnauthorized)
		return
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "bad JSON", http.StatusBadRequest)
		return
	}
	fid, err := strconv.ParseInt(strings.TrimSpace(ev.TicketID), 10, 64)
	if err != nil {
		http.Error(w, "bad ticket_id", http.StatusBadRequest)
		return
	}
	e, err := d.lookup(r.Context(), fid)
	if err != nil {
		http.Error(w, "ticket lookup failed", http.StatusServiceUnavailable)
		return
	}
	if e == nil {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	status := strings.ToLower(strings.TrimSpace(ev.Status))
	done := status == "resolved" || status == "closed"
	c := strings.TrimSpace(ev.Comment)
	d.tickets.Update(e, func(e *rest.Entry) {
		if done {
			e.Closed = true
		}
		if i := slices.Index(e.Relayed, c); i >= 0 {
			// The customer's own relayed words: the automation fired on
			// the desk's note. Never send them back as the agent's.
			e.Relayed = slices.Delete(e.Relayed, i, i+1)
			c = ""
		}
	})
	rest.Deliver(w, r, d.deliver, rest.AgentTurns(e.Ticket, ev.Agent, c, done))
}

// lookup finds the entry of Freshdesk ticket fid: from memory, else by
// viewing the ticket (GET /api/v2/tickets/{id}) and reading its routing
// line, which must name a hand-off the ticket is tagged with.
func (d *Desk) lookup(ctx context.Context, fid int64) (*rest.Entry, error) {
	if e := d.tickets.ByDesk(fid); e != nil {
		return e, nil
	}
	var a apiTicket
	switch err := d.api.Do(ctx, http.MethodGet, fmt.Sprintf("/api/v2/tickets/%d", fid), nil, &a); {
	case errors.Is(err, escalation.ErrUnknownTicket):
		return nil, nil
	case err != nil:
		return nil, err
	}
	r, ok := rest.ParseRoute(a.DescriptionText)
	if !ok || !slices.Contains(a.Tags, tag(r.ID)) {
		return nil, nil
	}
	return d.remember(r, a), nil
}
