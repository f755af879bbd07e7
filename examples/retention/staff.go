package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/escalation/desk"
)

// Staff sign-in: agents log in once with their name and the staff
// password and get a session cookie for every staff page (the workspace
// at /console/, the approvals). Password guesses are slowed down and
// then locked out, per client address and overall; the password is
// compared in constant time; names are normalised (desk.NormalizeName)
// so that " Ada" and "ada" are one person everywhere, including the
// check that a customer never approves their own request. A real
// deployment would use its single sign-on instead.

// staffCookie names the staff session cookie.
const staffCookie = "parley_staff"

// Sign-in limits: after freeFailures failed guesses from one address,
// each further guess waits twice as long as the last (from 1 s), and
// after lockFailures the address is locked out for lockFor. Failures are
// forgotten after lockFor without one. Overall, more than globalFailures
// failures a minute lock every address out for a minute, which stops a
// guesser with many addresses.
const (
	freeFailures   = 3
	lockFailures   = 10
	lockFor        = 15 * time.Minute
	globalFailures = 30
	sessionFor     = 12 * time.Hour
)

type staffSession struct {
	agent   string
	expires time.Time
}

type failures struct {
	n     int
	last  time.Time
	until time.Time // no guesses before this
}

// staffAuth keeps the staff sessions and the sign-in limits. It is safe
// for concurrent use.
type staffAuth struct {
	hash [32]byte // of the password

	mu       sync.Mutex
	sessions map[string]staffSession
	fails    map[string]*failures // by client address
	global   []time.Time          // failures in the last minute
}

func newStaffAuth(password string) *staffAuth {
	return &staffAuth{hash: sha256.Sum256([]byte(password)), sessions: map[string]staffSession{}, fails: map[string]*failures{}}
}

// clientAddr is the address a guess is counted against: the connection's
// IP (a proxy in front would set its own trusted header; this example
// trusts none).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// wait returns how long addr must wait before its next guess.
func (s *staffAuth) wait(addr string, now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var d time.Duration
	if f := s.fails[addr]; f != nil {
		if now.Sub(f.last) > lockFor {
			delete(s.fails, addr)
		} else {
			d = f.until.Sub(now)
		}
	}
	cut := 0
	for cut < len(s.global) && now.Sub(s.global[cut]) > time.Minute {
		cut++
	}
	s.global = s.global[cut:]
	if len(s.global) >= globalFailures {
		d = max(d, time.Minute-now.Sub(s.global[0]))
	}
	return max(d, 0)
}

// failed records a wrong password from addr.
func (s *staffAuth) failed(addr string, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.fails[addr]
	if f == nil {
		f = &failures{}
		s.fails[addr] = f
	}
	f.n++
	f.last = now
	switch {
	case f.n >= lockFailures:
		f.until = now.Add(lockFor)
	case f.n > freeFailures:
		f.until = now.Add(time.Second << (f.n - freeFailures - 1))
	}
	s.global = append(s.global, now)
}

// check reports whether password is the staff password, in time that
// does not depend on where they differ or on its length.
func (s *staffAuth) check(password string) bool {
	h := sha256.Sum256([]byte(password))
	return subtle.ConstantTimeCompare(h[:], s.hash[:]) == 1
}

// login starts a session for agent and returns its token.
func (s *staffAuth) login(agent string, now time.Time) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	tok := base64.RawURLEncoding.EncodeToString(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.sessions {
		if now.After(v.expires) {
			delete(s.sessions, k)
		}
	}
	s.sessions[tok] = staffSession{agent: agent, expires: now.Add(sessionFor)}
	return tok
}

// agent returns the signed-in agent of r, or "".
func (s *staffAuth) agent(r *http.Request) string {
	c, err := r.Cookie(staffCookie)
	if err != nil || c.Value == "" {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.sessions[c.Value]
	if !ok || time.Now().After(ss.expires) {
		return ""
	}
	return ss.agent
}

func (s *staffAuth) logout(r *http.Request) {
	if c, err := r.Cookie(staffCookie); err == nil {
		s.mu.Lock()
		delete(s.sessions, c.Value)
		s.mu.Unlock()
	}
}

type agentKey struct{}

// agentOf returns the signed-in agent of a staff request.
func agentOf(r *http.Request) string {
	a, _ := r.Context().Value(agentKey{}).(string)
	return a
}

// staffOnly lets signed-in staff through, with their name in the
// request's context (agentOf), and sends everyone else to the sign-in
// page (or answers 401 to API calls).
func (a *app) staffOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agent := a.staff.agent(r)
		if agent == "" {
			if r.Method == http.MethodGet && !strings.Contains(r.URL.Path, "/api/") {
				http.Redirect(w, r, "/staff/login?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
				return
			}
			http.Error(w, "staff only: sign in at /staff/login", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), agentKey{}, agent)))
	})
}

var loginTmpl = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ShopCo staff sign-in</title><link rel="stylesheet" href="/staff/login.css"></head>
<body><main><h1>ShopCo staff</h1>
{{with .Error}}<p class="error" role="alert">{{.}}</p>{{end}}
<form method="post" action="/staff/login">
<input type="hidden" name="next" value="{{.Next}}">
<label for="agent">Your name (customers see it)</label><input id="agent" name="agent" autocomplete="name" required maxlength="64" value="{{.Agent}}">
<label for="password">Staff password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button>Sign in</button></form></main></body></html>`))

const loginCSS = `body{font:16px/1.5 system-ui,sans-serif;background:#f6f7f9;color:#1f2328;margin:0}
main{max-width:360px;margin:10vh auto;background:#fff;padding:24px;border-radius:10px;box-shadow:0 4px 20px rgba(0,0,0,.08)}
h1{font-size:20px;margin:0 0 12px}label{display:block;margin:12px 0 4px}input{width:100%;box-sizing:border-box;font:inherit;padding:10px;border:1px solid #c5cad1;border-radius:6px}
button{margin-top:16px;width:100%;min-height:44px;font:inherit;background:#2f5bea;color:#fff;border:0;border-radius:6px;cursor:pointer}.error{color:#b42318}
main.wide{max-width:560px;margin:5vh auto}h2{font-size:18px;margin:24px 0 4px}h3{font-size:16px;margin:0 0 4px;color:#b42318}
.hint{color:#5b6470;font-size:14px;margin:4px 0 0}
ul.matches{padding-left:20px}ul.matches li{margin:8px 0}
button.secondary{background:#fff;color:#1f2328;border:1px solid #c5cad1}
form.danger{margin-top:28px;border:2px solid #fda29b;background:#fef3f2;border-radius:8px;padding:16px}
form.danger p{margin:0 0 8px;font-size:14px}
.check{display:flex;gap:10px;align-items:flex-start}.check input{width:auto;margin:5px 0 0}.check label{margin:0;text-align:left}
button.danger{background:#b42318}`

// staffPages serves /staff/login and /staff/logout.
func (a *app) staffPages(mux *http.ServeMux) {
	render := func(w http.ResponseWriter, code int, next, agent, msg string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", staffCSP)
		w.WriteHeader(code)
		_ = loginTmpl.Execute(w, map[string]string{"Next": next, "Agent": agent, "Error": msg}) // the client went away: nothing to do
	}
	mux.HandleFunc("GET /staff/login", func(w http.ResponseWriter, r *http.Request) {
		render(w, http.StatusOK, safeNext(r.URL.Query().Get("next")), "", "")
	})
	mux.HandleFunc("GET /staff/login.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		_, _ = w.Write([]byte(loginCSS)) // the client went away: nothing to do
	})
	login := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
		next, agent := safeNext(r.PostFormValue("next")), desk.NormalizeName(r.PostFormValue("agent"))
		now, addr := time.Now(), clientAddr(r)
		if d := a.staff.wait(addr, now); d > 0 {
			secs := int(d.Round(time.Second) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			render(w, http.StatusTooManyRequests, next, agent, fmt.Sprintf("Too many wrong passwords. Try again in %s.", d.Round(time.Second)))
			return
		}
		if !a.staff.check(r.PostFormValue("password")) {
			a.staff.failed(addr, now)
			render(w, http.StatusUnauthorized, next, agent, "Wrong password.")
			return
		}
		if agent == "" || looksLikeCustomer(agent) {
			render(w, http.StatusBadRequest, next, "", "Please give your name as customers should see it.")
			return
		}
		http.SetCookie(w, &http.Cookie{Name: staffCookie, Value: a.staff.login(agent, now), Path: "/", HttpOnly: true,
			Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: int(sessionFor / time.Second)})
		http.Redirect(w, r, next, http.StatusSeeOther)
	})
	mux.Handle("POST /staff/login", http.NewCrossOriginProtection().Handler(login))
	mux.Handle("POST /staff/logout", http.NewCrossOriginProtection().Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.staff.logout(r)
		http.SetCookie(w, &http.Cookie{Name: staffCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
		http.Redirect(w, r, "/staff/login", http.StatusSeeOther)
	})))
}

// looksLikeCustomer refuses agent names that are customer IDs.
func looksLikeCustomer(name string) bool {
	return strings.HasPrefix(strings.ToLower(name), "cus_")
}

// safeNext keeps a post-login redirect on this site's staff pages: an
// owner who opened the dashboard lands on the dashboard once signed in.
func safeNext(next string) string {
	for _, p := range []string{"/console/", "/approvals/", "/privacy/", "/dashboard/"} {
		if strings.HasPrefix(next, p) && !strings.ContainsAny(next, "\\\r\n") {
			return next
		}
	}
	return "/console/"
}

// staffCSP is the policy of the staff pages that are not the workspace
// (which sets its own): nothing but this site's own styles, and never in
// a frame.
const staffCSP = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secureHeaders adds to every response what no page of the example
// should go without: no MIME sniffing, no framing by other sites, no
// plugins, no <base> tricks, no referrer to other sites.
func secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		hd.Add("Content-Security-Policy", "frame-ancestors 'none'; object-src 'none'; base-uri 'none'")
		h.ServeHTTP(w, r)
	})
}
