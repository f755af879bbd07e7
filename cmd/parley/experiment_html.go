package main

import (
	"fmt"
	"html/template"
	"io"
	"math"

	"github.com/parleyhq/parley/experiment"
)

// experimentPage is the HTML form of "parley experiment report": the
// tables, a plot of each variant's primary metric, a plot of each effect
// with its fixed-horizon interval and its always-valid confidence
// sequence, and the success metrics against their targets. Plain SVG, no
// scripts, one file.
var experimentPage = template.Must(template.New("exp").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 24px; color: #1f2328; max-width: 960px; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { border-bottom: 1px solid #d0d7de; padding: 4px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.verdict { background: #f6f8fa; border-left: 4px solid #0969da; padding: 8px 12px; }
.bad { color: #cf222e; } .good { color: #1a7f37; }
svg text { font: 12px system-ui, sans-serif; fill: #1f2328; }
</style></head><body>
<h1>{{.Title}}</h1>
{{with .Rep}}
<p>Control: {{.Control}}; primary metric: {{$.Primary}}; alpha {{$.Alpha}}.</p>
<table><tr><th>variant</th><th>customers</th>{{range $.Metrics}}<th>{{.Name}}</th>{{end}}</tr>
{{range $a := .Arms}}<tr><td>{{$a.Variant}}</td><td>{{$a.Customers}}</td>{{range $i, $s := $a.Metrics}}<td>{{index $.Cells $a.Variant $i}}</td>{{end}}</tr>
{{end}}</table>
<p class="{{if .SRM.Mismatch}}bad{{end}}">{{$.SRM}}</p>
{{end}}
{{with .RatePlot}}<h2>{{$.Primary}} by variant, with {{$.Level}}% intervals</h2>{{.}}{{end}}
{{with .EffectPlot}}<h2>Effect against the control: fixed-horizon interval (dark) and always-valid confidence sequence (light)</h2>{{.}}{{end}}
{{with .Rep}}
<table><tr><th>comparison</th><th>metric</th><th>effect</th><th>interval</th><th>p</th><th>always-valid p</th></tr>
{{range $.Rows}}<tr><td>{{.Variant}}</td><td>{{.Metric}}</td><td>{{.Effect}}</td><td>{{.CI}}</td><td class="{{.Class}}">{{.P}}</td><td>{{.SeqP}}</td></tr>
{{end}}</table>
<p class="verdict">{{.Verdict}}</p>
{{range $.Cautions}}<p class="bad">{{.}}</p>{{end}}
{{else}}<p>No experiment exposures in the logs: no experiment report.</p>{{end}}
<h2>Success metrics</h2>
<ul>{{range .Goals}}<li class="{{if .Met}}good{{else if .Missed}}bad{{end}}">{{.Verdict}}</li>{{end}}</ul>
</body></html>
`))

type htmlRow struct {
	Variant, Metric, Effect, CI, P, SeqP, Class string
}

// writeExperimentHTML writes the report page to file. rep is nil when the
// logs had no experiment: the page then has the success metrics only.
func writeExperimentHTML(file string, rep *experiment.Report, metrics []experiment.Metric, goals []experiment.GoalResult, alpha float64) error {
	data := map[string]any{"Title": "Experiment report", "Goals": goals, "Metrics": metrics,
		"Level": fmt.Sprintf("%.0f", 100*(1-alpha))}
	if rep != nil {
		data["Rep"] = rep
		data["Title"] = "Experiment " + rep.Experiment
		data["Primary"] = metrics[0].Name
		cells := map[string][]string{}
		for _, a := range rep.Arms {
			for i, m := range metrics {
				cells[a.Variant] = append(cells[a.Variant], formatMetric(m, a.Metrics[i]))
			}
		}
		data["Cells"] = cells
		switch {
		case rep.SRMProblem != "":
			data["SRM"] = "Sample ratio: not checked: " + rep.SRMProblem + "."
		case rep.SRM.Mismatch:
			data["SRM"] = fmt.Sprintf("Sample ratio: MISMATCH (chi-square %.2f, p = %.2g): the traffic does not match the configured split.", rep.SRM.Chi2, rep.SRM.P)
		default:
			data["SRM"] = fmt.Sprintf("Sample ratio: fits the configured split (chi-square %.2f, p = %.2g).", rep.SRM.Chi2, rep.SRM.P)
		}
		var rows []htmlRow
		for _, c := range rep.Comparisons {
			m := metricNamed(metrics, c.Metric)
			r := htmlRow{Variant: c.Variant + " vs " + rep.Control, Metric: c.Metric, SeqP: "-"}
			if c.Problem != "" {
				r.Effect, r.CI, r.P = "no test", c.Problem, "-"
				rows = append(rows, r)
				continue
			}
			r.Effect = formatEffect(m, c.Result.Effect)
			r.CI = "[" + formatEffect(m, c.Result.CI.Lo) + ", " + formatEffect(m, c.Result.CI.Hi) + "]"
			r.P = formatP(c.Result.P)
			switch {
			case c.Harm:
				r.Class = "bad"
			case c.Significant:
				r.Class = "good"
			}
			if c.Sequential != nil {
				r.SeqP = formatP(c.Sequential.P)
			}
			rows = append(rows, r)
		}
		data["Rows"] = rows
		data["Alpha"] = alpha
		var cautions []string
		for _, c := range rep.Comparisons {
			if c.Metric == metrics[0].Name && c.Significant && !rep.SRM.Mismatch && c.Sequential != nil && c.Sequential.P >= alpha {
				cautions = append(cautions, fmt.Sprintf("Caution: if these results were looked at before the planned sample size, only the "+
					"always-valid test counts, and it does not find %s different from %s yet (p = %s).", c.Variant, rep.Control, formatP(c.Sequential.P)))
			}
		}
		data["Cautions"] = cautions
		data["RatePlot"] = ratePlot(rep, metrics[0], alpha)
		data["EffectPlot"] = effectPlot(rep, metrics[0])
	}
	return createFile("experiment report", file, func(w io.Writer) error { return experimentPage.Execute(w, data) })
}

// ratePlot draws each arm's primary metric as a bar with its interval.
func ratePlot(rep *experiment.Report, m experiment.Metric, alpha float64) template.HTML {
	type bar struct {
		name     string
		mean     float64
		lo, hi   float64
		hasValue bool
	}
	var bars []bar
	top := 0.0
	for _, a := range rep.Arms {
		s := a.Metrics[0]
		b := bar{name: a.Variant, hasValue: s.N > 0}
		if s.N > 0 {
			b.mean = s.Mean
			lo, hi := intervalOf(m, s, alpha)
			b.lo, b.hi = lo, hi
			top = max(top, hi)
		}
		bars = append(bars, b)
	}
	if top <= 0 {
		return ""
	}
	const width, rowH, left = 640.0, 28.0, 110.0
	scale := (width - left - 60) / top
	out := fmt.Sprintf(`<svg width="%.0f" height="%.0f" role="img" aria-label="%s by variant">`, width, rowH*float64(len(bars))+10, template.HTMLEscapeString(m.Name))
	for i, b := range bars {
		y := 5 + rowH*float64(i)
		out += fmt.Sprintf(`<text x="0" y="%.0f">%s</text>`, y+16, template.HTMLEscapeString(b.name))
		if !b.hasValue {
			out += fmt.Sprintf(`<text x="%.0f" y="%.0f">no data</text>`, left, y+16)
			continue
		}
		out += fmt.Sprintf(`<rect x="%.0f" y="%.0f" width="%.1f" height="16" fill="#54aeff"/>`, left, y+4, b.mean*scale)
		out += fmt.Sprintf(`<line x1="%.1f" x2="%.1f" y1="%.0f" y2="%.0f" stroke="#1f2328" stroke-width="2"/>`, left+b.lo*scale, left+b.hi*scale, y+12, y+12)
		out += fmt.Sprintf(`<text x="%.1f" y="%.0f">%s</text>`, left+b.hi*scale+6, y+16, template.HTMLEscapeString(formatValue(m, b.mean)))
	}
	return template.HTML(out + "</svg>")
}

// intervalOf is the (1 - alpha) normal interval of an arm's metric, for
// the plot.
func intervalOf(m experiment.Metric, s experiment.Summary, alpha float64) (float64, float64) {
	// A normal interval of the mean: z(1 - alpha/2) standard errors.
	z := math.Sqrt2 * math.Erfinv(1-alpha)
	se := 0.0
	if m.Binary {
		se = math.Sqrt(s.Mean * (1 - s.Mean) / float64(s.N))
	} else if s.N > 1 {
		se = math.Sqrt(s.Var / float64(s.N))
	}
	lo, hi := s.Mean-z*se, s.Mean+z*se
	if m.Binary {
		lo, hi = max(lo, 0), min(hi, 1)
	}
	return lo, hi
}

// effectPlot draws each comparison of the primary metric: the effect, its
// fixed-horizon interval and, when there is one, the wider always-valid
// confidence sequence, around a zero line.
func effectPlot(rep *experiment.Report, m experiment.Metric) template.HTML {
	var cs []experiment.Comparison
	lo, hi := 0.0, 0.0
	for _, c := range rep.Comparisons {
		if c.Metric != m.Name || c.Problem != "" {
			continue
		}
		cs = append(cs, c)
		lo, hi = min(lo, c.Result.CI.Lo), max(hi, c.Result.CI.Hi)
		if c.Sequential != nil {
			lo, hi = min(lo, c.Sequential.CI.Lo), max(hi, c.Sequential.CI.Hi)
		}
	}
	if len(cs) == 0 || hi <= lo {
		return ""
	}
	const width, rowH, left = 640.0, 34.0, 110.0
	scale := (width - left - 20) / (hi - lo)
	x := func(v float64) float64 { return left + (v-lo)*scale }
	h := rowH*float64(len(cs)) + 24
	out := fmt.Sprintf(`<svg width="%.0f" height="%.0f" role="img" aria-label="effects">`, width, h)
	out += fmt.Sprintf(`<line x1="%.1f" x2="%.1f" y1="0" y2="%.0f" stroke="#8c959f" stroke-dasharray="4 3"/><text x="%.1f" y="%.0f">0</text>`, x(0), x(0), h-14, x(0)-3, h-2)
	for i, c := range cs {
		y := 10 + rowH*float64(i)
		out += fmt.Sprintf(`<text x="0" y="%.0f">%s</text>`, y+10, template.HTMLEscapeString(c.Variant))
		if s := c.Sequential; s != nil {
			out += fmt.Sprintf(`<rect x="%.1f" y="%.0f" width="%.1f" height="10" fill="#b6e3ff"/>`, x(s.CI.Lo), y+1, (s.CI.Hi-s.CI.Lo)*scale)
		}
		out += fmt.Sprintf(`<line x1="%.1f" x2="%.1f" y1="%.0f" y2="%.0f" stroke="#0969da" stroke-width="3"/>`, x(c.Result.CI.Lo), x(c.Result.CI.Hi), y+6, y+6)
		out += fmt.Sprintf(`<circle cx="%.1f" cy="%.0f" r="4" fill="#1f2328"/>`, x(c.Result.Effect), y+6)
		out += fmt.Sprintf(`<text x="%.1f" y="%.0f">%s</text>`, x(c.Result.Effect)+6, y+24, template.HTMLEscapeString(formatEffect(m, c.Result.Effect)))
	}
	return template.HTML(out + "</svg>")
}
