package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/parleytest"
)

// The demo customer can try the address change, asked the way people
// ask it, on an order that has not shipped yet.
func TestDemoAddressChangeFromNaturalPhrasing(t *testing.T) {
	c, a := newTester(t)
	c.Send("hi").Send("I moved, can you send it to my new address?").Expect(parleytest.Contains("Which order should go to a new address"))
	c.Send("A-1010").Send("7 Ocean Drive, Leith EH6 6JJ").Expect(parleytest.Contains(`Shall I change the delivery address of A-1010`))
	c.Tap("Yes").Expect(parleytest.Contains("Done: A-1010 will go to 7 Ocean Drive"))
	o, err := a.shop.Order(t.Context(), "A-1010")
	require.NoError(t, err)
	assert.Equal(t, "7 Ocean Drive, Leith EH6 6JJ", o.Address)
}
