package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
)

// TestPrivacyPageFindsByName: staff look a customer up by the name or
// email they know, not an internal ID, and see whom they found before
// anything happens; the erasure sits apart, in red, behind its own
// confirmation, unlike the export.
func TestPrivacyPageFindsByName(t *testing.T) {
	a, err := newAppWith(config{customer: "cus_ada", writes: true, staffPassword: "correct horse"})
	require.NoError(t, err)
	a.divert = func(*parley.Turn) {}
	srv := httptest.NewServer(secureHeaders(a.staffMux()))
	defer srv.Close()
	sam := staffClient(t, srv.URL, "Sam", "correct horse")
	require.NotNil(t, sam)
	page := func(entry string) (int, string) {
		t.Helper()
		res, err := sam.Get(srv.URL + "/privacy/?customer=" + url.QueryEscape(entry))
		require.NoError(t, err)
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		return res.StatusCode, string(b)
	}

	code, body := page("")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "Find the customer: first, last or full name, email address, phone number or customer ID")
	assert.NotContains(t, body, `class="danger"`, "nothing to erase before a customer is found")

	for _, entry := range []string{"ada lovelace", "ADA@example.com"} {
		code, body = page(entry)
		assert.Equal(t, http.StatusOK, code, entry)
		assert.Contains(t, body, "Ada Lovelace (cus_ada, ada@example.com)", entry)
		assert.Contains(t, body, `<button class="secondary">Export their data (JSON)</button>`)
		assert.Contains(t, body, `<button class="danger">Erase Ada Lovelace's data</button>`)
		assert.Contains(t, body, `<input type="hidden" name="customer" value="cus_ada">`)
	}
	code, body = page("nobody@example.com")
	assert.Equal(t, http.StatusNotFound, code)
	assert.NotContains(t, body, `class="danger"`)
}
