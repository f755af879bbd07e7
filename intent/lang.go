package intent

import "github.com/parleyhq/parley/intent/internal/textnorm"

// stopWords are frequent function words per language; a text's language
// is the one whose words it uses most. Read-only.
var stopWords = map[string]map[string]bool{
	"en": set("the", "a", "an", "i", "you", "my", "me", "no", "is", "are", "to", "of", "and", "in", "it", "for", "on", "with", "what", "how", "can", "do", "does", "please", "want", "need", "where", "when", "this", "that", "have", "was", "be", "your", "order", "would", "like", "hi", "hello", "thanks", "not", "check", "get", "from", "there",
		// Words of support conversations, for messages with no function
		// word ("agent", "charged twice").
		"human", "agent", "cancel", "refund", "return", "charged", "twice", "help", "someone", "speak", "talk", "call",
		"lawyer", "sue", "complaint", "money", "yes", "why", "but", "just", "still", "very", "about", "unsubscribe", "thank",
		// English too: "menu" alone (Spanish "menú" typed without its
		// accent) says no language.
		"menu"),
	"es": set("a", "el", "la", "los", "las", "un", "una", "yo", "tú", "mi", "me", "es", "son", "está", "de", "del", "y", "en", "que", "qué", "por", "para", "con", "cómo", "como", "dónde", "donde", "cuándo", "quiero", "necesito", "puedo", "puede", "hola", "gracias", "pedido", "no", "sí", "mis", "su", "al", "lo", "se", "tengo", "hay", "favor", "buenos", "días",
		// Words of support conversations, for messages with no function
		// word ("agente", "baja", "cobraron dos veces").
		"baja", "alta", "agente", "humano", "alguien", "hablar", "cancelar", "cancela", "reembolso", "devolución", "devolver",
		"cobraron", "cobrado", "cobro", "veces", "dos", "ayuda", "abogado", "queja", "harto", "harta", "llamar", "llámame",
		"empezar", "nuevo", "también", "pero", "muy", "ya", "esto", "eso", "estoy", "menú", "dinero", "factura", "cargo",
		"tarjeta", "nada", "vale", "adiós", "porque", "cuánto", "todavía", "ahora", "denunciar", "demanda",
		// "mi order no ha llegado": Spanish around an English word.
		"llegado", "llegó", "llego", "llegue",
		// Words of help-centre questions ("aceptan paypal?", "cuesta
		// plus?"), and the accented words as customers type them
		// without accents ("cuanto cuesta plus").
		"cuál", "cuesta", "cuestan", "tarda", "tardan", "aceptan", "tienen", "envío", "envíos", "gratis", "horario",
		"cual", "cuanto", "cuanta", "cuantos", "cuando", "esta", "devolucion", "menu", "adios", "tambien", "todavia",
		"envio", "envios", "llamame", "dias",
		// One-word questions ("precio" alone: the shipping price or the plan's?).
		"precio", "precios", "coste", "costo", "tarifa", "tarifas", "plazo", "entrega"),
}

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// DetectLanguage guesses the language of text from its function words and
// letters: "en" or "es", or "" when it cannot tell (too short, emoji,
// another language or script). It is a small built-in detector meant to
// route turns between a bot's locales, not a general identifier.
func DetectLanguage(text string) string {
	norm := textnorm.Normalize(text)
	words := textnorm.Tokens(norm)
	scores := map[string]float64{}
	for _, w := range words {
		for lang, sw := range stopWords {
			if sw[w] {
				scores[lang]++
			}
		}
	}
	for _, r := range norm {
		switch r {
		case 'ñ', '¿', '¡', 'á', 'é', 'í', 'ó', 'ú':
			scores["es"] += 0.5
		}
	}
	best, second := "", 0.0
	bestScore := 0.0
	for _, lang := range []string{"en", "es"} {
		s := scores[lang]
		if s > bestScore {
			best, second, bestScore = lang, bestScore, s
		} else if s > second {
			second = s
		}
	}
	if bestScore < 1 || bestScore == second {
		return ""
	}
	return best
}
