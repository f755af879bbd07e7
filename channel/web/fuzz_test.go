package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func FuzzParseToken(f *testing.F) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	good, err := signToken(testSecret, "conv-1", now)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("")
	f.Add(".")
	f.Add("eyJjIjoiYSIsImlhdCI6MX0.AAAA")
	f.Add(good + "x")
	f.Fuzz(func(t *testing.T, tok string) {
		conv, err := parseToken(testSecret, tok, now, time.Hour)
		if err != nil {
			if !errors.Is(err, errInvalidToken) {
				t.Fatalf("error %v does not wrap errInvalidToken", err)
			}
			return
		}
		// Only the one conversation this secret signed can come out.
		if conv != "conv-1" {
			t.Fatalf("accepted token for %q", conv)
		}
		if conv == "" {
			t.Fatal("accepted token with empty conversation")
		}
	})
}

func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{
		`{"type":"hello","token":"x"}`,
		`{"type":"message","id":"m1","text":"hi","payload":"yes"}`,
		`{"type":"track","id":"t1","name":"product_view","data":{"id":"sku"}}`,
		`{"type":"consent","granted":true}`,
		`{"type":"ping"}`,
		`{"type":"message","id":"m1","text":"\u0000"}`,
		`[]`, `null`, `{"type":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := decodeFrame(b, 256)
		if err != nil {
			var re *rejectError
			if !errors.As(err, &re) || re.Code == "" {
				t.Fatalf("error %v is not a coded *rejectError", err)
			}
			return
		}
		switch fr.Type {
		case frameHello, framePing, frameConsent:
		case frameMessage, frameTrack:
			if checkID(fr.ID) != nil {
				t.Fatalf("accepted frame with bad id %q", fr.ID)
			}
			if len(fr.Text)+len(fr.Payload) > 256 {
				t.Fatal("accepted text over the limit")
			}
		default:
			t.Fatalf("accepted unknown type %q", fr.Type)
		}
	})
}

// FuzzSend throws arbitrary bodies at POST /send: every one is answered
// with 200 or a coded 4xx, never a panic or a 5xx.
func FuzzSend(f *testing.F) {
	rec := &recorder{}
	h, err := New(Config{Secret: testSecret, RateLimit: rate.Inf, RateBurst: 1})
	if err != nil {
		f.Fatal(err)
	}
	served := h.Handler(testBot(rec, h))
	tok, err := h.Token("fuzz")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		`{"type":"message","id":"m1","text":"hello"}`,
		`{"type":"track","id":"t1","name":"page.idle","data":{"path":"/checkout"}}`,
		`{"type":"consent","granted":false}`,
		`{"type":"message","id":"m2","text":"card"}`,
		`{`, `[]`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/send", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		served.ServeHTTP(w, req)
		if w.Code != http.StatusOK && (w.Code < 400 || w.Code >= 500) {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body)
		}
		if w.Code != http.StatusOK && !strings.Contains(w.Body.String(), `"code"`) {
			t.Fatalf("error without a code: %s", w.Body)
		}
	})
}
