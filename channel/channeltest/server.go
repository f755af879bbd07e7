package channeltest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// An Outbound is a message the adapter sent, as the fake platform decoded
// it.
type Outbound struct {
	// To is the recipient in the platform's terms.
	To string
	// Text is the message text (numbered options included).
	Text string
	// Choices are the titles of buttons, list rows or quick replies.
	Choices []string
}

// A Failure scripts one failed send attempt.
type Failure struct {
	// Status is the HTTP status to answer (429, 500, 400).
	Status int
	// RetryAfter, when positive, is sent as Retry-After in whole seconds.
	RetryAfter time.Duration
	// Reason is the platform's error message.
	Reason string
}

// A Platform is the fake platform an adapter under test sends to.
type Platform interface {
	// Sent returns the messages accepted so far, in order.
	Sent() []Outbound
	// Attempts returns how many message sends were tried, including
	// failed ones.
	Attempts() int
	// FailNext makes the next message send attempts fail, one per
	// Failure, in order.
	FailNext(fs ...Failure)
}

// A Request is one API request the fake platform received.
type Request struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
	At     time.Time
}

// ServerConfig tells a [Server] how to speak one platform's API.
type ServerConfig struct {
	// Decode decodes a message send; ok is false for other calls (typing,
	// read receipts, menus), which always succeed and are not counted.
	Decode func(r *http.Request, body []byte) (o Outbound, ok bool)
	// Success writes the platform's answer to a successful call; seq
	// numbers the accepted message sends from 1 (0 for other calls).
	Success func(w http.ResponseWriter, r *http.Request, seq int)
	// Failure writes the platform's error answer for f, with f.Status. The
	// Server has already set Retry-After.
	Failure func(w http.ResponseWriter, r *http.Request, f Failure)
}

// Server plays a messaging platform's API in memory: it records every
// request, decodes message sends and fails them as scripted with
// FailNext. Point the adapter under test at URL with the HTTP client
// Client returns; no network is involved, so tests can run inside a
// testing/synctest bubble, where a Retry-After of an hour takes no time.
// It implements [Platform] and is safe for concurrent use.
type Server struct {
	// URL is the API root to configure as the platform's base URL.
	URL string
	cfg ServerConfig

	mu       sync.Mutex
	sent     []Outbound
	attempts int
	failures []Failure
	requests []Request
}

var _ Platform = (*Server)(nil)

// NewServer returns a Server for one test.
func NewServer(t testing.TB, c ServerConfig) *Server {
	t.Helper()
	return &Server{URL: "http://platform.channeltest.invalid", cfg: c}
}

// Client returns an HTTP client whose requests the Server answers
// directly.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		if err := r.Context().Err(); err != nil {
			return nil, err
		}
		rec := httptest.NewRecorder()
		s.serve(rec, r)
		resp := rec.Result()
		resp.Request = r
		return resp, nil
	})}
}

type roundTripper func(*http.Request) (*http.Response, error)

// RoundTrip implements [http.RoundTripper].
func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body, At: time.Now()})
	o, ok := s.cfg.Decode(r, body)
	if !ok {
		s.mu.Unlock()
		s.cfg.Success(w, r, 0)
		return
	}
	s.attempts++
	if len(s.failures) > 0 {
		f := s.failures[0]
		s.failures = s.failures[1:]
		s.mu.Unlock()
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((f.RetryAfter+time.Second-1)/time.Second)))
		}
		s.cfg.Failure(w, r, f)
		return
	}
	s.sent = append(s.sent, o)
	seq := len(s.sent)
	s.mu.Unlock()
	s.cfg.Success(w, r, seq)
}

// Sent implements [Platform].
func (s *Server) Sent() []Outbound {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Outbound(nil), s.sent...)
}

// Attempts implements [Platform].
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// FailNext implements [Platform].
func (s *Server) FailNext(fs ...Failure) {
	s.mu.Lock()
	s.failures = append(s.failures, fs...)
	s.mu.Unlock()
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}
