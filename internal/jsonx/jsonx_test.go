package jsonx

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMapsMatchEncodingJSON(t *testing.T) {
	for _, m := range []map[string]string{nil, {}, {"b": "2", "a": "1"}, {"<é>": "\"\n\u2028"}} {
		want, err := json.Marshal(m)
		require.NoError(t, err)
		if m == nil {
			want = []byte("{}") // a nil map is written as an empty object
		}
		assert.Equal(t, string(want), string(AppendStringMap(nil, m)))
	}
	for _, m := range []map[string]int{{}, {"z": -3, "a": 0, "m": 1 << 40}} {
		want, err := json.Marshal(m)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(AppendIntMap([]byte(nil), m)))
	}
}
