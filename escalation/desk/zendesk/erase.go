package zendesk

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk/internal/rest"
)

// The erasure follows Zendesk's GDPR path:
// https://developer.zendesk.com/api-reference/ticketing/users/users/#permanently-delete-user
// and https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/#delete-ticket-permanently.

// maxPages bounds the pages one listing follows (100 records a page).
const maxPages = 100

// apiUser is the part of Zendesk's user object the desk reads, and what
// an export shows of the customer's users.
type apiUser struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
	Role       string `json:"role"`
	CreatedAt  string `json:"created_at,omitempty"`
}

// apiComment is the part of Zendesk's ticket comment the export keeps.
type apiComment struct {
	AuthorID  int64  `json:"author_id"`
	Body      string `json:"body"`
	Public    bool   `json:"public"`
	CreatedAt string `json:"created_at"`
}

// requester creates or updates the end user of t's customer (external_id
// = t.CustomerID, with the profile's name and e-mail) and returns its ID:
// POST /api/v2/users/create_or_update, 201 or 200 with {"user": {...}}.
func (d *Desk) requester(ctx context.Context, t escalation.Ticket) (int64, error) {
	email := t.Profile["email"]
	u := map[string]any{"name": cmp.Or(t.Profile["name"], email, "Customer "+t.CustomerID),
		"external_id": t.CustomerID, "skip_verify_email": true}
	if email != "" {
		u["email"] = email
	}
	var out struct {
		User apiUser `json:"user"`
	}
	if err := d.do(ctx, http.MethodPost, "/api/v2/users/create_or_update.json", map[string]any{"user": u}, &out); err != nil {
		return 0, err
	}
	if out.User.ID == 0 {
		return 0, errors.New("no user in the answer")
	}
	return out.User.ID, nil
}

// Name names the desk in a privacy export: "zendesk". With [Desk.Export]
// and [Desk.Erase] it makes the Desk a privacy.Source.
func (d *Desk) Name() string { return "zendesk" }

// Export returns the customer's end users in Zendesk (found by
// external_id) and the tickets they requested, with every comment,
// oldest first; tickets of the customer this process submitted without
// that link are included too. A customer Zendesk does not know exports
// as empty lists.
func (d *Desk) Export(ctx context.Context, customerID string) (any, error) {
	users, tickets, err := d.records(ctx, customerID)
	if err != nil {
		return nil, fmt.Errorf("zendesk: export %s: %w", customerID, err)
	}
	x := rest.NewExport[apiUser]()
	x.Requesters = append(x.Requesters, users...)
	for _, a := range tickets {
		comments, err := list[apiComment](ctx, d, fmt.Sprintf("/api/v2/tickets/%d/comments.json", a.ID), "comments")
		if rest.Gone(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("zendesk: export %s: ticket %d: %w", customerID, a.ID, err)
		}
		xt := rest.ExportTicket{ID: a.ID, Subject: a.Subject, Status: a.Status, Created: a.CreatedAt, Messages: []rest.Message{}}
		for _, c := range comments {
			xt.Messages = append(xt.Messages, rest.Message{AuthorID: c.AuthorID, Body: c.Body, Public: c.Public, Created: c.CreatedAt})
		}
		x.Tickets = append(x.Tickets, xt)
	}
	return x, nil
}

// Erase deletes the customer's tickets and end users from Zendesk for
// good: each ticket is deleted (DELETE /api/v2/tickets/{id}) and then
// permanently (DELETE /api/v2/deleted_tickets/{id}), each end user
// likewise (DELETE /api/v2/users/{id}, then DELETE
// /api/v2/deleted_users/{id}), as Zendesk documents for GDPR requests.
// Users found by the customer's external_id whose role is not end-user
// (agents, admins) are never deleted. Something already deleted (404) is
// not an error, so a failed erasure can be run again.
func (d *Desk) Erase(ctx context.Context, customerID string) error {
	users, tickets, err := d.records(ctx, customerID)
	if err != nil {
		return fmt.Errorf("zendesk: erase %s: %w", customerID, err)
	}
	for _, a := range tickets {
		if err := d.purge(ctx, "/api/v2/tickets/%d.json", "/api/v2/deleted_tickets/%d.json", a.ID); err != nil {
			return fmt.Errorf("zendesk: erase %s: ticket %d: %w", customerID, a.ID, err)
		}
		d.tickets.Forget(a.ID)
	}
	for _, u := range users {
		if err := d.purge(ctx, "/api/v2/users/%d.json", "/api/v2/deleted_users/%d.json", u.ID); err != nil {
			return fmt.Errorf("zendesk: erase %s: user %d: %w", customerID, u.ID, err)
		}
	}
	return nil
}

// purge deletes record id (soft) and then permanently; 404 on either
// means it is already gone that far.
func (d *Desk) purge(ctx context.Context, soft, permanent string, id int64) error {
	if err := d.do(ctx, http.MethodDelete, fmt.Sprintf(soft, id), nil, nil); err != nil && !rest.Gone(err) {
		return err
	}
	if err := d.do(ctx, http.MethodDelete, fmt.Sprintf(permanent, id), nil, nil); err != nil && !rest.Gone(err) {
		return err
	}
	return nil
}

// records returns the customer's end users (GET /api/v2/users/search
// ?external_id=, which matches exactly, case-insensitively) and their
// requested tickets (GET /api/v2/users/{id}/tickets/requested), with the
// tickets this process remembers for the customer.
func (d *Desk) records(ctx context.Context, customerID string) ([]apiUser, []apiTicket, error) {
	if customerID == "" {
		return []apiUser{}, nil, nil
	}
	found, err := list[apiUser](ctx, d, "/api/v2/users/search.json?external_id="+url.QueryEscape(customerID), "users")
	if err != nil {
		return nil, nil, fmt.Errorf("find user: %w", err)
	}
	users := []apiUser{}
	var tickets []apiTicket
	for _, u := range found {
		if u.Role != "end-user" || !strings.EqualFold(u.ExternalID, customerID) {
			continue
		}
		users = append(users, u)
		ts, err := list[apiTicket](ctx, d, fmt.Sprintf("/api/v2/users/%d/tickets/requested.json", u.ID), "tickets")
		if err != nil && !rest.Gone(err) {
			return nil, nil, fmt.Errorf("list tickets of user %d: %w", u.ID, err)
		}
		tickets = append(tickets, ts...)
	}
	for _, e := range d.tickets.OfCustomer(customerID) {
		if slices.ContainsFunc(tickets, func(a apiTicket) bool { return a.ID == e.DeskID }) {
			continue
		}
		var out struct {
			Ticket apiTicket `json:"ticket"`
		}
		switch err := d.do(ctx, http.MethodGet, fmt.Sprintf("/api/v2/tickets/%d.json", e.DeskID), nil, &out); {
		case rest.Gone(err):
			d.tickets.Forget(e.DeskID)
		case err != nil:
			return nil, nil, fmt.Errorf("ticket %d: %w", e.DeskID, err)
		default:
			tickets = append(tickets, out.Ticket)
		}
	}
	return users, tickets, nil
}

// list returns the records under key of path's pages, following
// next_page (Zendesk's offset pagination, 100 records a page).
func list[T any](ctx context.Context, d *Desk, path, key string) ([]T, error) {
	var all []T
	for n := 0; path != "" && n < maxPages; n++ {
		var page map[string]json.RawMessage
		if err := d.do(ctx, http.MethodGet, path, nil, &page); err != nil {
			return nil, err
		}
		var items []T
		var next *string
		if err := unmarshal(page, key, &items); err != nil {
			return nil, err
		}
		if err := unmarshal(page, "next_page", &next); err != nil {
			return nil, err
		}
		all = append(all, items...)
		path = d.nextPage(next)
	}
	return all, nil
}

// unmarshal decodes page[key], when present, into v.
func unmarshal(page map[string]json.RawMessage, key string, v any) error {
	raw, ok := page[key]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

// nextPage is the path of a listing's next_page, or "" at the end. Only
// pages on the account's own address are followed, so that the
// credentials never go elsewhere.
func (d *Desk) nextPage(next *string) string {
	base := strings.TrimRight(d.cfg.BaseURL, "/") + "/"
	if next == nil || !strings.HasPrefix(*next, base) {
		return ""
	}
	return *next
}
