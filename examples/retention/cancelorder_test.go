package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Requests to cancel an order, in English and Spanish, and what is not one.
func TestAsksToCancelOrder(t *testing.T) {
	for _, s := range []string{
		"cancel my order", "I want to cancel order A-1010 please, I ordered by mistake", "please cancel A-1010",
		"can I cancel my order?", "no, cancel my order A-1010", "cancela mi pedido A-1010", "quiero cancelar el pedido",
		"anula mi pedido", "ya no lo quiero, cancélalo: pedido A-1010",
	} {
		require.True(t, asksToCancelOrder(s, false), s)
	}
	for _, s := range []string{
		"cancel", "I want to cancel", "cancel my plan", "cancel my subscription", "my order was cancelled",
		"don't cancel my order", "no canceles el pedido", "where is my order", "cancelar mi suscripción con el pedido",
	} {
		require.False(t, asksToCancelOrder(s, false), s)
	}
	// An order named by its item (qa13 G36): named is true.
	for _, s := range []string{"cancel the blanket", "cancela la manta", "anula la manta", "please cancel the blanket", "no, cancel the lamp"} {
		require.True(t, asksToCancelOrder(s, true), s)
		require.False(t, asksToCancelOrder(s, false), "%s: without the item's order", s)
	}
	for _, s := range []string{"don't cancel the blanket", "the blanket was cancelled", "cancel my plan, the blanket is enough", "no canceles la manta"} {
		require.False(t, asksToCancelOrder(s, true), s)
	}
}
