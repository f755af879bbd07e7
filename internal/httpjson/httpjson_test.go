package httpjson

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	for h, want := range map[string]time.Duration{"7": 7 * time.Second, "": time.Second, "soon": time.Second, "-2": time.Second} {
		if got := RetryAfter(h); got != want {
			t.Errorf("RetryAfter(%q) = %v, want %v", h, got, want)
		}
	}
}

func TestDo(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		switch {
		case r.Header.Get("Authorization") != "Bearer k":
			w.WriteHeader(http.StatusUnauthorized)
		case r.URL.Path == "/busy" && calls < 3:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
		case r.URL.Path == "/slow":
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			w.Write([]byte(`{"ok": true}`))
		}
	}))
	defer srv.Close()
	c := &Client{Base: srv.URL, HTTP: srv.Client(), Attempts: 3, MaxWait: time.Minute,
		Auth: func(r *http.Request) { r.Header.Set("Authorization", "Bearer k") }}
	ctx := context.Background()

	var out struct{ OK bool }
	if err := c.Do(ctx, http.MethodGet, "/busy", nil, &out); err != nil || !out.OK || calls != 3 {
		t.Fatalf("two 503s then 200: err %v, out %+v, %d calls", err, out, calls)
	}
	calls = 0
	var se *StatusError
	if err := c.Do(ctx, http.MethodPost, "/slow", map[string]int{"a": 1}, nil); !errors.As(err, &se) || !se.Temporary() || calls != 1 {
		t.Fatalf("a Retry-After over MaxWait: err %v, %d calls, want one call and a temporary *StatusError", err, calls)
	}
	c.Auth = nil
	if err := c.Do(ctx, http.MethodGet, srv.URL+"/x", nil, nil); !errors.As(err, &se) || se.Code != http.StatusUnauthorized || se.Temporary() {
		t.Fatalf("401 at an absolute URL: err %v", err)
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep = %v, want context.Canceled", err)
	}
	if err := Sleep(context.Background(), 0); err != nil {
		t.Fatalf("Sleep(0) = %v", err)
	}
}
