package web

import (
	"errors"
	"testing"
	"time"
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
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("error %v does not wrap ErrInvalidToken", err)
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
			var re *RejectError
			if !errors.As(err, &re) || re.Code == "" {
				t.Fatalf("error %v is not a coded *RejectError", err)
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
