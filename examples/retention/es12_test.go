package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestItemNamesInTheConversationsLanguage: the demo shop's items have
// Spanish names, shown in Spanish conversations and matched in them
// (with or without accents, singular or plural), while the English
// names still match there and are the only ones matched in English.
func TestItemNamesInTheConversationsLanguage(t *testing.T) {
	s := newShop(goldenToday)
	lamp := *s.orders["A-1002"]
	assert.Equal(t, "lámpara de escritorio de nogal", lamp.itemIn("es"))
	assert.Equal(t, "lámpara de escritorio de nogal", lamp.itemIn("es-MX"))
	assert.Equal(t, "Walnut desk lamp", lamp.itemIn("en"))
	assert.Equal(t, "Walnut desk lamp", lamp.itemIn("fr"), "no French name: the shop's English one")
	assert.Equal(t, "[3] A-1002 Lámpara de escritorio de nogal (entregado)", orderLine(3, lamp, "es"))

	for text, want := range map[string]string{
		"quiero devolver la lámpara":  "A-1002",
		"quiero devolver la lampara":  "A-1002",
		"las lámparas":                "A-1002",
		"quiero un refund del lamp":   "A-1002",
		"mi manta está rota":          "A-1010",
		"la camisa de lino":           "A-1001",
		"dónde está mi pedido":        "",
		"la lana y el lino":           "", // two orders: ask which
		"quiero devolver la chaqueta": "",
	} {
		assert.Equal(t, want, s.orderNamed("cus_ada", "es", text), "es: %q", text)
	}
	assert.Equal(t, "A-1002", s.orderNamed("cus_ada", "en", "return the lamp"))
	assert.Empty(t, s.orderNamed("cus_ada", "en", "return the lámpara"), "Spanish names are matched in Spanish conversations")
	assert.Empty(t, s.orderNamed("cus_ben", "es", "la lámpara"), "Ada's lamp is not Ben's")
}

// TestDemoPageSignedInFollowsTheLanguage: the demo page tells the widget
// who the visitor is in every language the widget's labels have, from
// the same texts as those labels, so that a Spanish conversation does not
// show "Signed in as Ada Lovelace (demo)" under a Spanish header (QA12
// q2; the widget's side: channel/web/e2e TestWidgetSignedInFollowsTheConversation).
func TestDemoPageSignedInFollowsTheLanguage(t *testing.T) {
	a, err := newApp("cus_ada")
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	a.simulateHandler("cus_ada").ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/simulate/", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	page := rec.Body.String()
	assert.Contains(t, page, `const signedInTexts = {"":"Signed in as %s (demo)","es":"Sesión iniciada como %s (demo)"};`)
	assert.Contains(t, page, `parley.signedIn(p ? signedInTexts[""].replace("%s", p.Name) : "", tr);`)
	assert.NotContains(t, page, `"Signed in as " + p.Name`)

	ctx := context.Background()
	assert.Equal(t, "Signed in as Ada Lovelace (demo)", widgetLabels(ctx, "cus_ada").SignedIn)
	es, ok := widgetTranslations(ctx, "cus_ada")["es"]
	require.True(t, ok)
	assert.Equal(t, "Sesión iniciada como Ada Lovelace (demo)", es.SignedIn)
	for lang := range widgetTranslations(ctx, "cus_ada") {
		assert.Contains(t, signedInTexts, lang, "the page has the sign-in line in every language the widget has")
	}
}
