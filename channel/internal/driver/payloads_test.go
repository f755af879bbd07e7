package driver

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPayloadsFit(t *testing.T) {
	var p Payloads
	assert.Equal(t, "keep", p.Fit("keep", 10), "a short payload is sent as it is")

	long := strings.Repeat("é", 600) // 600 characters, 1,200 bytes
	tok := p.Fit(long, 1000)
	assert.LessOrEqual(t, len(tok), 64)
	assert.Equal(t, tok, p.Fit(long, 1000), "the same payload gives the same token")
	got, ok := p.Resolve(tok)
	assert.True(t, ok)
	assert.Equal(t, long, got)

	got, ok = p.Resolve("plain text")
	assert.True(t, ok)
	assert.Equal(t, "plain text", got)

	_, ok = p.Resolve(payloadPrefix + "00000000000000000000000000000000")
	assert.False(t, ok, "an unknown token is not passed on as text")

	a1, a2 := p.Alias("keep", 1), p.Alias("keep", 2)
	assert.NotEqual(t, a1, a2)
	assert.NotEqual(t, p.Fit("keep", 2), a1)
	got, ok = p.Resolve(a2)
	assert.True(t, ok)
	assert.Equal(t, "keep", got, "an alias maps back to the payload")

	spoof := payloadPrefix + "x"
	assert.NotEqual(t, spoof, p.Fit(spoof, 100), "a payload that looks like a token is kept server-side too")
}
