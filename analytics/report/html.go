package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/parleyhq/parley/analytics"
)

// Targets are the owner's goals shown beside each KPI.
type Targets struct {
	FRT            time.Duration // first response time p50 under
	SelfServiceMin float64       // self-service resolution at least
	SelfServiceMax float64       // ... and at most (above it, check escalations are not refused)
	EscalationMax  float64
	CSATMin        float64
	CESMin         float64
	NPSMin         float64
}

// DefaultTargets are the owner's framework: FRT under 5 s, self-service
// resolution 60-80%, escalation under 25%, CSAT 85%+, effort 4.5/5, NPS
// +40.
func DefaultTargets() Targets {
	return Targets{FRT: 5 * time.Second, SelfServiceMin: 0.60, SelfServiceMax: 0.80,
		EscalationMax: 0.25, CSATMin: 0.85, CESMin: 4.5, NPSMin: 40}
}

// SelfServiceDefinition is how every self-service figure of the report
// is counted, as the page says it: one definition for the week, the
// month and the quarter, so that no two of them disagree.
const SelfServiceDefinition = "Self-service resolution: the conversations the assistant resolved without a person " +
	"(the customer said it helped, rated it 4-5, or the task completed), out of all conversations that started in the period. " +
	"A conversation that went to a person, ended unresolved, or was left without an answer is not resolved."

// Definitions are the page's explanations of its figures, in the order
// shown under "How the figures are counted".
var Definitions = []string{
	SelfServiceDefinition,
	"Escalation rate: the conversations handed to a person, out of all conversations that started in the period.",
	"Top unresolved intents: what customers asked for in conversations that did not end resolved; small talk " +
		"(greetings, thanks, goodbyes) is no request and is left out.",
	"First response: from the customer's first message to the end of the assistant's first answer; p50 and p95 are percentiles.",
	"Figures measured on fewer than 20 conversations or answers are shown but not judged against their targets.",
}

// A Card is one KPI as a view shows it.
type Card struct {
	// Key names the figure ("weekly.self_service"); Raw is its exact
	// value (a fraction for rates, seconds for durations), for tests and
	// exports.
	Key    string
	Label  string
	Value  string
	Raw    float64
	Target string
	// Detail says what the figure counts ("3 of 9 conversations").
	Detail string
	// Status is "ok", "bad" or "" (no target, no data, or too few
	// conversations to judge).
	Status string
	// Note explains the figure in words: why it misses its target, or
	// that there is too little data to judge it.
	Note string
}

// A Table is a titled table of a view.
type Table struct {
	Title string
	Head  []string
	Rows  [][]string
}

// A Section is one view, ready to render.
type Section struct {
	ID     string
	Title  string
	Window string
	Cards  []Card
	Charts []template.HTML
	Tables []Table
}

func pct(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" }
func num(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
func secs(d time.Duration) string {
	if d < time.Millisecond {
		return "under 1 ms"
	}
	if d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
}

// noData is what a card shows instead of a figure nobody measured: "0.0%
// CSAT" with no survey answered reads as a catastrophe.
const noData = "no data yet"

// minSample is the number of conversations below which rates are shown
// but not judged against their targets.
const minSample = 20

// A noun is what a figure counts, in the singular and the plural.
type noun struct{ one, many string }

var (
	nounNone          = noun{}
	nounConversations = noun{"conversation", "conversations"}
	nounReplies       = noun{"reply", "replies"}
	nounAnswers       = noun{"answer", "answers"}
	nounMessages      = noun{"message", "messages"}
	nounEvents        = noun{"event", "events"}
	nounDuplicates    = noun{"duplicate", "duplicates"}
)

// count says n of what: "1 conversation", "3 conversations".
func count(n int, what noun) string {
	if n == 1 {
		return "1 " + what.one
	}
	return strconv.Itoa(n) + " " + what.many
}

// judged marks a card with a target as measured on too few
// conversations (n) to judge, and the figure as missing when none; what
// n counts is said in the note, unless it is nounNone.
func judged(c Card, n int, what noun) Card {
	switch {
	case n == 0:
		c.Value, c.Status = noData, ""
	case n < minSample && what != nounNone:
		c.Status = ""
		c.Note = "only " + count(n, what) + ": too few to judge"
	}
	return c
}

// money shows an amount with the currency symbol.
func money(cur string, f float64) string {
	if cur == "" {
		return num(f)
	}
	s := strconv.FormatFloat(math.Abs(f), 'f', 2, 64)
	if f < 0 {
		return "-" + cur + s
	}
	return cur + s
}

func status(ok bool, have bool) string {
	switch {
	case !have:
		return ""
	case ok:
		return "ok"
	}
	return "bad"
}

func dayLabels(ks []analytics.KPIs, layout string) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.Window.From.Format(layout)
	}
	return out
}

func pick(ks []analytics.KPIs, f func(analytics.KPIs) float64) []float64 {
	out := make([]float64, len(ks))
	for i, k := range ks {
		out[i] = f(k)
	}
	return out
}

// selfService is the self-service resolution card of a period (key
// "weekly", ...), the same in every section: the rate of
// [SelfServiceDefinition], with its counts ("3 of 9 conversations").
func selfService(period string, k analytics.KPIs, t Targets) Card {
	c := Card{Key: period + ".self_service", Label: "Self-service resolution", Value: pct(k.SelfService), Raw: k.SelfService,
		Detail: fmt.Sprintf("%d of %s", k.Resolved, count(k.Conversations, nounConversations)),
		Target: pct(t.SelfServiceMin) + "–" + pct(t.SelfServiceMax), Status: status(k.SelfService >= t.SelfServiceMin && k.SelfService <= t.SelfServiceMax, k.Conversations > 0)}
	if k.SelfService > t.SelfServiceMax {
		c.Note = "above the range: check that customers who want a person can reach one"
	}
	return judged(c, k.Conversations, nounConversations)
}

// Sections lays the views out as the four sections the report and the
// dashboard render, with targets t.
func Sections(v Views, t Targets) []Section {
	rt, wk, mo, qu := v.RealTime, v.Weekly, v.Monthly, v.Quarterly
	live := Section{ID: "realtime", Title: "Real time", Window: "now; first response and sentiment over the last 15 minutes",
		Cards: []Card{
			{Key: "realtime.active", Label: "Active chats", Value: strconv.Itoa(rt.Live.Active), Raw: float64(rt.Live.Active)},
			{Key: "realtime.waiting", Label: "Waiting for a person", Value: strconv.Itoa(rt.Live.Waiting), Raw: float64(rt.Live.Waiting)},
			judged(Card{Key: "realtime.frt_p50", Label: "First response (p50)", Value: secs(rt.Live.FRT.P50), Raw: rt.Live.FRT.P50.Seconds(),
				Target: "< " + secs(t.FRT), Status: status(rt.Live.FRT.P50 < t.FRT, rt.Live.FRT.N > 0)}, min(rt.Live.FRT.N, minSample), nounReplies),
			judged(Card{Key: "realtime.sentiment", Label: "Live sentiment (0-1)", Value: num(rt.Live.Sentiment), Raw: rt.Live.Sentiment,
				Target: "≥ 0.60", Status: status(rt.Live.Sentiment >= 0.6, rt.Live.SentimentTurns > 0)}, min(rt.Live.SentimentTurns, minSample), nounMessages),
		}}
	labels := make([]string, len(rt.Starts))
	vals := make([]float64, len(rt.Starts))
	for i, p := range rt.Starts {
		labels[i], vals[i] = p.Window.From.Format("15:04"), p.Value
	}
	live.Charts = append(live.Charts, BarChart(Series{Name: "Conversations started per 5 minutes", Labels: labels, Values: vals}, 0,
		func(f float64) string { return strconv.FormatFloat(f, 'f', 0, 64) }))

	k := wk.KPIs
	weekly := Section{ID: "weekly", Title: "This week", Window: k.Window.String(), Cards: []Card{
		{Key: "weekly.conversations", Label: "Conversations", Value: strconv.Itoa(k.Conversations), Raw: float64(k.Conversations)},
		selfService("weekly", k, t),
		judged(Card{Key: "weekly.escalation_rate", Label: "Escalation rate", Value: pct(k.EscalationRate), Raw: k.EscalationRate,
			Target: "< " + pct(t.EscalationMax), Status: status(k.EscalationRate < t.EscalationMax, k.Conversations > 0)}, k.Conversations, nounConversations),
		judged(Card{Key: "weekly.fallback_rate", Label: "Fallback rate", Value: pct(k.FallbackRate), Raw: k.FallbackRate}, min(k.Conversations, minSample), nounNone),
		judged(Card{Key: "weekly.frt_p50", Label: "First response p50", Value: secs(k.FRT.P50), Raw: k.FRT.P50.Seconds(),
			Target: "< " + secs(t.FRT), Status: status(k.FRT.P50 < t.FRT, k.FRT.N > 0)}, min(k.FRT.N, minSample), nounReplies),
		judged(Card{Key: "weekly.frt_p95", Label: "First response p95", Value: secs(k.FRT.P95), Raw: k.FRT.P95.Seconds()}, min(k.FRT.N, minSample), nounNone),
		judged(Card{Key: "weekly.turns_to_resolution", Label: "Turns to resolution", Value: num(k.TurnsToResolution), Raw: k.TurnsToResolution}, min(k.Resolved, minSample), nounNone),
		judged(Card{Key: "weekly.time_to_resolution", Label: "Time to resolution", Value: secs(k.TimeToResolution), Raw: k.TimeToResolution.Seconds()}, min(k.Resolved, minSample), nounNone),
	}}
	dl := dayLabels(wk.Daily, "Mon 2")
	weekly.Charts = append(weekly.Charts,
		LineChart(Series{Name: "Self-service resolution per day", Labels: dl, Values: pick(wk.Daily, func(k analytics.KPIs) float64 { return k.SelfService })}, 1, pct),
		LineChart(Series{Name: "Escalation rate per day", Labels: dl, Values: pick(wk.Daily, func(k analytics.KPIs) float64 { return k.EscalationRate })}, 1, pct))
	sl := make([]string, len(wk.SentimentTrend))
	sv := make([]float64, len(wk.SentimentTrend))
	for i, p := range wk.SentimentTrend {
		sl[i], sv[i] = p.Window.From.Format("Mon 2"), p.Value
	}
	weekly.Charts = append(weekly.Charts, LineChart(Series{Name: "Sentiment trend (mean score per day)", Labels: sl, Values: sv}, 1, num))
	top := Table{Title: "Top 10 unresolved intents", Head: []string{"Intent", "Conversations", "Not resolved", "Rate", "Mean confidence"}}
	for _, in := range wk.TopUnresolved {
		top.Rows = append(top.Rows, []string{in.Intent, strconv.Itoa(in.Conversations), strconv.Itoa(in.Failed), pct(in.FailureRate), num(in.Confidence)})
	}
	unq := Table{Title: "Questions the knowledge base could not answer", Head: []string{"Question", "Times asked"}}
	for _, q := range wk.UnansweredQuestions {
		unq.Rows = append(unq.Rows, []string{q.Text, strconv.Itoa(q.Count)})
	}
	weekly.Tables = []Table{top, unq}

	k = mo.KPIs
	monthly := Section{ID: "monthly", Title: "This month", Window: k.Window.String(), Cards: []Card{
		judged(Card{Key: "monthly.csat", Label: "CSAT (4-5 of 5)", Value: pct(k.CSAT), Raw: k.CSAT, Target: "≥ " + pct(t.CSATMin), Status: status(k.CSAT >= t.CSATMin, k.CSATResponses > 0)}, k.CSATResponses, nounAnswers),
		judged(Card{Key: "monthly.ces", Label: "Customer effort (1-5)", Value: num(k.CES), Raw: k.CES, Target: "≥ " + num(t.CESMin), Status: status(k.CES >= t.CESMin, k.CESResponses > 0)}, k.CESResponses, nounAnswers),
		judged(Card{Key: "monthly.nps", Label: "NPS", Value: strconv.FormatFloat(k.NPS, 'f', 0, 64), Raw: k.NPS, Target: "≥ +" + strconv.FormatFloat(t.NPSMin, 'f', 0, 64), Status: status(k.NPS >= t.NPSMin, k.NPSResponses > 0)}, k.NPSResponses, nounAnswers),
		selfService("monthly", k, t),
		judged(Card{Key: "monthly.cost_per_conversation", Label: "Cost per conversation", Value: money(v.Currency, mo.Cost.PerConversation), Raw: mo.Cost.PerConversation,
			Note: "from the business's own cost figures"}, min(k.Conversations, minSample), nounNone),
		{Key: "monthly.conversations", Label: "Conversations", Value: strconv.Itoa(k.Conversations), Raw: float64(k.Conversations)},
	}}
	wl := dayLabels(mo.Weekly, "Jan 2")
	monthly.Charts = append(monthly.Charts,
		LineChart(Series{Name: "CSAT per week", Labels: wl, Values: pick(mo.Weekly, func(k analytics.KPIs) float64 { return k.CSAT })}, 1, pct),
		LineChart(Series{Name: "Self-service resolution per week", Labels: wl, Values: pick(mo.Weekly, func(k analytics.KPIs) float64 { return k.SelfService })}, 1, pct))
	camp := Table{Title: "Campaigns", Head: []string{"Campaign", "Variant", "Sent", "Delivered", "Read", "Clicked", "Replied", "Converted", "Conversion", "Value"}}
	for _, c := range mo.Campaigns {
		camp.Rows = append(camp.Rows, []string{c.Campaign, c.Variant, strconv.Itoa(c.Sent), strconv.Itoa(c.Delivered), strconv.Itoa(c.Read),
			strconv.Itoa(c.Clicked), strconv.Itoa(c.Replied), strconv.Itoa(c.Converted), pct(c.ConversionRate), money(v.Currency, c.Value)})
	}
	monthly.Tables = []Table{camp}

	k = qu.KPIs
	quarterly := Section{ID: "quarterly", Title: "This quarter", Window: k.Window.String(), Cards: []Card{
		{Key: "quarterly.churn_reduction", Label: "Churn reduction (points)", Value: pct(qu.ChurnReduction), Raw: qu.ChurnReduction},
		{Key: "quarterly.clv_uplift", Label: "CLV uplift", Value: money(v.Currency, qu.CLVUplift), Raw: qu.CLVUplift,
			Note: "estimate: the business's CLV increase × customers retained"},
		selfService("quarterly", k, t),
		{Key: "quarterly.conversations", Label: "Conversations", Value: strconv.Itoa(k.Conversations), Raw: float64(k.Conversations)},
	}}
	if qu.ROI != nil {
		// The ROI comes from the business's own figures, so it is shown
		// with no conversations too; it is judged only on enough of them.
		roiCard := judged(Card{Key: "quarterly.roi", Label: "ROI", Value: strconv.FormatFloat(qu.ROI.Percent, 'f', 0, 64) + "%", Raw: qu.ROI.Percent,
			Status: status(qu.ROI.Percent > 0, true), Target: "> 0%", Note: "estimate from the business's own figures"}, min(max(k.Conversations, 1), minSample), noun{"conversation this quarter", "conversations this quarter"})
		if k.Conversations == 0 {
			roiCard.Note = "no conversations this quarter yet: too few to judge" // not "only 1"
		}
		quarterly.Cards = append(quarterly.Cards, roiCard)
	}
	if b := qu.Baseline; b != nil {
		quarterly.Tables = append(quarterly.Tables, Table{Title: "Before launch (30-day baseline) and this quarter", Head: []string{"", "Baseline", "This quarter"},
			Rows: [][]string{
				{"Conversations", strconv.Itoa(b.Conversations), strconv.Itoa(k.Conversations)},
				{"Self-service resolution", pct(b.SelfService), pct(k.SelfService)},
				{"Escalation rate", pct(b.EscalationRate), pct(k.EscalationRate)},
				{"CSAT", pct(b.CSAT), pct(k.CSAT)},
				{"First response p50", secs(b.FRT.P50), secs(k.FRT.P50)},
			}})
	}
	ml := dayLabels(qu.Monthly, "Jan 2006")
	quarterly.Charts = append(quarterly.Charts,
		BarChart(Series{Name: "Conversations per month", Labels: ml, Values: pick(qu.Monthly, func(k analytics.KPIs) float64 { return float64(k.Conversations) })}, 0,
			func(f float64) string { return strconv.FormatFloat(f, 'f', 0, 64) }))
	return []Section{live, weekly, monthly, quarterly}
}

var page = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
{{if .StylesheetURL}}<link rel="stylesheet" href="{{.StylesheetURL}}">{{else}}<style>{{.CSS}}</style>{{end}}</head><body>
<header><h1>{{.Title}}</h1>
<p class="window">Generated {{.Generated}} · {{.Summary}}{{range .Notes}} · {{.}}{{end}}</p>
<nav aria-label="Views and exports">{{range .Sections}}<a href="#{{.ID}}">{{.Title}}</a>{{end}}<a href="#definitions">How the figures are counted</a>{{range .Links}}<a href="{{.URL}}">{{.Text}}</a>{{end}}</nav></header>
<main>{{range .Sections}}<section id="{{.ID}}">
<h2>{{.Title}}</h2><p class="window">{{.Window}}</p>
<div class="cards">{{range .Cards}}<div class="card {{.Status}}" data-kpi="{{.Key}}" data-value="{{.Raw}}"><div class="v">{{.Value}}</div><div class="l">{{.Label}}</div>{{if .Detail}}<div class="d">{{.Detail}}</div>{{end}}{{if .Target}}<div class="t">target {{.Target}}</div>{{end}}{{if .Note}}<div class="n">{{.Note}}</div>{{end}}</div>{{end}}</div>
<div class="charts">{{range .Charts}}<figure>{{.}}</figure>{{end}}</div>
{{range .Tables}}<div class="table"><table><caption>{{.Title}}</caption><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr>{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{else}}<tr><td colspan="{{len .Head}}">none yet</td></tr>{{end}}</table></div>{{end}}
</section>{{end}}
<section id="definitions"><h2>How the figures are counted</h2><ul class="definitions">{{range .Definitions}}<li>{{.}}</li>{{end}}</ul></section>
</main></body></html>
`))

// CSS is the page's stylesheet, inlined by [HTML] unless
// [Page.StylesheetURL] says where it is served.
const CSS = `body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1rem;color:#222}
h1{font-size:1.4rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
.window{color:#666;font-size:.85rem}
.cards{display:flex;flex-wrap:wrap;gap:.6rem}
.card{border:1px solid #ddd;border-radius:6px;padding:.5rem .8rem;min-width:150px}
.card .v{font-size:1.4rem;font-weight:600}.card .l,.card .d,.card .t,.card .n{font-size:.8rem;color:#555}
.definitions{font-size:.85rem;color:#444;max-width:60rem}.card .n{max-width:14rem}
.card.ok{border-color:#3a3}.card.bad{border-color:#c33}
.charts{display:flex;flex-wrap:wrap;gap:1rem;margin-top:1rem}
figure{margin:0;max-width:100%}figcaption{font-size:.85rem;color:#444;font-weight:600}
svg.chart{max-width:100%;height:auto}.table{max-width:100%;overflow-x:auto}
@media (max-width:600px){.card{min-width:0;flex:1 1 40%}nav a{display:inline-block;margin:.2rem .8rem .2rem 0}}
table{border-collapse:collapse;margin-top:1rem}td,th{border:1px solid #ddd;padding:.2rem .5rem;font-size:.85rem;text-align:left}
nav a{margin-right:1rem}
`

// A Link is an extra link in the page's navigation (exports, say).
type Link struct{ Text, URL string }

// Page configures [HTML].
type Page struct {
	Title string
	// Notes are shown under the title (skipped log lines, say).
	Notes   []string
	Links   []Link
	Targets Targets
	// StylesheetURL, if set, links the stylesheet (serve [CSS] there)
	// instead of inlining it, for pages under a Content-Security-Policy
	// without 'unsafe-inline'.
	StylesheetURL string
}

// HTML renders v as one self-contained HTML page: the four views with
// their KPIs, targets, tables and SVG charts; no script, no external
// resource.
func HTML(w io.Writer, v Views, p Page) error {
	if p.Title == "" {
		p.Title = "Support bot analytics"
	}
	if p.Targets == (Targets{}) {
		p.Targets = DefaultTargets()
	}
	sum := count(v.Conversations, nounConversations) + ", " + count(int(v.Stats.Events), nounEvents)
	if v.Stats.Duplicates > 0 {
		sum += ", " + count(int(v.Stats.Duplicates), nounDuplicates) + " ignored"
	}
	err := page.Execute(w, struct {
		Page
		CSS         template.CSS
		Generated   string
		Summary     string
		Sections    []Section
		Definitions []string
	}{p, CSS, v.Generated.Format(time.RFC1123), sum, Sections(v, p.Targets), Definitions})
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
