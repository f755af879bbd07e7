package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// A Series is one line of a chart: values in order, with a label for
// each.
type Series struct {
	Name   string
	Labels []string
	Values []float64
}

const (
	chartW, chartH = 560, 180
	padL, padR     = 48, 12
	padT, padB     = 12, 28
)

// LineChart draws s as an SVG line chart with its points marked, y from
// 0 to yMax (or the largest value when yMax is 0); format labels the y
// axis and the points' tooltips. It is drawn by this package, with no
// script or external resource.
func LineChart(s Series, yMax float64, format func(float64) string) template.HTML {
	return chart(s, yMax, format, false)
}

// BarChart draws s as an SVG bar chart; see [LineChart].
func BarChart(s Series, yMax float64, format func(float64) string) template.HTML {
	return chart(s, yMax, format, true)
}

func chart(s Series, yMax float64, format func(float64) string, bars bool) template.HTML {
	n := len(s.Values)
	if yMax <= 0 {
		for _, v := range s.Values {
			yMax = math.Max(yMax, v)
		}
		if yMax <= 0 {
			yMax = 1
		}
		if yMax > 1 {
			// A whole, even maximum: the half-way label of a count is
			// a count too (0, 3, 6, not 0, 2, 5 for 2.5 rounded).
			yMax = 2 * math.Ceil(yMax/2)
		}
	}
	kind := "line"
	if bars {
		kind = "bar"
	}
	var b strings.Builder
	// The title, for the figure the chart sits in: which metric is which.
	fmt.Fprintf(&b, `<figcaption>%s</figcaption>`, html.EscapeString(s.Name))
	fmt.Fprintf(&b, `<svg class="chart %s" data-series="%s" data-points="%d" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		kind, html.EscapeString(s.Name), n, chartW, chartH, chartW, chartH, html.EscapeString(s.Name))
	plotW, plotH := float64(chartW-padL-padR), float64(chartH-padT-padB)
	y := func(v float64) float64 { return float64(padT) + plotH*(1-math.Min(math.Max(v/yMax, 0), 1)) }
	// Axes and grid: 0, half, max; a line whose label would repeat the
	// one below it is left out (a count up to 1 reads "0 1", not "0 0 1").
	prev := ""
	for i, f := range []float64{0, 0.5, 1} {
		lbl := format(f * yMax)
		if i > 0 && lbl == prev {
			continue
		}
		prev = lbl
		yy := y(f * yMax)
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`, padL, yy, chartW-padR, yy)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="10" text-anchor="end" fill="#555">%s</text>`, padL-4, yy+3, html.EscapeString(lbl))
	}
	if n == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="#777">no data</text></svg>`, padL+8, chartH/2)
		return template.HTML(b.String())
	}
	step := plotW / float64(n)
	x := func(i int) float64 { return float64(padL) + step*(float64(i)+0.5) }
	every := max(1, (n+11)/12)
	for i, l := range s.Labels {
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="10" text-anchor="middle" fill="#555">%s</text>`, x(i), chartH-10, html.EscapeString(l))
		}
	}
	if bars {
		w := math.Max(step*0.7, 1)
		for i, v := range s.Values {
			fmt.Fprintf(&b, `<rect class="point" data-value="%g" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#3b7dd8"><title>%s: %s</title></rect>`,
				v, x(i)-w/2, y(v), w, y(0)-y(v), html.EscapeString(label(s, i)), html.EscapeString(format(v)))
		}
	} else {
		pts := make([]string, n)
		for i, v := range s.Values {
			pts[i] = fmt.Sprintf("%.1f,%.1f", x(i), y(v))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="#3b7dd8" stroke-width="2" points="%s"/>`, strings.Join(pts, " "))
		for i, v := range s.Values {
			fmt.Fprintf(&b, `<circle class="point" data-value="%g" cx="%.1f" cy="%.1f" r="3" fill="#3b7dd8"><title>%s: %s</title></circle>`,
				v, x(i), y(v), html.EscapeString(label(s, i)), html.EscapeString(format(v)))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func label(s Series, i int) string {
	if i < len(s.Labels) {
		return s.Labels[i]
	}
	return fmt.Sprint(i + 1)
}
