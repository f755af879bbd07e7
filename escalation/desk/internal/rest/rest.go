// Package rest holds what the help-desk clients share: a JSON client that
// honours 429 and Retry-After, and the routing line that lets a ticket
// find its conversation again.
package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/escalation"
)

// Client sends JSON requests to a help-desk API.
type Client struct {
	Base string // scheme and host, no trailing slash
	HTTP *http.Client
	// Auth authenticates a request.
	Auth func(*http.Request)
	// Attempts bounds tries when the API answers 429 or 5xx; MaxWait
	// caps one Retry-After wait: a longer one fails at once.
	Attempts int
	MaxWait  time.Duration
}

// StatusError is an answer other than 2xx, 429 or 5xx. It wraps
// escalation.ErrUnknownTicket for 404 and escalation.ErrDeskUnavailable
// otherwise.
type StatusError struct {
	Code int
	Body []byte
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.Code, bytes.TrimSpace(e.Body))
}

// Unwrap returns the escalation error the status means.
func (e *StatusError) Unwrap() error {
	if e.Code == http.StatusNotFound {
		return escalation.ErrUnknownTicket
	}
	return escalation.ErrDeskUnavailable
}

// Do sends in as JSON (none when nil) to path (absolute URLs are used as
// they are) and decodes the answer into out (skipped when nil). 429 and
// 5xx answers are retried after their Retry-After; when the tries run out
// or the wait exceeds MaxWait the error wraps escalation.ErrDeskUnavailable.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	u := path
	if !strings.HasPrefix(path, "http://") && !strings.HasPrefix(path, "https://") {
		u = c.Base + path
	}
	attempts := max(c.Attempts, 1)
	var last error
	for attempt := range attempts {
		req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
		if err != nil {
			return err
		}
		c.Auth(req)
		req.Header.Set("Accept", "application/json")
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := c.HTTP.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			last = err
			continue
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		switch code := resp.StatusCode; {
		case code >= 200 && code < 300:
			if out == nil || len(bytes.TrimSpace(msg)) == 0 {
				return nil
			}
			return json.Unmarshal(msg, out)
		case code == http.StatusTooManyRequests || code >= 500:
			last = fmt.Errorf("HTTP %d", code)
			wait := RetryAfter(resp.Header.Get("Retry-After"))
			if wait > c.MaxWait {
				return fmt.Errorf("%w: HTTP %d, retry after %v", escalation.ErrDeskUnavailable, code, wait)
			}
			if attempt+1 < attempts {
				if err := sleep(ctx, wait); err != nil {
					return err
				}
			}
		default:
			return &StatusError{Code: code, Body: msg}
		}
	}
	return fmt.Errorf("%w: %d attempts: %w", escalation.ErrDeskUnavailable, attempts, last)
}

// RetryAfter reads a Retry-After header in seconds (the form Zendesk,
// Freshdesk and HubSpot send); a missing or unreadable one means one
// second.
func RetryAfter(h string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(h))
	if err != nil || n < 0 {
		return time.Second
	}
	return time.Duration(n) * time.Second
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// routePrefix starts the last line of a ticket's description, which
// carries the conversation's routing so that a restarted process (or
// another replica) can deliver the agents' side of a ticket it did not
// submit.
const routePrefix = "parley-route: "

type route struct {
	Ticket       string `json:"ticket"`
	Conversation string `json:"conversation"`
	Customer     string `json:"customer,omitempty"`
	Channel      string `json:"channel,omitempty"`
	Locale       string `json:"locale,omitempty"`
}

// RouteLine is the routing line of t, to end a ticket's description.
func RouteLine(t escalation.Ticket) string {
	b, _ := json.Marshal(route{t.ID, t.ConversationID, t.CustomerID, t.Channel, t.Locale})
	return routePrefix + string(b)
}

// Routing returns the ticket with the IDs, channel and locale of
// escalation.Ticket t, what a lifecycle turn needs.
func Routing(t escalation.Ticket) escalation.Ticket {
	return escalation.Ticket{ID: t.ID, ConversationID: t.ConversationID, CustomerID: t.CustomerID,
		Channel: t.Channel, Locale: t.Locale}
}

// ParseRoute reads the last routing line of a description; ok is false
// when there is none. HTML descriptions work too: the line is plain JSON
// up to the end of line or a tag.
func ParseRoute(desc string) (t escalation.Ticket, ok bool) {
	i := strings.LastIndex(desc, routePrefix)
	if i < 0 {
		return t, false
	}
	line := desc[i+len(routePrefix):]
	if j := strings.IndexAny(line, "\n<"); j >= 0 {
		line = line[:j]
	}
	var r route
	if json.Unmarshal([]byte(strings.TrimSpace(line)), &r) != nil || r.Ticket == "" || r.Conversation == "" {
		return t, false
	}
	return escalation.Ticket{ID: r.Ticket, ConversationID: r.Conversation, CustomerID: r.Customer,
		Channel: r.Channel, Locale: r.Locale}, true
}

// Body is the plain-text description of a ticket for the agents: the
// summary, reason, note, suggested reply, call-back, customer data,
// transcript and the routing line.
func Body(t escalation.Ticket) string {
	var b strings.Builder
	summary := t.Summary
	if summary == "" {
		summary = escalation.Summary(t)
	}
	fmt.Fprintf(&b, "%s\n\nReason: %s\n", summary, t.Reason)
	if t.Note != "" {
		fmt.Fprintf(&b, "Note: %s\n", t.Note)
	}
	if t.SuggestedReply != "" {
		fmt.Fprintf(&b, "Suggested reply: %s\n", t.SuggestedReply)
	}
	if t.Callback != nil {
		fmt.Fprintf(&b, "Call back at %s on %s\n", t.Callback.Format(time.RFC1123), t.Phone)
	}
	for _, m := range []map[string]string{t.Profile, t.Data} {
		for _, k := range sortedKeys(m) {
			fmt.Fprintf(&b, "%s: %s\n", k, m[k])
		}
	}
	if len(t.Transcript) > 0 {
		b.WriteString("\nTranscript:\n")
		for _, e := range t.Transcript {
			fmt.Fprintf(&b, "[%s] %s: %s\n", e.Time.UTC().Format("15:04"), e.Role, e.Text)
		}
	}
	b.WriteString("\n" + RouteLine(t) + "\n")
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
