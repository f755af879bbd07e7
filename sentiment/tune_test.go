package sentiment

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/evalstat"
)

// GoEmotions label ids (see emotions.txt).
var (
	geNegative  = []int{2, 3, 9, 10, 11, 12, 14, 16, 19, 24, 25} // anger annoyance disappointment disapproval disgust embarrassment fear grief nervousness remorse sadness
	gePositive  = []int{0, 1, 4, 5, 8, 13, 15, 17, 18, 20, 21, 23}
	geFrust     = []int{2, 3, 10} // anger, annoyance, disapproval
	geConfusion = []int{6}
	geNeutral   = 27
)

type geRow struct {
	text   string
	labels []int
}

func readGoEmotions(t testing.TB, name string) []geRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dataDir(t), "sentiment", "goemotions", name+".tsv"))
	if err != nil {
		t.Skipf("goemotions %s: %v", name, err)
	}
	defer f.Close()
	var rows []geRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) < 2 {
			continue
		}
		var ls []int
		for _, s := range strings.Split(parts[1], ",") {
			n, err := strconv.Atoi(s)
			require.NoError(t, err)
			ls = append(ls, n)
		}
		rows = append(rows, geRow{text: parts[0], labels: ls})
	}
	require.NoError(t, sc.Err())
	return rows
}

func hasAny(ls, want []int) bool {
	for _, l := range ls {
		if slices.Contains(want, l) {
			return true
		}
	}
	return false
}

// geePolarity maps GoEmotions labels to a polarity; ok is false for mixed
// or ambiguous rows.
func gePolarity(ls []int) (Label, bool) {
	pos, neg := hasAny(ls, gePositive), hasAny(ls, geNegative)
	switch {
	case pos && !neg:
		return Positive, true
	case neg && !pos:
		return Negative, true
	case len(ls) == 1 && ls[0] == geNeutral:
		return Neutral, true
	}
	return "", false
}

// TestTunePolarity reports polarity quality on GoEmotions train for each
// Parley-mode fix (ablation). It is how the fixes were chosen; it only
// logs, and runs when PARLEY_TUNE is set.
func TestTunePolarity(t *testing.T) {
	if os.Getenv("PARLEY_TUNE") == "" {
		t.Skip("set PARLEY_TUNE=1 to run the tuning report")
	}
	rows := readGoEmotions(t, "train")
	var gold []Label
	var texts []string
	var goldS []float64
	for _, r := range rows {
		if l, ok := gePolarity(r.labels); ok {
			gold = append(gold, l)
			texts = append(texts, r.text)
			goldS = append(goldS, map[Label]float64{Positive: 1, Neutral: 0, Negative: -1}[l])
		}
	}
	run := func(name string, opts ...Option) {
		l, err := NewLexical(opts...)
		require.NoError(t, err)
		var pred []Label
		var comp []float64
		for _, s := range texts {
			r := l.Polarity(s)
			pred = append(pred, r.Label)
			comp = append(comp, r.Compound)
		}
		f1, r := macroF1(gold, pred), evalstat.Pearson(goldS, comp)
		t.Logf("%-14s n=%d F1=%.4f r=%.4f", name, len(texts), f1, r)
		assert.Greater(t, f1, 1.0/3, "better than chance")
	}
	fixes := func(f uint32) Option { return func(c *config) { c.fixes = f } }
	run("vader", WithMode(ModeVADER))
	run("parley-all")
	run("with-suffix", fixes(allFixes&^fixWide&^fixQuestion&^fixEmoticon))
	run("with-question", fixes(allFixes&^fixWide&^fixSuffix&^fixEmoticon))
	run("with-emoticon", fixes(allFixes&^fixWide&^fixSuffix&^fixQuestion))

	for _, f := range []struct {
		name string
		bit  uint32
	}{{"words", fixWords}, {"strip", fixStrip}, {"clause", fixClause}, {"wide", fixWide}, {"but", fixBut}, {"sothis", fixSoThis}, {"elong", fixElong}, {"suffix", fixSuffix}, {"apos", fixApos}, {"emoji", fixEmoji}, {"boost", fixBoost}, {"emoticon", fixEmoticon}} {
		run("without-"+f.name, fixes(allFixes&^fixWide&^fixSuffix&^fixQuestion&^fixEmoticon&^f.bit))
	}
	for _, m := range []float64{0.25, 0.4, 0.5, 0.6, 0.75} {
		for _, a := range []float64{5, 10, 15, 25} {
			run("mix-"+strconv.FormatFloat(m, 'f', 2, 64)+"-alpha-"+strconv.FormatFloat(a, 'f', 0, 64), func(c *config) { c.mix, c.alpha = m, a })
		}
	}
	for _, m := range []float64{0.3, 0.4, 0.5, 0.6} {
		for _, a := range []float64{0.15, 0.25, 0.35} {
			run("share-"+strconv.FormatFloat(m, 'f', 1, 64)+"-avg-"+strconv.FormatFloat(a, 'f', 2, 64), func(c *config) { c.mix, c.mixAvg = m, a })
		}
	}
	for _, a := range []float64{5, 10, 15, 20, 30, 50} {
		run("alpha-"+strconv.FormatFloat(a, 'f', 0, 64), func(c *config) { c.alpha = a })
	}
	for _, b := range []float64{0.05, 0.1, 0.15, 0.2, 0.25, 0.3} {
		run("band-"+strconv.FormatFloat(b, 'f', 2, 64), WithNeutralBand(b))
	}
}

// TestTuneEmotions reports the emotion detectors on GoEmotions train and
// the precision of each cue word there. It only logs, and runs when
// PARLEY_TUNE is set.
func TestTuneEmotions(t *testing.T) {
	if os.Getenv("PARLEY_TUNE") == "" {
		t.Skip("set PARLEY_TUNE=1 to run the tuning report")
	}
	rows := readGoEmotions(t, "train")
	l, err := NewLexical()
	require.NoError(t, err)
	type stat struct{ n, f, c int }
	words := map[string]*stat{}
	for _, m := range []map[string]float64{frustrationWords, confusionWords} {
		for w := range m {
			words[w] = &stat{}
		}
	}
	for p := range emotionPhrases {
		words[p] = &stat{}
	}
	for _, th := range []float64{0.3, 0.4, 0.5, 0.6, 0.7} {
		var ftp, ffp, ffn, ctp, cfp, cfn int
		for _, r := range rows {
			e := l.Polarity(r.text).Emotions
			gf, gc := hasAny(r.labels, geFrust), hasAny(r.labels, geConfusion)
			pf, pc := e.Frustration >= th, e.Confusion >= th
			switch {
			case gf && pf:
				ftp++
			case pf:
				ffp++
			case gf:
				ffn++
			}
			switch {
			case gc && pc:
				ctp++
			case pc:
				cfp++
			case gc:
				cfn++
			}
		}
		f1 := func(tp, fp, fn int) string {
			p, r := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
			return strconv.FormatFloat(p, 'f', 3, 64) + "/" + strconv.FormatFloat(r, 'f', 3, 64) + "/" + strconv.FormatFloat(2*p*r/(p+r), 'f', 3, 64)
		}
		t.Logf("threshold %.1f frustration P/R/F1 %s confusion %s", th, f1(ftp, ffp, ffn), f1(ctp, cfp, cfn))
		assert.Greater(t, float64(ftp)/float64(ftp+ffp), 0.132, "frustration precision above the always-fire rate")
	}
	if os.Getenv("PARLEY_TUNE") != "words" {
		return
	}
	for _, r := range rows {
		low := " " + strings.ToLower(r.text) + " "
		gf, gc := hasAny(r.labels, geFrust), hasAny(r.labels, geConfusion)
		for w, s := range words {
			if strings.Contains(low, " "+w+" ") || strings.Contains(low, " "+w+"?") || strings.Contains(low, " "+w+".") || strings.Contains(low, " "+w+",") || strings.Contains(low, " "+w+"!") {
				s.n++
				if gf {
					s.f++
				}
				if gc {
					s.c++
				}
			}
		}
	}
	keys := make([]string, 0, len(words))
	for w := range words {
		keys = append(keys, w)
	}
	slices.Sort(keys)
	for _, w := range keys {
		s := words[w]
		if s.n > 0 {
			t.Logf("%-20s n=%5d frust=%.2f conf=%.2f", w, s.n, float64(s.f)/float64(s.n), float64(s.c)/float64(s.n))
		}
	}
}
