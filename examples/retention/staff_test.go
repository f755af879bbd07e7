package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// staffClient signs in at base as name and returns a client holding the
// session cookie, or nil if the sign-in was refused.
func staffClient(t *testing.T, base, name, password string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(base+"/staff/login", url.Values{"agent": {name}, "password": {password}, "next": {"/console/"}})
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	if res.StatusCode != http.StatusSeeOther {
		return nil
	}
	assert.Equal(t, "/console/", res.Header.Get("Location"))
	c.CheckRedirect = nil
	return c
}

func getJSON(t *testing.T, c *http.Client, u string, v any) {
	t.Helper()
	res, err := c.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, u)
	require.NoError(t, json.NewDecoder(res.Body).Decode(v))
}

func postJSON(t *testing.T, c *http.Client, u, body string) int {
	t.Helper()
	res, err := c.Post(u, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	_, err = io.Copy(io.Discard, res.Body)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	return res.StatusCode
}

func TestStaffSignIn(t *testing.T) {
	a, err := newAppWith(config{customer: "cus_ada", writes: true, staffPassword: "correct horse"})
	require.NoError(t, err)
	srv := httptest.NewServer(secureHeaders(a.staffMux()))
	defer srv.Close()

	// One sign-in, then every staff page and the API with the cookie.
	sam := staffClient(t, srv.URL, "  Sam \u200b  Jones ", "correct horse")
	require.NotNil(t, sam)
	var st struct {
		Agent string `json:"agent"`
	}
	getJSON(t, sam, srv.URL+"/console/api/state", &st)
	assert.Equal(t, "Sam Jones", st.Agent, "names are normalised")
	res, err := sam.Get(srv.URL + "/console/")
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	assert.Equal(t, http.StatusOK, res.StatusCode)
	csp := strings.Join(res.Header.Values("Content-Security-Policy"), ", ")
	assert.Contains(t, csp, "frame-ancestors 'none'")
	assert.Contains(t, csp, "script-src 'self'")
	assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
	assert.Equal(t, "DENY", res.Header.Get("X-Frame-Options"))

	// The sign-in page itself cannot be framed either.
	res, err = http.Get(srv.URL + "/staff/login")
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	assert.Contains(t, strings.Join(res.Header.Values("Content-Security-Policy"), ", "), "frame-ancestors 'none'")

	// A cross-site form post is refused even with the cookie.
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/console/api/tickets/x/reply", strings.NewReader(`{"text":"hi"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err = sam.Do(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
}

func TestStaffSignInLockout(t *testing.T) {
	a, err := newAppWith(config{customer: "cus_ada", writes: true, staffPassword: "correct horse"})
	require.NoError(t, err)
	srv := httptest.NewServer(a.staffMux())
	defer srv.Close()
	guess := func(pw string) *http.Response {
		res, err := http.PostForm(srv.URL+"/staff/login", url.Values{"agent": {"Eve"}, "password": {pw}})
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		return res
	}
	for range freeFailures {
		assert.Equal(t, http.StatusUnauthorized, guess("wrong").StatusCode)
	}
	assert.Equal(t, http.StatusUnauthorized, guess("wrong").StatusCode, "the first guess over the free ones is answered...")
	res := guess("correct horse")
	assert.Equal(t, http.StatusTooManyRequests, res.StatusCode, "...and the next must wait, even with the right password")
	assert.Equal(t, "1", res.Header.Get("Retry-After"))
}

func TestStaffBackoff(t *testing.T) {
	s := newStaffAuth("pw")
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	var waits []time.Duration
	for range lockFailures {
		s.failed("192.0.2.1", now)
		waits = append(waits, s.wait("192.0.2.1", now))
	}
	assert.Equal(t, []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
		16 * time.Second, 32 * time.Second, lockFor}, waits, "free guesses, then doubling waits, then a lockout")
	assert.Zero(t, s.wait("192.0.2.2", now), "other addresses are not locked out")
	assert.Zero(t, s.wait("192.0.2.1", now.Add(lockFor+time.Second)), "forgotten after the lockout")

	// Many addresses guessing together lock everyone out for a minute.
	g := newStaffAuth("pw")
	for i := range globalFailures {
		g.failed("198.51.100."+string(rune('a'+i%26)), now)
	}
	assert.Equal(t, time.Minute, g.wait("203.0.113.9", now))
	assert.Zero(t, g.wait("203.0.113.9", now.Add(time.Minute+time.Second)))
}

func TestServerTimeouts(t *testing.T) {
	srv, err := serve(t.Context(), "127.0.0.1:0", http.NotFoundHandler())
	require.NoError(t, err)
	defer shutdown(srv)
	assert.Positive(t, srv.ReadHeaderTimeout, "slow headers are cut off")
	assert.Positive(t, srv.ReadTimeout, "slow bodies are cut off")
	assert.Positive(t, srv.IdleTimeout, "idle connections are closed")
	assert.Positive(t, srv.MaxHeaderBytes)
}

// TestSafeNextKeepsStaffPages: signing in from any staff page returns to
// it (the dashboard sent its owner to the workspace); anything else goes
// to the workspace.
func TestSafeNextKeepsStaffPages(t *testing.T) {
	for next, want := range map[string]string{
		"/dashboard/":               "/dashboard/",
		"/dashboard/review":         "/dashboard/review",
		"/privacy/?customer=ada":    "/privacy/?customer=ada",
		"/console/":                 "/console/",
		"https://evil.example/":     "/console/",
		"//evil.example/dashboard/": "/console/",
		"/dashboard/\r\nX: y":       "/console/",
		"/simulate/":                "/console/",
	} {
		assert.Equal(t, want, safeNext(next), next)
	}
}
