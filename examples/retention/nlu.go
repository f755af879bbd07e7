package main

import (
	"bytes"
	"context"
	_ "embed"
	"regexp"
	"strings"
	"sync"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/intent/entity"
	"github.com/parleyhq/parley/intent/train"
	"github.com/parleyhq/parley/nlu"
	"github.com/parleyhq/parley/sentiment"
)

//go:embed nlu.yaml
var nluYAML []byte

//go:embed nlu.es.yaml
var nluSpanishYAML []byte

// spanishYAML holds the Spanish wording of the bot's replies.
//
//go:embed es.yaml
var spanishYAML []byte

// newUnderstander trains the shop's intent classifier from the embedded
// examples and adds entity extractors, order numbers like A-1001 among
// them. It returns the English model too, for the learning loop.
func newUnderstander(ctx context.Context) (*intent.Understander, *train.Model, error) {
	english, err := trainYAML(ctx, nluYAML, "nlu.yaml")
	if err != nil {
		return nil, nil, err
	}
	spanish, err := trainYAML(ctx, nluSpanishYAML, "nlu.es.yaml")
	if err != nil {
		return nil, nil, err
	}
	// "kiero un reenbolso", "aydua": Spanish misspellings read as the
	// words they stand for (spelling.go).
	spanishSpelt := spanishSpeller().classifier(spanish)
	orders := entity.OrderID("order_id", regexp.MustCompile(`(?i)\bA-?\d{4}\b`))
	return intent.New(english,
		intent.WithLocale("es", spanishSpelt),
		intent.WithExtractors(append(entity.Builtins(), orders)...),
		intent.WithMultiIntent(true),
		// "Hi there, hope you're well. My order hasn't arrived": the
		// greeting opens the message; the order is what it is about.
		intent.WithOpeners("greeting"),
		// "quiero un refund", "el tracking de mi order": English support
		// words in Spanish messages (QA10).
		intent.WithLoanwords("es", spanishLoanwords),
	), english, nil
}

// spanishLoanwords are the English support words customers use while
// writing Spanish, with the Spanish word the Spanish model knows.
var spanishLoanwords = map[string]string{
	"refund": "reembolso", "refunds": "reembolsos", "refunded": "reembolsado", "order": "pedido", "orders": "pedidos",
	"tracking": "seguimiento", "delivery": "entrega", "shipping": "envío", "package": "paquete", "parcel": "paquete",
	"return": "devolución", "cancel": "cancelar", "agent": "agente", "invoice": "factura",
}

// trained keeps the models trainYAML trained, by file name: training is
// deterministic and a trained model is only read (the learning loop
// deploys new ones), so an app built again in the same process (the
// tests build one per transcript, a few hundred) reuses them instead of
// training both languages again.
var trained = struct {
	sync.Mutex
	models map[string]*train.Model
}{models: map[string]*train.Model{}}

// moodModel reads the embedded sentiment model once a process: a Model
// is only read and safe for concurrent use, and reading it took a sixth
// of the example tests' CPU (flake13's profile), one app per transcript.
var moodModel = sync.OnceValues(sentiment.NewModel)

func trainYAML(ctx context.Context, data []byte, name string) (*train.Model, error) {
	trained.Lock()
	defer trained.Unlock()
	if m, ok := trained.models[name]; ok {
		return m, nil
	}
	examples, err := train.ReadYAML(bytes.NewReader(data), name)
	if err != nil {
		return nil, err
	}
	m, err := train.Train(ctx, examples)
	if err != nil {
		return nil, err
	}
	trained.models[name] = m
	return m, nil
}

// orderNumberAlone reads a message that is nothing but an order number
// ("A-1002", or "and what about A-1010?" after another order's status), which the understander leaves unsure or ambiguous (it names
// an order, not what to do with it), as a request for that order's status: what
// customers who type one mean, at the menu or out of the blue. A form
// asking for an order still takes it as its answer.
func orderNumberAlone(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		u, ok := parley.Value(t, nlu.UnderstandingKey)
		if !ok || u.Status == nlu.Understood || len(u.Entities) != 1 || u.Entities[0].Type != "order_id" ||
			!orderLeads[orderLead(t.Text(), u.Entities[0].Text)] {
			return next.HandleTurn(ctx, w, t)
		}
		u.Status, u.Intent = nlu.Understood, nlu.Intent{Name: "track_order", Confidence: 1}
		return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
	})
}

// orderLeads are the words that may come before an order number in a
// message that asks only about it, as orderLead returns them.
var orderLeads = map[string]bool{
	"": true, "order": true, "order number": true, "pedido": true, "el pedido": true, "and": true, "also": true, "and also": true, "what about": true, "and what about": true,
	"how about": true, "and how about": true, "what about order": true, "and what about order": true,
	"and order": true, "and the other one": true, "y": true, "y el": true, "y el pedido": true, "tambien": true,
	"y tambien": true, "que pasa con": true, "y que pasa con": true, "que hay de": true, "y que hay de": true,
	"y que pasa con el pedido": true, "y que hay del pedido": true,
}

// orderLead returns what text says before the order number num, lower
// case, without accents or punctuation, or "?" when text says anything
// after it.
func orderLead(text, num string) string {
	before, after, ok := strings.Cut(text, num)
	if !ok || strings.Trim(after, " .!?¿¡") != "" {
		return "?"
	}
	var words []string
	for _, w := range strings.Fields(strings.ToLower(before)) {
		w = strings.Map(func(r rune) rune {
			switch r {
			case 'á':
				return 'a'
			case 'é':
				return 'e'
			case 'í':
				return 'i'
			case 'ó':
				return 'o'
			case 'ú':
				return 'u'
			case ',', '.', '?', '¿', '!', '¡', ':', ';':
				return -1
			}
			return r
		}, w)
		if w != "" {
			words = append(words, w)
		}
	}
	return strings.Join(words, " ")
}
