package testutil

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
)

// SMTP is a small SMTP server for tests: it accepts every message (or
// answers DATA with the replies given to FailNext) and records what it
// accepted. Reach it in memory through Dial, or over TCP at the address
// Listen returns. It is safe for concurrent use.
type SMTP struct {
	wg sync.WaitGroup

	mu       sync.Mutex
	msgs     []SMTPMessage
	attempts int
	replies  []string
}

// An SMTPMessage is a message the server accepted.
type SMTPMessage struct {
	// To lists the RCPT TO addresses, without angle brackets.
	To []string
	// Data is the message as sent after DATA, dot-unstuffed, without the
	// final ".".
	Data string
}

// NewSMTP returns a server whose connections are waited for at t's
// cleanup.
func NewSMTP(t testing.TB) *SMTP {
	s := &SMTP{}
	t.Cleanup(s.wg.Wait)
	return s
}

// Dial connects to the server through an in-memory pipe (no network), so
// that tests can run inside a synctest bubble. It has the signature of
// net.Dialer.DialContext.
func (s *SMTP) Dial(_ context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	s.wg.Go(func() { s.serve(server) })
	return client, nil
}

// Listen serves on a TCP port of 127.0.0.1 until t's cleanup and returns
// its address.
func (s *SMTP) Listen(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() }) // runs before the wait NewSMTP registered
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() { s.serve(c) })
		}
	})
	return ln.Addr().String()
}

// Messages returns the messages accepted so far, in order.
func (s *SMTP) Messages() []SMTPMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SMTPMessage(nil), s.msgs...)
}

// Attempts returns how many messages were sent (DATA completed), accepted
// or not.
func (s *SMTP) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// FailNext makes the server answer the next len(replies) messages with
// replies, one each (such as "451 4.7.1 try later"), instead of accepting
// them.
func (s *SMTP) FailNext(replies ...string) {
	s.mu.Lock()
	s.replies = append(s.replies, replies...)
	s.mu.Unlock()
}

func (s *SMTP) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprint(c, line+"\r\n") }
	say("220 relay.test ESMTP")
	var to []string
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
			to = nil
			say("250 2.1.0 OK")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			to = append(to, strings.Trim(strings.TrimSpace(line)[len("RCPT TO:"):], "<> "))
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
			say(s.deliver(SMTPMessage{To: to, Data: data.String()}))
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

// deliver records m unless a failure is scripted, and returns the reply.
func (s *SMTP) deliver(m SMTPMessage) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts++
	if len(s.replies) > 0 {
		reply := s.replies[0]
		s.replies = s.replies[1:]
		return reply
	}
	s.msgs = append(s.msgs, m)
	return "250 2.0.0 queued"
}
