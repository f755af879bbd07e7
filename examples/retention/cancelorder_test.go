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
		require.True(t, asksToCancelOrder(s), s)
	}
	for _, s := range []string{
		"cancel", "I want to cancel", "cancel my plan", "cancel my subscription", "my order was cancelled",
		"don't cancel my order", "no canceles el pedido", "where is my order", "cancelar mi suscripción con el pedido",
	} {
		require.False(t, asksToCancelOrder(s), s)
	}
}
