package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const reportLog = `{"kind":"turn","time":"2026-03-02T09:00:00Z","conversation":"c1","duration_ns":1500000000}
{"kind":"flow.end","time":"2026-03-02T09:00:05Z","conversation":"c1","attrs":{"flow":"f","status":"resolved"}}
{"kind":"turn","time":"2026-03-02T09:00:00Z","conversation":"c1","duration_ns":1500000000}
not json at all
{"kind":"turn","time":"2026-03-02T10:00:00Z","conversation":"c2","duration_ns":3000000000}

{"time":"2026-03-02T10:00:01Z","conversation":"c2"}
{"kind":"escalation.requested","time":"2026-03-02T10:00:02Z","conversation":"c2","attrs":{"reason":"asked for a person"}}
{"kind":"turn","time":
`

func TestReport(t *testing.T) {
	dir := t.TempDir()
	log := writeFile(t, dir, "events.jsonl", reportLog)
	out := filepath.Join(dir, "report.html")
	stdout, stderr, err := runCmd("report", "-o", out, "-title", "Acme", log)
	require.NoError(t, err)
	assert.Equal(t, log+":4: skipped: invalid character 'o' in literal null (expecting 'u')\n"+
		log+":7: skipped: analytics: event has no kind\n"+
		log+":9: skipped: unexpected end of JSON input\n"+
		"2 conversations, 4 events, 1 duplicates, 3 malformed lines skipped\n", stderr)
	page, err := os.ReadFile(out)
	require.NoError(t, err)
	html := string(page)
	assert.Contains(t, html, "<title>Acme</title>")
	assert.Contains(t, html, "3 malformed log lines skipped")
	assert.Contains(t, html, `data-kpi="weekly.conversations" data-value="2"`)
	assert.Contains(t, html, `data-kpi="weekly.self_service" data-value="0.5"`)
	assert.Contains(t, html, `data-kpi="weekly.escalation_rate" data-value="0.5"`)
	assert.Contains(t, html, `data-kpi="weekly.frt_p95" data-value="3"`)
	assert.Empty(t, stdout)

	runFails(t, "report")
	runFails(t, "report", filepath.Join(dir, "missing.jsonl"))
	assert.True(t, strings.HasPrefix(runOK(t, "report", "-now", "2026-03-03T00:00:00Z", log), "<!doctype html>"))
}
