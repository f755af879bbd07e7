package sentiment

import (
	"testing"
)

// devSamples featurizes GoEmotions' dev split for model m.
func devSamples(t testing.TB, m *Model) []sample {
	var fz featurizer
	dev := readGE(t, "dev")
	ss := make([]sample, len(dev))
	for i, ex := range dev {
		ss[i] = m.sample(ex, &fz)
	}
	return ss
}

// TestTuneInspectModel prints, for the model file PARLEY_TUNE_MODEL, the
// best-threshold dev F1 of each head's int8 logit and its calibration.
func TestTuneInspectModel(t *testing.T) {
	m, _ := readTuneModel(t)
	ss := devSamples(t, m)
	z := m.devLogits(ss)
	for h, name := range headNames {
		col, ys := make([]float32, len(ss)), make([]bool, len(ss))
		lo, hi := float32(1e9), float32(-1e9)
		for i := range ss {
			col[i], ys[i] = z[i][numPolarity+h], ss[i].heads[h]
			lo, hi = min(lo, col[i]), max(hi, col[i])
		}
		t.Logf("%s best-threshold F1 %.4f logits [%.2f, %.2f] scale %.5f platt %.3f %.3f threshold %.3f", name, maxF1(col, ys), lo, hi,
			m.p.Scale[numPolarity+h], m.p.PlattA[h], m.p.PlattB[h], m.p.Threshold[h])
	}
	t.Logf("vec outputs %v", m.p.VecOutputs)
}

// TestTuneRecalibrate calibrates the model file PARLEY_TUNE_MODEL on dev
// again (as Train does after fitting) and prints its dev figures.
func TestTuneRecalibrate(t *testing.T) {
	m, path := readTuneModel(t)
	ss := devSamples(t, m)
	m.calibrate(ss)
	t.Logf("%s recalibrated: dev %v", path, m.devFigures(ss))
}
