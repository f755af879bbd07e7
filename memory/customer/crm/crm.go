package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// ErrNotFound is returned for a customer the CRM does not know.
var ErrNotFound = errors.New("crm: not found")

// ErrUnavailable matches every [*UnavailableError]: the CRM could not be
// asked (network error, timeout, server error). The bot should say it
// cannot see the data right now and offer alternatives, not guess.
var ErrUnavailable = errors.New("crm: unavailable")

// An UnavailableError reports a CRM that failed to answer.
type UnavailableError struct {
	// Op is what was asked ("customer", "orders").
	Op string
	// Status is the HTTP status, 0 when there was no response.
	Status int
	Err    error
}

// Error implements the error interface.
func (e *UnavailableError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("crm: %s: HTTP %d: %v", e.Op, e.Status, e.Err)
	}
	return fmt.Sprintf("crm: %s: %v", e.Op, e.Err)
}

// Is makes errors.Is(err, ErrUnavailable) true.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// Unwrap returns the underlying error.
func (e *UnavailableError) Unwrap() error { return e.Err }

// A Customer is what the CRM knows about a customer.
type Customer struct {
	ID            string            `json:"id"`
	Name          string            `json:"name,omitempty"`
	Email         string            `json:"email,omitempty"`
	Phone         string            `json:"phone,omitempty"`
	Language      string            `json:"language,omitempty"`
	Tier          string            `json:"tier,omitempty"`
	TotalSpent    int64             `json:"total_spent,omitempty"` // minor units
	LastOrderDate time.Time         `json:"last_order_date,omitzero"`
	Segments      []string          `json:"segments,omitempty"`
	Attributes    map[string]string `json:"attributes,omitempty"`
}

// An Order is one of a customer's orders.
type Order struct {
	ID       string    `json:"id"`
	Status   string    `json:"status"`
	Total    int64     `json:"total"` // minor units
	Currency string    `json:"currency,omitempty"`
	Placed   time.Time `json:"placed"`
	Tracking string    `json:"tracking,omitempty"`
}

// A Lookup reads customer data from the application's CRM or customer
// data platform. It is read-only: Parley never writes to the system of
// record.
//
// Implementations must be safe for concurrent use and return
// [ErrNotFound] for an unknown customer and an error matching
// [ErrUnavailable] when the CRM cannot answer.
type Lookup interface {
	// Customer returns the customer with the given ID.
	Customer(ctx context.Context, id string) (Customer, error)
	// Orders returns the customer's orders, newest first.
	Orders(ctx context.Context, customerID string) ([]Order, error)
}

// HTTPConfig configures an [HTTP] lookup.
type HTTPConfig struct {
	// BaseURL is the API's root, e.g. "https://crm.example.com/api/".
	// Required.
	BaseURL string
	// Client sends the requests (default: a client with a 5s timeout).
	Client *http.Client
	// Header is added to every request (an Authorization header, say).
	Header http.Header
	// MaxBody bounds a response body (default 1 MiB).
	MaxBody int64
}

// HTTP is a [Lookup] over a JSON API:
//
//	GET {BaseURL}customers/{id}         -> Customer
//	GET {BaseURL}customers/{id}/orders  -> [Order, ...]
//
// 404 is [ErrNotFound]; other non-2xx statuses, network errors and
// undecodable bodies are [*UnavailableError]s. HTTP is safe for
// concurrent use.
type HTTP struct {
	base   *url.URL
	client *http.Client
	header http.Header
	max    int64
}

var _ Lookup = (*HTTP)(nil)

// NewHTTP returns an HTTP lookup over cfg.BaseURL (a trailing slash is
// added if missing), with a 5-second client and a 1 MiB body limit unless
// cfg says otherwise. It returns an error, and sends nothing, when BaseURL
// is not an absolute http or https URL.
func NewHTTP(cfg HTTPConfig) (*HTTP, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("crm: BaseURL %q must be an absolute http(s) URL", cfg.BaseURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 5 * time.Second}
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 20
	}
	return &HTTP{base: u, client: cfg.Client, header: cfg.Header.Clone(), max: cfg.MaxBody}, nil
}

// Customer implements [Lookup].
func (h *HTTP) Customer(ctx context.Context, id string) (Customer, error) {
	var c Customer
	err := h.get(ctx, "customer", []string{"customers", id}, &c)
	return c, err
}

// Orders implements [Lookup].
func (h *HTTP) Orders(ctx context.Context, customerID string) ([]Order, error) {
	var os []Order
	err := h.get(ctx, "orders", []string{"customers", customerID, "orders"}, &os)
	return os, err
}

func (h *HTTP) get(ctx context.Context, op string, segs []string, v any) error {
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			return fmt.Errorf("crm: %s: bad ID %q", op, s)
		}
	}
	esc := make([]string, len(segs))
	for i, s := range segs {
		esc[i] = url.PathEscape(s)
	}
	u := *h.base
	u.RawPath = h.base.EscapedPath() + strings.Join(esc, "/")
	u.Path = h.base.Path + strings.Join(segs, "/")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("crm: %s: %w", op, err)
	}
	for k, vs := range h.header {
		req.Header[k] = slices.Clone(vs)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &UnavailableError{Op: op, Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, h.max+1))
	if err != nil {
		return &UnavailableError{Op: op, Status: resp.StatusCode, Err: err}
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return ErrNotFound
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return &UnavailableError{Op: op, Status: resp.StatusCode, Err: errors.New(http.StatusText(resp.StatusCode))}
	case int64(len(body)) > h.max:
		return &UnavailableError{Op: op, Status: resp.StatusCode, Err: fmt.Errorf("response over %d bytes", h.max)}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &UnavailableError{Op: op, Status: resp.StatusCode, Err: fmt.Errorf("decode response: %w", err)}
	}
	return nil
}

// Fake is an in-memory [Lookup] for tests and offline examples. Its
// Fail field, when set, makes every call fail, to test the "CRM is down"
// path. The zero value is an empty CRM. Fake is safe for concurrent use.
type Fake struct {
	mu        sync.Mutex
	customers map[string]Customer
	orders    map[string][]Order
	fail      error
}

var _ Lookup = (*Fake)(nil)

// Put adds or replaces a customer and their orders.
func (f *Fake) Put(c Customer, orders ...Order) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.customers == nil {
		f.customers = make(map[string]Customer)
		f.orders = make(map[string][]Order)
	}
	f.customers[c.ID] = c
	f.orders[c.ID] = slices.Clone(orders)
}

// SetDown makes every call fail with an [*UnavailableError] (down true)
// or work again (false).
func (f *Fake) SetDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = nil
	if down {
		f.fail = errors.New("fake CRM is down")
	}
}

// Customer implements [Lookup].
func (f *Fake) Customer(ctx context.Context, id string) (Customer, error) {
	if err := ctx.Err(); err != nil {
		return Customer{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return Customer{}, &UnavailableError{Op: "customer", Err: f.fail}
	}
	c, ok := f.customers[id]
	if !ok {
		return Customer{}, ErrNotFound
	}
	c.Segments = slices.Clone(c.Segments)
	return c, nil
}

// Orders implements [Lookup].
func (f *Fake) Orders(ctx context.Context, customerID string) ([]Order, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, &UnavailableError{Op: "orders", Err: f.fail}
	}
	if _, ok := f.customers[customerID]; !ok {
		return nil, ErrNotFound
	}
	return slices.Clone(f.orders[customerID]), nil
}
