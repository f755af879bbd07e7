package entity_test

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/intent/entity"
)

func ExampleExtract() {
	cities := entity.Lookup("city", map[string][]string{"Paris": nil, "New York": {"NYC"}})
	es, err := entity.Extract(context.Background(), entity.Input{
		Text: "Book a flight to Paris next Friday",
		Time: time.Date(2025, 6, 11, 9, 0, 0, 0, time.UTC), // a Wednesday
	}, append(entity.Builtins(), cities)...)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range es {
		fmt.Printf("%s=%s (%q)\n", e.Type, e.Value, e.Text)
	}
	// Output:
	// city=Paris ("Paris")
	// date=2025-06-13 ("next Friday")
}
