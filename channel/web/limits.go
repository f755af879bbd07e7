package web

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxTrackedIPs bounds the per-IP limiters held at once; beyond it, the
// limiters of addresses that have been quiet long enough to be full again
// are forgotten, and if none is, new addresses share one limiter.
const maxTrackedIPs = 100_000

// ipLimits holds a limiter per client address for one kind of request.
type ipLimits struct {
	limit rate.Limit
	burst int

	mu       sync.Mutex
	byIP     map[string]*rate.Limiter
	overflow *rate.Limiter
}

func newIPLimits(limit rate.Limit, burst int) *ipLimits {
	return &ipLimits{limit: limit, burst: burst, byIP: map[string]*rate.Limiter{}, overflow: rate.NewLimiter(limit, burst)}
}

// allow reports whether the address may make one more request at now.
func (l *ipLimits) allow(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.byIP[ip]
	if lim == nil {
		if len(l.byIP) >= maxTrackedIPs {
			for k, v := range l.byIP {
				if v.TokensAt(now) >= float64(l.burst) {
					delete(l.byIP, k)
				}
			}
		}
		if len(l.byIP) >= maxTrackedIPs {
			return l.overflow.AllowN(now, 1)
		}
		lim = rate.NewLimiter(l.limit, l.burst)
		l.byIP[ip] = lim
	}
	return lim.AllowN(now, 1)
}

type ipKey struct{}

// clientIP is the default Config.ClientIP: the host of the connection's
// remote address.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// withIP returns ctx carrying the client address of r.
func (h *Chat) withIP(ctx context.Context, r *http.Request) context.Context {
	return context.WithValue(ctx, ipKey{}, h.cfg.ClientIP(r))
}

func ipFrom(ctx context.Context) string {
	ip, _ := ctx.Value(ipKey{}).(string)
	return ip
}

// allowFrame applies the per-address limit on inbound frames (messages,
// events and uploads of every conversation from one address).
func (h *Chat) allowFrame(ctx context.Context) bool {
	return h.ipFrames.allow(ipFrom(ctx), time.Now())
}

// allowNewConversation applies the per-address limit on new
// conversations.
func (h *Chat) allowNewConversation(ctx context.Context) bool {
	return h.ipConvs.allow(ipFrom(ctx), time.Now())
}
