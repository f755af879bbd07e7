package memorytest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNamespaceIsFresh(t *testing.T) {
	a, b := Namespace(t, "p_"), Namespace(t, "p_")
	assert.Regexp(t, `^p_[0-9a-f]{12}$`, a)
	assert.NotEqual(t, a, b)
}

func TestServerURL(t *testing.T) {
	t.Setenv("PARLEY_TEST_SOME_URL", "x://server")
	assert.Equal(t, "x://server", ServerURL(t, "PARLEY_TEST_SOME_URL", "x://example"))

	t.Setenv("PARLEY_TEST_SOME_URL", "")
	var skipped bool
	t.Run("unset", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		ServerURL(t, "PARLEY_TEST_SOME_URL", "x://example")
		t.Error("ServerURL returned with the variable unset")
	})
	assert.True(t, skipped, "ServerURL skips when the variable is unset")
}
