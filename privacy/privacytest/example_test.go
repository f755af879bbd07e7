package privacytest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/customer"
	"github.com/parleyhq/parley/privacy"
	"github.com/parleyhq/parley/privacy/privacytest"
)

// testErasure is how a store's package proves that erasure leaves
// nothing behind in it (privacy's own tests run it over memory.NewMap,
// memory/redis over Redis): RunErasure needs an empty store and the
// test's T.
//
//	func TestErasure(t *testing.T) { testErasure(t) }
func testErasure(t *testing.T) { privacytest.RunErasure(t, memory.NewMap()) }

// What RunErasure checks, in small: after an erase, no key or value in
// the store holds anything of the customer.
func Example() {
	ctx := context.Background()
	store := memory.NewMap()
	history := customer.NewHistory(store)
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for _, who := range []string{"cus_ada", "cus_bob"} {
		err := history.Append(ctx, who, "conv-"+who, memory.Entry{Role: "user", Text: "I am " + who, Time: at})
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := privacy.NewEraser(privacy.StoreSources(store)...).Erase(ctx, "cus_ada"); err != nil {
		fmt.Println(err)
		return
	}
	traces := map[string]int{}
	err := store.Keys(ctx, "", func(key string) bool {
		rec, err := store.Get(ctx, key)
		for _, who := range []string{"cus_ada", "cus_bob"} {
			if strings.Contains(key, who) || (err == nil && strings.Contains(string(rec.Value), who)) {
				traces[who]++
			}
		}
		return true
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("traces of the erased customer:", traces["cus_ada"], "- of the other kept:", traces["cus_bob"] > 0)
	// Output: traces of the erased customer: 0 - of the other kept: true
}
