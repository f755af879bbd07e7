package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSaysNoOrderNumber(t *testing.T) {
	for _, s := range []string{"I don't know the number", "no idea", "I can't find it", "I don't have it.", "No lo sé",
		"no tengo el número", "no lo encuentro", "ni idea, lo siento"} {
		assert.True(t, saysNoOrderNumber(s), s)
	}
	for _, s := range []string{"A-1001", "asdf", "I know it", "noted", "where is my order", "sé que empieza por A"} {
		assert.False(t, saysNoOrderNumber(s), s)
	}
}
