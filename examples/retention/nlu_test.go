package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/nlu"
)

// Questions outside what the shop does are out of scope in Spanish as in
// English, also ones the training data does not hold ("¿cuál es tu color
// favorito?"): "¿cuál es el sentido de la vida?" read as unsure and went
// to the help centre, which offered a person. Help-centre questions that
// open the same way ("¿cuál es ...?"), and shop questions the help centre
// lacks (it offers a person), are not out of scope: they are understood,
// or unsure questions, which the router gives the help centre.
func TestOutOfScopeQuestions(t *testing.T) {
	u, _, err := newUnderstander(t.Context())
	require.NoError(t, err)
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	understand := func(text, locale string) nlu.Understanding {
		got, err := u.Understand(t.Context(), text, locale, now, time.UTC)
		require.NoError(t, err)
		return got
	}
	for text, locale := range map[string]string{
		"¿cuál es el sentido de la vida?":       "es",
		"¿cuál es la capital de francia?":       "es",
		"¿cuál es tu color favorito?":           "es",
		"¿cuál es la mejor pizza de la ciudad?": "es",
		"¿puedes cantar una canción?":           "es",
		"what is the meaning of life?":          "en",
		"what's your favourite colour?":         "en",
		"can you sing a song?":                  "en",
	} {
		got := understand(text, locale)
		assert.Equal(t, nlu.OutOfScope, got.Status, "%q: %+v", text, got.Ranked)
	}
	for _, text := range []string{
		"¿cuál es la política de devoluciones?", "¿cuál es su horario?", "¿cuál es el precio del envío?",
		"¿venden tarjetas de regalo?", "¿tienen tienda física?",
	} {
		got := understand(text, "es")
		assert.NotEqual(t, nlu.OutOfScope, got.Status, "%q: %+v", text, got.Ranked)
	}
}
