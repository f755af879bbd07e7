package memorytest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/memory/memorytest"
)

// testStore is how a store's package runs the conformance suite (memory's
// own tests run it over memory.NewMap; a database store returns a fresh,
// isolated store for each subtest, under a prefix of its own):
//
//	func TestStore(t *testing.T) { testStore(t) }
func testStore(t *testing.T) {
	memorytest.Run(t, func(t *testing.T) memory.Store { return memory.NewMap() })
}

// The keys the suite checks serve a store's own tests too: each must come
// back exactly as it was written.
func ExampleRun() {
	ctx := context.Background()
	st := memory.NewMap()
	ok := 0
	for _, k := range memorytest.OddKeys() {
		if _, err := st.Set(ctx, memory.Put{Key: k, Value: []byte(k)}); err != nil {
			fmt.Println(err)
			return
		}
		r, err := st.Get(ctx, k)
		if err == nil && r.Key == k && string(r.Value) == k {
			ok++
		}
	}
	fmt.Println(ok, "of", len(memorytest.OddKeys()), "odd keys round-trip")
	// Output: 30 of 30 odd keys round-trip
}
