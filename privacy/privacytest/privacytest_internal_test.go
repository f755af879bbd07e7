package privacytest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWholeIn(t *testing.T) {
	tests := []struct {
		s, id string
		want  bool
	}{
		{"profile/cust-ada", "cust-ada", true},
		{"the cust-ada account", "cust-ada", true},
		{"cust-adam", "cust-ada", false},
		{"xcust-ada", "cust-ada", false},
		{"card 4111111111111111.", "4111111111111111", true},
		{"1733491111111111111111", "4111111111111111", false},
		{"tok_94111aZ", "4111", false},
		{"94111 then 4111", "4111", true},
		{"+447700900123", "+447700900123", true},
		{"Ada Lovelace wrote", "Ada Lovelace", true},
		{"anything", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.s+"/"+tt.id, func(t *testing.T) {
			assert.Equal(t, tt.want, wholeIn(tt.s, tt.id))
		})
	}
}

func TestDumpDecodesJSON(t *testing.T) {
	// An escaped value is found once decoded; a nested JSON string too.
	d := decoded([]byte(`{"name":"Ada \u004covelace","state":"{\"email\":\"ada@example.com\"}","n":4111}`))
	assert.True(t, d.has("Ada Lovelace"))
	assert.True(t, d.has("ada@example.com"))
	assert.True(t, d.has("4111"))
	assert.False(t, d.has("Lovelac"), "a part of a word is not the word")
	// Text that is not JSON is taken as it is.
	assert.True(t, decoded([]byte("call cust-ada back")).has("cust-ada"))
}
