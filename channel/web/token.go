package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// Tokens have the form base64url(payload) "." base64url(HMAC-SHA256), where
// payload is a small JSON object naming the conversation and the issue
// time. The MAC covers a domain-separation prefix as well as the payload,
// so a file-link signature can never be replayed as a token.

const (
	tokenDomain = "parley-web-token-v1."
	fileDomain  = "parley-web-file-v1."
	maxTokenLen = 512
)

type tokenPayload struct {
	Conv   string `json:"c"`
	Issued int64  `json:"iat"`
}

func mac(secret []byte, domain, msg string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(domain))
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// signToken returns a token for conversation conv issued at now.
func signToken(secret []byte, conv string, now time.Time) (string, error) {
	b, err := json.Marshal(tokenPayload{Conv: conv, Issued: now.Unix()})
	if err != nil {
		return "", err
	}
	p := base64.RawURLEncoding.EncodeToString(b)
	return p + "." + base64.RawURLEncoding.EncodeToString(mac(secret, tokenDomain, p)), nil
}

// parseToken verifies tok and returns the conversation it names. It
// returns a *rejectError wrapping errInvalidToken for anything that is not
// a token this secret signed within ttl of now.
func parseToken(secret []byte, tok string, now time.Time, ttl time.Duration) (string, error) {
	if tok == "" {
		return "", reject(errInvalidToken, "missing token")
	}
	if len(tok) > maxTokenLen {
		return "", reject(errInvalidToken, "token too long")
	}
	p, sig, ok := strings.Cut(tok, ".")
	if !ok {
		return "", reject(errInvalidToken, "malformed token")
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return "", reject(errInvalidToken, "malformed signature")
	}
	if !hmac.Equal(got, mac(secret, tokenDomain, p)) {
		return "", reject(errInvalidToken, "bad signature")
	}
	b, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return "", reject(errInvalidToken, "malformed payload")
	}
	var pl tokenPayload
	if err := json.Unmarshal(b, &pl); err != nil || pl.Conv == "" {
		return "", reject(errInvalidToken, "malformed payload")
	}
	issued := time.Unix(pl.Issued, 0)
	if now.Sub(issued) > ttl {
		return "", reject(errInvalidToken, "token expired")
	}
	if issued.Sub(now) > time.Minute {
		return "", reject(errInvalidToken, "token issued in the future")
	}
	return pl.Conv, nil
}

// fileSig signs a file link so that it can be used in an <img src> without
// the bearer token.
func fileSig(secret []byte, conv, file string) string {
	return base64.RawURLEncoding.EncodeToString(mac(secret, fileDomain, conv+"/"+file))
}

func checkFileSig(secret []byte, conv, file, sig string) bool {
	got, err := base64.RawURLEncoding.DecodeString(sig)
	return err == nil && hmac.Equal(got, mac(secret, fileDomain, conv+"/"+file))
}
