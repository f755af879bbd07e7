package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Spanish misspellings are read as the training words they stand for
// (QA12 F43); words of their own, inflections and English are left as
// typed.
func TestSpanishSpelling(t *testing.T) {
	sp := spanishSpeller()
	for give, want := range map[string]string{
		"kiero un reenbolso":          "quiero un reembolso",
		"dnd esta mi paqete":          "dónde esta mi paquete",
		"cancelar mi pedidio":         "cancelar mi pedido",
		"aydua":                       "ayuda",
		"ola":                         "hola",
		"muchas grasias":              "muchas gracias",
		"quiero una debolucion":       "quiero una devolución",
		"no me a yegado":              "no me a llegado",
		"envios internacionals":       "envíos internacionales",
		"quiero devolver la lampara":  "quiero devolver la lámpara",
		"A-1001, ¿dónde está?":        "A-1001, ¿dónde está?",
		"no espera, sí quiero":        "no espera, sí quiero",        // an inflection is no slip
		"hace dos semanas":            "hace dos semanas",            // nor a plural
		"¿cuál es tu color favorito?": "¿cuál es tu color favorito?", // nor a gender
		"cuanto cuesta plus":          "cuanto cuesta plus",          // the accent makes another word
		"esta tarde":                  "esta tarde",                  // ditto
		"where is my order":           "where is my order",           // English words of the bot's replies
		"the border":                  "the border",                  // another first letter, another word
	} {
		assert.Equal(t, want, sp.correct(give), "%q", give)
	}
}

// A misspelt order or cancel word still asks to cancel an order; a
// cancelled order is still news, and a plan still a plan.
func TestCancelOrderMisspelt(t *testing.T) {
	for give, want := range map[string]bool{
		"cancelar mi pedidio":      true,
		"kiero canselar mi pedido": true,
		"quiero cancelar el pedio": true,
		"mi pedido fue cancelado":  false,
		"cancelar mi plan":         false,
		"cancel the border":        false,
	} {
		assert.Equal(t, want, asksToCancelOrder(give, false), "%q", give)
	}
}
