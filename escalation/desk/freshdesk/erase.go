package freshdesk

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/parleyhq/parley/escalation/desk/internal/rest"
)

// customerTag marks the tickets of customer cid: a hash, so that any ID
// makes a valid tag and the tag does not spell the ID out.
func customerTag(cid string) string {
	h := sha256.Sum256([]byte("parley-customer:" + cid))
	return "parley-c-" + hex.EncodeToString(h[:8])
}

// apiContact is the part of Freshdesk's contact object the export keeps.
type apiContact struct {
	ID               int64  `json:"id"`
	Name             string `json:"name"`
	Email            string `json:"email,omitempty"`
	Phone            string `json:"phone,omitempty"`
	Mobile           string `json:"mobile,omitempty"`
	UniqueExternalID string `json:"unique_external_id,omitempty"`
	CreatedAt        string `json:"created_at,omitempty"`
}

// apiConversation is the part of a Freshdesk conversation (a reply or a
// note) the export keeps.
type apiConversation struct {
	UserID    int64  `json:"user_id"`
	BodyText  string `json:"body_text"`
	Private   bool   `json:"private"`
	CreatedAt string `json:"created_at"`
}

// statusPending is Freshdesk's status Pending.
const statusPending = 3

// statusName is the word for Freshdesk's ticket status n.
func statusName(n int) string {
	switch n {
	case statusOpen:
		return "open"
	case statusPending:
		return "pending"
	case statusResolved:
		return "resolved"
	case statusClosed:
		return "closed"
	}
	return strconv.Itoa(n)
}

// Name names the desk in a privacy export: "freshdesk". With
// [Desk.Export] and [Desk.Erase] it makes the Desk a privacy.Source.
func (d *Desk) Name() string { return "freshdesk" }

// Export returns the customer's tickets (found by the customer's tag, and
// those this process submitted) with their descriptions and
// conversations, and the contacts who requested them. A customer
// Freshdesk does not know exports as empty lists. The search index lags a
// few seconds behind, like [Desk.Submit]'s lookup.
func (d *Desk) Export(ctx context.Context, customerID string) (any, error) {
	tickets, requesters, err := d.records(ctx, customerID)
	if err != nil {
		return nil, fmt.Errorf("freshdesk: export %s: %w", customerID, err)
	}
	x := rest.NewExport[apiContact]()
	for _, a := range tickets {
		conv, err := d.conversations(ctx, a.ID)
		if rest.Gone(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("freshdesk: export %s: ticket %d: %w", customerID, a.ID, err)
		}
		xt := rest.ExportTicket{ID: a.ID, Subject: a.Subject, Status: statusName(a.Status), Created: a.CreatedAt,
			Description: a.DescriptionText, Messages: []rest.Message{}}
		for _, c := range conv {
			xt.Messages = append(xt.Messages, rest.Message{AuthorID: c.UserID, Body: c.BodyText, Public: !c.Private, Created: c.CreatedAt})
		}
		x.Tickets = append(x.Tickets, xt)
	}
	for _, id := range requesters {
		var c apiContact
		switch err := d.api.Do(ctx, http.MethodGet, fmt.Sprintf("/api/v2/contacts/%d", id), nil, &c); {
		case rest.Gone(err):
		case err != nil:
			return nil, fmt.Errorf("freshdesk: export %s: contact %d: %w", customerID, id, err)
		default:
			x.Requesters = append(x.Requesters, c)
		}
	}
	return x, nil
}

// Erase deletes the customer's tickets (DELETE /api/v2/tickets/{id}) and
// then permanently deletes the contacts who requested them, with all
// their tickets (DELETE /api/v2/contacts/{id}/hard_delete?force=true), as
// Freshdesk documents for GDPR requests. Something already deleted (404)
// is not an error, so a failed erasure can be run again.
func (d *Desk) Erase(ctx context.Context, customerID string) error {
	tickets, requesters, err := d.records(ctx, customerID)
	if err != nil {
		return fmt.Errorf("freshdesk: erase %s: %w", customerID, err)
	}
	for _, a := range tickets {
		if err := d.api.Do(ctx, http.MethodDelete, fmt.Sprintf("/api/v2/tickets/%d", a.ID), nil, nil); err != nil && !rest.Gone(err) {
			return fmt.Errorf("freshdesk: erase %s: ticket %d: %w", customerID, a.ID, err)
		}
		d.tickets.Forget(a.ID)
	}
	for _, id := range requesters {
		if err := d.api.Do(ctx, http.MethodDelete, fmt.Sprintf("/api/v2/contacts/%d/hard_delete?force=true", id), nil, nil); err != nil && !rest.Gone(err) {
			return fmt.Errorf("freshdesk: erase %s: contact %d: %w", customerID, id, err)
		}
	}
	return nil
}

// records returns the customer's tickets, by tag and from this process's
// table, and their requesters' contact IDs.
func (d *Desk) records(ctx context.Context, customerID string) ([]apiTicket, []int64, error) {
	if customerID == "" {
		return nil, nil, nil
	}
	tickets, err := d.tagged(ctx, customerTag(customerID), false)
	if err != nil {
		return nil, nil, fmt.Errorf("find tickets: %w", err)
	}
	for _, e := range d.tickets.OfCustomer(customerID) {
		if slices.ContainsFunc(tickets, func(a apiTicket) bool { return a.ID == e.DeskID }) {
			continue
		}
		var a apiTicket
		switch err := d.api.Do(ctx, http.MethodGet, fmt.Sprintf("/api/v2/tickets/%d", e.DeskID), nil, &a); {
		case rest.Gone(err):
			d.tickets.Forget(e.DeskID)
		case err != nil:
			return nil, nil, fmt.Errorf("ticket %d: %w", e.DeskID, err)
		default:
			tickets = append(tickets, a)
		}
	}
	slices.SortFunc(tickets, func(a, b apiTicket) int { return cmp.Compare(a.ID, b.ID) })
	var requesters []int64
	for _, a := range tickets {
		if a.RequesterID != 0 && !slices.Contains(requesters, a.RequesterID) {
			requesters = append(requesters, a.RequesterID)
		}
	}
	return tickets, requesters, nil
}

// conversations lists ticket id's replies and notes, oldest first (GET
// /api/v2/tickets/{id}/conversations, pages of up to 100).
func (d *Desk) conversations(ctx context.Context, id int64) ([]apiConversation, error) {
	out := []apiConversation{}
	for page := 1; page <= 100; page++ {
		var c []apiConversation
		if err := d.api.Do(ctx, http.MethodGet, fmt.Sprintf("/api/v2/tickets/%d/conversations?per_page=100&page=%d", id, page), nil, &c); err != nil {
			return nil, err
		}
		out = append(out, c...)
		if len(c) < 100 {
			break
		}
	}
	return out, nil
}
