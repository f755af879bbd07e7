package proactive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/proactive"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func post(h http.Handler, body []byte, ts time.Time, sig string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/events", bytes.NewReader(body))
	r.Header.Set("Parley-Timestamp", strconv.FormatInt(ts.Unix(), 10))
	r.Header.Set("Parley-Signature", sig)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var body map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	return body["error"]
}

func TestEndpoint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := tips(t)
		env.AddCustomer(&customer.Profile{CustomerID: "ada"})
		env.AddCustomer(&customer.Profile{CustomerID: "mars", TimeZone: "Mars/Base"})
		env.Consent("ada")
		at10(env)
		h, err := env.Engine.Endpoint(secret)
		require.NoError(t, err)
		now := time.Now()
		good := []byte(`{"id":"e1","type":"tips_event","customer":"ada"}`)

		tests := []struct {
			name       string
			body       []byte
			ts         time.Time
			sig        string
			wantStatus int
			wantCode   string
		}{
			{name: "forged", body: good, ts: now, sig: proactive.Sign([]byte("another secret, guessed at"), now, good), wantStatus: 401, wantCode: "signature"},
			{name: "no signature", body: good, ts: now, sig: "", wantStatus: 401, wantCode: "signature"},
			{name: "body changed", body: []byte(`{"id":"e1","type":"tips_event","customer":"ben"}`), ts: now, sig: proactive.Sign(secret, now, good), wantStatus: 401, wantCode: "signature"},
			{name: "stale", body: good, ts: now.Add(-6 * time.Minute), sig: proactive.Sign(secret, now.Add(-6*time.Minute), good), wantStatus: 401, wantCode: "stale"},
			{name: "from the future", body: good, ts: now.Add(6 * time.Minute), sig: proactive.Sign(secret, now.Add(6*time.Minute), good), wantStatus: 401, wantCode: "stale"},
			{name: "not JSON", body: []byte(`{"type":`), ts: now, sig: proactive.Sign(secret, now, []byte(`{"type":`)), wantStatus: 400, wantCode: "json"},
			{name: "unknown field", body: []byte(`{"type":"tips_event","customer":"ada","x":1}`), ts: now, sig: proactive.Sign(secret, now, []byte(`{"type":"tips_event","customer":"ada","x":1}`)), wantStatus: 400, wantCode: "json"},
			{name: "unknown event", body: []byte(`{"type":"nope","customer":"ada"}`), ts: now, sig: proactive.Sign(secret, now, []byte(`{"type":"nope","customer":"ada"}`)), wantStatus: 422, wantCode: "unknown_event"},
			{name: "unknown customer", body: []byte(`{"type":"tips_event","customer":"zed"}`), ts: now, sig: proactive.Sign(secret, now, []byte(`{"type":"tips_event","customer":"zed"}`)), wantStatus: 422, wantCode: "unknown_customer"},
			{name: "bad time zone", body: []byte(`{"type":"tips_event","customer":"mars"}`), ts: now, sig: proactive.Sign(secret, now, []byte(`{"type":"tips_event","customer":"mars"}`)), wantStatus: 422, wantCode: "time_zone"},
		}
		for _, tt := range tests {
			w := post(h, tt.body, tt.ts, tt.sig)
			assert.Equal(t, tt.wantStatus, w.Code, tt.name)
			assert.Equal(t, tt.wantCode, errorCode(t, w), tt.name)
		}
		synctest.Wait()
		assert.Empty(t, env.Texts("ada"), "nothing taken from refused requests")
		var keys []string
		require.NoError(t, env.Store.Keys(context.Background(), "proactive/", func(k string) bool { keys = append(keys, k); return true }))
		assert.Empty(t, keys, "nothing half-done")

		w := post(h, good, now, proactive.Sign(secret, now, good))
		assert.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
		w = post(h, good, now, proactive.Sign(secret, now, good))
		assert.Equal(t, http.StatusUnauthorized, w.Code, "the same signed request again")
		assert.Equal(t, "replayed", errorCode(t, w))
		later := now.Add(time.Second)
		w = post(h, good, later, proactive.Sign(secret, later, good))
		assert.Equal(t, http.StatusOK, w.Code, "the same event signed anew is a duplicate, taken once")
		synctest.Wait()
		assert.Equal(t, []string{"tips message"}, env.Texts("ada"))

		get := httptest.NewRecorder()
		h.ServeHTTP(get, httptest.NewRequest(http.MethodGet, "/events", nil))
		assert.Equal(t, http.StatusMethodNotAllowed, get.Code)
	})
}

func TestEndpointRefusesAShortSecret(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := tips(t)
		for _, give := range [][]byte{nil, []byte(""), []byte("fifteen bytes!!")} {
			h, err := env.Engine.Endpoint(give)
			require.Error(t, err, "%q", give)
			assert.Contains(t, err.Error(), "at least 16", "%q", give)
			assert.Nil(t, h, "%q", give)
		}
		h, err := env.Engine.Endpoint([]byte("sixteen bytes!!!"))
		require.NoError(t, err)
		assert.NotNil(t, h)
	})
}

func FuzzEndpoint(f *testing.F) {
	f.Add([]byte(`{"id":"e1","type":"tips_event","customer":"ada"}`), "v1=00")
	f.Add([]byte(`{"type":"tips_event","customer":"ada","attributes":{"a":"b"}}`), "")
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		synctest.Test(t, func(t *testing.T) {
			env := tips(t)
			env.AddCustomer(&customer.Profile{CustomerID: "ada"})
			h, err := env.Engine.Endpoint(secret)
			require.NoError(t, err)
			w := post(h, body, time.Now(), sig)
			assert.Contains(t, []int{200, 202, 400, 401, 422}, w.Code)
			signed := post(h, body, time.Now(), proactive.Sign(secret, time.Now(), body))
			assert.Contains(t, []int{200, 202, 400, 422}, signed.Code)
		})
	})
}
