package sms

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
)

// The vectors of twilio-python's tests/unit/test_request_validator.py
// (token "12345", the CallSid request): the signature over the URL as
// Twilio requested it, with the default port added, and with a port
// removed.
var (
	validatorURL    = "https://mycompany.com/myapp.php?foo=1&bar=2"
	validatorParams = url.Values{"CallSid": {"CA1234567890ABCDE"}, "Digits": {"1234"}, "From": {"+14158675309"},
		"To": {"+18005551212"}, "Caller": {"+14158675309"}}
)

func TestSignatureVectorsFromTwilioPython(t *testing.T) {
	assert.Equal(t, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", Signature("12345", validatorURL, validatorParams))
	dup := url.Values{"Sid": {"CA123"}, "SidAccount": {"AC123"}, "Digits": {"5678", "1234"}}
	assert.Equal(t, "IK+Dwps556ElfBT0I3Rgjkr1wJU=", Signature("12345", validatorURL, dup), "repeated parameters sorted by value")
}

func TestVerifyAcceptsURLWithAndWithoutDefaultPort(t *testing.T) {
	body := validatorParams.Encode()
	tests := []struct {
		name      string
		publicURL string
		sig       string
		ok        bool
	}{
		{"as configured", validatorURL, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", true},
		// test_validation_adds_port_on_https: Twilio signed https://...:443/...
		{"https, Twilio signed with :443", validatorURL, "kvajT1Ptam85bY51eRf/AJRuM3w=", true},
		// test_validation_adds_port_on_http
		{"http, Twilio signed with :80", strings.Replace(validatorURL, "https", "http", 1), "0ZXoZLH/DfblKGATFgpif+LLRf4=", true},
		// test_validation_removes_port_on_https: configured with a port,
		// signed without it.
		{"configured with a port, signed without", strings.Replace(validatorURL, ".com", ".com:1234", 1), "RSOYDt4T1cUTdK1PDd93/VVr8B8=", true},
		// test_validation_removes_port_on_http: signed over the URL with its port.
		{"http with a port, signed with it", strings.Replace(strings.Replace(validatorURL, ".com", ".com:1234", 1), "https", "http", 1), "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=", true},
		{"configured with :443, signed without", strings.Replace(validatorURL, ".com", ".com:443", 1), "RSOYDt4T1cUTdK1PDd93/VVr8B8=", true},
		{"another path", "https://mycompany.com/other.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", false},
		{"another token's signature", validatorURL, Signature("54321", validatorURL, validatorParams), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, err := newDriver(Config{AccountSID: sid, AuthToken: "12345", From: business, PublicURL: tt.publicURL})
			require.NoError(t, err)
			r := httptest.NewRequest(http.MethodPost, "/myapp.php?foo=1&bar=2", strings.NewReader(body))
			r.Header.Set("X-Twilio-Signature", tt.sig)
			err = p.Verify(r, []byte(body))
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, channel.ErrSignature)
			}
		})
	}
}

func TestURLVariants(t *testing.T) {
	assert.Equal(t, []string{"https://u:p@h.example/x?a=b:c", "https://u:p@h.example:443/x?a=b:c"}, urlVariants("https://u:p@h.example/x?a=b:c"))
	assert.Equal(t, []string{"http://[::1]:8080/x", "http://[::1]/x"}, urlVariants("http://[::1]:8080/x"))
	assert.Equal(t, []string{"http://[::1]/x", "http://[::1]:80/x"}, urlVariants("http://[::1]/x"))
	assert.Equal(t, []string{"not a url"}, urlVariants("not a url"))
}

// A WhatsApp location through Twilio, with the parameters of Twilio's
// messaging webhook reference (Latitude, Longitude, Address, Label; no Body).
func TestWhatsAppLocationArrivesAsLocation(t *testing.T) {
	a := newAdapter(t, platform(t), Config{})
	q := &channeltest.Queue{}
	body := url.Values{"MessageSid": {"SM6f7c9b9e1a2b3c4d5e6f7a8b9c0d1e2f"}, "SmsMessageSid": {"SM6f7c9b9e1a2b3c4d5e6f7a8b9c0d1e2f"},
		"AccountSid": {sid}, "From": {"whatsapp:+14155238886"}, "To": {"whatsapp:" + business}, "Body": {""}, "NumMedia": {"0"},
		"Latitude": {"37.7843"}, "Longitude": {"-122.4016"}, "Address": {"747 Howard St, San Francisco, CA 94103"},
		"Label": {"Moscone Center"}, "ProfileName": {"Ann"}, "WaId": {"14155238886"}, "MessageType": {"location"}, "ApiVersion": {"2010-04-01"}}
	require.Equal(t, 200, post(t, a, q, body).Code)
	require.Len(t, q.Turns(), 1)
	assert.Equal(t, "Location: Moscone Center, 747 Howard St, San Francisco, CA 94103 (geo:37.7843,-122.4016)", q.Turns()[0].Text())

	// A dropped pin has no label or address.
	pin := url.Values{"MessageSid": {"SM2"}, "From": {"whatsapp:+14155238886"}, "To": {"whatsapp:" + business},
		"Latitude": {"-33.8688"}, "Longitude": {"151.2093"}}
	require.Equal(t, 200, post(t, a, q, pin).Code)
	require.Len(t, q.Turns(), 2)
	assert.Equal(t, "Location: geo:-33.8688,151.2093", q.Turns()[1].Text())

	// Out-of-range coordinates are not a location.
	assert.Empty(t, location(url.Values{"Latitude": {"91"}, "Longitude": {"0"}}))
	assert.Empty(t, location(url.Values{"Latitude": {"NaN"}, "Longitude": {"0"}}))
}
