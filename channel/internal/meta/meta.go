// Package meta holds what the WhatsApp Cloud API and the Messenger
// Platform share: Meta's webhook verification (the GET subscription
// handshake and X-Hub-Signature-256) and Graph API error answers.
package meta

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/channel"
)

// Verify checks a webhook request: a GET must be the subscription
// handshake with the verify token; a POST must carry X-Hub-Signature-256
// ("sha256=<hex>"), the HMAC-SHA256 of the raw body under the app secret,
// compared in constant time.
func Verify(r *http.Request, body []byte, appSecret, verifyToken string) error {
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		if q.Get("hub.mode") != "subscribe" || !channel.EqualSecret([]byte(q.Get("hub.verify_token")), []byte(verifyToken)) {
			return fmt.Errorf("%w: verification handshake", channel.ErrSignature)
		}
		return nil
	}
	got, ok := strings.CutPrefix(r.Header.Get("X-Hub-Signature-256"), "sha256=")
	if !ok || !channel.EqualSecret([]byte(strings.ToLower(got)), []byte(channel.HMACHex(sha256.New, []byte(appSecret), body))) {
		return channel.ErrSignature
	}
	return nil
}

// Handshake returns the answer to a verified GET handshake (its
// hub.challenge), or nil for a POST.
func Handshake(r *http.Request) *channel.Batch {
	if r.Method != http.MethodGet {
		return nil
	}
	return &channel.Batch{Body: []byte(r.URL.Query().Get("hub.challenge")), ContentType: "text/plain"}
}

// Check returns the [channel.Call] Check of a Graph API call: nil for
// a 2xx answer, otherwise its [GraphError] under throttled.
func Check(throttled map[int]bool) func(status int, h http.Header, body []byte) error {
	return func(status int, h http.Header, body []byte) error {
		if status/100 == 2 {
			return nil
		}
		return GraphError(status, h, body, throttled)
	}
}

// GraphError decodes a Graph API error answer into a
// [*channel.PlatformError]: the code, the message with its details, and
// Temporary for 429, 5xx and the codes in throttled.
func GraphError(status int, h http.Header, body []byte, throttled map[int]bool) *channel.PlatformError {
	var env struct {
		Error struct {
			Message   string `json:"message"`
			Code      int    `json:"code"`
			ErrorData struct {
				Details string `json:"details"`
			} `json:"error_data"`
		} `json:"error"`
	}
	reason := string(bytes.TrimSpace(body))
	code := ""
	if json.Unmarshal(body, &env) == nil && (env.Error.Message != "" || env.Error.Code != 0) {
		reason = strings.TrimSpace(env.Error.Message + " " + env.Error.ErrorData.Details)
		code = strconv.Itoa(env.Error.Code)
	}
	pe := channel.NewPlatformError(status, h, code, reason)
	if throttled[env.Error.Code] {
		pe.Temporary = true
	}
	return pe
}
