package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/repo"
)

func TestModulesFindsNestedModules(t *testing.T) {
	root, err := repo.Root()
	require.NoError(t, err)
	mods, err := modules(root)
	require.NoError(t, err)
	var rel []string
	for _, m := range mods {
		r, err := filepath.Rel(root, m)
		require.NoError(t, err)
		rel = append(rel, r)
	}
	assert.Equal(t, ".", rel[0], "the root module runs first")
	for _, want := range []string{"memory/redis", "memory/postgres", "memory/sqlite", "channel/web/e2e", "analytics/prometheus", "analytics/otel", "examples/retention"} {
		assert.Contains(t, rel, want)
	}
}
