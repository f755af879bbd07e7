package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/parleytest"
)

// Only an address answers the address question, without the words
// around it; "not yet" is taken as such; questions, order numbers and
// words without a number are refused, so the flow serves them instead.
func TestValidAddress(t *testing.T) {
	for in, want := range map[string]string{
		"221B Baker St London":                      "221B Baker St London",
		"it's 221B Baker St, London.":               "221B Baker St, London",
		"no wait, make it 10 Downing St, London":    "10 Downing St, London",
		"The new address is: 4 Harbour Road, Leith": "4 Harbour Road, Leith",
		"envíalo a Calle Mayor 5, Madrid":           "Calle Mayor 5, Madrid",
		"no, mejor Calle Luna 7, 28004 Madrid":      "Calle Luna 7, 28004 Madrid",
		"Flat 2, 12 High Street, Leeds LS1 4AB":     "Flat 2, 12 High Street, Leeds LS1 4AB",
		"I dont know yet, I am moving next friday":  "I dont know yet, I am moving next friday",
		"todavía no lo sé":                          "todavía no lo sé",
	} {
		got, err := validAddress(t.Context(), in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{
		"wait, what is your return policy?", "where is A-1001", "¿cuánto tarda el envío?", "London",
		"my work address", "12 High", "send it to A-1002 instead", "how long does shipping take",
	} {
		_, err := validAddress(t.Context(), in)
		require.ErrorIs(t, err, errNoAddress, in)
	}
}

// An address typed where the address change asks which order is kept
// (addressAlone gives the form an "address" entity): only the order is
// asked for, and the confirmation follows it. "yes" there is told that
// the order is wanted (validPick), not given the question alone.
func TestAddressTypedAtTheOrderQuestionIsKept(t *testing.T) {
	c, _ := newTester(t)
	c.Send("can I change my delivery address?").Expect(parleytest.Contains("Which order should go to a new address?"))
	c.Send("12 Oak Street, Springfield").Expect(parleytest.Exact("Got it, I've noted that. Which order should go to a new address?"))
	c.Send("yes").Expect(parleytest.Contains(pickWhichText))
	c.Send("A-1010").Expect(parleytest.Exact(`Shall I change the delivery address of A-1010 to "12 Oak Street, Springfield"?`))

	_, err := validPick(t.Context(), "yes")
	require.ErrorContains(t, err, pickWhichText)
}
