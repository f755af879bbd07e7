package driver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/memory"
)

// payloadPrefix starts the token that stands for a payload kept
// server-side. Buttons carry it back only when tapped.
const payloadPrefix = "parley:p:"

const (
	payloadTTL = 7 * 24 * time.Hour
	payloadMax = 100_000
	// payloadKey starts the store key of a payload: the token's hex
	// digits follow (a hash of the payload, never the payload itself).
	payloadKey = "channel/payload/"
)

// Payloads keeps server-side the button payloads that are too long for a
// platform's field (Slack's button value of 2,000 characters, Messenger's
// quick-reply payload of 1,000, WhatsApp's button ID of 256), sending a
// short token in their place: the platform never sees a value it refuses,
// and the tap maps back to the whole payload. Tokens are derived from the
// payload, so sending the same buttons again gives the same tokens. The
// zero value keeps payloads in process memory; it is safe for concurrent
// use.
type Payloads struct {
	// Store, if set, keeps the payloads for 7 days under
	// "channel/payload/" and the token's digits, so that a button sent
	// by one process resolves in another (a replica, or the same service
	// after a restart). [Payloads.Sync] writes them; process memory
	// still answers first.
	Store memory.Store

	mu      sync.Mutex
	m       map[string]payloadEntry
	pending map[string]string // token -> payload not yet written to Store
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
	if p.Store != nil {
		// An entry's time is when its write to the Store was scheduled:
		// a payload sent again is written again once half its 7 days
		// are gone, so that a tap on the newer message still resolves.
		if e, ok := p.m[tok]; ok && now.Sub(e.at) < payloadTTL/2 {
			return tok
		}
		if p.pending == nil {
			p.pending = make(map[string]string)
		}
		p.pending[tok] = v
	}
	p.m[tok] = payloadEntry{v: v, at: now}
	return tok
}

// Sync writes the payloads that [Payloads.Fit] and [Payloads.Alias] kept
// since the last Sync to the Store, if there is one. A driver calls it
// after rendering a message and before sending it: once Sync returns nil,
// every token rendered before the call resolves in any process sharing
// the Store. A payload whose write failed stays pending for the next
// Sync, and the error is returned, so that the message is not sent with
// a button another process could not resolve.
func (p *Payloads) Sync(ctx context.Context) error {
	if p.Store == nil {
		return nil
	}
	p.mu.Lock()
	todo := maps.Clone(p.pending)
	p.mu.Unlock()
	var errs []error
	for tok, v := range todo {
		_, err := p.Store.Set(ctx, memory.Put{Key: payloadKey + strings.TrimPrefix(tok, payloadPrefix), Value: []byte(v),
			IfVersion: memory.AnyVersion, TTL: payloadTTL})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.mu.Lock()
		delete(p.pending, tok)
		p.mu.Unlock()
	}
	if len(errs) > 0 {
		return fmt.Errorf("channel: keep %d long button payloads: %w", len(errs), errors.Join(errs...))
	}
	return nil
}

// Resolve maps a token from [Payloads.Fit] back to its payload, from
// process memory or else the Store. It returns s and true when s is no
// token; "" and false for a token it does not know (expired, kept by
// another process without a shared Store, or a Store that cannot be
// read), for which the caller falls back to what the user saw (the
// button's title).
func (p *Payloads) Resolve(ctx context.Context, s string) (string, bool) {
	if !strings.HasPrefix(s, payloadPrefix) {
		return s, true
	}
	p.mu.Lock()
	e, ok := p.m[s]
	p.mu.Unlock()
	if ok && time.Since(e.at) <= payloadTTL {
		return e.v, true
	}
	if p.Store == nil {
		return "", false
	}
	rec, err := p.Store.Get(ctx, payloadKey+strings.TrimPrefix(s, payloadPrefix))
	if err != nil {
		return "", false
	}
	v := string(rec.Value)
	p.mu.Lock()
	if p.m == nil {
		p.m = make(map[string]payloadEntry)
	}
	if len(p.m) < payloadMax {
		p.m[s] = payloadEntry{v: v, at: rec.ExpiresAt.Add(-payloadTTL)} // when it was written
	}
	p.mu.Unlock()
	return v, true
}
