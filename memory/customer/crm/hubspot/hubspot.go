// Package hubspot is a [crm.Lookup] over the HubSpot CRM API, with a
// write-back of a conversation's outcome as a note on the contact's
// timeline.
//
// Contacts are found by a unique property (e-mail by default) with the
// search API (POST /crm/v3/objects/contacts/search); orders are the
// contact's associated commerce orders (GET
// /crm/v4/objects/contacts/{id}/associations/orders, following
// paging.next.after, then POST /crm/v3/objects/orders/batch/read); the
// outcome note is POST /crm/v3/objects/notes associated with the contact
// (association type 202, note to contact). Requests carry a private
// app's access token as a Bearer token; 429 answers are retried after
// Retry-After.
//
// API reference: https://developers.hubspot.com/docs/api/crm/search,
// https://developers.hubspot.com/docs/api/crm/notes,
// https://developers.hubspot.com/docs/api/crm/associations and
// https://developers.hubspot.com/docs/api/usage-details (rate limits).
package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/internal/httpjson"
	"github.com/parleyhq/parley/memory/customer/crm"
)

// Config configures a [CRM].
type Config struct {
	// Token is a private app's access token. Required.
	Token string
	// BaseURL defaults to https://api.hubapi.com.
	BaseURL string
	// IDProperty is the contact property holding Parley's customer ID
	// (default "email").
	IDProperty string
	// Client sends the requests (default: a client with a 10s timeout).
	Client *http.Client
	// Attempts bounds tries when HubSpot answers 429 or 5xx (default 3);
	// MaxWait caps one Retry-After wait (default 10s).
	Attempts int
	MaxWait  time.Duration
}

// CRM reads contacts and orders from HubSpot and writes conversation
// outcomes back. It is safe for concurrent use.
type CRM struct {
	cfg Config
	api *httpjson.Client
}

var _ crm.Lookup = (*CRM)(nil)

// New returns a CRM, or an error if the configuration is invalid.
func New(cfg Config) (*CRM, error) {
	if cfg.Token == "" {
		return nil, errors.New("hubspot: Token is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://api.hubapi.com"
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.IDProperty == "" {
		cfg.IDProperty = "email"
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 3
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 10 * time.Second
	}
	api := &httpjson.Client{Base: cfg.BaseURL, HTTP: cfg.Client, Attempts: cfg.Attempts, MaxWait: cfg.MaxWait, MaxBody: 4 << 20,
		Auth: func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+cfg.Token) }}
	return &CRM{cfg: cfg, api: api}, nil
}

// contactProps are the contact properties the lookup reads.
var contactProps = []string{"email", "firstname", "lastname", "phone", "hs_language", "lifecyclestage", "createdate"}

type object struct {
	ID         string            `json:"id"`
	Properties map[string]string `json:"properties"`
}

// contact finds the contact whose IDProperty equals id.
func (c *CRM) contact(ctx context.Context, op, id string) (object, error) {
	props := contactProps
	if c.cfg.IDProperty != "email" {
		props = append(props[:len(props):len(props)], c.cfg.IDProperty)
	}
	req := map[string]any{
		"filterGroups": []any{map[string]any{"filters": []any{
			map[string]string{"propertyName": c.cfg.IDProperty, "operator": "EQ", "value": id}}}},
		"properties": props,
		"limit":      2,
	}
	var res struct {
		Total   int      `json:"total"`
		Results []object `json:"results"`
	}
	if err := c.do(ctx, op, http.MethodPost, "/crm/v3/objects/contacts/search", req, &res); err != nil {
		return object{}, err
	}
	if len(res.Results) == 0 {
		return object{}, fmt.Errorf("%w: contact %s=%q", crm.ErrNotFound, c.cfg.IDProperty, id)
	}
	return res.Results[0], nil
}

// Customer implements [crm.Lookup]: id is the value of the contact's
// IDProperty. The HubSpot contact ID is in Attributes["hubspot_id"] and
// every property read in Attributes["hubspot_"+name]; Tier is the
// lifecycle stage.
func (c *CRM) Customer(ctx context.Context, id string) (crm.Customer, error) {
	o, err := c.contact(ctx, "customer", id)
	if err != nil {
		return crm.Customer{}, err
	}
	p := o.Properties
	cu := crm.Customer{ID: id, Name: strings.TrimSpace(p["firstname"] + " " + p["lastname"]), Email: p["email"],
		Phone: p["phone"], Language: p["hs_language"], Tier: p["lifecyclestage"],
		Attributes: map[string]string{"hubspot_id": o.ID}}
	for k, v := range p {
		if v != "" {
			cu.Attributes["hubspot_"+k] = v
		}
	}
	return cu, nil
}

// orderProps are HubSpot's order properties the lookup reads.
var orderProps = []string{"hs_order_name", "hs_external_order_id", "hs_fulfillment_status", "hs_total_price",
	"hs_currency_code", "hs_external_created_date", "hs_createdate", "hs_shipping_tracking_number"}

// Orders implements [crm.Lookup]: the contact's associated orders, newest
// first. Totals are converted to minor units assuming two decimals.
func (c *CRM) Orders(ctx context.Context, customerID string) ([]crm.Order, error) {
	o, err := c.contact(ctx, "orders", customerID)
	if err != nil {
		return nil, err
	}
	var ids []map[string]string
	after := ""
	for {
		path := "/crm/v4/objects/contacts/" + o.ID + "/associations/orders?limit=500"
		if after != "" {
			path += "&after=" + after
		}
		var page struct {
			Results []struct {
				ToObjectID json.Number `json:"toObjectId"`
			} `json:"results"`
			Paging *struct {
				Next *struct {
					After string `json:"after"`
				} `json:"next"`
			} `json:"paging"`
		}
		if err := c.do(ctx, "orders", http.MethodGet, path, nil, &page); err != nil {
			return nil, err
		}
		for _, r := range page.Results {
			ids = append(ids, map[string]string{"id": r.ToObjectID.String()})
		}
		if page.Paging == nil || page.Paging.Next == nil || page.Paging.Next.After == "" {
			break
		}
		after = page.Paging.Next.After
	}
	var orders []crm.Order
	for len(ids) > 0 {
		batch := ids[:min(100, len(ids))] // batch read takes 100 inputs
		ids = ids[len(batch):]
		var res struct {
			Results []object `json:"results"`
		}
		if err := c.do(ctx, "orders", http.MethodPost, "/crm/v3/objects/orders/batch/read",
			map[string]any{"inputs": batch, "properties": orderProps}, &res); err != nil {
			return nil, err
		}
		for _, r := range res.Results {
			orders = append(orders, order(r))
		}
	}
	slices.SortStableFunc(orders, func(a, b crm.Order) int { return b.Placed.Compare(a.Placed) })
	return orders, nil
}

func order(o object) crm.Order {
	p := o.Properties
	id := p["hs_external_order_id"]
	if id == "" {
		id = p["hs_order_name"]
	}
	if id == "" {
		id = o.ID
	}
	placed, err := time.Parse(time.RFC3339, p["hs_external_created_date"])
	if err != nil {
		placed, _ = time.Parse(time.RFC3339, p["hs_createdate"])
	}
	var total int64
	if f, err := strconv.ParseFloat(p["hs_total_price"], 64); err == nil {
		total = int64(f*100 + 0.5)
	}
	return crm.Order{ID: id, Status: p["hs_fulfillment_status"], Total: total, Currency: p["hs_currency_code"],
		Placed: placed, Tracking: p["hs_shipping_tracking_number"]}
}

// LogOutcome writes a conversation's outcome (what the customer wanted,
// how it ended) as a note on the timeline of the contact whose
// IDProperty is customerID, dated at, and returns the note's ID. It is
// the one write Parley makes to HubSpot; call it once per conversation
// outcome (it is not idempotent).
func (c *CRM) LogOutcome(ctx context.Context, customerID, text string, at time.Time) (string, error) {
	o, err := c.contact(ctx, "note", customerID)
	if err != nil {
		return "", err
	}
	req := map[string]any{
		"properties": map[string]string{
			"hs_timestamp": at.UTC().Format("2006-01-02T15:04:05.000Z"),
			"hs_note_body": text,
		},
		"associations": []any{map[string]any{
			"to":    map[string]string{"id": o.ID},
			"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}},
		}},
	}
	var note object
	if err := c.do(ctx, "note", http.MethodPost, "/crm/v3/objects/notes", req, &note); err != nil {
		return "", err
	}
	return note.ID, nil
}

// do sends one request, retrying 429 and 5xx after Retry-After. Failures
// are *crm.UnavailableError; 404 is crm.ErrNotFound.
func (c *CRM) do(ctx context.Context, op, method, path string, in, out any) error {
	err := c.api.Do(ctx, method, path, in, out)
	var se *httpjson.StatusError
	switch {
	case err == nil || ctx.Err() != nil:
		return err
	case errors.As(err, &se) && se.Code == http.StatusNotFound:
		return fmt.Errorf("%w: %s", crm.ErrNotFound, bytes.TrimSpace(se.Body))
	case errors.As(err, &se):
		return &crm.UnavailableError{Op: op, Status: se.Code, Err: fmt.Errorf("%s", bytes.TrimSpace(se.Body))}
	}
	return &crm.UnavailableError{Op: op, Err: err}
}
