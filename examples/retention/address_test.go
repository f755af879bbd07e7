package main

import (
	"testing"

	"github.com/stretchr/testify/require"
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
