package flow

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The take-back words, and what is no take-back.
func TestTakesBack(t *testing.T) {
	for _, s := range []string{"no wait", "wait", "Go back", "continue", "carry on", "undo", "I do want to change it",
		"yes I want to", "I still want it", "no, I want to do that", "no espera", "sí quiero", "si quiero", "quiero cambiarla",
		"seguir", "sigue", "volver", "continuar"} {
		assert.True(t, takesBack(s), s)
	}
	for _, s := range []string{"no", "yes", "I want to track my order", "I want a refund", "actually, forget it", "never mind",
		"quiero un reembolso", "where is my order?", "cancel", ""} {
		assert.False(t, takesBack(s), s)
	}
}
