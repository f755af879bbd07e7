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
// favorito?"); Spanish help-centre questions that open the same way
// ("¿cuál es ...?") are still the help centre's. "¿cuál es el sentido de la
// vida?" read as unsure and went to the help centre, which offered a
// person.
func TestOutOfScopeQuestions(t *testing.T) {
	u, _, err := newUnderstander(t.Context())
	require.NoError(t, err)
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		text, locale string
		want         nlu.Status
	}{
		{"¿cuál es el sentido de la vida?", "es", nlu.OutOfScope},
		{"¿cuál es la capital de francia?", "es", nlu.OutOfScope},
		{"¿cuál es tu color favorito?", "es", nlu.OutOfScope},
		{"¿cuál es la mejor pizza de la ciudad?", "es", nlu.OutOfScope},
		{"¿puedes cantar una canción?", "es", nlu.OutOfScope},
		{"what is the meaning of life?", "en", nlu.OutOfScope},
		{"what's your favourite colour?", "en", nlu.OutOfScope},
		{"can you sing a song?", "en", nlu.OutOfScope},
		{"¿cuál es la política de devoluciones?", "es", nlu.Understood},
		{"¿cuál es su horario?", "es", nlu.Understood},
		{"¿cuál es el precio del envío?", "es", nlu.Understood},
	} {
		got, err := u.Understand(t.Context(), tc.text, tc.locale, now, time.UTC)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got.Status, "%q: %+v", tc.text, got.Ranked)
	}
}
