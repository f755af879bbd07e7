package channeltest

import (
	"bytes"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"

	"github.com/parleyhq/parley/channel"
)

// HMACRequest returns a webhook POST of body to path with Content-Type
// ctype, signed the way Meta and many other platforms sign webhooks:
// header carries prefix followed by the hex HMAC-SHA256 of body under
// secret when s is Signed, under another secret when Forged, and is
// absent when Unsigned. It suits [Env.Request]:
//
//	Request: func(body []byte, s channeltest.Signing) *http.Request {
//		return channeltest.HMACRequest("/hook", "application/json", body, s, "X-Hub-Signature-256", "sha256=", secret)
//	}
func HMACRequest(path, ctype string, body []byte, s Signing, header, prefix, secret string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", ctype)
	switch s {
	case Signed:
		r.Header.Set(header, prefix+channel.HMACHex(sha256.New, []byte(secret), body))
	case Forged:
		r.Header.Set(header, prefix+channel.HMACHex(sha256.New, []byte("forged-"+secret), body))
	}
	return r
}
