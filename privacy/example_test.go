package privacy_test

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/privacy"
)

func ExampleRedactor() {
	ctx := context.Background()
	vault := privacy.NewStoreVault(memory.NewMap())
	r := privacy.NewRedactor(privacy.WithVault(vault), privacy.WithMode(privacy.KindEmail, privacy.Tokenize))
	text, found, err := r.Redact(ctx, "cust-1", "Card 4111 1111 1111 1111, CVV 123, refund to IBAN DE89 3704 0044 0532 0130 00")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(text)
	for _, f := range found {
		fmt.Println(f.Kind)
	}
	// Output:
	// Card [card ****1111], CVV [cvv], refund to IBAN [iban DE****3000]
	// card
	// cvv
	// iban
}

func ExampleEraser() {
	ctx := context.Background()
	store := memory.NewMap()
	profiles := customer.NewProfiles(store)
	history := customer.NewHistory(store)
	if _, err := profiles.Update(ctx, "cust-1", func(p *customer.Profile) error { p.Name = "Ada"; return nil }); err != nil {
		fmt.Println(err)
	}
	if err := history.Append(ctx, "cust-1", "web-1", memory.Entry{Role: memory.RoleUser, Text: "hello"}); err != nil {
		fmt.Println(err)
	}
	eraser := privacy.NewEraser(privacy.ProfileSource(profiles), privacy.HistorySource(history))
	if err := eraser.Erase(ctx, "cust-1"); err != nil {
		fmt.Println(err)
	}
	fmt.Println("records left:", store.Len())
	// Output:
	// records left: 0
}
