package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/intent/learn"
	"github.com/parleyhq/parley/intent/train"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/privacy"
	"github.com/parleyhq/parley/schedule"
)

//go:embed nlu.eval.yaml
var nluEvalYAML []byte

// retrainEvery is how often the English model is retrained from the
// labelled review queue.
const retrainEvery = 7 * 24 * time.Hour

// learning is the example's learning loop: the turns the English model
// was unsure about wait in a review queue (personal data masked), staff
// label them at /dashboard/review, and every week (or on the page's
// button) a model retrained with the labels replaces the serving one if
// it scores better on the held-out set of nlu.eval.yaml.
type learning struct {
	queue   *learn.Queue
	english *learn.Retrainer
	intents []string
}

// newLearning sets up the loop for the English model current, trained
// from nlu.yaml and serving in und; the weekly retrain runs on sched.
func newLearning(ctx context.Context, store memory.Store, und *intent.Understander, current *train.Model, sched *schedule.Scheduler) (*learning, error) {
	base, err := train.ReadYAML(bytes.NewReader(nluYAML), "nlu.yaml")
	if err != nil {
		return nil, err
	}
	eval, err := train.ReadYAML(bytes.NewReader(nluEvalYAML), "nlu.eval.yaml")
	if err != nil {
		return nil, err
	}
	red := privacy.NewRedactor() // everything masked: reviewers need the words, not the data
	q := learn.NewQueue(store, learn.WithRedactor(func(ctx context.Context, customerID, text string) (string, error) {
		out, _, err := red.Redact(ctx, customerID, text)
		return out, err
	}))
	r := &learn.Retrainer{Queue: q, Name: "en", Locale: "en", Train: base, Eval: eval, Current: current,
		Deploy: func(_ context.Context, m *train.Model) error { return und.SetClassifier("en", m) }}
	job := r.Job(time.Now().Add(retrainEvery))
	sched.Handle(job.Kind, r.Every(sched, retrainEvery))
	if err := sched.Schedule(ctx, job); err != nil {
		return nil, fmt.Errorf("schedule the retrain: %w", err)
	}
	return &learning{queue: q, english: r, intents: current.Intents()}, nil
}

// routes adds the review page to mux, behind staffOnly.
func (l *learning) routes(mux *http.ServeMux, staffOnly func(http.Handler) http.Handler) {
	protect := http.NewCrossOriginProtection()
	mux.Handle("GET /dashboard/review", staffOnly(http.HandlerFunc(l.page)))
	mux.Handle("POST /dashboard/review", staffOnly(protect.Handler(http.HandlerFunc(l.post))))
	mux.Handle("GET /dashboard/review/labels.csv", staffOnly(http.HandlerFunc(l.labels)))
}

// labels exports the labelled items as CSV text,intent, the -labels
// file of "parley review retrain".
func (l *learning) labels(w http.ResponseWriter, r *http.Request) {
	items, err := l.queue.Items(r.Context(), true)
	if err != nil {
		http.Error(w, "review queue: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="labels.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"text", "intent"})
	for _, it := range items {
		_ = cw.Write([]string{it.Text, it.Label})
	}
	cw.Flush() // a write error means the client went away
}

// reviewPage is what the page shows.
type reviewPage struct {
	Pending []learn.Item
	Intents []string
	Reports []learn.Report
	Error   string
}

func (l *learning) page(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var p reviewPage
	var err error
	p.Pending, err = l.queue.Items(ctx, false)
	if err == nil {
		p.Reports, err = l.english.Reports(ctx)
	}
	if err != nil {
		http.Error(w, "review queue: "+err.Error(), http.StatusInternalServerError)
		return
	}
	slices.Reverse(p.Reports) // newest first
	p.Intents = l.intents
	p.Error = r.URL.Query().Get("error")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", dashboardCSP)
	w.Header().Set("Cache-Control", "no-store")
	if err := reviewTmpl.Execute(w, p); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// post labels or discards an item, or retrains now.
func (l *learning) post(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var err error
	switch r.PostFormValue("do") {
	case "label":
		label := r.PostFormValue("intent")
		if !slices.Contains(l.intents, label) {
			err = fmt.Errorf("unknown intent %q", label)
			break
		}
		err = l.queue.Label(ctx, r.PostFormValue("id"), label, agentOf(r))
	case "discard":
		err = l.queue.Discard(ctx, r.PostFormValue("id"))
	case "retrain":
		_, err = l.english.Retrain(ctx)
	default:
		err = fmt.Errorf("unknown action %q", r.PostFormValue("do"))
	}
	to := "/dashboard/review"
	if err != nil {
		to += "?error=" + template.URLQueryEscaper(err.Error())
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

var reviewTmpl = template.Must(template.New("review").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Review queue - ShopCo</title>
<link rel="stylesheet" href="/dashboard/report.css"></head>
<body><main>
<h1>Review queue</h1>
<p><a href="/dashboard/">Dashboard</a> · <a href="/dashboard/review/labels.csv">Labels as CSV</a> (for <code>parley review retrain</code>)</p>
{{with .Error}}<p class="error" role="alert">{{.}}</p>{{end}}
<p>Messages the assistant was unsure about, personal data masked. Label each with what the customer wanted; the model is retrained weekly and replaced only if it scores better on the held-out set.</p>
{{if .Pending}}<table>
<thead><tr><th>When</th><th>Message</th><th>Model's guess</th><th>Why</th><th>Label</th><th>Discard</th></tr></thead>
<tbody>{{range $it := .Pending}}<tr data-item="{{$it.ID}}">
<td>{{$it.Time.Format "2006-01-02 15:04"}}</td><td>{{$it.Text}}</td>
<td>{{$it.Guess}} ({{printf "%.2f" $it.Confidence}})</td><td>{{$it.Reason}}</td>
<td><form method="post" action="/dashboard/review"><input type="hidden" name="do" value="label"><input type="hidden" name="id" value="{{$it.ID}}">
<select name="intent" aria-label="Intent">{{range $.Intents}}<option{{if eq . $it.Guess}} selected{{end}}>{{.}}</option>{{end}}</select>
<button>Label</button></form></td>
<td><form method="post" action="/dashboard/review"><input type="hidden" name="do" value="discard"><input type="hidden" name="id" value="{{$it.ID}}"><button>Discard</button></form></td>
</tr>{{end}}</tbody></table>
{{else}}<p>Nothing to review.</p>{{end}}
<h2>Retrains</h2>
<form method="post" action="/dashboard/review"><input type="hidden" name="do" value="retrain"><button>Retrain now</button></form>
{{if .Reports}}<table>
<thead><tr><th>When</th><th>Labelled</th><th>Held-out rows</th><th>Accuracy before</th><th>Accuracy after</th><th>Macro-F1 before</th><th>Macro-F1 after</th><th>Outcome</th></tr></thead>
<tbody>{{range .Reports}}<tr data-deployed="{{.Deployed}}"><td>{{.Time.Format "2006-01-02 15:04"}}</td><td>{{.Labelled}}</td><td>{{.EvalRows}}</td>
<td>{{printf "%.3f" .Before.Accuracy}}</td><td>{{printf "%.3f" .After.Accuracy}}</td>
<td>{{printf "%.3f" .Before.MacroF1}}</td><td>{{printf "%.3f" .After.MacroF1}}</td>
<td>{{if .Deployed}}deployed{{else}}kept the serving model{{end}}: {{.Reason}}</td></tr>{{end}}</tbody></table>
{{else}}<p>No retrain yet.</p>{{end}}
</main></body></html>
`))
