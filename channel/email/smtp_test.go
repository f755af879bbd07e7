package email

import (
	"io"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/internal/testutil"
)

// smtpServer is the relay: a [testutil.SMTP] reached in memory through
// Dial (no network, so tests can run inside a synctest bubble). It
// implements channeltest.Platform.
type smtpServer struct{ *testutil.SMTP }

var _ channeltest.Platform = (*smtpServer)(nil)

func newSMTPServer(t testing.TB) *smtpServer { return &smtpServer{testutil.NewSMTP(t)} }

// Addr is the relay's address for Config.SMTPAddr.
func (s *smtpServer) Addr() string { return "relay.test:25" }

func decode(rcpt, data string) channeltest.Outbound {
	o := channeltest.Outbound{To: rcpt}
	m, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		o.Text = "unreadable: " + err.Error()
		return o
	}
	b, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		o.Text = "unreadable body: " + err.Error()
		return o
	}
	o.Text = strings.TrimSpace(strings.ReplaceAll(string(b), "\r\n", "\n"))
	return o
}

func (s *smtpServer) Sent() []channeltest.Outbound {
	var out []channeltest.Outbound
	for _, m := range s.Messages() {
		out = append(out, decode(m.To[len(m.To)-1], m.Data))
	}
	return out
}

func (s *smtpServer) Raw() [][]byte {
	var raw [][]byte
	for _, m := range s.Messages() {
		raw = append(raw, []byte(m.Data))
	}
	return raw
}

// FailNext answers the next messages with the SMTP replies a relay gives
// for each failure: 451 when rate limited, 421 when down, 550 otherwise.
func (s *smtpServer) FailNext(fs ...channeltest.Failure) {
	replies := make([]string, len(fs))
	for i, f := range fs {
		switch {
		case f.Status == 429:
			replies[i] = "451 4.7.1 " + f.Reason
		case f.Status >= 500:
			replies[i] = "421 4.3.2 " + f.Reason
		default:
			replies[i] = "550 5.1.1 " + f.Reason
		}
	}
	s.SMTP.FailNext(replies...)
}
