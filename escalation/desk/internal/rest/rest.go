// Package rest holds what the help-desk clients share: a JSON client that
// honours 429 and Retry-After, and the routing line that lets a ticket
// find its conversation again.
package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/internal/httpjson"
)

// Client sends JSON requests to a help-desk API (see [httpjson.Client])
// and reports failures as the escalation package's errors.
type Client struct {
	api httpjson.Client
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
// 5xx answers are retried after their Retry-After; when the tries run out,
// the wait exceeds MaxWait or the answer cannot be read, the error wraps
// escalation.ErrDeskUnavailable; other answers outside 2xx are a
// *StatusError.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	err := c.api.Do(ctx, method, path, in, out)
	var se *httpjson.StatusError
	switch {
	case err == nil || ctx.Err() != nil:
		return err
	case errors.As(err, &se) && !se.Temporary():
		return &StatusError{Code: se.Code, Body: se.Body}
	}
	return fmt.Errorf("%w: %w", escalation.ErrDeskUnavailable, err)
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

// Gone reports whether err is the help desk's 404: what a delete of
// something already deleted (or never there) answers.
func Gone(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Code == http.StatusNotFound
}

// ReadHook reads a webhook's body (up to 1 MiB). It answers 405 to
// anything but POST and 400 to an unreadable body, and then reports
// false.
func ReadHook(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return nil, false
	}
	return body, true
}
