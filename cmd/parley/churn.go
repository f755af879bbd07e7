package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parleyhq/parley/health"
)

// runChurn is "parley churn train|eval|score": the health package's
// logistic regression on a CSV of customers, one row each, with a label
// column (churned or not).
func runChurn(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := "usage: parley churn train -data train.csv [flags]\n" +
		"       parley churn eval -train train.csv -test test.csv [flags]\n" +
		"       parley churn score -train train.csv [flags] customers.csv\n\n" +
		"train: 5-fold cross-validation on the training file (choosing the regularisation), and the\n" +
		"       factors that matter most.\n" +
		"eval:  train on -train, measure on -test: ROC AUC, PR AUC, precision, recall and F1 at\n" +
		"       -threshold, Brier score, a calibration table, the factors.\n" +
		"score: train on -train, then write each customer of customers.csv as CSV: ID, churn\n" +
		"       probability, the top reasons in words.\n\n" +
		"Columns: -label (yes/no, true/false, 1/0; rows without one are skipped), -id (kept out of\n" +
		"the features), every other column a feature: numeric when every value is a number (blank\n" +
		"is missing: the training mean), else categorical (levels seen in training; an unseen\n" +
		"level counts as none)."
	return dispatch(ctx, "churn", usage, []subcommand{
		churnCommand(usage, "train", []string{"data"}, 0, "give the training file with -data, and nothing else",
			func(ctx context.Context, files []string, f *churnFlagSet, cols columnsSpec, stdout, stderr io.Writer) error {
				return churnTrain(ctx, files[0], cols, stdout, stderr)
			}),
		churnCommand(usage, "eval", []string{"train", "test"}, 0, "give -train and -test files, and nothing else",
			func(ctx context.Context, files []string, f *churnFlagSet, cols columnsSpec, stdout, stderr io.Writer) error {
				return churnEval(ctx, files[0], files[1], cols, *f.threshold, stdout, stderr)
			}),
		churnCommand(usage, "score", []string{"train"}, 1, "give -train and one file of customers to score",
			func(ctx context.Context, files []string, f *churnFlagSet, cols columnsSpec, stdout, stderr io.Writer) error {
				return churnScore(ctx, files[0], files[1], cols, *f.top, stdout, stderr)
			}),
	}, args, stdout, stderr)
}

// churnFileFlags describes the file flags of the churn commands.
var churnFileFlags = map[string]string{
	"data":  "the training `file` (CSV, header line first)",
	"train": "the training `file`",
	"test":  "the test `file`",
}

// churnCommand is the churn command name: it takes the shared flags and
// the file flags named by flags, all required, and nargs arguments (more
// files), and hands the files (flags first) to run, whose errors it
// prefixes with the command. want is the usage error when they are not
// given.
func churnCommand(usage, name string, flags []string, nargs int, want string,
	run func(ctx context.Context, files []string, f *churnFlagSet, cols columnsSpec, stdout, stderr io.Writer) error) subcommand {
	return subcommand{name, func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		f := newChurnFlagSet("churn "+name, usage, stderr)
		vals := make([]*string, len(flags))
		for i, fl := range flags {
			vals[i] = f.fs.String(fl, "", churnFileFlags[fl])
		}
		cols, err := f.parse(args)
		if err != nil {
			return err
		}
		var files []string
		for _, v := range vals {
			files = append(files, *v)
		}
		if slices.Contains(files, "") || f.fs.NArg() != nargs {
			return usageError(f.fs, "churn "+name+": "+want)
		}
		if err := run(ctx, append(files, f.fs.Args()...), f, cols, stdout, stderr); err != nil {
			return fmt.Errorf("churn %s: %w", name, err)
		}
		return nil
	}}
}

// churnFlagSet are the flags every churn command takes.
type churnFlagSet struct {
	fs                *flag.FlagSet
	label, id, ignore *string
	threshold         *float64
	top               *int
}

func newChurnFlagSet(name, usage string, stderr io.Writer) *churnFlagSet {
	fs := newFlags(name, usage, stderr)
	return &churnFlagSet{
		fs:        fs,
		label:     fs.String("label", "Churn", "the label `column`"),
		id:        fs.String("id", "customerID", "the customer ID `column` (kept out of the features; if absent, rows are numbered)"),
		ignore:    fs.String("ignore", "", "comma-separated `columns` to leave out of the features"),
		threshold: fs.Float64("threshold", 0.5, "the probability above which a customer counts as a churner (eval)"),
		top:       fs.Int("top", 3, "reasons per customer (score)"),
	}
}

// parse parses args and checks the shared flags, returning the columns
// they name.
func (f *churnFlagSet) parse(args []string) (columnsSpec, error) {
	if err := f.fs.Parse(args); err != nil {
		return columnsSpec{}, err
	}
	if !(*f.threshold > 0 && *f.threshold < 1) {
		return columnsSpec{}, fmt.Errorf("%s: -threshold %v: want a probability between 0 and 1 (exclusive)", f.fs.Name(), *f.threshold)
	}
	if *f.top < 1 {
		return columnsSpec{}, fmt.Errorf("%s: -top %d: want at least 1", f.fs.Name(), *f.top)
	}
	return columnsSpec{label: *f.label, id: *f.id, ignore: splitList(*f.ignore)}, nil
}

// columnsSpec names the label and ID columns and those to leave out.
type columnsSpec struct {
	label, id string
	ignore    []string
}

// table is a CSV file: its header and rows.
type table struct {
	file   string
	header []string
	rows   [][]string
}

func readTable(file string) (*table, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.TrimLeadingSpace = true
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: empty file (want a header line, then one customer a line)", file)
	}
	if len(recs) == 1 {
		return nil, fmt.Errorf("%s: a header but no customers", file)
	}
	header := recs[0]
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	return &table{file: file, header: header, rows: recs[1:]}, nil
}

func (t *table) col(name string) int { return slices.Index(t.header, name) }

// labels reads the label column: the rows with a label, and the labels.
func (t *table) labels(col string) ([]int, []bool, error) {
	c := t.col(col)
	if c < 0 {
		return nil, nil, fmt.Errorf("%s: no label column %q (columns: %s; choose one with -label)", t.file, col, strings.Join(t.header, ", "))
	}
	var keep []int
	var ys []bool
	for i, r := range t.rows {
		v := strings.ToLower(strings.TrimSpace(r[c]))
		switch v {
		case "":
			continue
		case "yes", "true", "1", "churned":
			ys = append(ys, true)
		case "no", "false", "0", "stayed":
			ys = append(ys, false)
		default:
			return nil, nil, fmt.Errorf("%s: line %d: label %q is not yes/no, true/false or 1/0", t.file, i+2, r[c])
		}
		keep = append(keep, i)
	}
	if len(keep) == 0 {
		return nil, nil, fmt.Errorf("%s: no row has a label in column %q", t.file, col)
	}
	churners := 0
	for _, y := range ys {
		if y {
			churners++
		}
	}
	if churners == 0 || churners == len(ys) {
		return nil, nil, fmt.Errorf("%s: all %d labelled customers are in one class: need churners and stayers", t.file, len(ys))
	}
	return keep, ys, nil
}

// A feature column of the encoder.
type column struct {
	name    string
	numeric bool
	mean    float64  // numeric: the training mean, for missing values
	log     bool     // numeric: also log1p of it (non-negative, not a flag)
	levels  []string // categorical: the levels seen in training
}

// encoder turns a table's rows into features, as learned on the training
// table.
type encoder struct {
	cols []column
	// owner[j] is the column of feature j.
	owner []int
}

// maxLevels is the most levels a categorical column may have (with more
// than a tenth of the rows): more is an ID or free text, left out.
const maxLevels = 50

// fitEncoder learns the feature columns of t, with notes on what it left
// out.
func fitEncoder(t *table, spec columnsSpec) (*encoder, []string, error) {
	for _, name := range spec.ignore {
		if t.col(name) < 0 {
			return nil, nil, fmt.Errorf("%s: -ignore: no column %q", t.file, name)
		}
	}
	e := &encoder{}
	var notes []string
	for c, name := range t.header {
		if name == spec.label || name == spec.id || slices.Contains(spec.ignore, name) {
			continue
		}
		col := column{name: name, numeric: true}
		var sum float64
		var n int
		minV, distinct := math.Inf(1), map[string]bool{}
		for _, r := range t.rows {
			v := strings.TrimSpace(r[c])
			distinct[v] = true
			if v == "" {
				continue
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				col.numeric = false
				continue
			}
			sum += f
			n++
			minV = min(minV, f)
		}
		switch {
		case col.numeric && n == 0:
			notes = append(notes, fmt.Sprintf("column %s is empty: left out", name))
			continue
		case col.numeric:
			col.mean = sum / float64(n)
			col.log = minV >= 0 && len(distinct) > 2
			if n < len(t.rows) {
				notes = append(notes, fmt.Sprintf("column %s: %d blank values taken as the mean, %.4g", name, len(t.rows)-n, col.mean))
			}
		default:
			for _, r := range t.rows {
				if v := strings.TrimSpace(r[c]); !slices.Contains(col.levels, v) {
					col.levels = append(col.levels, v)
				}
			}
			if len(col.levels) > maxLevels && len(col.levels) > len(t.rows)/10 {
				notes = append(notes, fmt.Sprintf("column %s has %d distinct values (an ID or free text?): left out", name, len(col.levels)))
				continue
			}
			slices.Sort(col.levels)
		}
		e.cols = append(e.cols, col)
	}
	if len(e.cols) == 0 {
		return nil, notes, fmt.Errorf("%s: no feature columns besides %q and %q", t.file, spec.label, spec.id)
	}
	for i, col := range e.cols {
		k := len(col.levels)
		if col.numeric {
			k = 1
			if col.log {
				k = 2
			}
		}
		for range k {
			e.owner = append(e.owner, i)
		}
	}
	return e, notes, nil
}

// encode returns the features of t's rows (those in keep, or all when
// keep is nil). Every feature column must be in t.
func (e *encoder) encode(t *table, keep []int) ([][]float64, error) {
	idx := make([]int, len(e.cols))
	var missing []string
	for i, col := range e.cols {
		idx[i] = t.col(col.name)
		if idx[i] < 0 {
			missing = append(missing, col.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: missing the model's columns %s", t.file, strings.Join(missing, ", "))
	}
	if keep == nil {
		keep = make([]int, len(t.rows))
		for i := range keep {
			keep[i] = i
		}
	}
	out := make([][]float64, 0, len(keep))
	for _, ri := range keep {
		r := t.rows[ri]
		x := make([]float64, 0, len(e.owner))
		for i, col := range e.cols {
			v := strings.TrimSpace(r[idx[i]])
			if col.numeric {
				f, err := strconv.ParseFloat(v, 64)
				if v == "" {
					f = col.mean
				} else if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
					return nil, fmt.Errorf("%s: line %d: column %s: %q is not a number", t.file, ri+2, col.name, v)
				}
				x = append(x, f)
				if col.log {
					x = append(x, math.Log1p(max(f, 0)))
				}
				continue
			}
			for _, level := range col.levels {
				x = append(x, b2f(v == level))
			}
		}
		out = append(out, x)
	}
	return out, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// fitted is a trained model with its encoder and how it was chosen.
type fitted struct {
	enc       *encoder
	model     *health.Model
	lambda    float64
	cvAUC     float64
	rows      [][]float64
	labels    []bool
	trainTook time.Duration
}

// lambdas are the L2 penalties cross-validation chooses from.
var lambdas = []float64{0.1, 1, 10, 100}

// fit reads, encodes and trains on file, choosing lambda by 5-fold
// cross-validation on it.
func fit(ctx context.Context, file string, spec columnsSpec, stderr io.Writer) (*fitted, error) {
	t, err := readTable(file)
	if err != nil {
		return nil, err
	}
	keep, ys, err := t.labels(spec.label)
	if err != nil {
		return nil, err
	}
	if skipped := len(t.rows) - len(keep); skipped > 0 {
		fmt.Fprintf(stderr, "%s: %d row(s) without a label skipped\n", file, skipped)
	}
	if len(keep) < 10 {
		return nil, fmt.Errorf("%s: %d labelled customers: need at least 10 to train and cross-validate", file, len(keep))
	}
	enc, notes, err := fitEncoder(t, spec)
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		fmt.Fprintf(stderr, "%s: %s\n", file, n)
	}
	rows, err := enc.encode(t, keep)
	if err != nil {
		return nil, err
	}
	f := &fitted{enc: enc, rows: rows, labels: ys}
	for _, lambda := range lambdas {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		scores, err := health.CrossValidate(rows, ys, lambda, 5)
		if err != nil {
			return nil, err
		}
		if auc, ok := health.AUC(scores, ys); ok && auc > f.cvAUC {
			f.lambda, f.cvAUC = lambda, auc
		}
	}
	start := time.Now()
	f.model, err = health.Train(rows, ys, f.lambda)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	f.trainTook = time.Since(start)
	fmt.Fprintf(stderr, "trained on %d customers, %d features in %v\n", len(rows), len(rows[0]), f.trainTook.Round(time.Millisecond))
	return f, nil
}

func churnTrain(ctx context.Context, file string, spec columnsSpec, stdout, stderr io.Writer) error {
	f, err := fit(ctx, file, spec, stderr)
	if err != nil {
		return err
	}
	scores, err := health.CrossValidate(f.rows, f.labels, f.lambda, 5)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Churn model: logistic regression, L2 penalty %g (best of %v by 5-fold cross-validation)\n", f.lambda, lambdas)
	fmt.Fprintf(stdout, "Training: %d customers, %d churned (%.1f%%), %d columns -> %d features\n\n",
		len(f.rows), churners(f.labels), 100*float64(churners(f.labels))/float64(len(f.labels)), len(f.enc.cols), len(f.rows[0]))
	fmt.Fprintln(stdout, "Cross-validated (out-of-fold) quality:")
	writeQuality(stdout, scores, f.labels, 0.5)
	fmt.Fprintln(stdout)
	writeFactors(stdout, f)
	return nil
}

func churnEval(ctx context.Context, trainFile, testFile string, spec columnsSpec, threshold float64, stdout, stderr io.Writer) error {
	// The test file first: its mistakes are found before training.
	t, err := readTable(testFile)
	if err != nil {
		return err
	}
	keep, ys, err := t.labels(spec.label)
	if err != nil {
		return err
	}
	f, err := fit(ctx, trainFile, spec, stderr)
	if err != nil {
		return err
	}
	if skipped := len(t.rows) - len(keep); skipped > 0 {
		fmt.Fprintf(stderr, "%s: %d row(s) without a label skipped\n", testFile, skipped)
	}
	rows, err := f.enc.encode(t, keep)
	if err != nil {
		return err
	}
	scores := make([]float64, len(rows))
	for i, x := range rows {
		scores[i] = f.model.Predict(x)
	}
	fmt.Fprintf(stdout, "Churn model: logistic regression, L2 penalty %g (5-fold cross-validation on the training file: ROC AUC %.4f)\n", f.lambda, f.cvAUC)
	fmt.Fprintf(stdout, "Training: %d customers, %d churned; test: %d customers, %d churned\n\n", len(f.rows), churners(f.labels), len(rows), churners(ys))
	fmt.Fprintln(stdout, "Test quality:")
	writeQuality(stdout, scores, ys, threshold)
	fmt.Fprintln(stdout)
	writeCalibration(stdout, scores, ys)
	fmt.Fprintln(stdout)
	writeFactors(stdout, f)
	return nil
}

func churnScore(ctx context.Context, trainFile, file string, spec columnsSpec, top int, stdout, stderr io.Writer) error {
	t, err := readTable(file)
	if err != nil {
		return err
	}
	f, err := fit(ctx, trainFile, spec, stderr)
	if err != nil {
		return err
	}
	rows, err := f.enc.encode(t, nil)
	if err != nil {
		return err
	}
	idCol := t.col(spec.id)
	w := csv.NewWriter(stdout)
	if err := w.Write([]string{"customer", "churn_probability", "reasons"}); err != nil {
		return err
	}
	for i, x := range rows {
		id := strconv.Itoa(i + 1)
		if idCol >= 0 {
			id = t.rows[i][idCol]
		}
		p := f.model.Predict(x)
		if err := w.Write([]string{id, strconv.FormatFloat(p, 'f', 3, 64), strings.Join(f.reasons(x, top), "; ")}); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// reasons names, in words, the columns that push x's churn risk up the
// most, at most top of them.
func (f *fitted) reasons(x []float64, top int) []string {
	contrib := f.model.Contributions(x)
	per := make([]float64, len(f.enc.cols))
	for j, c := range contrib {
		per[f.enc.owner[j]] += c
	}
	order := make([]int, len(per))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return per[order[a]] > per[order[b]] })
	var out []string
	j := 0
	starts := map[int]int{}
	for k, o := range f.enc.owner {
		if _, ok := starts[o]; !ok {
			starts[o] = k
		}
	}
	for _, c := range order {
		if len(out) == top || per[c] <= 0.05 {
			break
		}
		col := f.enc.cols[c]
		j = starts[c]
		if col.numeric {
			dir := "high"
			if x[j] < col.mean {
				dir = "low"
			}
			out = append(out, fmt.Sprintf("%s %s (%s; average %s)", dir, col.name, num(x[j]), num(col.mean)))
			continue
		}
		level := "(none seen in training)"
		for k, l := range col.levels {
			if x[j+k] == 1 {
				level = l
			}
		}
		out = append(out, fmt.Sprintf("%s is %s", col.name, level))
	}
	if len(out) == 0 {
		out = append(out, "nothing above average")
	}
	return out
}

func num(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

func churners(ys []bool) int {
	n := 0
	for _, y := range ys {
		if y {
			n++
		}
	}
	return n
}

// writeQuality writes ROC AUC, PR AUC, the confusion at threshold and
// the Brier score.
func writeQuality(w io.Writer, scores []float64, ys []bool, threshold float64) {
	auc, _ := health.AUC(scores, ys)
	var tp, fp, fn int
	var brier float64
	for i, s := range scores {
		pred := s >= threshold
		switch {
		case pred && ys[i]:
			tp++
		case pred && !ys[i]:
			fp++
		case !pred && ys[i]:
			fn++
		}
		brier += (s - b2f(ys[i])) * (s - b2f(ys[i]))
	}
	brier /= float64(len(scores))
	ratio := func(a, b int) string {
		if b == 0 {
			return "n/a (no customer above the threshold)"
		}
		return fmt.Sprintf("%.3f", float64(a)/float64(b))
	}
	fmt.Fprintf(w, "  ROC AUC    %.4f\n", auc)
	fmt.Fprintf(w, "  PR AUC     %.4f (average precision; churn rate %.4f)\n", averagePrecision(scores, ys), float64(churners(ys))/float64(len(ys)))
	fmt.Fprintf(w, "  Brier      %.4f\n", brier)
	fmt.Fprintf(w, "  at %g:    precision %s, recall %s", threshold, ratio(tp, tp+fp), ratio(tp, tp+fn))
	if tp > 0 {
		p, r := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
		fmt.Fprintf(w, ", F1 %.3f", 2*p*r/(p+r))
	}
	fmt.Fprintf(w, " (%d flagged, %d churners among them, %d missed)\n", tp+fp, tp, fn)
}

// averagePrecision is the area under the precision-recall curve, as
// scikit-learn's average_precision_score (ties broken by order).
func averagePrecision(scores []float64, ys []bool) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	pos := churners(ys)
	if pos == 0 {
		return 0
	}
	// The precision at each cut, weighted by the recall it adds; tied
	// scores form one cut.
	var ap float64
	tp := 0
	for k := 0; k < len(idx); {
		j := k
		blockPos := 0
		for j < len(idx) && scores[idx[j]] == scores[idx[k]] {
			if ys[idx[j]] {
				blockPos++
			}
			j++
		}
		tp += blockPos
		ap += float64(blockPos) / float64(pos) * float64(tp) / float64(j)
		k = j
	}
	return ap
}

// writeCalibration writes predicted against observed churn in ten bins.
func writeCalibration(w io.Writer, scores []float64, ys []bool) {
	fmt.Fprintln(w, "Calibration (predicted against observed churn):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  predicted\tcustomers\tmean predicted\tobserved\t")
	for b := range 10 {
		lo, hi := float64(b)/10, float64(b+1)/10
		var n, yes int
		var sum float64
		for i, s := range scores {
			if s >= lo && (s < hi || (b == 9 && s <= 1)) {
				n++
				sum += s
				if ys[i] {
					yes++
				}
			}
		}
		if n == 0 {
			fmt.Fprintf(tw, "  %.1f-%.1f\t0\t-\t-\t\n", lo, hi)
			continue
		}
		fmt.Fprintf(tw, "  %.1f-%.1f\t%d\t%.3f\t%.3f\t\n", lo, hi, n, sum/float64(n), float64(yes)/float64(n))
	}
	tw.Flush()
}

// writeFactors writes the columns that move the churn risk most across
// the training customers: the mean absolute push on the log-odds, with
// the direction (numeric) or the level that raises it most (categorical).
func writeFactors(w io.Writer, f *fitted) {
	k := len(f.enc.cols)
	abs := make([]float64, k)
	levelPush := make([]map[string]float64, k)
	levelN := make([]map[string]float64, k)
	high, highN := make([]float64, k), make([]float64, k)
	for _, x := range f.rows {
		contrib := f.model.Contributions(x)
		per := make([]float64, k)
		for j, c := range contrib {
			per[f.enc.owner[j]] += c
		}
		j := 0
		for c, col := range f.enc.cols {
			abs[c] += math.Abs(per[c])
			if col.numeric {
				if x[j] > col.mean {
					high[c] += per[c]
					highN[c]++
				}
				j++
				if col.log {
					j++
				}
				continue
			}
			if levelPush[c] == nil {
				levelPush[c], levelN[c] = map[string]float64{}, map[string]float64{}
			}
			for li, l := range col.levels {
				if x[j+li] == 1 {
					levelPush[c][l] += per[c]
					levelN[c][l]++
				}
			}
			j += len(col.levels)
		}
	}
	order := make([]int, k)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return abs[order[a]] > abs[order[b]] })
	fmt.Fprintln(w, "Most important factors (mean absolute push on the log-odds of churning):")
	for _, c := range order[:min(10, k)] {
		col := f.enc.cols[c]
		var what string
		if col.numeric {
			what = "higher values lower the risk"
			if highN[c] > 0 && high[c] > 0 {
				what = "higher values raise the risk"
			}
		} else {
			best, bestV := "", math.Inf(-1)
			for _, l := range col.levels {
				if n := levelN[c][l]; n > 0 && levelPush[c][l]/n > bestV {
					v := levelPush[c][l] / n
					best, bestV = l, v
				}
			}
			what = fmt.Sprintf("%q raises the risk most", best)
		}
		fmt.Fprintf(w, "  %-18s %.3f  %s\n", col.name, abs[c]/float64(len(f.rows)), what)
	}
}
