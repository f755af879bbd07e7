package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/internal/evalstat"
	"github.com/parleyhq/parley/sentiment"
)

// runSentiment implements "parley sentiment eval|emotions|score".
func runSentiment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func() {
		fmt.Fprint(stderr, `usage: parley sentiment <command> [flags]

commands:
  eval      polarity quality and speed on a CSV (header text,label[,score])
  emotions  frustration and confusion P/R/F1 on a GoEmotions TSV
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
	case "emotions":
		return sentimentEmotions(ctx, args[1:], stdout, stderr)
	case "score":
		return sentimentScore(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		usage()
		return nil
	}
	usage()
	return fmt.Errorf("sentiment: unknown command %q", args[0])
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

// polarityRow is one labelled sentence.
type polarityRow struct {
	text     string
	label    sentiment.Label
	score    float64
	hasScore bool
}

// readPolarityCSV reads a CSV with the header text,label and an optional
// score column.
func readPolarityCSV(r io.Reader) ([]polarityRow, bool, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, false, fmt.Errorf("read header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	ti, ok1 := col["text"]
	li, ok2 := col["label"]
	if !ok1 || !ok2 {
		return nil, false, fmt.Errorf("header %q: want text,label[,score]", strings.Join(head, ","))
	}
	si, hasScore := col["score"]
	var rows []polarityRow
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, false, err
		}
		if ti >= len(rec) || li >= len(rec) || (hasScore && si >= len(rec)) {
			return nil, false, fmt.Errorf("line %d: %d fields, want %d", line, len(rec), len(head))
		}
		row := polarityRow{text: rec[ti], label: sentiment.Label(strings.ToLower(strings.TrimSpace(rec[li])))}
		switch row.label {
		case sentiment.Positive, sentiment.Neutral, sentiment.Negative:
		default:
			return nil, false, fmt.Errorf("line %d: label %q: want positive, neutral or negative", line, rec[li])
		}
		if hasScore {
			s, err := strconv.ParseFloat(strings.TrimSpace(rec[si]), 64)
			if err != nil || s < -1 || s > 1 {
				return nil, false, fmt.Errorf("line %d: score %q: want a number in [-1, 1]", line, rec[si])
			}
			row.score, row.hasScore = s, true
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, false, errors.New("no rows")
	}
	return rows, hasScore, nil
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
	Mode               string                 `json:"mode"`
	N                  int                    `json:"n"`
	Accuracy           float64                `json:"accuracy"`
	MacroF1            float64                `json:"macro_f1"`
	Pearson            *float64               `json:"pearson,omitempty"`
	SentencesPerSecond float64                `json:"sentences_per_second"`
	Classes            map[string]classScores `json:"classes"`
}

// sentimentReport is the output of "sentiment eval".
type sentimentReport struct {
	Data string `json:"data"`
	polarityReport
	Baseline *polarityReport `json:"baseline,omitempty"`
}

func evalPolarity(ctx context.Context, an *sentiment.Lexical, rows []polarityRow, hasScore bool, minDur time.Duration) (polarityReport, error) {
	rep := polarityReport{Mode: an.Mode().String(), N: len(rows), Classes: map[string]classScores{}}
	pred := make([]sentiment.Result, len(rows))
	// Speed: score the whole file on this goroutine (one core) until at
	// least minDur has passed.
	passes, start := 0, time.Now()
	for {
		for i := range rows {
			pred[i] = an.Polarity(rows[i].text)
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
	correct := 0
	macro := 0.0
	for _, c := range []sentiment.Label{sentiment.Positive, sentiment.Neutral, sentiment.Negative} {
		tp, fp, fn := 0, 0, 0
		for i := range rows {
			g, p := rows[i].label == c, pred[i].Label == c
			switch {
			case g && p:
				tp++
			case p:
				fp++
			case g:
				fn++
			}
		}
		s := prf(tp, fp, fn)
		rep.Classes[string(c)] = s
		macro += s.F1
		correct += tp
	}
	rep.MacroF1 = macro / 3
	rep.Accuracy = float64(correct) / float64(len(rows))
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

func sentimentEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sentiment eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "CSV file with the header text,label[,score] (required)")
	asJSON := fs.Bool("json", false, "print a JSON report")
	mode := fs.String("mode", "parley", "analyzer rules: parley or vader")
	band := fs.Float64("band", 0.05, "half-width of the neutral band of the compound score")
	baseline := fs.Bool("baseline", true, "also measure exact VADER in the same run, as the peer")
	minDur := fs.Duration("mintime", time.Second, "score the file repeatedly for at least this long to measure speed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		fs.Usage()
		return errors.New("sentiment eval: -data is required")
	}
	m, err := parseMode(*mode)
	if err != nil {
		return err
	}
	f, err := os.Open(*data)
	if err != nil {
		return fmt.Errorf("sentiment eval: %w", err)
	}
	rows, hasScore, err := readPolarityCSV(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("sentiment eval: %s: %w", *data, err)
	}
	an, err := sentiment.NewLexical(sentiment.WithMode(m), sentiment.WithNeutralBand(*band))
	if err != nil {
		return err
	}
	rep := sentimentReport{Data: *data}
	if rep.polarityReport, err = evalPolarity(ctx, an, rows, hasScore, *minDur); err != nil {
		return err
	}
	if *baseline && m != sentiment.ModeVADER {
		v, err := sentiment.NewLexical(sentiment.WithMode(sentiment.ModeVADER))
		if err != nil {
			return err
		}
		b, err := evalPolarity(ctx, v, rows, hasScore, *minDur)
		if err != nil {
			return err
		}
		rep.Baseline = &b
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "data: %s (n=%d)\n", rep.Data, rep.N)
	printPolarity(stdout, rep.polarityReport)
	if rep.Baseline != nil {
		printPolarity(stdout, *rep.Baseline)
	}
	return nil
}

func printPolarity(w io.Writer, r polarityReport) {
	fmt.Fprintf(w, "%-7s accuracy %.4f  macro-F1 %.4f", r.Mode, r.Accuracy, r.MacroF1)
	if r.Pearson != nil {
		fmt.Fprintf(w, "  pearson %.4f", *r.Pearson)
	}
	fmt.Fprintf(w, "  %.0f sentences/s\n", r.SentencesPerSecond)
	for _, c := range []string{"positive", "neutral", "negative"} {
		s := r.Classes[c]
		fmt.Fprintf(w, "  %-8s P %.3f R %.3f F1 %.3f (n=%d)\n", c, s.Precision, s.Recall, s.F1, s.Support)
	}
}

// goEmotionsNames lists the GoEmotions labels in id order (emotions.txt).
var goEmotionsNames = [...]string{"admiration", "amusement", "anger", "annoyance", "approval", "caring",
	"confusion", "curiosity", "desire", "disappointment", "disapproval", "disgust", "embarrassment",
	"excitement", "fear", "gratitude", "grief", "joy", "love", "nervousness", "optimism", "pride",
	"realization", "relief", "remorse", "sadness", "surprise", "neutral"}

// emotionReport is the output of "sentiment emotions".
type emotionReport struct {
	Data        string      `json:"data"`
	N           int         `json:"n"`
	Threshold   float64     `json:"threshold"`
	Frustration classScores `json:"frustration"`
	Confusion   classScores `json:"confusion"`
	// Prior is the share of rows with each gold label: the precision of
	// a detector that always fires.
	FrustrationPrior float64 `json:"frustration_prior"`
	ConfusionPrior   float64 `json:"confusion_prior"`
}

func sentimentEmotions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sentiment emotions", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "GoEmotions TSV: text<TAB>label ids[<TAB>id] (required)")
	asJSON := fs.Bool("json", false, "print a JSON report")
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
	defer f.Close()
	an, err := sentiment.NewLexical()
	if err != nil {
		return err
	}
	frustIDs := map[int]bool{2: true, 3: true, 10: true} // anger, annoyance, disapproval
	confIDs := map[int]bool{6: true}                     // confusion
	var ftp, ffp, ffn, ctp, cfp, cfn, n, fpos, cpos int
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if line%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) < 2 {
			return fmt.Errorf("sentiment emotions: %s:%d: want text<TAB>labels", *data, line)
		}
		var gf, gc bool
		for _, s := range strings.Split(parts[1], ",") {
			id, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || id < 0 || id >= len(goEmotionsNames) {
				return fmt.Errorf("sentiment emotions: %s:%d: label %q: want an id in 0..%d", *data, line, s, len(goEmotionsNames)-1)
			}
			gf = gf || frustIDs[id]
			gc = gc || confIDs[id]
		}
		r := an.Polarity(parts[0])
		pf, pc := r.Emotions.Frustration >= *threshold, r.Emotions.Confusion >= *threshold
		n++
		count(gf, pf, &ftp, &ffp, &ffn)
		count(gc, pc, &ctp, &cfp, &cfn)
		if gf {
			fpos++
		}
		if gc {
			cpos++
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("sentiment emotions: %s: %w", *data, err)
	}
	if n == 0 {
		return fmt.Errorf("sentiment emotions: %s: no rows", *data)
	}
	rep := emotionReport{Data: *data, N: n, Threshold: *threshold,
		Frustration: prf(ftp, ffp, ffn), Confusion: prf(ctp, cfp, cfn),
		FrustrationPrior: float64(fpos) / float64(n), ConfusionPrior: float64(cpos) / float64(n)}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "data: %s (n=%d, threshold %.2f)\n", rep.Data, rep.N, rep.Threshold)
	for _, e := range []struct {
		name  string
		s     classScores
		prior float64
	}{{"frustration", rep.Frustration, rep.FrustrationPrior}, {"confusion", rep.Confusion, rep.ConfusionPrior}} {
		fmt.Fprintf(stdout, "%-12s P %.3f R %.3f F1 %.3f (gold n=%d, always-fire P %.3f)\n", e.name, e.s.Precision, e.s.Recall, e.s.F1, e.s.Support, e.prior)
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
	mode := fs.String("mode", "parley", "analyzer rules: parley or vader")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m, err := parseMode(*mode)
	if err != nil {
		return err
	}
	an, err := sentiment.NewLexical(sentiment.WithMode(m))
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	for _, text := range fs.Args() {
		r := an.Polarity(text)
		if err := enc.Encode(struct {
			Text string `json:"text"`
			sentiment.Result
		}{text, r}); err != nil {
			return err
		}
	}
	return nil
}
