package sentiment

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// dataDir locates the shared development data: $PARLEY_TEST_DATA, else
// ../shared/data relative to the repository root. It skips the test when
// the data is absent.
func dataDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("PARLEY_TEST_DATA"); d != "" {
		return d
	}
	d, err := filepath.Abs(filepath.Join("..", "..", "shared", "data"))
	if err == nil {
		if _, err := os.Stat(d); err == nil {
			return d
		}
	}
	t.Skip("shared data not found: set PARLEY_TEST_DATA to the shared/data directory")
	return ""
}

type goldRow struct {
	text  string
	score float64
	label Label
}

func readGold(t testing.TB, name string) []goldRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dataDir(t), "sentiment", "vader", name+".csv"))
	if err != nil {
		t.Skipf("gold set %s: %v", name, err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	rows := make([]goldRow, 0, len(recs))
	for _, r := range recs[1:] {
		s, err := strconv.ParseFloat(r[1], 64)
		if err != nil {
			t.Fatalf("%s: score %q: %v", name, r[1], err)
		}
		rows = append(rows, goldRow{text: r[0], score: s, label: Label(r[2])})
	}
	return rows
}

var goldSets = []string{"tweets", "movies", "amazon", "nyt"}

func macroF1(gold, pred []Label) float64 {
	f := 0.0
	for _, c := range []Label{Positive, Neutral, Negative} {
		var tp, fp, fn float64
		for i := range gold {
			switch {
			case gold[i] == c && pred[i] == c:
				tp++
			case pred[i] == c:
				fp++
			case gold[i] == c:
				fn++
			}
		}
		if tp > 0 {
			p, r := tp/(tp+fp), tp/(tp+fn)
			f += 2 * p * r / (p + r)
		}
	}
	return f / 3
}
