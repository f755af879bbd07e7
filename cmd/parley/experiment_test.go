package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite the experiment and churn commands' golden files")

// golden compares got with testdata/name, or rewrites it with
// -update-golden.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)
}

// The event log testdata/experiment_events.jsonl: 840 customers over 14
// days in the cart-tone experiment (abandoned_cart campaign, 20% against
// 30% planted conversion), 300 renewal reminders (45% planted clicks) and
// one malformed line.
func TestExperimentReport(t *testing.T) {
	stdout, stderr, err := runCmd("experiment", "report", "testdata/experiment_events.jsonl")
	require.NoError(t, err)
	golden(t, "experiment_report.golden", stdout)
	assert.Equal(t, "testdata/experiment_events.jsonl:6: skipped: invalid character 'h' in literal true (expecting 'r')\n", stderr)

	// Decided on clicks, with a 2:1 split the traffic does not fit.
	golden(t, "experiment_report_srm.golden", runOK(t, "experiment", "report", "-metric", "click", "-weights", "2,1",
		"-name", "cart-tone", "testdata/experiment_events.jsonl"))
}

func TestExperimentReportHTML(t *testing.T) {
	page := filepath.Join(t.TempDir(), "report.html")
	golden(t, "experiment_report.golden", runOK(t, "experiment", "report", "-html", page, "testdata/experiment_events.jsonl"))
	b, err := os.ReadFile(page)
	require.NoError(t, err)
	html := string(b)
	assert.Contains(t, html, "<title>Experiment cart-tone</title>")
	assert.Contains(t, html, "<tr><td>friendly</td><td>400</td><td>26.3%</td><td>5.3%</td><td>4.21</td><td>2.5%</td></tr>")
	assert.Contains(t, html, `<svg width="640" height="66" role="img" aria-label="conversion rate by variant">`)
	assert.Contains(t, html, `aria-label="effects"`)
	assert.Contains(t, html, "<td>friendly vs control</td><td>conversion rate</td><td>&#43;6.7 pts</td><td>[&#43;1.0 pts, &#43;12.4 pts]</td><td class=\"good\">0.021</td><td>0.42</td>")
	assert.Contains(t, html, "No guardrail is significantly worse: promote it.")
	assert.Contains(t, html, "it does not find friendly different from control yet (p = 0.42)")
	assert.Contains(t, html, `<li class="good">renewal click rate of the renewal campaign: 48.3% [42.7%, 54.0%] over 300 customers: target above 40.0% met.</li>`)

	bad := filepath.Join(t.TempDir(), "no", "such", "dir.html")
	_, _, err = runCmd("experiment", "report", "-html", bad, "testdata/experiment_events.jsonl")
	require.EqualError(t, err, "experiment report: open "+bad+": no such file or directory")
}

func TestExperimentReportWithoutExperiment(t *testing.T) {
	log := writeFile(t, t.TempDir(), "events.jsonl", `{"kind":"proactive.sent","time":"2026-03-02T09:00:00Z","conversation":"c1","customer":"u1","attrs":{"campaign":"renewal"}}
{"kind":"proactive.clicked","time":"2026-03-02T09:10:00Z","conversation":"c1","customer":"u1","attrs":{"campaign":"renewal"}}
`)
	page := filepath.Join(t.TempDir(), "report.html")
	golden(t, "experiment_report_none.golden", runOK(t, "experiment", "report", "-html", page, log))
	b, err := os.ReadFile(page)
	require.NoError(t, err)
	assert.Contains(t, string(b), "<p>No experiment exposures in the logs: no experiment report.</p>")
	assert.Contains(t, string(b), `<li class="">cart recovery rate: no customers reached by the abandoned_cart campaign yet.</li>`)
}

func TestExperimentSize(t *testing.T) {
	var out bytes.Buffer
	for _, args := range [][]string{
		{"-base", "0.2", "-mde", "0.05"},
		{"-base", "0.2", "-mde", "0.05", "-variants", "3"},
		{"-base", "0.2", "-n", "1000"},
	} {
		out.WriteString(runOK(t, append([]string{"experiment", "size"}, args...)...))
	}
	golden(t, "experiment_size.golden", out.String())
}

func TestExperimentBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := writeFile(t, dir, "empty.jsonl", "")
	two := writeFile(t, dir, "two.jsonl", `{"kind":"experiment.assigned","time":"2026-03-02T09:00:00Z","conversation":"c1","customer":"u1","attrs":{"experiment":"a","variant":"x"}}
{"kind":"experiment.assigned","time":"2026-03-02T09:00:00Z","conversation":"c2","customer":"u2","attrs":{"experiment":"b","variant":"x"}}
{"kind":"experiment.assigned","time":"2026-03-02T09:00:00Z","conversation":"c3","customer":"u3","attrs":{"experiment":"b","variant":"holdout"}}
`)
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"experiment"}, "experiment: no command (report, size)"},
		{[]string{"experiment", "frob"}, `experiment: unknown command "frob" (report, size)`},
		{[]string{"experiment", "report"}, "experiment report: no event log given"},
		{[]string{"experiment", "report", empty}, "experiment report: no events in " + empty},
		{[]string{"experiment", "report", filepath.Join(dir, "missing.jsonl")}, "experiment report: open " + filepath.Join(dir, "missing.jsonl") + ": no such file or directory"},
		{[]string{"experiment", "report", "-metric", "revenue", two}, `experiment report: -metric "revenue": want one of click, conversion, csat, escalation, opt-out`},
		{[]string{"experiment", "report", two}, "experiment report: the logs have 2 experiments (a, b): choose one with -name"},
		{[]string{"experiment", "report", "-name", "c", two}, `experiment report: no exposures of experiment "c" in the logs (they have a, b)`},
		{[]string{"experiment", "report", "-name", "a", two}, `experiment report: experiment "a" has only the variant "x" in the logs: nothing to compare`},
		{[]string{"experiment", "report", "-name", "b", two}, `experiment report: experiment "b" has only the variant "x" in the logs: nothing to compare`},
		{[]string{"experiment", "report", "-control", "z", "testdata/experiment_events.jsonl"}, `experiment report: -control "z": the logs have variants control, friendly`},
		{[]string{"experiment", "report", "-weights", "1", "testdata/experiment_events.jsonl"}, `experiment report: -weights "1": 1 weights for 2 variants (control, friendly)`},
		{[]string{"experiment", "report", "-weights", "1,-1", "testdata/experiment_events.jsonl"}, `experiment report: -weights "1,-1": "-1" is not a positive number`},
		{[]string{"experiment", "report", "-alpha", "2", "testdata/experiment_events.jsonl"}, `experiment report: experiment "cart-tone": alpha 2 outside (0, 1)`},
		{[]string{"experiment", "report", "-bogus", "testdata/experiment_events.jsonl"}, "flag provided but not defined: -bogus"},
		{[]string{"experiment", "size"}, "experiment size: -base 0: want a rate between 0 and 1 (exclusive)"},
		{[]string{"experiment", "size", "-base", "0.2"}, "experiment size: give -mde (the change to detect) or -n (customers per variant)"},
		{[]string{"experiment", "size", "-base", "0.2", "-mde", "0.05", "-n", "10"}, "experiment size: give -mde or -n, not both"},
		{[]string{"experiment", "size", "-base", "0.9", "-mde", "0.2"}, "experiment size: experiment: parameter out of range (-mde must keep 0.9 + mde between 0 and 1; check -alpha and -power)"},
		{[]string{"experiment", "size", "-base", "0.2", "-n", "-5"}, "experiment size: -n -5: want a positive number of customers"},
		{[]string{"experiment", "size", "-base", "0.2", "-mde", "0.05", "extra"}, `experiment size: unexpected argument "extra"`},
	} {
		t.Run(tc.err, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			require.EqualError(t, run(context.Background(), tc.args, &stdout, &stderr), tc.err)
		})
	}
}
