package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
)

// A Notifier tells people about a new ticket: a Slack channel, an email
// inbox. Implementations must be safe for concurrent use.
type Notifier interface {
	Notify(ctx context.Context, t escalation.Ticket) error
}

// Notifying returns a desk that submits to d and then notifies each of
// ns. A notification that fails does not undo the hand-off: Submit still
// succeeds, and the failure goes to onErr (which must not be nil), with
// the ticket ID in its message. Notifications are sent once per
// submission that d accepts, also when a submission is retried.
func Notifying(d escalation.Desk, onErr func(error), ns ...Notifier) escalation.Desk {
	if d == nil || onErr == nil {
		panic("notify: Notifying needs a desk and an error handler")
	}
	return &notifyingDesk{desk: d, onErr: onErr, ns: ns}
}

type notifyingDesk struct {
	desk  escalation.Desk
	onErr func(error)
	ns    []Notifier
}

// Submit implements [escalation.Desk]: it submits to the wrapped desk,
// then notifies.
func (n *notifyingDesk) Submit(ctx context.Context, t escalation.Ticket) error {
	if err := n.desk.Submit(ctx, t); err != nil {
		return err
	}
	var errs []error
	for _, x := range n.ns {
		if err := x.Notify(ctx, t); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		n.onErr(fmt.Errorf("notify: ticket %q submitted, notification failed: %w", t.ID, errors.Join(errs...)))
	}
	return nil
}

// Relay implements [escalation.Desk].
func (n *notifyingDesk) Relay(ctx context.Context, id string, m parley.Message) error {
	return n.desk.Relay(ctx, id, m)
}

// Cancel implements [escalation.Desk].
func (n *notifyingDesk) Cancel(ctx context.Context, id, reason string) error {
	return n.desk.Cancel(ctx, id, reason)
}

// AgentsAvailable passes through to the wrapped desk when it counts
// agents, and reports 1 otherwise.
func (n *notifyingDesk) AgentsAvailable(ctx context.Context) (int, error) {
	if ac, ok := n.desk.(escalation.AgentCounter); ok {
		return ac.AgentsAvailable(ctx)
	}
	return 1, nil
}

var priorityEmoji = map[dialog.Priority]string{dialog.PriorityUrgent: ":rotating_light:", dialog.PriorityHigh: ":red_circle:",
	dialog.PriorityNormal: ":large_blue_circle:", dialog.PriorityLow: ":white_circle:"}

// SlackConfig configures a [Slack] notifier.
type SlackConfig struct {
	// WebhookURL is the incoming-webhook URL. Required.
	WebhookURL string
	// Client sends the request; nil means a client with a 10s timeout.
	Client *http.Client
	// ConsoleURL, if set, is linked from the message; the ticket ID is
	// appended.
	ConsoleURL string
}

// Slack posts a message about each ticket, with its priority, to a Slack
// incoming webhook. It is safe for concurrent use.
type Slack struct {
	cfg SlackConfig
}

var _ Notifier = (*Slack)(nil)

// NewSlack returns a Slack notifier posting to cfg.WebhookURL, with a
// 10-second client unless cfg gives one. It returns an error when the
// URL is not http(s); it does not contact Slack until [Slack.Notify].
func NewSlack(cfg SlackConfig) (*Slack, error) {
	if !strings.HasPrefix(cfg.WebhookURL, "https://") && !strings.HasPrefix(cfg.WebhookURL, "http://") {
		return nil, fmt.Errorf("notify: slack: webhook URL %q is not an http(s) URL", cfg.WebhookURL)
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Slack{cfg: cfg}, nil
}

// slackText formats the Slack message for a ticket.
func slackText(t escalation.Ticket, consoleURL string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s *%s priority* hand-off: %s\n", priorityEmoji[t.Priority], t.Priority, t.Reason)
	fmt.Fprintf(&b, "Conversation %s", t.ConversationID)
	if t.Channel != "" {
		fmt.Fprintf(&b, " on %s", t.Channel)
	}
	if t.Profile["name"] != "" {
		fmt.Fprintf(&b, " with %s", t.Profile["name"])
	}
	b.WriteString("\n>" + strings.ReplaceAll(t.Summary, "\n", "\n>"))
	if consoleURL != "" {
		fmt.Fprintf(&b, "\n<%s%s|Open in console>", consoleURL, t.ID)
	}
	return b.String()
}

// Notify implements [Notifier]; a non-2xx answer is an error.
func (s *Slack) Notify(ctx context.Context, t escalation.Ticket) error {
	body, err := json.Marshal(map[string]string{"text": slackText(t, s.cfg.ConsoleURL)})
	if err != nil {
		return fmt.Errorf("notify: slack: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notify: slack: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("notify: slack: %w", err)
	}
	defer resp.Body.Close()
	msg := snippet(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("notify: slack: HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(msg))
	}
	return nil
}

// EmailConfig configures an [Email] notifier.
type EmailConfig struct {
	// Addr is the SMTP server, host:port. Required.
	Addr string
	// Auth authenticates, if the server needs it (smtp.PlainAuth).
	Auth smtp.Auth
	// From and To are the envelope and header addresses. Required.
	From string
	To   []string
	// SubjectPrefix starts the subject (default "[Parley]").
	SubjectPrefix string
	// Timeout bounds the whole exchange (default 15s).
	Timeout time.Duration
}

// Email sends an email about each ticket over SMTP (STARTTLS when the
// server offers it). It is safe for concurrent use.
type Email struct {
	cfg EmailConfig
}

var _ Notifier = (*Email)(nil)

// NewEmail returns an email notifier. It checks cfg without connecting:
// Addr must be host:port, and From and To must be present, contain an @
// and no line breaks or angle brackets (so a configured address cannot
// inject headers); SubjectPrefix defaults to "[Parley]" and Timeout to
// 15 seconds.
func NewEmail(cfg EmailConfig) (*Email, error) {
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return nil, fmt.Errorf("notify: email: addr %q: %w", cfg.Addr, err)
	}
	if cfg.From == "" || len(cfg.To) == 0 {
		return nil, errors.New("notify: email: From and To are required")
	}
	for _, a := range append([]string{cfg.From}, cfg.To...) {
		if strings.ContainsAny(a, "\r\n<>") || !strings.Contains(a, "@") {
			return nil, fmt.Errorf("notify: email: bad address %q", a)
		}
	}
	if cfg.SubjectPrefix == "" {
		cfg.SubjectPrefix = "[Parley]"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	return &Email{cfg: cfg}, nil
}

// headerSafe removes line breaks from a header value.
func headerSafe(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// emailMessage formats the email for a ticket (headers and body, CRLF
// line ends).
func emailMessage(cfg EmailConfig, t escalation.Ticket) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\n", cfg.From, strings.Join(cfg.To, ", "))
	fmt.Fprintf(&b, "Subject: %s %s priority hand-off: %s\r\n", headerSafe(cfg.SubjectPrefix), t.Priority, headerSafe(t.Reason))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	body := fmt.Sprintf("Ticket: %s\nConversation: %s (%s)\nReason: %s\nPriority: %s\n\nSummary:\n%s\n\nSuggested reply:\n%s\n\nTranscript:\n",
		t.ID, t.ConversationID, t.Channel, t.Reason, t.Priority, t.Summary, t.SuggestedReply)
	for _, e := range t.Transcript {
		body += fmt.Sprintf("[%s] %s: %s\n", e.Time.Format(time.RFC3339), e.Role, e.Text)
	}
	// Dot-stuffing is done by net/smtp's data writer; normalise line ends.
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))
	return []byte(b.String())
}

// Notify implements [Notifier].
func (m *Email) Notify(ctx context.Context, t escalation.Ticket) error {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.cfg.Addr)
	if err != nil {
		return fmt.Errorf("notify: email: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return fmt.Errorf("notify: email: %w", err)
		}
	}
	host, _, _ := net.SplitHostPort(m.cfg.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("notify: email: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return fmt.Errorf("notify: email: starttls: %w", err)
		}
	}
	if m.cfg.Auth != nil {
		if err := c.Auth(m.cfg.Auth); err != nil {
			return fmt.Errorf("notify: email: auth: %w", err)
		}
	}
	if err := c.Mail(m.cfg.From); err != nil {
		return fmt.Errorf("notify: email: %w", err)
	}
	for _, to := range m.cfg.To {
		if err := c.Rcpt(to); err != nil {
			return fmt.Errorf("notify: email: rcpt %s: %w", to, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("notify: email: %w", err)
	}
	if _, err := w.Write(emailMessage(m.cfg, t)); err != nil {
		return fmt.Errorf("notify: email: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("notify: email: %w", err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("notify: email: quit: %w", err)
	}
	return nil
}
