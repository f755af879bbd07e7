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
	custprofile "github.com/parleyhq/parley/memory/customer"
)

// TestStaffDataRequestByEmail: a data request names the customer by
// email. The staff page resolves a known email (any case) to the
// customer for both export and erasure; an unknown email or ID gets a
// clear "no customer found", no file, and nothing claimed erased, while
// the customer's data stays where it was.
func TestStaffDataRequestByEmail(t *testing.T) {
	a, err := newAppWith(config{customer: "cus_ada", writes: true, staffPassword: "correct horse"})
	require.NoError(t, err)
	a.divert = func(*parley.Turn) {}
	srv := httptest.NewServer(secureHeaders(a.staffMux()))
	defer srv.Close()
	sam := staffClient(t, srv.URL, "Sam", "correct horse")
	require.NotNil(t, sam)

	get := func(entry string) (int, string, string) {
		t.Helper()
		res, err := sam.Get(srv.URL + "/privacy/export?customer=" + url.QueryEscape(entry))
		require.NoError(t, err)
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		return res.StatusCode, res.Header.Get("Content-Type"), string(b)
	}
	erase := func(entry string) (int, string) {
		t.Helper()
		res, err := sam.PostForm(srv.URL+"/privacy/", url.Values{"customer": {entry}, "confirm": {"yes"}})
		require.NoError(t, err)
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		return res.StatusCode, string(b)
	}

	for _, entry := range []string{"nobody@example.com", "nobody_here", "cus_adaa"} {
		code, ctype, body := get(entry)
		assert.Equal(t, http.StatusNotFound, code, entry)
		assert.Contains(t, ctype, "text/html", "%s: no file is downloaded", entry)
		assert.Contains(t, body, "No customer found for &#34;"+entry+"&#34;: nothing was exported or erased.")
		code, body = erase(entry)
		assert.Equal(t, http.StatusNotFound, code, entry)
		assert.Contains(t, body, "No customer found for &#34;"+entry+"&#34;")
		assert.NotContains(t, body, "is erased", entry)
	}
	// Nothing of Ada's went while the page was refusing.
	code, _, body := get("cus_ada")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `"customer": "cus_ada"`)
	assert.Contains(t, body, `"name": "Ada Lovelace"`)

	// Her email, as a request would give it, is her.
	code, ctype, body := get("  Ada@Example.com ")
	require.Equal(t, http.StatusOK, code, body)
	assert.Equal(t, "application/json", ctype)
	assert.Contains(t, body, `"customer": "cus_ada"`)
	assert.Contains(t, body, `"email": "ada@example.com"`)

	code, body = erase("ada@example.com")
	require.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, "Everything kept about Ada Lovelace (cus_ada, ada@example.com) is erased (by Sam).")
	_, _, body = get("cus_ada")
	assert.NotContains(t, body, `"name": "Ada Lovelace"`, "her profile is gone")

	// A visitor the shop does not know, with data kept under her ID, is
	// found by that ID.
	_, err = a.ret.profiles.Update(t.Context(), "web_7f3a", func(p *custprofile.Profile) error {
		p.Custom = map[string]string{fieldTalked: "yes"}
		return nil
	})
	require.NoError(t, err)
	code, _, body = get("web_7f3a")
	require.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, `"customer": "web_7f3a"`)
	code, body = erase("web_7f3a")
	require.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, "Everything kept about web_7f3a is erased (by Sam).")
	code, _ = erase("web_7f3a")
	assert.Equal(t, http.StatusNotFound, code, "nothing is left under her ID")

	// A full name works too; Ben is untouched by Ada's erasure.
	code, _, body = get("ben okafor")
	require.Equal(t, http.StatusOK, code, body)
	assert.Contains(t, body, `"customer": "cus_ben"`)
}

// TestHoldsNothing: an export is empty only when every source is.
func TestHoldsNothing(t *testing.T) {
	assert.True(t, holdsNothing([]byte(`{"customer":"x","sources":{"a":null,"b":{},"c":[],"d":{"pending":[],"audit":[]}}}`)))
	assert.False(t, holdsNothing([]byte(`{"customer":"x","sources":{"a":null,"b":{"k":"v"}}}`)))
	assert.False(t, holdsNothing([]byte(`{"customer":"x","sources":{"a":[{"n":1}]}}`)))
	assert.False(t, holdsNothing([]byte(`not json`)), "unreadable: never claimed empty")
}

// TestStaffFindsTheCustomerByAnyName: the privacy page finds a customer
// by first name, last name, full name, email address or phone number
// (any case and spacing, with or without the country code); a first
// name two customers share lists both to pick from, and exports or
// erases nobody.
func TestStaffFindsTheCustomerByAnyName(t *testing.T) {
	a, err := newAppWith(config{customer: "cus_ada", writes: true, staffPassword: "correct horse"})
	require.NoError(t, err)
	a.divert = func(*parley.Turn) {}
	srv := httptest.NewServer(secureHeaders(a.staffMux()))
	defer srv.Close()
	sam := staffClient(t, srv.URL, "Sam", "correct horse")
	require.NotNil(t, sam)
	find := func(path, entry string) (int, string) {
		t.Helper()
		res, err := sam.Get(srv.URL + path + "?customer=" + url.QueryEscape(entry))
		require.NoError(t, err)
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		return res.StatusCode, string(b)
	}
	for entry, want := range map[string]string{
		"Ada": "Ada Lovelace (cus_ada, ada@example.com)", "lovelace": "Ada Lovelace (cus_ada, ada@example.com)",
		" ada   LOVELACE ": "Ada Lovelace (cus_ada, ada@example.com)", "ADA@example.com": "Ada Lovelace (cus_ada, ada@example.com)",
		"ben": "Ben Okafor (cus_ben, ben@example.com)", "Okafor": "Ben Okafor (cus_ben, ben@example.com)",
		"+1 212 555 0147": "Ben Okafor (cus_ben, ben@example.com)", "(212) 555-0147": "Ben Okafor (cus_ben, ben@example.com)",
	} {
		code, body := find("/privacy/", entry)
		assert.Equal(t, http.StatusOK, code, entry)
		assert.Contains(t, body, `<h2 id="who">`+want+`</h2>`, entry)
	}
	for _, entry := range []string{"Adam", "555 0148", "Love"} {
		code, body := find("/privacy/", entry)
		assert.Equal(t, http.StatusNotFound, code, entry)
		assert.Contains(t, body, "No customer found for &#34;"+entry+"&#34;", entry)
	}

	// A second Ada: "ada" lists both, and exports nobody.
	a.shop.mu.Lock()
	a.shop.customers["cus_ada2"] = customer{ID: "cus_ada2", Name: "Ada Byron", FirstName: "Ada", Email: "ab@example.com"}
	a.shop.mu.Unlock()
	code, body := find("/privacy/", "ada")
	assert.Equal(t, http.StatusMultipleChoices, code)
	assert.Contains(t, body, "2 customers match &#34;ada&#34;: pick one. Nothing was exported or erased.")
	assert.Contains(t, body, `<li><a href="/privacy/?customer=cus_ada2">Ada Byron (cus_ada2, ab@example.com)</a></li><li><a href="/privacy/?customer=cus_ada">Ada Lovelace (cus_ada, ada@example.com)</a></li>`)
	assert.NotContains(t, body, `id="who"`, "no customer picked")
	code, body = find("/privacy/export", "ada")
	assert.Equal(t, http.StatusMultipleChoices, code)
	assert.NotContains(t, body, `"sources"`, "nothing exported")
	code, body = find("/privacy/", "Byron")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `<h2 id="who">Ada Byron (cus_ada2, ab@example.com)</h2>`)
}
