package report_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/report"
	"github.com/parleyhq/parley/analytics/roi"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/sentiment"
)

var now = time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC) // a Wednesday

func aggregator(t *testing.T) *analytics.Aggregator {
	t.Helper()
	a := analytics.NewAggregator()
	for i := range 40 {
		conv := "c" + strconv.Itoa(i)
		at := now.Add(-time.Duration(i) * 3 * time.Hour)
		status := []string{"resolved", "resolved", "unresolved", "abandoned"}[i%4]
		for _, e := range []analytics.Event{
			{Kind: parley.EventTurn, Duration: time.Duration(1+i%5) * time.Second},
			{Kind: intent.EventClassified, Attrs: map[string]string{"intent": []string{"refund", "track", "cancel"}[i%3], "status": "understood", "confidence": "0.8"}},
			{Kind: sentiment.EventScored, Attrs: map[string]string{"score": "0.7"}},
			{Kind: flow.EventEnd, Attrs: map[string]string{"flow": "f", "status": status}},
			{Kind: flow.EventFeedback, Attrs: map[string]string{"kind": "rating", "value": strconv.Itoa(1 + i%5)}},
		} {
			e.Conversation, e.Time, e.Channel = conv, at, "web"
			a.Add(e)
		}
	}
	return a
}

func TestHTML(t *testing.T) {
	a := aggregator(t)
	v := report.Build(a, now, report.Business{ROI: roi.Inputs{OldMonthlySupportCost: 10, NewMonthlySupportCost: 5, BotCost: 30},
		Launch: now.AddDate(0, -1, 0), ChurnBefore: 0.05, ChurnAfter: 0.04})
	var buf bytes.Buffer
	require.NoError(t, report.HTML(&buf, v, report.Page{Title: "Acme <support>"}))
	page := buf.String()
	assert.Contains(t, page, "<title>Acme &lt;support&gt;</title>")
	for _, id := range []string{"realtime", "weekly", "monthly", "quarterly"} {
		assert.Contains(t, page, `<section id="`+id+`">`)
	}
	assert.NotContains(t, page, "<script")
	assert.Equal(t, strings.Count(page, `xmlns="http://www.w3.org/2000/svg"`), strings.Count(page, "http"), "no external resource")
	// Every card's data-value is the aggregator's figure.
	week := a.KPIs(analytics.Week(now))
	values := map[string]string{}
	for _, m := range regexp.MustCompile(`data-kpi="([^"]+)" data-value="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		values[m[1]] = m[2]
	}
	assert.Equal(t, strconv.FormatFloat(week.SelfService, 'g', -1, 64), values["weekly.self_service"])
	assert.Equal(t, strconv.Itoa(week.Conversations), values["weekly.conversations"])
	assert.Equal(t, "100", values["quarterly.roi"], "((10 - 5) x 12 - 30) / 30 x 100")
	assert.Equal(t, 7, strings.Count(page, `<svg class="chart`))
	assert.Contains(t, page, `data-series="Sentiment trend (mean score per day)" data-points="7"`)
	assert.Contains(t, page, "Top 10 unresolved intents")
}

func TestCharts(t *testing.T) {
	svg := string(report.LineChart(report.Series{Name: "x<y", Labels: []string{"a", "b", "c"}, Values: []float64{0, 0.5, 1}}, 1,
		func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }))
	assert.Equal(t, 3, strings.Count(svg, `<circle class="point"`))
	assert.Contains(t, svg, `data-series="x&lt;y"`)
	assert.Contains(t, svg, `cy="152.0"`, "0 sits on the x axis, above the 28 px of labels")
	assert.Contains(t, svg, `cy="12.0"`, "the maximum at the top, below 12 px of padding")
	empty := string(report.BarChart(report.Series{Name: "none"}, 0, func(f float64) string { return "" }))
	assert.Contains(t, empty, "no data")
}

func TestWriteCSV(t *testing.T) {
	a := aggregator(t)
	recs := a.Records(analytics.Window{})
	recs[0].Channel = "=HYPERLINK(\"evil\")"
	var buf bytes.Buffer
	require.NoError(t, report.WriteCSV(&buf, recs))
	rows, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 41)
	assert.Equal(t, strings.Split(report.CSVHeader, ","), rows[0])
	assert.Equal(t, `'=HYPERLINK("evil")`, rows[1][1])
}

// TestCardsSayWhatTheyMean: a figure nobody measured reads "no data
// yet" (not "0.0% CSAT"), a rate from a handful of conversations is
// shown but not judged, money has its currency, and charts have titles.
func TestCardsSayWhatTheyMean(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	agg := analytics.NewAggregator()
	for i := range 5 {
		conv := fmt.Sprint("c", i)
		agg.Add(analytics.Event{Kind: parley.EventTurn, Conversation: conv, Time: now.Add(-time.Hour), Duration: time.Second})
		agg.Add(analytics.Event{Kind: flow.EventEnd, Conversation: conv, Time: now.Add(-time.Hour), Attrs: map[string]string{"flow": "f", "status": "resolved"}})
	}
	v := report.Build(agg, now, report.Business{Currency: "$", Costs: roi.Costs{Fixed: 500}})
	cards := map[string]report.Card{}
	for _, s := range report.Sections(v, report.DefaultTargets()) {
		for _, c := range s.Cards {
			cards[c.Key] = c
		}
	}
	assert.Equal(t, "no data yet", cards["monthly.csat"].Value)
	assert.Empty(t, cards["monthly.csat"].Status)
	assert.Equal(t, "no data yet", cards["monthly.nps"].Value)
	assert.Equal(t, "100.0%", cards["weekly.self_service"].Value)
	assert.Empty(t, cards["weekly.self_service"].Status, "5 conversations are not judged")
	assert.Contains(t, cards["weekly.self_service"].Note, "only 5 conversations")
	assert.Equal(t, "$100.00", cards["monthly.cost_per_conversation"].Value)

	var page bytes.Buffer
	require.NoError(t, report.HTML(&page, v, report.Page{}))
	assert.Contains(t, page.String(), "<figcaption>Self-service resolution per day</figcaption>")
	bars := string(report.BarChart(report.Series{Name: "n", Labels: []string{"a", "b"}, Values: []float64{5, 1}}, 0,
		func(f float64) string { return strconv.FormatFloat(f, 'f', 0, 64) }))
	assert.Contains(t, bars, ">3</text>", "half of 6, not 2.5 shown as 2")
}

// TestOneSelfServiceFigure: the week, the month and the quarter count
// self-service resolution one way (3 of 9 conversations resolved is
// 33.3% in each, never "75% of 4" beside it), with the counts on the
// card and the definition on the page; no deflection card disagrees.
func TestOneSelfServiceFigure(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	agg := analytics.NewAggregator()
	for i, status := range []string{"resolved", "resolved", "resolved", "escalated", "", "", "", "", ""} {
		conv := fmt.Sprint("c", i)
		agg.Add(analytics.Event{Kind: parley.EventTurn, Conversation: conv, Time: now.Add(-time.Hour), Duration: time.Second})
		if status == "escalated" {
			agg.Add(analytics.Event{Kind: escalation.EventRequested, Conversation: conv, Time: now.Add(-time.Hour)})
		} else if status != "" {
			agg.Add(analytics.Event{Kind: flow.EventEnd, Conversation: conv, Time: now.Add(-time.Hour), Attrs: map[string]string{"flow": "f", "status": status}})
		}
	}
	v := report.Build(agg, now, report.Business{})
	var self []report.Card
	for _, s := range report.Sections(v, report.DefaultTargets()) {
		for _, c := range s.Cards {
			assert.NotContains(t, strings.ToLower(c.Label), "deflection", c.Key)
			if strings.HasSuffix(c.Key, ".self_service") {
				self = append(self, c)
			}
		}
	}
	require.Len(t, self, 3, "week, month, quarter")
	for _, c := range self {
		assert.Equal(t, "33.3%", c.Value, c.Key)
		assert.Equal(t, "3 of 9 conversations", c.Detail, c.Key)
		assert.Equal(t, "Self-service resolution", c.Label, c.Key)
		assert.Equal(t, "only 9 conversations: too few to judge", c.Note, c.Key)
	}
	var page bytes.Buffer
	require.NoError(t, report.HTML(&page, v, report.Page{}))
	assert.Contains(t, page.String(), `<section id="definitions"><h2>How the figures are counted</h2>`)
	assert.Contains(t, page.String(), "<li>Self-service resolution: the conversations the assistant resolved without a person")
	assert.Contains(t, page.String(), `<div class="d">3 of 9 conversations</div>`)
	assert.NotContains(t, page.String(), "Deflection")
}

// TestEmptyQuarterSaysSo: with no conversations, the ROI (from the
// business's figures) is shown but not said to rest on "only 1
// conversations", as the empty dashboard did.
func TestEmptyQuarterSaysSo(t *testing.T) {
	v := report.Build(analytics.NewAggregator(), now, report.Business{ROI: roi.Inputs{OldMonthlySupportCost: 10, NewMonthlySupportCost: 5, BotCost: 30}})
	var roiCard *report.Card
	for _, s := range report.Sections(v, report.DefaultTargets()) {
		for i, c := range s.Cards {
			if c.Key == "quarterly.roi" {
				roiCard = &s.Cards[i]
			}
		}
	}
	require.NotNil(t, roiCard)
	assert.Equal(t, "no conversations this quarter yet: too few to judge", roiCard.Note)
	assert.Empty(t, roiCard.Status)
}

// TestAxisLabelsDoNotRepeat: a chart of counts up to 1 (empty, or one
// conversation) labels its y axis "0 1", not "0 0 1" (0.5 rounded);
// bigger counts and rates keep their three lines.
func TestAxisLabelsDoNotRepeat(t *testing.T) {
	whole := func(f float64) string { return strconv.FormatFloat(f, 'f', 0, 64) }
	yLabels := func(svg string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`<text x="44" y="[^"]+" font-size="10" text-anchor="end" fill="#555">([^<]*)</text>`).FindAllStringSubmatch(svg, -1) {
			out = append(out, m[1])
		}
		return out
	}
	for _, c := range []struct {
		name   string
		values []float64
		format func(float64) string
		want   []string
	}{
		{"empty", nil, whole, []string{"0", "1"}},
		{"all zero", []float64{0, 0, 0}, whole, []string{"0", "1"}},
		{"one", []float64{0, 1, 0}, whole, []string{"0", "1"}},
		{"two", []float64{2, 1}, whole, []string{"0", "1", "2"}},
		{"three", []float64{3}, whole, []string{"0", "2", "4"}},
		{"rates", []float64{0.25}, func(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" }, []string{"0.0%", "12.5%", "25.0%"}},
	} {
		svg := string(report.BarChart(report.Series{Name: c.name, Values: c.values}, 0, c.format))
		assert.Equal(t, c.want, yLabels(svg), c.name)
		assert.Equal(t, len(c.want), strings.Count(svg, `class="grid"`), c.name)
	}
}

// TestCountsAgree: one conversation is "1 conversation" in every note,
// detail and the header, not "only 1 conversations" (web12).
func TestCountsAgree(t *testing.T) {
	a := analytics.NewAggregator()
	for _, e := range []analytics.Event{
		{Kind: parley.EventTurn, Message: "m1", Duration: time.Second},
		{Kind: parley.EventReply, Message: "m1"},
		{Kind: sentiment.EventScored, Attrs: map[string]string{"score": "0.7"}},
		{Kind: flow.EventFeedback, Attrs: map[string]string{"kind": "rating", "value": "5"}},
	} {
		e.Conversation, e.Time, e.Channel = "c1", now.Add(-time.Minute), "web"
		a.Add(e)
	}
	v := report.Build(a, now, report.Business{ROI: roi.Inputs{OldMonthlySupportCost: 10, NewMonthlySupportCost: 5, BotCost: 30}})
	var page bytes.Buffer
	require.NoError(t, report.HTML(&page, v, report.Page{}))
	text := page.String()
	for _, want := range []string{"· 1 conversation, 4 events</p>", "only 1 conversation: too few to judge", "only 1 reply: too few to judge",
		"only 1 message: too few to judge", "only 1 answer: too few to judge", "only 1 conversation this quarter: too few to judge",
		`<div class="d">1 of 1 conversation</div>`} {
		assert.Contains(t, text, want)
	}
	assert.NotRegexp(t, `\b1 (conversations|replies|messages|answers|events)\b`, text)
	assert.Equal(t, 1, strings.Count(text, "<main>"), "one main landmark")
}
