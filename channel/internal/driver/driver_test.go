package driver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
)

type pageBody struct{ Object string }

func pageObject(b *pageBody) string {
	if b.Object != "page" {
		return "object " + b.Object
	}
	return ""
}

func TestParseJSON(t *testing.T) {
	got, err := ParseJSON([]byte(`{"Object":"page"}`), pageObject)
	require.NoError(t, err)
	assert.Equal(t, &pageBody{Object: "page"}, got)

	got, err = ParseJSON[pageBody]([]byte(`{"Object":"x"}`), nil)
	require.NoError(t, err)
	assert.Equal(t, &pageBody{Object: "x"}, got, "a nil check accepts any JSON of the shape")
}

func TestParseJSONMalformed(t *testing.T) {
	for give, want := range map[string]string{
		`{`:              "channel: malformed request: unexpected end of JSON input",
		`{"Object":"x"}`: "channel: malformed request: object x",
	} {
		got, err := ParseJSON([]byte(give), pageObject)
		require.ErrorIs(t, err, channel.ErrMalformed, give)
		assert.EqualError(t, err, want)
		assert.Nil(t, got)
	}
}
