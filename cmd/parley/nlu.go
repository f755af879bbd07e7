package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/intent/train"
)

// runNLU runs "parley nlu eval|validate".
func runNLU(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "nlu", "usage: parley nlu eval -train TRAIN.csv -test TEST.csv [-val VAL.csv] [-oos-label oos] [-json] [-report DIR]\n       parley nlu validate FILE",
		[]subcommand{{"eval", nluEval}, {"validate", nluValidate}}, args, stdout, stderr)
}

// nluValidate reports problems in a training file.
func nluValidate(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("nlu validate", "", stderr)
	oos := fs.String("oos-label", "oos", "intent of out-of-scope examples (exempt from count checks)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("nlu validate: want exactly one FILE")
	}
	exs, err := train.LoadFile(fs.Arg(0))
	if err != nil && exs == nil {
		return err
	}
	var loadErrs []error
	if err != nil {
		loadErrs = append(loadErrs, err)
		fmt.Fprintln(stdout, err)
	}
	probs := train.Validate(exs, *oos)
	nerr := 0
	for _, p := range probs {
		fmt.Fprintln(stdout, p)
		if p.Severity == "error" {
			nerr++
		}
	}
	intents := map[string]bool{}
	for _, e := range exs {
		intents[e.Intent] = true
	}
	fmt.Fprintf(stdout, "%d examples, %d intents, %d errors, %d warnings\n", len(exs), len(intents), nerr+len(loadErrs), len(probs)-nerr)
	if nerr > 0 || len(loadErrs) > 0 {
		return fmt.Errorf("nlu validate: %s has errors", fs.Arg(0))
	}
	return nil
}

// evalResult is the JSON output of nlu eval.
type evalResult struct {
	Accuracy        float64 `json:"accuracy"`
	InScopeAccuracy float64 `json:"in_scope_accuracy"`
	OOSRecall       float64 `json:"oos_recall"`
	OOSPrecision    float64 `json:"oos_precision"`
	MacroF1         float64 `json:"macro_f1"`
	Threshold       float64 `json:"threshold"`
	TrainSeconds    float64 `json:"train_seconds"`
	ClassifyP50us   float64 `json:"classify_p50_us"`
	ClassifyP99us   float64 `json:"classify_p99_us"`
	ModelBytes      int     `json:"model_bytes"`

	Algorithm          string  `json:"algorithm"`
	Temperature        float64 `json:"temperature"`
	ThresholdSource    string  `json:"threshold_source"`
	ThresholdObjective string  `json:"threshold_objective"`
	// NoRejectInScopeAccuracy is the in-scope accuracy at threshold 0.
	NoRejectInScopeAccuracy float64 `json:"no_reject_in_scope_accuracy"`
	TrainRows               int     `json:"train_rows"`
	TestRows                int     `json:"test_rows"`

	Baseline *evalResult `json:"baseline,omitempty"`
	// Compare holds the algorithms named by -compare, evaluated in the
	// same run on the same data.
	Compare []*evalResult `json:"compare,omitempty"`

	PerIntent  []train.IntentMetrics `json:"per_intent,omitempty"`
	Confusions []train.Confusion     `json:"confusions,omitempty"`
	// ValSweep is the trade-off on the set the threshold was chosen on;
	// TestSweep the same curve on the test set, for reference only.
	ValSweep  []train.SweepPoint `json:"val_sweep,omitempty"`
	TestSweep []train.SweepPoint `json:"test_sweep,omitempty"`

	metrics train.Metrics
}

func nluEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("nlu eval", "", stderr)
	trainPath := fs.String("train", "", "training CSV (text,intent); required")
	testPath := fs.String("test", "", "test CSV (text,intent); required")
	valPath := fs.String("val", "", "validation CSV to choose the threshold on; default: 10% of -train held out")
	oos := fs.String("oos-label", "oos", "intent label of out-of-scope rows")
	asJSON := fs.Bool("json", false, "print one JSON object")
	reportDir := fs.String("report", "", "write an HTML report (confusion heat map, threshold curve) to this directory")
	baseline := fs.Bool("baseline", true, "also evaluate the nearest-centroid baseline in the same run")
	algName := fs.String("algorithm", train.Ensemble.String(), "learning method: "+algorithmNames())
	compare := fs.String("compare", "", "comma-separated algorithms to also evaluate in the same run (e.g. softmax)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *trainPath == "" || *testPath == "" {
		return errors.New("nlu eval: -train and -test are required")
	}
	alg, err := parseAlgorithm(*algName)
	if err != nil {
		return err
	}
	var others []train.Algorithm
	for _, name := range splitList(*compare) {
		a, err := parseAlgorithm(name)
		if err != nil {
			return err
		}
		others = append(others, a)
	}
	trainSet, err := train.LoadFile(*trainPath)
	if err != nil {
		return err
	}
	test, err := train.LoadFile(*testPath)
	if err != nil {
		return err
	}
	src := "val:" + *valPath
	var val []train.Example
	if *valPath != "" {
		if val, err = train.LoadFile(*valPath); err != nil {
			return err
		}
	} else {
		trainSet, val = holdOut(trainSet, 10)
		src = "10% of train held out"
	}
	res, err := evaluate(ctx, trainSet, val, test, *oos, alg)
	if err != nil {
		return err
	}
	res.ThresholdSource = src
	for _, a := range others {
		o, err := evaluate(ctx, trainSet, val, test, *oos, a)
		if err != nil {
			return err
		}
		o.ThresholdSource = src
		o.PerIntent, o.Confusions, o.TestSweep = nil, nil, nil
		res.Compare = append(res.Compare, o)
	}
	if *baseline {
		b, err := evaluate(ctx, trainSet, val, test, *oos, train.Centroid)
		if err != nil {
			return err
		}
		b.ThresholdSource = src
		b.PerIntent, b.Confusions, b.ValSweep, b.TestSweep = nil, nil, nil, nil
		res.Baseline = b
	}
	if *reportDir != "" {
		if err := writeReport(*reportDir, res); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(res)
	}
	printText(stdout, res)
	return nil
}

// algorithms returns the learning methods nlu eval accepts.
func algorithms() []train.Algorithm {
	return []train.Algorithm{train.Ensemble, train.Softmax, train.Centroid}
}

func algorithmNames() string {
	names := make([]string, 0, 3)
	for _, a := range algorithms() {
		names = append(names, a.String())
	}
	return strings.Join(names, ", ")
}

func parseAlgorithm(name string) (train.Algorithm, error) {
	for _, a := range algorithms() {
		if a.String() == name {
			return a, nil
		}
	}
	return 0, fmt.Errorf("nlu eval: unknown algorithm %q (want one of %s)", name, algorithmNames())
}

// holdOut splits off every n-th example of each intent.
func holdOut(exs []train.Example, n int) (trainSet, held []train.Example) {
	seen := map[string]int{}
	for _, e := range exs {
		seen[e.Intent]++
		if seen[e.Intent]%n == 0 {
			held = append(held, e)
		} else {
			trainSet = append(trainSet, e)
		}
	}
	return trainSet, held
}

func evaluate(ctx context.Context, trainSet, val, test []train.Example, oos string, alg train.Algorithm) (*evalResult, error) {
	start := time.Now()
	m, err := train.Train(ctx, trainSet, train.WithOutOfScopeLabel(oos), train.WithAlgorithm(alg))
	if err != nil {
		return nil, err
	}
	trainSec := time.Since(start).Seconds()
	blob, err := m.MarshalBinary()
	if err != nil {
		return nil, err
	}
	vs, err := train.Score(ctx, m, val)
	if err != nil {
		return nil, err
	}
	valSweep := train.Sweep(vs, oos)
	th := train.ChooseThreshold(valSweep).Threshold

	ts := make([]train.Scored, len(test))
	lat := make([]time.Duration, len(test))
	for i, e := range test {
		t0 := time.Now()
		r, err := m.Classify(ctx, e.Text)
		lat[i] = time.Since(t0)
		if err != nil {
			return nil, err
		}
		ts[i] = train.Scored{Want: e.Intent, Result: r}
	}
	slices.Sort(lat)
	met := train.Evaluate(ts, oos, th)
	return &evalResult{
		Accuracy: met.Accuracy, InScopeAccuracy: met.InScopeAccuracy,
		OOSRecall: met.OOSRecall, OOSPrecision: met.OOSPrecision, MacroF1: met.MacroF1,
		Threshold: th, TrainSeconds: trainSec,
		ClassifyP50us: micro(percentile(lat, 0.50)), ClassifyP99us: micro(percentile(lat, 0.99)),
		ModelBytes: len(blob), Algorithm: alg.String(), Temperature: m.Temperature(),
		ThresholdObjective:      train.ThresholdObjective,
		NoRejectInScopeAccuracy: train.Evaluate(ts, oos, 0).InScopeAccuracy,
		TrainRows:               len(trainSet), TestRows: len(test),
		PerIntent: met.PerIntent, Confusions: met.Confusions,
		ValSweep: valSweep, TestSweep: train.Sweep(ts, oos),
		metrics: met,
	}, nil
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(p*float64(len(d))))]
}

func micro(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

func printText(w io.Writer, r *evalResult) {
	fmt.Fprintf(w, "model %s: trained on %d rows in %.1fs, %d bytes, temperature %.3f\n", r.Algorithm, r.TrainRows, r.TrainSeconds, r.ModelBytes, r.Temperature)
	fmt.Fprintf(w, "threshold %.2f chosen on %s\nobjective: %s\n\n", r.Threshold, r.ThresholdSource, r.ThresholdObjective)
	fmt.Fprintf(w, "per-intent results on %d test rows:\n%-32s %9s %9s %9s %8s\n", r.TestRows, "intent", "precision", "recall", "f1", "support")
	for _, m := range r.PerIntent {
		fmt.Fprintf(w, "%-32s %9.3f %9.3f %9.3f %8d\n", m.Intent, m.Precision, m.Recall, m.F1, m.Support)
	}
	fmt.Fprintln(w, "\nmost confused pairs (true -> predicted):")
	for _, c := range r.Confusions[:min(15, len(r.Confusions))] {
		fmt.Fprintf(w, "  %4d  %s -> %s\n", c.Count, c.Want, c.Got)
	}
	fmt.Fprintf(w, "\nthreshold sweep (%s):\n%9s %9s %9s %9s %9s\n", r.ThresholdSource, "threshold", "accuracy", "in-scope", "oos-rec", "oos-prec")
	for i, p := range r.ValSweep {
		if i%5 == 0 || p.Threshold == r.Threshold {
			mark := ""
			if p.Threshold == r.Threshold {
				mark = "  <- chosen"
			}
			fmt.Fprintf(w, "%9.2f %9.4f %9.4f %9.4f %9.4f%s\n", p.Threshold, p.Accuracy, p.InScopeAccuracy, p.OOSRecall, p.OOSPrecision, mark)
		}
	}
	fmt.Fprintln(w)
	row := func(r *evalResult) {
		fmt.Fprintf(w, "%-10s %9.4f %9.4f %9.4f %9.4f %9.4f %6.2f %8.1f %8.1f %8.1f %10d\n", r.Algorithm, r.Accuracy, r.InScopeAccuracy, r.OOSRecall, r.OOSPrecision, r.MacroF1, r.Threshold, r.TrainSeconds, r.ClassifyP50us, r.ClassifyP99us, r.ModelBytes)
	}
	fmt.Fprintf(w, "%-10s %9s %9s %9s %9s %9s %6s %8s %8s %8s %10s\n", "model", "accuracy", "in-scope", "oos-rec", "oos-prec", "macro-f1", "thr", "train-s", "p50-us", "p99-us", "bytes")
	row(r)
	for _, o := range r.Compare {
		row(o)
	}
	if r.Baseline != nil {
		row(r.Baseline)
	}
}

func writeReport(dir string, r *evalResult) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("nlu eval: report: %w", err)
	}
	var b strings.Builder
	if err := reportTmpl.Execute(&b, reportData{R: r, Heat: heatMap(r.metrics), Curve: curve(r.ValSweep, r.Threshold)}); err != nil {
		return fmt.Errorf("nlu eval: report: %w", err)
	}
	path := filepath.Join(dir, "index.html")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("nlu eval: report: %w", err)
	}
	return nil
}

type reportData struct {
	R     *evalResult
	Heat  template.HTML
	Curve template.HTML
}

// heatMap draws the confusion matrix as SVG, one cell per non-zero count,
// the colour scaled by the row's share.
func heatMap(m train.Metrics) template.HTML {
	n := len(m.Labels)
	cell := 4.0
	if n < 40 {
		cell = 12
	}
	size := float64(n) * cell
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f"><rect width="100%%" height="100%%" fill="#fff" stroke="#ccc"/>`, size, size, size, size)
	for i, row := range m.Matrix {
		total := 0
		for _, c := range row {
			total += c
		}
		for j, c := range row {
			if c == 0 {
				continue
			}
			share := float64(c) / float64(total)
			color := "hsl(210,80%%,%.0f%%)"
			if i != j {
				color = "hsl(0,80%%,%.0f%%)"
			}
			fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="`+color+`"><title>%s → %s: %d</title></rect>`,
				float64(j)*cell, float64(i)*cell, cell, cell, 95-60*share, template.HTMLEscapeString(m.Labels[i]), template.HTMLEscapeString(m.Labels[j]), c)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from escaped parts
}

// curve plots in-scope accuracy and out-of-scope recall against the
// threshold.
func curve(pts []train.SweepPoint, chosen float64) template.HTML {
	const w, h, pad = 600.0, 320.0, 40.0
	x := func(t float64) float64 { return pad + t*(w-2*pad) }
	y := func(v float64) float64 { return h - pad - v*(h-2*pad) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f"><rect width="100%%" height="100%%" fill="#fff"/>`, w, h)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#000"/><line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#000"/>`, pad, y(0), x(1), y(0), pad, y(0), pad, y(1))
	for _, v := range []float64{0, 0.25, 0.5, 0.75, 1} {
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="10" text-anchor="end">%.2f</text><text x="%.0f" y="%.0f" font-size="10" text-anchor="middle">%.2f</text>`, pad-4, y(v)+3, v, x(v), y(0)+14, v)
	}
	series := []struct {
		color string
		name  string
		get   func(train.SweepPoint) float64
	}{
		{"#1f77b4", "in-scope accuracy", func(p train.SweepPoint) float64 { return p.InScopeAccuracy }},
		{"#d62728", "out-of-scope recall", func(p train.SweepPoint) float64 { return p.OOSRecall }},
		{"#2ca02c", "accuracy (objective)", func(p train.SweepPoint) float64 { return p.Accuracy }},
	}
	for k, s := range series {
		var pts2 []string
		for _, p := range pts {
			pts2 = append(pts2, fmt.Sprintf("%.1f,%.1f", x(p.Threshold), y(s.get(p))))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, s.color, strings.Join(pts2, " "))
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="11" fill="%s">%s</text>`, x(0.6), y(0.3)-float64(k)*14, s.color, s.name)
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#888" stroke-dasharray="4"/><text x="%.1f" y="%.0f" font-size="10">chosen %.2f</text>`, x(chosen), y(0), x(chosen), y(1), x(chosen)+3, y(1)+10, chosen)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // numbers and fixed strings only
}

var reportTmpl = template.Must(template.New("report").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Parley NLU evaluation</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}</style>
</head><body>
<h1>Intent classifier evaluation</h1>
<p>Model <b>{{.R.Algorithm}}</b>, {{.R.TrainRows}} training rows, trained in {{printf "%.1f" .R.TrainSeconds}} s, {{.R.ModelBytes}} bytes. Threshold {{printf "%.2f" .R.Threshold}} chosen on {{.R.ThresholdSource}}. Objective: {{.R.ThresholdObjective}}.</p>
<table><tr><th>model</th><th>accuracy</th><th>in-scope accuracy</th><th>oos recall</th><th>oos precision</th><th>macro F1</th><th>p50 µs</th><th>p99 µs</th></tr>
<tr><td>{{.R.Algorithm}}</td><td>{{printf "%.4f" .R.Accuracy}}</td><td>{{printf "%.4f" .R.InScopeAccuracy}}</td><td>{{printf "%.4f" .R.OOSRecall}}</td><td>{{printf "%.4f" .R.OOSPrecision}}</td><td>{{printf "%.4f" .R.MacroF1}}</td><td>{{printf "%.1f" .R.ClassifyP50us}}</td><td>{{printf "%.1f" .R.ClassifyP99us}}</td></tr>
{{range .R.Compare}}<tr><td>{{.Algorithm}}</td><td>{{printf "%.4f" .Accuracy}}</td><td>{{printf "%.4f" .InScopeAccuracy}}</td><td>{{printf "%.4f" .OOSRecall}}</td><td>{{printf "%.4f" .OOSPrecision}}</td><td>{{printf "%.4f" .MacroF1}}</td><td>{{printf "%.1f" .ClassifyP50us}}</td><td>{{printf "%.1f" .ClassifyP99us}}</td></tr>{{end}}
{{with .R.Baseline}}<tr><td>{{.Algorithm}} (baseline)</td><td>{{printf "%.4f" .Accuracy}}</td><td>{{printf "%.4f" .InScopeAccuracy}}</td><td>{{printf "%.4f" .OOSRecall}}</td><td>{{printf "%.4f" .OOSPrecision}}</td><td>{{printf "%.4f" .MacroF1}}</td><td>{{printf "%.1f" .ClassifyP50us}}</td><td>{{printf "%.1f" .ClassifyP99us}}</td></tr>{{end}}
</table>
<h2>Threshold trade-off (on {{.R.ThresholdSource}})</h2>
{{.Curve}}
<h2>Confusion heat map (test; rows true, columns predicted; out-of-scope last)</h2>
<p>Blue: correct; red: confused; darker is a larger share of the row. Hover a cell for its labels.</p>
{{.Heat}}
<h2>Most confused pairs</h2>
<table><tr><th>true</th><th>predicted</th><th>count</th></tr>
{{range $i, $c := .R.Confusions}}{{if lt $i 30}}<tr><td>{{$c.Want}}</td><td>{{$c.Got}}</td><td>{{$c.Count}}</td></tr>{{end}}{{end}}
</table>
<h2>Per intent</h2>
<table><tr><th>intent</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>
{{range .R.PerIntent}}<tr><td>{{.Intent}}</td><td>{{printf "%.3f" .Precision}}</td><td>{{printf "%.3f" .Recall}}</td><td>{{printf "%.3f" .F1}}</td><td>{{.Support}}</td></tr>
{{end}}</table>
</body></html>
`))
