package main

import (
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/require"
)

// TestTurnTakingTranscripts replays the golden conversations of
// testdata/transcripts/*.txtar that no other test replays (turn-*, and
// the scenarios named after the session that wrote them: qa12-*,
// ren12-*, ...): one open question at a time, global
// commands in every state, and what happens to a question when the
// customer says something else. The format is that of
// [TestEscalationTranscripts]; run with -update to rewrite the files.
func TestTurnTakingTranscripts(t *testing.T) {
	all, err := filepath.Glob("testdata/transcripts/*.txtar")
	require.NoError(t, err)
	var files []string
	for _, file := range all {
		// esc*-*: TestEscalationTranscripts; voice-*: the voice notes'.
		if name := filepath.Base(file); !(strings.HasPrefix(name, "esc") || strings.HasPrefix(name, "voice-")) {
			files = append(files, file)
		}
	}
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { runEscTranscript(t, file) })
		})
	}
}
