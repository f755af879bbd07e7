package sentiment

// Experiment of session 11 (issue 17): distil the session-10 hidden-layer
// model (the teacher, 28 GoEmotions labels plus the frustration and
// confusion heads) into the shipped linear model, by training the linear
// model's frustration and confusion heads on a mix of the gold label and
// the teacher's probability. Train only for fitting, dev only for
// scoring (PARLEY_TUNE=1).

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestTuneDistil trains the teacher (PARLEY_MLP_* as in TestTuneMLP;
// PARLEY_DISTIL_FOLDS=k > 1 trains k teachers, each scoring the
// training examples it did not see), then the linear trainer with the
// soft targets (PARLEY_DISTIL_MIX, default 0.5), and logs the student's
// best-threshold dev F1 of frustration and confusion.
func TestTuneDistil(t *testing.T) {
	if os.Getenv("PARLEY_TUNE") == "" {
		t.Skip("set PARLEY_TUNE=1 to run the distillation experiment")
	}
	train, dev := readTuneSets(t)
	seed := uint64(envf("PARLEY_TUNE_SEED", 1))
	tr, trL := featurize(newVectorModel(t), train)
	c := mlpCfg{
		hidden: int(envf("PARLEY_MLP_H", 64)), epochs: int(envf("PARLEY_MLP_EPOCHS", 5)),
		lr: float32(envf("PARLEY_MLP_LR", 0.05)), vec: os.Getenv("PARLEY_MLP_VEC") != "0",
		multi: true, seed: seed, posPow: 0.25, initStd: 0.1, avg: true,
		linear: os.Getenv("PARLEY_MLP_LINEAR") == "1",
	}
	folds := max(int(envf("PARLEY_DISTIL_FOLDS", 1)), 1)
	soft := make([][numOutputs - numPolarity]float32, len(tr))
	start := time.Now()
	for k := range folds {
		var in, out []int
		for i := range tr {
			if folds > 1 && i%folds == k {
				out = append(out, i)
			} else {
				in = append(in, i)
			}
		}
		if folds == 1 {
			out = in
		}
		ss, ls := make([]sample, len(in)), make([]uint32, len(in))
		for j, i := range in {
			ss[j], ls[j] = tr[i], trL[i]
		}
		nm := newMLP(c, 1<<15, len(tr[0].vec))
		nm.train(ss, ls, nil)
		av := nm.averaged()
		H := c.hidden
		pre, h, z := make([]float32, H), make([]float32, H), make([]float32, av.K)
		for _, i := range out {
			av.forward(&tr[i], pre, h, z)
			for t2, hd := range mlpTargets {
				soft[i][hd] = sigmoid(z[len(goEmotions)+t2])
			}
		}
		t.Logf("teacher fold %d/%d trained in %v", k+1, folds, time.Since(start).Round(time.Second))
	}
	tc := TrainConfig{Seed: seed, NoMultiTask: true, soft: soft, softMix: float32(envf("PARLEY_DISTIL_MIX", 0.5))}
	tc.softHeads[mlpTargets[0]], tc.softHeads[mlpTargets[1]] = true, true
	tc.bestF1 = func(name string, fl, q float64) {
		if name == "frustration" || name == "confusion" {
			t.Logf("student (order %d, %+v, folds %d, mix %g) best-threshold dev F1 %s float %.4f int8 %.4f", seed, c, folds, tc.softMix, name, fl, q)
		}
	}
	m, err := Train(context.Background(), train, dev, tc)
	require.NoError(t, err)
	t.Logf("student dev %v (%v)", m.Info().Dev, time.Since(start).Round(time.Second))
}
