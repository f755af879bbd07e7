package privacy_test

import (
	"context"
	"errors"
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

func ExampleStoreSources() {
	ctx := context.Background()
	store := memory.NewMap()
	profiles := customer.NewProfiles(store)
	if err := profiles.Link(ctx, "cust-1", customer.Identity{Channel: "whatsapp", ID: "+447700900123"}); err != nil {
		fmt.Println(err)
	}
	// Records other packages keep: a web transcript, a campaign run.
	for k, v := range map[string]string{
		"web/transcript/v-1":        `{"consent":"granted","customer":"cust-1"}`,
		"proactive/run/cust-1/wb-1": `{"step":"offer"}`,
	} {
		if _, err := store.Set(ctx, memory.Put{Key: k, Value: []byte(v), IfVersion: memory.AnyVersion}); err != nil {
			fmt.Println(err)
		}
	}
	eraser := privacy.NewEraser(privacy.StoreSources(store)...)
	err := eraser.Erase(ctx, "cust-1")
	var partial *privacy.EraseError
	if errors.As(err, &partial) {
		fmt.Println("retry later:", partial) // names the sources that failed
	}
	fmt.Println("records left:", store.Len())
	// Output:
	// records left: 0
}
