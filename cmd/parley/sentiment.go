package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/internal/evalstat"
	"github.com/parleyhq/parley/sentiment"
)

// runSentiment implements "parley sentiment eval|train|emotions|score".
func runSentiment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func() {
		fmt.Fprint(stderr, `usage: parley sentiment <command> [flags]

commands:
  eval      quality, calibration and speed on a CSV (header text,label[,score]);
            labels positive/neutral/negative, or complaint/not_complaint
  train     retrain the model on GoEmotions and write the model file
  emotions  per-emotion P/R/F1 on a GoEmotions TSV
  score     score the texts given as arguments
`)
	}
	if len(args) == 0 {
		usage()
		return flag.ErrHelp
	}
	switch args[0] {
	case "eval":
		return sentimentEval(ctx, args[1:], stdout, stderr)
	case "train":
		return sentimentTrain(ctx, args[1:], stdout, stderr)
	case "emotions":
		return sentimentEmotions(ctx, args[1:], stdout, stderr)
	case "score":
		return sentimentScore(args[1:], stdout, stderr)
	case "vectors":
		return sentimentVectors(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		usage()
		return nil
	}
	usage()
	return fmt.Errorf("sentiment: unknown command %q", args[0])
}

// scorer is what the eval commands measure: the trained model or the
// lexicon analyzer in one of its modes.
type scorer struct {
	name     string
	polarity func(string) sentiment.Result
}

// newScorer returns the analyzer named by name: "model" (the shipped
// model, or the file modelPath), "parley" or "vader" (the lexicon
// analyzer's modes).
func newScorer(name, modelPath string, band float64) (scorer, error) {
	switch name {
	case "model":
		m, err := loadModel(modelPath)
		if err != nil {
			return scorer{}, err
		}
		return scorer{name: "model", polarity: m.Polarity}, nil
	case "parley", "vader":
		mode, err := parseMode(name)
		if err != nil {
			return scorer{}, err
		}
		l, err := sentiment.NewLexical(sentiment.WithMode(mode), sentiment.WithNeutralBand(band))
		if err != nil {
			return scorer{}, err
		}
		return scorer{name: name, polarity: l.Polarity}, nil
	}
	return scorer{}, fmt.Errorf("sentiment: unknown analyzer %q (want model, parley or vader)", name)
}

func loadModel(path string) (*sentiment.Model, error) {
	if path == "" {
		return sentiment.NewModel()
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sentiment: %w", err)
	}
	defer f.Close()
	m, err := sentiment.ReadModel(f)
	if err != nil {
		return nil, fmt.Errorf("sentiment: %s: %w", path, err)
	}
	return m, nil
}

func parseMode(s string) (sentiment.Mode, error) {
	switch s {
	case "parley":
		return sentiment.ModeParley, nil
	case "vader":
		return sentiment.ModeVADER, nil
	}
	return 0, fmt.Errorf("sentiment: unknown mode %q (want parley or vader)", s)
}

// Complaint task labels.
const (
	labelComplaint    = "complaint"
	labelNotComplaint = "not_complaint"
)

// polarityRow is one labelled sentence.
type polarityRow struct {
	text     string
	label    string
	score    float64
	hasScore bool
}

// readPolarityCSV reads a CSV with the header text,label and an optional
// score column. Labels are positive/neutral/negative (the polarity task)
// or complaint/not_complaint (the complaint task), not both; complaint
// reports which.
func readPolarityCSV(r io.Reader) (rows []polarityRow, hasScore, complaint bool, err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, false, false, fmt.Errorf("read header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	ti, ok1 := col["text"]
	li, ok2 := col["label"]
	if !ok1 || !ok2 {
		return nil, false, false, fmt.Errorf("header %q: want text,label[,score]", strings.Join(head, ","))
	}
	si, hasScore := col["score"]
	polar := false
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, false, false, err
		}
		if ti >= len(rec) || li >= len(rec) || (hasScore && si >= len(rec)) {
			return nil, false, false, fmt.Errorf("line %d: %d fields, want %d", line, len(rec), len(head))
		}
		row := polarityRow{text: rec[ti], label: strings.ToLower(strings.TrimSpace(rec[li]))}
		switch row.label {
		case string(sentiment.Positive), string(sentiment.Neutral), string(sentiment.Negative):
			polar = true
		case labelComplaint, labelNotComplaint:
			complaint = true
		default:
			return nil, false, false, fmt.Errorf("line %d: label %q: want positive, neutral or negative, or complaint or not_complaint", line, rec[li])
		}
		if polar && complaint {
			return nil, false, false, fmt.Errorf("line %d: polarity and complaint labels in one file", line)
		}
		if hasScore {
			s, err := strconv.ParseFloat(strings.TrimSpace(rec[si]), 64)
			if err != nil || s < -1 || s > 1 {
				return nil, false, false, fmt.Errorf("line %d: score %q: want a number in [-1, 1]", line, rec[si])
			}
			row.score, row.hasScore = s, true
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, false, false, errors.New("no rows")
	}
	return rows, hasScore, complaint, nil
}

// classScores holds precision, recall and F1 of one class.
type classScores struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`
}

func prf(tp, fp, fn int) classScores {
	c := classScores{Support: tp + fn}
	if tp+fp > 0 {
		c.Precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		c.Recall = float64(tp) / float64(tp+fn)
	}
	if c.Precision+c.Recall > 0 {
		c.F1 = 2 * c.Precision * c.Recall / (c.Precision + c.Recall)
	}
	return c
}

// polarityReport is the result of one analyzer on one file.
type polarityReport struct {
	Mode     string   `json:"mode"`
	N        int      `json:"n"`
	Accuracy float64  `json:"accuracy"`
	MacroF1  float64  `json:"macro_f1"`
	Pearson  *float64 `json:"pearson,omitempty"`
	// ECE is the expected calibration error (10 equal-width bins) of the
	// confidence in the predicted label: Result.Confidence for polarity,
	// the complaint strength (or 1 minus it) for complaints.
	ECE                float64                `json:"ece"`
	SentencesPerSecond float64                `json:"sentences_per_second"`
	Classes            map[string]classScores `json:"classes"`
}

// sentimentReport is the output of "sentiment eval".
type sentimentReport struct {
	Data string `json:"data"`
	Task string `json:"task"`
	polarityReport
	// Baselines are the peers measured in the same run.
	Baselines []polarityReport `json:"baselines,omitempty"`
}

func evalPolarity(ctx context.Context, an scorer, rows []polarityRow, hasScore, complaint bool, minDur time.Duration) (polarityReport, error) {
	rep := polarityReport{Mode: an.name, N: len(rows), Classes: map[string]classScores{}}
	pred := make([]sentiment.Result, len(rows))
	// Speed: score the whole file on this goroutine (one core) until at
	// least minDur has passed.
	passes, start := 0, time.Now()
	for {
		for i := range rows {
			pred[i] = an.polarity(rows[i].text)
		}
		passes++
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if time.Since(start) >= minDur {
			break
		}
	}
	rep.SentencesPerSecond = float64(passes*len(rows)) / time.Since(start).Seconds()
	labels := make([]string, len(rows))
	conf := make([]float64, len(rows))
	classes := []string{string(sentiment.Positive), string(sentiment.Neutral), string(sentiment.Negative)}
	for i, r := range pred {
		labels[i], conf[i] = string(r.Label), r.Confidence
		if complaint {
			c := complaintStrength(an.name, r)
			labels[i], conf[i] = labelNotComplaint, 1-c
			if c >= 0.5 {
				labels[i], conf[i] = labelComplaint, c
			}
		}
	}
	if complaint {
		classes = []string{labelComplaint, labelNotComplaint}
	}
	correct := 0
	macro := 0.0
	for _, c := range classes {
		tp, fp, fn := 0, 0, 0
		for i := range rows {
			count(rows[i].label == c, labels[i] == c, &tp, &fp, &fn)
		}
		s := prf(tp, fp, fn)
		rep.Classes[c] = s
		macro += s.F1
		correct += tp
	}
	rep.MacroF1 = macro / float64(len(classes))
	rep.Accuracy = float64(correct) / float64(len(rows))
	rep.ECE = ece(rows, labels, conf)
	if hasScore {
		x, y := make([]float64, len(rows)), make([]float64, len(rows))
		for i := range rows {
			x[i], y[i] = rows[i].score, pred[i].Compound
		}
		r := evalstat.Pearson(x, y)
		rep.Pearson = &r
	}
	return rep, nil
}

// complaintStrength is the complaint score of r: the model's Complaint,
// and for the lexicon analyzers (which have no complaint detector) a
// VADER-style threshold: negative polarity.
func complaintStrength(analyzer string, r sentiment.Result) float64 {
	if analyzer == "model" {
		return r.Complaint
	}
	return 1 - r.Score
}

// ece is the expected calibration error over 10 equal-width bins of
// confidence.
func ece(rows []polarityRow, labels []string, conf []float64) float64 {
	var n, hit [10]int
	var sum [10]float64
	for i := range rows {
		b := min(int(conf[i]*10), 9)
		b = max(b, 0)
		n[b]++
		sum[b] += conf[i]
		if labels[i] == rows[i].label {
			hit[b]++
		}
	}
	e := 0.0
	for b := range n {
		if n[b] > 0 {
			e += math.Abs(float64(hit[b])-sum[b]) / float64(len(rows))
		}
	}
	return e
}

func sentimentEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sentiment eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "CSV file with the header text,label[,score] (required)")
	asJSON := fs.Bool("json", false, "print a JSON report")
	name := fs.String("analyzer", "model", "analyzer: model (trained), parley or vader (lexicon rules)")
	modelPath := fs.String("model", "", "model file to evaluate instead of the shipped one")
	band := fs.Float64("band", 0.05, "half-width of the neutral band of the lexicon analyzers' compound score")
	baseline := fs.Bool("baseline", true, "also measure the lexicon analyzer (parley) and exact VADER in the same run, as peers")
	minDur := fs.Duration("mintime", time.Second, "score the file repeatedly for at least this long to measure speed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		fs.Usage()
		return errors.New("sentiment eval: -data is required")
	}
	an, err := newScorer(*name, *modelPath, *band)
	if err != nil {
		return err
	}
	f, err := os.Open(*data)
	if err != nil {
		return fmt.Errorf("sentiment eval: %w", err)
	}
	rows, hasScore, complaint, err := readPolarityCSV(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("sentiment eval: %s: %w", *data, err)
	}
	rep := sentimentReport{Data: *data, Task: "polarity"}
	if complaint {
		rep.Task = "complaint"
	}
	if rep.polarityReport, err = evalPolarity(ctx, an, rows, hasScore, complaint, *minDur); err != nil {
		return err
	}
	if *baseline {
		for _, peer := range []string{"parley", "vader"} {
			if peer == *name {
				continue
			}
			p, err := newScorer(peer, "", *band)
			if err != nil {
				return err
			}
			b, err := evalPolarity(ctx, p, rows, hasScore, complaint, *minDur)
			if err != nil {
				return err
			}
			rep.Baselines = append(rep.Baselines, b)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "data: %s (n=%d, task %s)\n", rep.Data, rep.N, rep.Task)
	printPolarity(stdout, rep.polarityReport)
	for _, b := range rep.Baselines {
		printPolarity(stdout, b)
	}
	return nil
}

func printPolarity(w io.Writer, r polarityReport) {
	fmt.Fprintf(w, "%-7s accuracy %.4f  macro-F1 %.4f  ECE %.4f", r.Mode, r.Accuracy, r.MacroF1, r.ECE)
	if r.Pearson != nil {
		fmt.Fprintf(w, "  pearson %.4f", *r.Pearson)
	}
	fmt.Fprintf(w, "  %.0f sentences/s\n", r.SentencesPerSecond)
	names := make([]string, 0, len(r.Classes))
	for c := range r.Classes {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, c := range names {
		s := r.Classes[c]
		fmt.Fprintf(w, "  %-13s P %.3f R %.3f F1 %.3f (n=%d)\n", c, s.Precision, s.Recall, s.F1, s.Support)
	}
}

func sentimentTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sentiment train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "../shared/data/sentiment/goemotions", "directory with GoEmotions train.tsv and dev.tsv")
	out := fs.String("out", "sentiment/model/sentiment.model", "model file to write")
	var c sentiment.TrainConfig
	fs.IntVar(&c.Epochs, "epochs", 0, "epochs (0: the default)")
	fs.IntVar(&c.Bits, "bits", 0, "log2 of the hashed feature rows (0: the default)")
	fs.Float64Var(&c.LearningRate, "lr", 0, "AdaGrad learning rate (0: the default)")
	fs.Uint64Var(&c.Seed, "seed", 0, "example order seed (0: the default)")
	fs.BoolVar(&c.NoMultiTask, "no-multitask", false, "skip the multi-task stage (a low-rank model of the 28 GoEmotions labels folded into frustration and confusion; about half the training time)")
	fs.IntVar(&c.MultiTaskEpochs, "multitask-epochs", 0, "epochs of the multi-task stage (0: the default)")
	vectors := fs.String("vectors", "", "word vectors file written by \"parley sentiment vectors\" (empty: the one built in, sentiment/model/vectors.bin; a model trained with another loads only in a Parley built with it there); \"none\": no vectors")
	supportWeight := fs.Int("support", 4, "times the built-in support messages (sentiment.SupportExamples) are added to the training data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	read := func(name string) ([]sentiment.Example, error) {
		f, err := os.Open(filepath.Join(*data, name))
		if err != nil {
			return nil, fmt.Errorf("sentiment train: %w", err)
		}
		defer f.Close()
		return sentiment.ReadGoEmotions(f)
	}
	train, err := read("train.tsv")
	if err != nil {
		return err
	}
	if *vectors == "none" {
		c.NoVectors = true
	} else if *vectors != "" {
		if c.Vectors, err = os.ReadFile(*vectors); err != nil {
			return fmt.Errorf("sentiment train: %w", err)
		}
	}
	// Parley's support messages, weighted: a few hundred short messages
	// against 43,000 Reddit comments.
	for range *supportWeight {
		train = append(train, sentiment.SupportExamples()...)
	}
	dev, err := read("dev.tsv")
	if err != nil {
		return err
	}
	start := time.Now()
	m, err := sentiment.Train(ctx, train, dev, c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("sentiment train: %w", err)
	}
	info := m.Info()
	keys := make([]string, 0, len(info.Dev))
	for k := range info.Dev {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(stdout, "trained on %d examples in %s; wrote %s (%d bytes, format version %d)\ndev:", info.Examples, time.Since(start).Round(time.Millisecond), *out, buf.Len(), info.Version)
	for _, k := range keys {
		fmt.Fprintf(stdout, " %s %.4f", k, info.Dev[k])
	}
	fmt.Fprintln(stdout)
	return nil
}

// emotionReport is the output of "sentiment emotions".
type emotionReport struct {
	Data      string  `json:"data"`
	N         int     `json:"n"`
	Threshold float64 `json:"threshold"`
	// Emotions holds, per analyzer and emotion, P/R/F1 against the
	// GoEmotions labels of that emotion (see sentiment.Train).
	Emotions map[string]map[string]classScores `json:"emotions"`
	// Prior is the share of rows with each emotion: the precision of a
	// detector that always fires.
	Prior map[string]float64 `json:"prior"`
}

// emotionGold maps the emotions to their GoEmotions labels, as
// sentiment.Train does.
var emotionGold = []struct {
	name   string
	labels []string
	get    func(sentiment.Result) float64
}{
	{"frustration", []string{"anger", "annoyance", "disapproval"}, func(r sentiment.Result) float64 { return r.Emotions.Frustration }},
	{"anger", []string{"anger", "disgust"}, func(r sentiment.Result) float64 { return r.Emotions.Anger }},
	{"confusion", []string{"confusion"}, func(r sentiment.Result) float64 { return r.Emotions.Confusion }},
	{"disappointment", []string{"disappointment"}, func(r sentiment.Result) float64 { return r.Emotions.Disappointment }},
	{"gratitude", []string{"gratitude"}, func(r sentiment.Result) float64 { return r.Emotions.Gratitude }},
	{"delight", []string{"joy", "excitement", "admiration", "love", "gratitude", "relief"}, func(r sentiment.Result) float64 { return r.Emotions.Delight }},
}

func sentimentEmotions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sentiment emotions", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "GoEmotions TSV: text<TAB>label ids[<TAB>id] (required)")
	asJSON := fs.Bool("json", false, "print a JSON report")
	modelPath := fs.String("model", "", "model file to evaluate instead of the shipped one")
	threshold := fs.Float64("threshold", 0.5, "strength at or above which an emotion counts as detected")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		fs.Usage()
		return errors.New("sentiment emotions: -data is required")
	}
	f, err := os.Open(*data)
	if err != nil {
		return fmt.Errorf("sentiment emotions: %w", err)
	}
	exs, err := sentiment.ReadGoEmotions(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("sentiment emotions: %s: %w", *data, err)
	}
	if len(exs) == 0 {
		return fmt.Errorf("sentiment emotions: %s: no rows", *data)
	}
	rep := emotionReport{Data: *data, N: len(exs), Threshold: *threshold, Emotions: map[string]map[string]classScores{}, Prior: map[string]float64{}}
	for _, name := range []string{"model", "parley"} {
		an, err := newScorer(name, *modelPath, 0.05)
		if err != nil {
			return err
		}
		tp, fp, fn, pos := make([]int, len(emotionGold)), make([]int, len(emotionGold)), make([]int, len(emotionGold)), make([]int, len(emotionGold))
		for i, ex := range exs {
			if i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			r := an.polarity(ex.Text)
			for k, e := range emotionGold {
				gold := slices.ContainsFunc(ex.Labels, func(l string) bool { return slices.Contains(e.labels, l) })
				if gold {
					pos[k]++
				}
				count(gold, e.get(r) >= *threshold, &tp[k], &fp[k], &fn[k])
			}
		}
		rep.Emotions[name] = map[string]classScores{}
		for k, e := range emotionGold {
			if name == "parley" && e.name != "frustration" && e.name != "confusion" && e.name != "delight" {
				continue // the lexicon analyzer does not score it
			}
			rep.Emotions[name][e.name] = prf(tp[k], fp[k], fn[k])
			rep.Prior[e.name] = float64(pos[k]) / float64(len(exs))
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "data: %s (n=%d, threshold %.2f)\n", rep.Data, rep.N, rep.Threshold)
	for _, name := range []string{"model", "parley"} {
		for _, e := range emotionGold {
			s, ok := rep.Emotions[name][e.name]
			if !ok {
				continue
			}
			fmt.Fprintf(stdout, "%-6s %-14s P %.3f R %.3f F1 %.3f (gold n=%d, always-fire P %.3f)\n", name, e.name, s.Precision, s.Recall, s.F1, s.Support, rep.Prior[e.name])
		}
	}
	return nil
}

func count(gold, pred bool, tp, fp, fn *int) {
	switch {
	case gold && pred:
		*tp++
	case pred:
		*fp++
	case gold:
		*fn++
	}
}

func sentimentScore(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sentiment score", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("analyzer", "model", "analyzer: model (trained), parley or vader (lexicon rules)")
	modelPath := fs.String("model", "", "model file to use instead of the shipped one")
	if err := fs.Parse(args); err != nil {
		return err
	}
	an, err := newScorer(*name, *modelPath, 0.05)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	for _, text := range fs.Args() {
		r := an.polarity(text)
		if err := enc.Encode(struct {
			Text string `json:"text"`
			sentiment.Result
		}{text, r}); err != nil {
			return err
		}
	}
	return nil
}
