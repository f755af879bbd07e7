package sentiment

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func readGE(t testing.TB, name string) []Example {
	t.Helper()
	f, err := os.Open(filepath.Join(dataDir(t), "sentiment", "goemotions", name+".tsv"))
	if err != nil {
		t.Skipf("goemotions %s: %v", name, err)
	}
	defer f.Close()
	ex, err := ReadGoEmotions(f)
	require.NoError(t, err)
	return ex
}

// readTuneSets reads GoEmotions' train and dev splits, the train split
// with the support examples four times over, as the shipped model is
// trained (parley sentiment train).
func readTuneSets(t testing.TB) (train, dev []Example) {
	t.Helper()
	train, dev = readGE(t, "train"), readGE(t, "dev")
	for range 4 {
		train = append(train, SupportExamples()...)
	}
	return train, dev
}

// readTuneModel skips t unless PARLEY_TUNE and PARLEY_TUNE_MODEL are set,
// then reads the model file PARLEY_TUNE_MODEL names.
func readTuneModel(t testing.TB) (*Model, string) {
	t.Helper()
	path := os.Getenv("PARLEY_TUNE_MODEL")
	if os.Getenv("PARLEY_TUNE") == "" || path == "" {
		t.Skip("set PARLEY_TUNE=1 and PARLEY_TUNE_MODEL")
	}
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	m, err := ReadModel(f)
	require.NoError(t, err)
	return m, path
}

// TestTuneModel trains with the configuration in PARLEY_TUNE_* variables
// and prints the dev figures (PARLEY_TUNE=1).
func TestTuneModel(t *testing.T) {
	if os.Getenv("PARLEY_TUNE") == "" {
		t.Skip("set PARLEY_TUNE=1 to run the model tuning")
	}
	train, dev := readTuneSets(t)
	var c TrainConfig
	c.Epochs, _ = strconv.Atoi(os.Getenv("PARLEY_TUNE_EPOCHS"))
	c.Bits, _ = strconv.Atoi(os.Getenv("PARLEY_TUNE_BITS"))
	c.LearningRate, _ = strconv.ParseFloat(os.Getenv("PARLEY_TUNE_LR"), 64)
	c.NoCharGrams = os.Getenv("PARLEY_TUNE_NOCHAR") != ""
	cm, _ := strconv.Atoi(os.Getenv("PARLEY_TUNE_CHARMAX"))
	c.charMax = uint8(cm)
	c.NoVectors = os.Getenv("PARLEY_TUNE_NOVEC") != ""
	c.NoMultiTask = os.Getenv("PARLEY_TUNE_NOMT") != "" // sessions 5-10 ran without the multi-task stage
	c.MultiTaskEpochs, _ = strconv.Atoi(os.Getenv("PARLEY_TUNE_MTEPOCHS"))
	c.Seed, _ = strconv.ParseUint(os.Getenv("PARLEY_TUNE_SEED"), 10, 64)
	c.ensemble, _ = strconv.Atoi(os.Getenv("PARLEY_TUNE_ENSEMBLE"))
	extra, _ := strconv.Atoi(os.Getenv("PARLEY_TUNE_EXTRA"))
	c.extra = uint8(extra)
	c.posPow, _ = strconv.ParseFloat(os.Getenv("PARLEY_TUNE_POSPOW"), 64)
	c.posCap, _ = strconv.ParseFloat(os.Getenv("PARLEY_TUNE_POSCAP"), 64)
	c.bestF1 = func(name string, fl, q float64) {
		t.Logf("best-threshold dev F1 %-14s float %.4f int8 %.4f", name, fl, q)
	}
	for h := range hardLabels {
		if v, ok := os.LookupEnv(fmt.Sprintf("PARLEY_TUNE_HARDLABELS_%d", h)); ok {
			// The hard negatives' labels of head h, comma-separated.
			old := hardLabels[h]
			hardLabels[h] = strings.Split(v, ",")
			t.Cleanup(func() { hardLabels[h] = old })
		}
	}
	if v := os.Getenv("PARLEY_TUNE_HARDNEG"); v != "" {
		// Weights of the hard negatives of the first heads, "1,0,1": none.
		c.hardNeg = new([numOutputs - numPolarity]float32)
		for h, s := range strings.Split(v, ",") {
			x, err := strconv.ParseFloat(s, 32)
			require.NoError(t, err)
			c.hardNeg[h] = float32(x)
		}
	}
	if v := os.Getenv("PARLEY_TUNE_VECOUT"); v != "" {
		c.vecOutputs = []int{}
		for s := range strings.SplitSeq(v, ",") {
			k, err := strconv.Atoi(s)
			require.NoError(t, err)
			c.vecOutputs = append(c.vecOutputs, k)
		}
	}
	start := time.Now()
	m, err := Train(context.Background(), train, dev, c)
	require.NoError(t, err)
	t.Logf("trained in %v: %+v", time.Since(start), c)
	t.Logf("dev: %v", m.Info().Dev)
	t.Logf("T=%.2f prior=%v blend=%.1f thr=%v plattA=%v", m.p.Temperature, m.p.Prior, m.p.Blend, m.p.Threshold, m.p.PlattA)
	if out := os.Getenv("PARLEY_TUNE_OUT"); out != "" {
		require.Zero(t, c.extra, "a model with extra feature families is not stored (params.Extra)")
		f, err := os.Create(out)
		require.NoError(t, err)
		_, err = m.WriteTo(f)
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}
}

// TestTuneDump prints dev errors of one head of the model in
// PARLEY_TUNE_MODEL (PARLEY_TUNE=1).
func TestTuneDump(t *testing.T) {
	m, _ := readTuneModel(t)
	head := os.Getenv("PARLEY_TUNE_HEAD")
	for _, ex := range readGE(t, "dev") {
		r := m.Polarity(ex.Text)
		var s float64
		var gold bool
		switch head {
		case "confusion":
			s, gold = r.Emotions.Confusion, hasLabel(ex.Labels, []string{"confusion"})
		default:
			s, gold = r.Emotions.Frustration, hasLabel(ex.Labels, headLabels[0])
		}
		if (s >= 0.5) != gold {
			t.Logf("%v %.2f %v | %s", gold, s, ex.Labels, ex.Text)
		}
	}
}

// TestTuneLabelRule compares label rules of the shipped model: the
// calibrated argmax and a neutral band on Compound (PARLEY_TUNE=1).
func TestTuneLabelRule(t *testing.T) {
	if os.Getenv("PARLEY_TUNE") == "" {
		t.Skip("set PARLEY_TUNE=1")
	}
	m := newTestModel(t)
	type row struct {
		text string
		gold Label
	}
	sets := map[string][]row{}
	for _, ex := range readGE(t, "dev") {
		if l, ok := PolarityOf(ex.Labels); ok {
			sets["dev"] = append(sets["dev"], row{ex.Text, l})
		}
	}
	for _, s := range goldSets {
		for _, r := range readGold(t, s) {
			sets[s] = append(sets[s], row{r.text, r.label})
		}
	}
	for _, name := range []string{"dev", "tweets", "movies", "amazon", "nyt"} {
		rows := sets[name]
		res := make([]Result, len(rows))
		gold := make([]Label, len(rows))
		for i, r := range rows {
			res[i], gold[i] = m.Polarity(r.text), r.gold
		}
		line := name
		pred := make([]Label, len(rows))
		for i := range rows {
			pred[i] = res[i].Label
		}
		line += fmt.Sprintf(" argmax %.4f", macroF1(gold, pred))
		for _, b := range []float64{0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35} {
			for i := range rows {
				switch c := res[i].Compound; {
				case c >= b:
					pred[i] = Positive
				case c <= -b:
					pred[i] = Negative
				default:
					pred[i] = Neutral
				}
			}
			line += fmt.Sprintf(" band%.2f %.4f", b, macroF1(gold, pred))
			for i := range rows {
				if res[i].Label != Neutral {
					pred[i] = res[i].Label
				}
			}
			line += fmt.Sprintf(" union%.2f %.4f", b, macroF1(gold, pred))
		}
		t.Log(line)
	}
}
