package i18n_test

import (
	"fmt"

	"github.com/parleyhq/parley/i18n"
)

// A Catalog can be built in Go as well as read from YAML. Translate is
// what Middleware does to each reply.
func ExampleNewCatalog() {
	c := i18n.NewCatalog()
	err := c.Add("es", map[string]string{
		"Which order is it?":                             "¿Qué pedido es?",
		"I couldn't find order {order} on your account.": "No encuentro el pedido {order} en tu cuenta.",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Locales())
	fmt.Println(c.Translate("es-MX", "I couldn't find order A-1001 on your account. Which order is it?"))
	fmt.Println(c.Translate("es", "Anything else?"))
	// A translation must keep the source's placeholders.
	fmt.Println(c.Add("es", map[string]string{"Your {item} has shipped.": "Tu pedido ya ha salido."}) != nil)
	// Output:
	// [es]
	// No encuentro el pedido A-1001 en tu cuenta. ¿Qué pedido es? true
	// Anything else? false
	// true
}
