package kb_test

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley/kb"
)

func ExampleNewAnalyzer() {
	// A toy stemmer that drops a plural "s"; nil leaves words as they are.
	stem := func(w string) string {
		if len(w) > 3 && strings.HasSuffix(w, "s") {
			return w[:len(w)-1]
		}
		return w
	}
	a := kb.NewAnalyzer([]string{"are", "the", "for", "my"}, stem)
	fmt.Println(a.Terms("Where are the REFUNDS for my orders?"))
	// Output: [where refund order]
}
