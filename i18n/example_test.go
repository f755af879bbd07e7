package i18n_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/i18n"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/parleytest"
)

func ExampleMiddleware() {
	catalog, err := i18n.ReadCatalog(strings.NewReader(`
es:
  "Which order is it?": "¿Qué pedido es?"
  "Your {item} has shipped.": "Tu {item} ya ha salido."
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	bot := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if strings.Contains(t.Text(), "A-1001") {
			return w.Reply(ctx, parley.Text("Your lamp has shipped."))
		}
		return w.Reply(ctx, parley.Text("Which order is it?"))
	})
	h := parley.Chain(bot, i18n.Middleware(catalog, i18n.WithDetector(intent.DetectLanguage)))

	rec := parleytest.NewRecorder()
	ctx := context.Background()
	_ = h.HandleTurn(ctx, rec, parleytest.NewTurn("¿dónde está mi pedido?"))
	_ = h.HandleTurn(ctx, rec, parleytest.NewTurn("es el A-1001", parleytest.WithLocale("es-MX")))
	_ = h.HandleTurn(ctx, rec, parleytest.NewTurn("where is my order?"))
	for _, s := range rec.Texts() {
		fmt.Println(s)
	}
	// Output:
	// ¿Qué pedido es?
	// Tu lamp ya ha salido.
	// Which order is it?
}
