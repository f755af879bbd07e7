package main

import (
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"
)

// TestTurnTakingTranscripts replays the golden conversations of
// testdata/transcripts/turn-*.txtar (and ex12-*.txtar, session 12's): one
// open question at a time, global
// commands in every state, and what happens to a question when the
// customer says something else. The format is that of
// [TestEscalationTranscripts]; run with -update to rewrite the files.
func TestTurnTakingTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/transcripts/turn-*.txtar")
	require.NoError(t, err)
	more, err := filepath.Glob("testdata/transcripts/ex12-*.txtar")
	require.NoError(t, err)
	files = append(files, more...)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { runEscTranscript(t, file) })
		})
	}
}
