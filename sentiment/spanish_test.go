package sentiment

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/nlu"
	"github.com/parleyhq/parley/parleytest"
)

// TestSpanish checks the Spanish analyzer on support messages written for
// this test.
func TestSpanish(t *testing.T) {
	es, err := NewSpanish()
	require.NoError(t, err)
	tests := []struct {
		give      string
		label     Label
		frust     bool
		complaint bool
	}{
		{"¡Muchas gracias, excelente servicio!", Positive, false, false},
		{"Mi pedido nunca llegó y nadie me responde. Estoy harto.", Negative, true, true},
		{"Es la tercera vez que pregunto. ¡Inaceptable!", Negative, true, false},
		{"El paquete llegó roto, quiero un reembolso.", Negative, false, true},
		{"No estoy contento con el servicio.", Negative, false, true},
		{"¿Cuál es el horario de la tienda?", Neutral, false, false},
		{"Pesimo servicio, sin acentos tambien", Negative, true, true},
		{"No está mal, pero podría ser mejor", Positive, false, false},
		// Answers and commands are not complaints.
		{"no", Neutral, false, false},
		{"cancelar", Neutral, false, false},
		{"hola, quiero cancelar mi plan", Neutral, false, false},
		{"No, gracias", Positive, false, false},
		{"no gracias", Positive, false, false},
		{"El pedido fue cancelado sin avisar", Negative, false, true},
		{"No funciona", Negative, true, true},
		// The afternoon is not "late" (a call-back time).
		{"mañana por la tarde", Neutral, false, false},
		{"esta tarde a las 5", Neutral, false, false},
		{"el pedido llegó tarde", Negative, false, true},
		// A question about the weather or a wait is no complaint
		// ("tiempo" weighed -2 in the translated list, QA10).
		{"¿qué tiempo hace hoy?", Neutral, false, false},
		{"¿Cuánto tiempo tarda el envío?", Neutral, false, false},
		{"solo quiero saber dónde está mi pedido", Neutral, false, false},
		{"hace mucho tiempo que espero mi pedido", Negative, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			r := es.Polarity(tt.give)
			checkResult(t, tt.give, r)
			assert.Equal(t, tt.label, r.Label, "%+v", r)
			assert.Equal(t, tt.frust, r.Emotions.Frustration >= 0.5, "frustration %.2f", r.Emotions.Frustration)
			assert.Equal(t, tt.complaint, r.Complaint >= 0.5, "complaint %.2f", r.Complaint)
		})
	}
	assert.GreaterOrEqual(t, es.Polarity("No entiendo, ¿qué significa eso?").Emotions.Confusion, 0.5)
	assert.GreaterOrEqual(t, es.Polarity("Necesito una respuesta urgente, ahora mismo").Emotions.Urgency, 0.5)
	assert.GreaterOrEqual(t, es.Polarity("Te lo agradezco mucho").Emotions.Gratitude, 0.5)
	for _, bad := range []string{"", "😀😀", "荷物がまだ届きません", strings.Repeat("hola ", 2000), "\xff\xfe"} {
		r := es.Polarity(bad)
		checkResult(t, bad, r)
		assert.Equal(t, Neutral, r.Label, bad)
		assert.LessOrEqual(t, r.Confidence, 0.1, bad)
	}
	assert.Contains(t, SpanishLicense(), "MIT")
}

func FuzzSpanish(f *testing.F) {
	es, err := NewSpanish()
	require.NoError(f, err)
	for _, s := range []string{"", "¡No!", "muy muy malo pero bueno", "NO FUNCIONA", "ñ'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkResult(t, s, es.Polarity(s))
	})
}

// TestForLanguage checks that the middleware scores a turn with the
// analyzer of its locale.
func TestForLanguage(t *testing.T) {
	es, err := NewSpanish()
	require.NoError(t, err)
	m := newTestModel(t)
	var got []nlu.Mood
	h := Middleware(m, ForLanguage("es", es))(parley.HandlerFunc(func(_ context.Context, _ parley.ReplyWriter, t *parley.Turn) error {
		mood, _ := parley.Value(t, nlu.MoodKey)
		got = append(got, mood)
		return nil
	}))
	ctx := context.Background()
	spanish := parleytest.NewTurn("Mi pedido nunca llegó, estoy harto")
	spanish.Locale = "es-MX"
	require.NoError(t, h.HandleTurn(ctx, parleytest.NewRecorder(), spanish))
	english := parleytest.NewTurn("Mi pedido nunca llegó, estoy harto")
	require.NoError(t, h.HandleTurn(ctx, parleytest.NewRecorder(), english))
	require.Len(t, got, 2)
	assert.Equal(t, "negative", got[0].Label)
	assert.GreaterOrEqual(t, got[0].Frustration, 0.5)
	// Without a Spanish locale the English model knows none of the words.
	assert.Equal(t, "neutral", got[1].Label)
	assert.LessOrEqual(t, got[1].Confidence, 0.1)
}
