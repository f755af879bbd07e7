package driver

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"time"
)

// payloadPrefix starts the token that stands for a payload kept
// server-side. Buttons carry it back only when tapped.
const payloadPrefix = "parley:p:"

const (
	payloadTTL = 7 * 24 * time.Hour
	payloadMax = 100_000
)

// Payloads keeps server-side the button payloads that are too long for a
// platform's field (Slack's button value of 2,000 characters, Messenger's
// quick-reply payload of 1,000, WhatsApp's button ID of 256), sending a
// short token in their place: the platform never sees a value it refuses,
// and the tap maps back to the whole payload. Tokens are derived from the
// payload, so sending the same buttons again gives the same tokens. The
// zero value is ready; it is safe for concurrent use.
type Payloads struct {
	mu sync.Mutex
	m  map[string]payloadEntry
}

type payloadEntry struct {
	v  string
	at time.Time
}

// Fit returns v when it is at most limit bytes (bytes, not characters, so
// that no platform's way of counting can find it too long), else a token
// of 41 bytes that [Payloads.Resolve] maps back to v.
func (p *Payloads) Fit(v string, limit int) string {
	if len(v) <= limit && !strings.HasPrefix(v, payloadPrefix) {
		return v
	}
	return p.keep(v, v)
}

// Alias returns a token for v that differs from [Payloads.Fit]'s and from
// every other n's, for a platform that wants the IDs of one message's
// buttons unique when two buttons send the same payload.
func (p *Payloads) Alias(v string, n int) string {
	return p.keep(v, v+"\x00#"+strconv.Itoa(n))
}

// keep stores v under the token derived from key.
func (p *Payloads) keep(v, key string) string {
	sum := sha256.Sum256([]byte(key))
	tok := payloadPrefix + hex.EncodeToString(sum[:16])
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = make(map[string]payloadEntry)
	}
	if len(p.m) >= payloadMax {
		for k, e := range p.m {
			if now.Sub(e.at) > payloadTTL {
				delete(p.m, k)
			}
		}
		if len(p.m) >= payloadMax {
			clear(p.m) // all recent: forget them rather than grow
		}
	}
	p.m[tok] = payloadEntry{v: v, at: now}
	return tok
}

// Resolve maps a token from [Payloads.Fit] back to its payload. It returns
// s and true when s is no token; "" and false for a token it does not know
// (expired, or kept by another process), for which the caller falls back
// to what the user saw (the button's title).
func (p *Payloads) Resolve(s string) (string, bool) {
	if !strings.HasPrefix(s, payloadPrefix) {
		return s, true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.m[s]
	if !ok || time.Since(e.at) > payloadTTL {
		return "", false
	}
	return e.v, true
}
