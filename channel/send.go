package channel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Limits are a platform's outbound rate limits: a global rate and a rate
// per conversation (per recipient). A zero rate means unlimited.
type Limits struct {
	Rate  rate.Limit
	Burst int
	// PerConversation limits the sends to one conversation.
	PerConversation      rate.Limit
	PerConversationBurst int
}

// Default outbound limits, from the platforms' documentation.
var (
	// WhatsAppLimits: 80 messages/s per business phone number (Cloud API
	// default throughput), 1/s per user in bursts of 10.
	WhatsAppLimits = Limits{Rate: 80, Burst: 80, PerConversation: 1, PerConversationBurst: 10}
	// MessengerLimits: a conservative 40/s per page.
	MessengerLimits = Limits{Rate: 40, Burst: 40, PerConversation: 1, PerConversationBurst: 10}
	// TelegramLimits: 30 messages/s per bot, about 1/s per chat.
	TelegramLimits = Limits{Rate: 30, Burst: 30, PerConversation: 1, PerConversationBurst: 5}
	// SlackLimits: chat.postMessage allows about 1 message/s per channel.
	SlackLimits = Limits{Rate: 20, Burst: 20, PerConversation: 1, PerConversationBurst: 5}
	// SMSLimits: a long code sends about 1 segment/s.
	SMSLimits = Limits{Rate: 1, Burst: 5, PerConversation: 1, PerConversationBurst: 5}
	// EmailLimits: 10 messages/s to the relay.
	EmailLimits = Limits{Rate: 10, Burst: 10, PerConversation: 1, PerConversationBurst: 5}
)

// A Call is one outbound API request.
type Call struct {
	// Conversation keys the per-conversation rate limit; empty skips it.
	Conversation string
	Method       string
	URL          string
	Header       http.Header
	Body         []byte
	// Idempotent reports that repeating the request cannot deliver twice
	// (the platform de-duplicates it, or it is a read), so it may be
	// retried after an ambiguous failure.
	Idempotent bool
	// Check turns the platform's answer into an error, typically a
	// [*PlatformError]; nil means any 2xx is success and anything else is a
	// PlatformError whose reason is the body.
	Check func(status int, h http.Header, body []byte) error
}

// Sender sends API calls to a platform under its rate limits, retrying
// 429 and 5xx answers (and other temporary [*PlatformError]s) with
// exponential backoff that honours Retry-After. It never retries a call
// whose outcome is unknown (the request was written but no answer came)
// unless the call is idempotent: that is reported as [ErrAmbiguous].
//
// A Sender is safe for concurrent use.
type Sender struct {
	channel     string
	client      *http.Client
	global      *rate.Limiter
	limits      Limits
	maxAttempts int
	maxWait     time.Duration
	now         func() time.Time

	mu   sync.Mutex
	conv map[string]*rate.Limiter
}

// SenderConfig configures a [Sender]. Zero values take the defaults.
type SenderConfig struct {
	// Channel names the platform in errors.
	Channel string
	// Client sends the requests (default: a client with a 30s timeout).
	Client *http.Client
	// Limits are the outbound rate limits.
	Limits Limits
	// MaxAttempts bounds the tries of one call (default 4).
	MaxAttempts int
	// MaxWait is the longest single wait before a retry (default 60s); a
	// Retry-After longer than that fails the call at once.
	MaxWait time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// NewSender returns a Sender.
func NewSender(c SenderConfig) *Sender {
	s := &Sender{channel: c.Channel, client: c.Client, limits: c.Limits, maxAttempts: c.MaxAttempts,
		maxWait: c.MaxWait, now: c.Now, conv: make(map[string]*rate.Limiter)}
	if s.client == nil {
		s.client = &http.Client{Timeout: 30 * time.Second}
	}
	if s.maxAttempts <= 0 {
		s.maxAttempts = 4
	}
	if s.maxWait <= 0 {
		s.maxWait = 60 * time.Second
	}
	if s.now == nil {
		s.now = time.Now
	}
	if c.Limits.Rate > 0 {
		s.global = rate.NewLimiter(c.Limits.Rate, max(c.Limits.Burst, 1))
	}
	return s
}

// Client returns the HTTP client the Sender uses.
func (s *Sender) Client() *http.Client { return s.client }

// Wait blocks until the rate limits allow one more send to conversation.
func (s *Sender) Wait(ctx context.Context, conversation string) error {
	if s.global != nil {
		if err := s.global.Wait(ctx); err != nil {
			return err
		}
	}
	if conversation == "" || s.limits.PerConversation <= 0 {
		return nil
	}
	now := s.now()
	s.mu.Lock()
	l, ok := s.conv[conversation]
	if !ok {
		if len(s.conv) >= 10_000 {
			// Forget the idle limiters: a full bucket is the same as none.
			for k, v := range s.conv {
				if v.TokensAt(now) >= float64(v.Burst()) {
					delete(s.conv, k)
				}
			}
		}
		l = rate.NewLimiter(s.limits.PerConversation, max(s.limits.PerConversationBurst, 1))
		s.conv[conversation] = l
	}
	s.mu.Unlock()
	return l.Wait(ctx)
}

// Do sends c, retrying as described on [Sender], and returns the body of
// the successful answer.
func (s *Sender) Do(ctx context.Context, c Call) ([]byte, error) {
	var out []byte
	err := s.Retry(ctx, c.Conversation, func(ctx context.Context) error {
		b, err := s.once(ctx, c)
		out = b
		return err
	})
	return out, err
}

func (s *Sender) once(ctx context.Context, c Call) ([]byte, error) {
	method := c.Method
	if method == "" {
		method = http.MethodPost
	}
	var written atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { written.Store(true) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, c.URL, bytes.NewReader(c.Body))
	if err != nil {
		return nil, fmt.Errorf("%s: build request: %w", s.channel, err)
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	resp, err := s.client.Do(req)
	if err != nil {
		wrote := written.Load()
		if ctx.Err() != nil && !wrote {
			return nil, ctx.Err()
		}
		if wrote && !c.Idempotent {
			return nil, fmt.Errorf("%s: %w: %w", s.channel, ErrAmbiguous, err)
		}
		// Nothing reached the platform (or repeating is harmless): retry.
		return nil, &PlatformError{Channel: s.channel, Reason: err.Error(), Temporary: true}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil && resp.StatusCode/100 != 2 {
		return nil, &PlatformError{Channel: s.channel, Status: resp.StatusCode, Reason: err.Error(),
			Temporary: resp.StatusCode == 429 || resp.StatusCode >= 500}
	}
	// A 2xx whose body could not be read is still a success: the platform
	// accepted the message, and retrying would send it twice.
	if c.Check != nil {
		return body, c.Check(resp.StatusCode, resp.Header, body)
	}
	if resp.StatusCode/100 == 2 {
		return body, nil
	}
	return body, NewPlatformError(s.channel, resp.StatusCode, resp.Header, "", string(bytes.TrimSpace(body)), s.now())
}

// Retry runs attempt under the rate limits until it succeeds, fails with
// an error that is not a temporary [*PlatformError], or MaxAttempts is
// reached. Between attempts it waits for the error's RetryAfter, or an
// exponential backoff with jitter (0.5s, 1s, 2s, ...); a RetryAfter beyond
// MaxWait ends the retries with that error. Adapters whose transport is not
// HTTP (email) use it directly.
func (s *Sender) Retry(ctx context.Context, conversation string, attempt func(ctx context.Context) error) error {
	var err error
	for i := range s.maxAttempts {
		if werr := s.Wait(ctx, conversation); werr != nil {
			if err != nil {
				return errors.Join(err, werr)
			}
			return werr
		}
		err = attempt(ctx)
		var pe *PlatformError
		if err == nil || !errors.As(err, &pe) || !pe.Temporary || i == s.maxAttempts-1 {
			return err
		}
		wait := pe.RetryAfter
		if wait == 0 {
			base := 500 * time.Millisecond << i
			wait = base/2 + rand.N(base/2+1)
		}
		if wait > s.maxWait {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
	}
	return err
}
