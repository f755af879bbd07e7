package repo

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRootFromASubdirectory(t *testing.T) {
	root, err := Root() // the test runs in internal/repo
	require.NoError(t, err)
	wd, err := os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, wd, filepath.Join(root, "internal", "repo"))
	assert.FileExists(t, filepath.Join(root, "go.mod"))
}

func TestRootOutsideTheRepository(t *testing.T) {
	t.Chdir(t.TempDir())
	_, err := Root()
	assert.Error(t, err)
}
