package nlu_test

import (
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/nlu"
	"github.com/parleyhq/parley/parleytest"
)

// A handler reads the understanding the intent package attached to the
// turn; here the turn is annotated by hand, as a test would.
func ExampleUnderstanding_Entity() {
	t := parley.With(parleytest.NewTurn("where is order A-1001?"), nlu.UnderstandingKey, nlu.Understanding{
		Status:   nlu.Understood,
		Intent:   nlu.Intent{Name: "track_order", Confidence: 0.93},
		Entities: []nlu.Entity{{Type: "order_id", Text: "A-1001", Start: 15, End: 21, Value: "A-1001", Confidence: 1}},
	})

	u, ok := parley.Value(t, nlu.UnderstandingKey)
	if !ok || u.Status != nlu.Understood {
		fmt.Println("not understood")
		return
	}
	if order, ok := u.Entity("order_id"); ok {
		fmt.Printf("%s for %s\n", u.Intent.Name, order.Value)
	}
	_, hasEmail := u.Entity("email")
	fmt.Println("email given:", hasEmail)
	// Output:
	// track_order for A-1001
	// email given: false
}
