package email

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley/channel/channeltest"
)

// smtpServer is a tiny SMTP server that plays the relay: it records the
// messages it accepts and fails DATA as scripted. It implements
// channeltest.Platform.
type smtpServer struct {
	wg sync.WaitGroup

	mu       sync.Mutex
	sent     []channeltest.Outbound
	raw      [][]byte
	attempts int
	failures []channeltest.Failure
}

var _ channeltest.Platform = (*smtpServer)(nil)

// newSMTPServer returns a relay reached in memory through Dial (no
// network), so that tests can run inside a synctest bubble.
func newSMTPServer(t testing.TB) *smtpServer {
	s := &smtpServer{}
	t.Cleanup(s.wg.Wait)
	return s
}

// Addr is the relay's address for Config.SMTPAddr.
func (s *smtpServer) Addr() string { return "relay.test:25" }

// Dial connects to the relay, for Config.Dial.
func (s *smtpServer) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	client, server := net.Pipe()
	s.wg.Go(func() { s.serve(server) })
	return client, nil
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprint(c, line+"\r\n") }
	say("220 relay.test ESMTP")
	var rcpt string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250-relay.test")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			say("250 2.1.0 OK")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			rcpt = strings.Trim(strings.TrimSpace(line)[len("RCPT TO:"):], "<> ")
			say("250 2.1.5 OK")
		case cmd == "DATA":
			say("354 go ahead")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			s.mu.Lock()
			s.attempts++
			var fail *channeltest.Failure
			if len(s.failures) > 0 {
				f := s.failures[0]
				s.failures = s.failures[1:]
				fail = &f
			}
			if fail == nil {
				s.raw = append(s.raw, []byte(data.String()))
				s.sent = append(s.sent, decode(rcpt, data.String()))
			}
			s.mu.Unlock()
			switch {
			case fail == nil:
				say("250 2.0.0 queued")
			case fail.Status == 429:
				say("451 4.7.1 " + fail.Reason)
			case fail.Status >= 500:
				say("421 4.3.2 " + fail.Reason)
			default:
				say("550 5.1.1 " + fail.Reason)
			}
		case cmd == "RSET", cmd == "NOOP":
			say("250 OK")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 5.5.2 unknown command")
		}
	}
}

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
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]channeltest.Outbound(nil), s.sent...)
}

func (s *smtpServer) Raw() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.raw...)
}

func (s *smtpServer) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

func (s *smtpServer) FailNext(fs ...channeltest.Failure) {
	s.mu.Lock()
	s.failures = append(s.failures, fs...)
	s.mu.Unlock()
}
