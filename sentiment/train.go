package sentiment

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// GoEmotionsLabels lists the GoEmotions labels in id order (the
// dataset's emotions.txt): the label names [Example] uses.
func GoEmotionsLabels() []string { return slices.Clone(goEmotions[:]) }

var goEmotions = [...]string{"admiration", "amusement", "anger", "annoyance", "approval", "caring",
	"confusion", "curiosity", "desire", "disappointment", "disapproval", "disgust", "embarrassment",
	"excitement", "fear", "gratitude", "grief", "joy", "love", "nervousness", "optimism", "pride",
	"realization", "relief", "remorse", "sadness", "surprise", "neutral"}

// The label mapping. Polarity follows the dataset's own sentiment
// grouping (sentiment_dict.json): a text is positive when all its labels
// are positive ones, negative when all are negative ones, neutral when
// its only label is "neutral"; texts with mixed or ambiguous labels
// (surprise, realization, curiosity, confusion) train the emotions but
// not the polarity.
var (
	positiveLabels = []string{"amusement", "excitement", "joy", "love", "desire", "optimism", "caring", "pride",
		"admiration", "gratitude", "relief", "approval"}
	negativeLabels = []string{"fear", "nervousness", "remorse", "embarrassment", "disappointment", "sadness",
		"grief", "disgust", "anger", "annoyance", "disapproval"}
	// headLabels[h] are the GoEmotions labels of binary head h.
	headLabels = [numOutputs - numPolarity][]string{
		{"anger", "annoyance", "disapproval"}, // frustration
		{"anger", "disgust"},                  // anger
		{"confusion"},                         // confusion
		{"disappointment"},                    // disappointment
		{"gratitude"},                         // gratitude
		{"joy", "excitement", "admiration", "love", "gratitude", "relief"}, // delight
		nil, // complaint: weak labels, see complaintLabel
	}
	// complaintEmotions are the labels a weak complaint label needs, with
	// a problem cue in the text.
	complaintEmotions = []string{"annoyance", "anger", "disappointment", "disapproval"}
)

// An Example is a text with its GoEmotions labels (names from
// [GoEmotionsLabels]), for [Train].
type Example struct {
	Text   string
	Labels []string
}

// ReadGoEmotions reads GoEmotions in its TSV form, one example a line:
// text, a tab, comma-separated label ids (indexes into
// [GoEmotionsLabels]), optionally a tab and an id.
func ReadGoEmotions(r io.Reader) ([]Example, error) {
	var out []Example
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text, rest, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			return nil, fmt.Errorf("sentiment: goemotions line %d: want text<TAB>label ids", line)
		}
		ids, _, _ := strings.Cut(rest, "\t")
		ex := Example{Text: text}
		for s := range strings.SplitSeq(ids, ",") {
			id, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || id < 0 || id >= len(goEmotions) {
				return nil, fmt.Errorf("sentiment: goemotions line %d: label %q: want an id in 0..%d", line, s, len(goEmotions)-1)
			}
			ex.Labels = append(ex.Labels, goEmotions[id])
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("sentiment: read goemotions: %w", err)
	}
	return out, nil
}

// TrainConfig configures [Train]. The zero value gives the shipped
// model's settings.
type TrainConfig struct {
	// Epochs over the training data (default 30: with averaging, 30
	// gave a higher and steadier dev confusion F1 over five example
	// orders than 15, 20, 25 or 45; BENCHMARKS.md, session 9).
	Epochs int
	// Bits is the log2 of the number of hashed feature rows (default
	// 15: 32,768 rows, 320 KB, as good on dev as 2^17 and faster, as
	// the table stays in cache).
	Bits int
	// LearningRate is AdaGrad's step (default 0.05).
	LearningRate float64
	// NoCharGrams turns off the character 4-gram features.
	NoCharGrams bool
	// Seed orders the training examples (default 1). Training is
	// deterministic for a given seed.
	Seed uint64
	// Vectors is a word vectors file written by [BuildVectors]; nil means
	// the one shipped with Parley (model/vectors.bin). A model trained
	// with other vectors loads only in a Parley built with them as
	// model/vectors.bin.
	Vectors []byte
	// NoVectors trains without the pooled word vectors.
	NoVectors bool
	// NoMultiTask skips the multi-task stage (a low-rank model of the 28
	// GoEmotions labels whose frustration and confusion outputs are
	// folded into those heads' weights when that raises their dev F1),
	// which takes about as long as the rest of training.
	NoMultiTask bool
	// MultiTaskEpochs is the number of epochs of the multi-task stage
	// (default 4).
	MultiTaskEpochs int

	noAverage  bool                                    // ablation: keep the last weights instead of their average
	charMax    uint8                                   // ablation: character 3- to charMax-grams instead of 4-grams
	vecOutputs []int                                   // the outputs that read the word vectors (nil: vectorOutputs)
	hardNeg    *[numOutputs - numPolarity]float32      // ablation: weight of each head's hard negatives (nil: hardNegWeight)
	ensemble   int                                     // ablation: runs over different example orders whose weights are averaged (0, 1: one)
	extra      uint8                                   // ablation: extra feature families (extra* bits)
	posPow     float64                                 // ablation: exponent of the positives' weight (0: 0.5)
	posCap     float64                                 // ablation: cap of the positives' weight (0: 6)
	bestF1     func(name string, float, quant float64) // ablation: reports each head's best-threshold dev F1 under float and int8 weights
	// Ablation (distillation): soft[i][h] is a teacher's probability for
	// head h of training example i, used for the heads with softHeads[h];
	// the head's target is (1-softMix)*label + softMix*soft.
	soft      [][numOutputs - numPolarity]float32
	softHeads [numOutputs - numPolarity]bool
	softMix   float32
}

// hardLabels are, for the frustration and confusion heads, the
// neighbouring labels whose texts are the negatives that look most like
// positives: disappointment, sadness and disgust for frustration (anger,
// annoyance, disapproval), and curiosity, surprise and realization for
// confusion (curiosity was 77 of the 193 false confusions on dev: a
// question is not confusion). Train weighs their gradient by
// hardNegWeight.
var hardLabels = [numOutputs - numPolarity][]string{
	{"disappointment", "sadness", "disgust"}, // frustration
	nil,
	{"curiosity", "surprise", "realization"}, // confusion
}

// hardNegWeight is the weight of the hard negatives of each head (0 or 1:
// none). Chosen on dev among 1, 2, 4, 6, 8, 12 for confusion and 1, 1.5,
// 2, 4 for frustration (BENCHMARKS.md, session 8): confusion +0.025 at 4
// with the default seed (+0.007 with another), frustration +0.002 at 2.
var hardNegWeight = [numOutputs - numPolarity]float32{2, 0, 4}

// vectorOutputs are the outputs that read the pooled word vectors in the
// shipped model: those whose dev F1 gained from them, confusion (+0.020)
// and disappointment (+0.015); the others moved by 0.005 or less
// (BENCHMARKS.md, session 7). The outputs' weights are independent, so
// the others are the same as without vectors, and cost nothing.
var vectorOutputs = []int{outConfusion, outDisappointment}

// PolarityOf returns the polarity a GoEmotions label set maps to, and
// false for mixed or ambiguous sets (see [Train]).
func PolarityOf(labels []string) (Label, bool) {
	pos, neg := hasLabel(labels, positiveLabels), hasLabel(labels, negativeLabels)
	switch {
	case pos && !neg:
		return Positive, true
	case neg && !pos:
		return Negative, true
	case len(labels) == 1 && labels[0] == "neutral":
		return Neutral, true
	}
	return "", false
}

func hasLabel(labels, want []string) bool {
	for _, l := range labels {
		if slices.Contains(want, l) {
			return true
		}
	}
	return false
}

// sample is one featurised example.
type sample struct {
	feats  []uint32
	chars  []uint32
	dense  [numDense]float32
	vec    []float32 // mean of the word vectors (nil: none)
	hashes []uint64  // word hashes
	labels uint32    // the GoEmotions labels (goEmotionsMask)
	pol    int8      // 0 negative, 1 neutral, 2 positive, -1 none
	heads  [numOutputs - numPolarity]bool
	hard   [numOutputs - numPolarity]bool // a negative carrying a hardLabels label
}

// sparseGroup is one family of a sample's hashed features (words and
// word pairs, or character n-grams) with the value each of its rows
// takes, 1/sqrt(n) for n features ([sparseValue]).
type sparseGroup struct {
	bs []uint32
	v  float32
}

// sparse returns the two hashed feature families of s with their values.
func (s *sample) sparse() [2]sparseGroup {
	return [2]sparseGroup{{s.feats, sparseValue(len(s.feats))}, {s.chars, sparseValue(len(s.chars))}}
}

func (m *Model) sample(ex Example, f *featurizer) sample {
	lr := m.lex.Polarity(ex.Text)
	var s sample
	m.extract(ex.Text, lr, f, &s.dense)
	s.feats = slices.Clone(f.feats)
	s.chars = slices.Clone(f.chars)
	s.hashes = slices.Clone(f.hashes)
	if m.vec != nil {
		s.vec = make([]float32, m.vec.dims)
		m.vec.pool(f.hashes, make([]uint64, m.vec.stride/4), s.vec)
	}
	s.labels = goEmotionsMask(ex.Labels)
	s.pol = -1
	if l, ok := PolarityOf(ex.Labels); ok {
		s.pol = map[Label]int8{Negative: 0, Neutral: 1, Positive: 2}[l]
	}
	for h, ls := range headLabels {
		s.heads[h] = hasLabel(ex.Labels, ls)
		s.hard[h] = !s.heads[h] && hasLabel(ex.Labels, hardLabels[h])
	}

	problem, _ := m.cues.count(f.hashes)
	s.heads[outComplaint-numPolarity] = hasLabel(ex.Labels, complaintEmotions) && problem > 0
	return s
}

// Train fits a [Model] on GoEmotions-labelled examples and calibrates it
// on dev, deterministically, in process. The label mapping:
//
//   - polarity: the dataset's sentiment grouping (see [PolarityOf]);
//   - frustration: anger, annoyance or disapproval; anger: anger or
//     disgust; confusion; disappointment; gratitude; delight: joy,
//     excitement, admiration, love, gratitude or relief;
//   - complaint: weak labels, as there is no complaint data: annoyance,
//     anger, disappointment or disapproval together with a support
//     problem cue ("never arrived", "still waiting", "refund", ...);
//   - urgency has no GoEmotions label and stays the lexicon's.
//
// Polarity is a softmax over three classes, each emotion and complaint a
// logistic output; all are trained jointly with AdaGrad over hashed
// word, word-pair and character n-gram features plus the [Lexical]
// analyzer's scores; the negatives of frustration and confusion that
// carry a neighbouring label (disappointment, sadness or disgust;
// curiosity, surprise or realization) weigh more, so that the heads learn
// what sets them apart. A second, multi-task stage (skipped with
// NoMultiTask) trains a low-rank linear model of the 28 GoEmotions labels
// plus the frustration and confusion heads over the same features; being
// linear, its head outputs fold into those heads' weights, with a weight
// chosen on dev (0 when it does not help), so the model costs no more to
// run. On dev, Train then fits a temperature for the
// polarity probabilities, class offsets for macro-F1, Platt scaling for
// each binary output and its F1-optimal threshold, the weight of the
// model in Compound (against the lexicon's compound) and the |Compound|
// at which a neutral call turns polar; for the last two it takes the
// value that leans most on the lexicon within 0.01 of the best dev
// figure, as the lexicon is not tied to Reddit's style. Dev is never
// trained on. It returns an error if either set is empty or ctx ends.
func Train(ctx context.Context, train, dev []Example, c TrainConfig) (*Model, error) {
	if len(train) == 0 || len(dev) == 0 {
		return nil, errors.New("sentiment: train: need training and dev examples")
	}
	if c.Epochs <= 0 {
		c.Epochs = 30
	}
	if c.Bits == 0 {
		c.Bits = 15
	}
	if c.Bits < 8 || c.Bits > maxModelBits {
		return nil, fmt.Errorf("sentiment: train: bits %d out of [8, %d]", c.Bits, maxModelBits)
	}
	if c.LearningRate <= 0 {
		c.LearningRate = 0.05
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	p := params{
		Info:     ModelInfo{Version: ModelVersion, Data: "GoEmotions (Demszky et al. 2020), Apache-2.0", Examples: len(train)},
		Bits:     uint8(c.Bits),
		Negation: true,
		Extra:    c.extra,
		Scale:    make([]float32, numOutputs), Bias: make([]float32, numOutputs),
		Dense:       make([]float32, numDense*numOutputs),
		Temperature: 1, Blend: 1,
		PlattA: make([]float32, numOutputs-numPolarity), PlattB: make([]float32, numOutputs-numPolarity),
		Threshold: make([]float32, numOutputs-numPolarity),
		weights:   make([]int8, (1<<c.Bits)*numOutputs),
	}
	if !c.NoCharGrams {
		// 4-grams only: 3-grams and 5-grams added nothing on dev and cost
		// a third of the speed.
		p.CharMin, p.CharMax = 4, 4
		if c.charMax >= 3 {
			p.CharMin, p.CharMax = 3, c.charMax
		}
	}
	for h := range p.PlattA {
		p.PlattA[h], p.Threshold[h] = 1, 0.5
	}
	var vec *wordVectors
	if !c.NoVectors {
		b := c.Vectors
		if b == nil {
			b = embeddedVectors
		}
		var err error
		if vec, err = readVectors(b); err != nil {
			return nil, err
		}
		p.VectorsCRC, p.VectorDims = vec.sum, vec.dims
		p.VecOutputs = slices.Clone(vectorOutputs)
		if c.vecOutputs != nil {
			p.VecOutputs = slices.Clone(c.vecOutputs)
		}
		p.Vec = make([]float32, vec.dims*numOutputs)
	}
	m, err := newModel(p, vec)
	if err != nil {
		return nil, err
	}
	var f featurizer
	samples := make([]sample, len(train))
	for i, ex := range train {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		samples[i] = m.sample(ex, &f)
	}
	devSamples := make([]sample, len(dev))
	for i, ex := range dev {
		devSamples[i] = m.sample(ex, &f)
	}
	fw, err := m.fit(ctx, samples, c)
	if err != nil {
		return nil, err
	}
	if !c.NoMultiTask {
		if c.MultiTaskEpochs <= 0 {
			c.MultiTaskEpochs = 4
		}
		lr, err := fitLowRank(ctx, samples, 1<<c.Bits, c.MultiTaskEpochs, c)
		if err != nil {
			return nil, err
		}
		m.foldLowRank(lr, fw, devSamples, 1<<c.Bits)
	}
	if c.bestF1 != nil {
		m.reportBestF1(devSamples, fw, c.bestF1)
	}
	m.calibrate(devSamples)
	m.p.Info.Dev = m.devFigures(devSamples)
	return m, nil
}

// fitWeights are the float weights of one training run, laid out as
// the model's.
type fitWeights struct {
	w, dense, bias, vec []float32
}

// fit trains the weights with AdaGrad and quantises them to int8. With
// c.ensemble > 1 it averages the weights of that many runs over
// different example orders (seeds c.Seed, c.Seed+1, ...): the model is
// linear, so that is the mean of their logits at the cost of one.
func (m *Model) fit(ctx context.Context, samples []sample, c TrainConfig) (fitWeights, error) {
	runs := max(c.ensemble, 1)
	var sum fitWeights
	for r := range runs {
		rc := c
		rc.Seed = c.Seed + uint64(r)
		fw, err := m.fitRun(ctx, samples, rc)
		if err != nil {
			return fitWeights{}, err
		}
		if r == 0 {
			sum = fw
			continue
		}
		for _, p := range [4][2][]float32{{sum.w, fw.w}, {sum.dense, fw.dense}, {sum.bias, fw.bias}, {sum.vec, fw.vec}} {
			for i := range p[0] {
				p[0][i] += p[1][i]
			}
		}
	}
	if runs > 1 {
		inv := 1 / float32(runs)
		for _, p := range [4][]float32{sum.w, sum.dense, sum.bias, sum.vec} {
			for i := range p {
				p[i] *= inv
			}
		}
	}
	m.setWeights(sum, 1<<c.Bits)
	return sum, nil
}

// reportBestF1 reports, for each binary head, the dev F1 at the best
// threshold of its logit under the float weights fw and under the
// model's int8 weights.
func (m *Model) reportBestF1(dev []sample, fw fitWeights, report func(string, float64, float64)) {
	zq := m.devLogits(dev)
	zf := make([][numOutputs]float32, len(dev))
	for i := range dev {
		m.floatLogits(fw, &dev[i], &zf[i])
	}
	col := make([]float32, len(dev))
	best := func(z [][numOutputs]float32, k int, ys []bool) float64 {
		for i := range z {
			col[i] = z[i][k]
		}
		return maxF1(col, ys)
	}
	for h, name := range headNames {
		ys := make([]bool, len(dev))
		for i := range dev {
			ys[i] = dev[i].heads[h]
		}
		report(name, best(zf, numPolarity+h, ys), best(zq, numPolarity+h, ys))
	}
}

func cmpF(a, b float32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// fitRun is one AdaGrad training run.
func (m *Model) fitRun(ctx context.Context, samples []sample, c TrainConfig) (fitWeights, error) {
	rows := 1 << c.Bits
	w := make([]float32, rows*numOutputs)
	g2 := make([]float32, rows*numOutputs)
	dw := make([]float32, numDense*numOutputs)
	dg2 := make([]float32, numDense*numOutputs)
	bias := make([]float32, numOutputs)
	bg2 := make([]float32, numOutputs)
	// Word vector weights, laid out as m.p.Vec.
	vw8 := make([]float32, len(m.p.Vec))
	vg2 := make([]float32, len(m.p.Vec))
	var vu []float32
	// Averaged weights (Polyak): u accumulates t*update, the average is
	// w - u/t.
	var u, du, bu []float32
	if !c.noAverage {
		u, du, bu = make([]float32, len(w)), make([]float32, len(dw)), make([]float32, numOutputs)
		vu = make([]float32, len(vw8))
	}
	var step float32
	// Rare heads get more weight on their positives (the fourth root of
	// the imbalance, at most 6), so that they learn at all; calibration
	// undoes the shift. The fourth root beat the square root (used up to
	// session 8) and the imbalance itself on dev confusion (BENCHMARKS.md,
	// session 9).
	var posW [numOutputs - numPolarity]float32
	for h := range posW {
		n := 0
		for i := range samples {
			if samples[i].heads[h] {
				n++
			}
		}
		pow, cp := c.posPow, c.posCap
		if pow == 0 {
			pow = 0.25
		}
		if cp == 0 {
			cp = 6
		}
		posW[h] = float32(math.Pow(float64(len(samples)-n)/float64(max(n, 1)), pow))
		posW[h] = min(max(posW[h], 1), float32(cp))
	}
	hardNeg := hardNegWeight
	if c.hardNeg != nil {
		hardNeg = *c.hardNeg
	}
	lr := float32(c.LearningRate)
	const eps = 1e-6
	order := make([]int, len(samples))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(c.Seed, 0x5eed))
	var z, grad [numOutputs]float32
	for epoch := 0; epoch < c.Epochs; epoch++ {
		if err := ctx.Err(); err != nil {
			return fitWeights{}, err
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			step++
			s := &samples[i]
			copy(z[:], bias)
			for _, g := range s.sparse() {
				for _, b := range g.bs {
					row := w[int(b)*numOutputs : int(b)*numOutputs+numOutputs]
					for k := range numOutputs {
						z[k] += row[k] * g.v
					}
				}
			}
			for d, x := range s.dense {
				if x != 0 {
					for k := range numOutputs {
						z[k] += x * dw[d*numOutputs+k]
					}
				}
			}
			nv := len(s.vec)
			for _, k := range m.p.VecOutputs {
				row := vw8[k*nv : (k+1)*nv]
				for j, x := range s.vec {
					z[k] += x * row[j]
				}
			}
			// Softmax gradient for the polarity outputs.
			grad = [numOutputs]float32{}
			if s.pol >= 0 {
				mx := max(z[0], z[1], z[2])
				var e [numPolarity]float32
				var sum float32
				for k := range numPolarity {
					e[k] = float32(math.Exp(float64(z[k] - mx)))
					sum += e[k]
				}
				for k := range numPolarity {
					grad[k] = e[k] / sum
				}
				grad[s.pol]--
			}
			for h := range posW {
				p := sigmoid(z[numPolarity+h])
				if c.soft != nil && c.softHeads[h] {
					y := float32(0)
					if s.heads[h] {
						y = 1
					}
					t := (1-c.softMix)*y + c.softMix*c.soft[i][h]
					nw := float32(1)
					if s.hard[h] && hardNeg[h] > 0 {
						nw = hardNeg[h]
					}
					grad[numPolarity+h] = posW[h]*t*(p-1) + nw*(1-t)*p
					continue
				}
				if s.heads[h] {
					grad[numPolarity+h] = (p - 1) * posW[h]
				} else if s.hard[h] && hardNeg[h] > 0 {
					grad[numPolarity+h] = p * hardNeg[h]
				} else {
					grad[numPolarity+h] = p
				}
			}
			for _, g := range s.sparse() {
				for _, b := range g.bs {
					o := int(b) * numOutputs
					for k := range numOutputs {
						gk := grad[k] * g.v
						if gk == 0 {
							continue
						}
						g2[o+k] += gk * gk
						d := lr * gk / float32(math.Sqrt(float64(g2[o+k]+eps)))
						w[o+k] -= d
						if u != nil {
							u[o+k] -= step * d
						}
					}
				}
			}
			for d, x := range s.dense {
				if x == 0 {
					continue
				}
				for k := range numOutputs {
					gk := grad[k] * x
					dg2[d*numOutputs+k] += gk * gk
					del := lr * gk / float32(math.Sqrt(float64(dg2[d*numOutputs+k]+eps)))
					dw[d*numOutputs+k] -= del
					if du != nil {
						du[d*numOutputs+k] -= step * del
					}
				}
			}
			for _, k := range m.p.VecOutputs {
				for j, x := range s.vec {
					o := k*nv + j
					gk := grad[k] * x
					vg2[o] += gk * gk
					del := lr * gk / float32(math.Sqrt(float64(vg2[o]+eps)))
					vw8[o] -= del
					if vu != nil {
						vu[o] -= step * del
					}
				}
			}
			for k := range numOutputs {
				bg2[k] += grad[k] * grad[k]
				del := lr * grad[k] / float32(math.Sqrt(float64(bg2[k]+eps)))
				bias[k] -= del
				if bu != nil {
					bu[k] -= step * del
				}
			}
		}
	}
	if u != nil {
		for i := range w {
			w[i] -= u[i] / step
		}
		for i := range dw {
			dw[i] -= du[i] / step
		}
		for i := range bias {
			bias[i] -= bu[i] / step
		}
		for i := range vw8 {
			vw8[i] -= vu[i] / step
		}
	}
	return fitWeights{w: w, dense: dw, bias: bias, vec: vw8}, nil
}

// setWeights quantises fw into the model: per output, the largest weight
// maps to 127.
func (m *Model) setWeights(fw fitWeights, rows int) {
	w := fw.w
	for k := range numOutputs {
		var mx float32
		for r := range rows {
			mx = max(mx, float32(math.Abs(float64(w[r*numOutputs+k]))))
		}
		if mx == 0 {
			mx = 1
		}
		m.p.Scale[k] = mx / 127
		for r := range rows {
			m.p.weights[r*numOutputs+k] = int8(math.Round(float64(w[r*numOutputs+k] / m.p.Scale[k])))
		}
	}
	m.setRows()
	copy(m.p.Bias, fw.bias)
	copy(m.p.Dense, fw.dense)
	copy(m.p.Vec, fw.vec)
	m.setVecScores()
}

// devLogits returns the logits of every dev sample under the quantised
// weights.
func (m *Model) devLogits(dev []sample) [][numOutputs]float32 {
	z := make([][numOutputs]float32, len(dev))
	for i := range dev {
		m.logits(dev[i].feats, dev[i].chars, &dev[i].dense, dev[i].hashes, &z[i])
	}
	return z
}

// calibrate fits the temperature, class offsets, Platt scaling and
// thresholds on dev.
func (m *Model) calibrate(dev []sample) {
	z := m.devLogits(dev)
	// Temperature: the grid point with the lowest negative log-likelihood.
	bestT, bestNLL := float32(1), math.Inf(1)
	for t := float32(0.3); t <= 3.001; t += 0.05 {
		m.p.Temperature = t
		nll := 0.0
		for i := range dev {
			if dev[i].pol >= 0 {
				p := m.polarityProbs(&z[i])
				nll -= math.Log(max(float64(p[dev[i].pol]), 1e-12))
			}
		}
		if nll < bestNLL {
			bestT, bestNLL = t, nll
		}
	}
	m.p.Temperature = bestT
	// Class offsets for macro-F1, kept small so that they correct the
	// decision without overriding the evidence.
	logp := make([][numPolarity]float32, len(dev))
	for i := range dev {
		p := m.polarityProbs(&z[i])
		for k := range numPolarity {
			logp[i][k] = float32(math.Log(max(float64(p[k]), 1e-12)))
		}
	}
	best, bestF := [numPolarity]float32{}, -1.0
	for a := float32(-0.5); a <= 0.501; a += 0.05 {
		for b := float32(-0.5); b <= 0.501; b += 0.05 {
			off := [numPolarity]float32{a, 0, b}
			var cm [numPolarity][numPolarity]int
			for i := range dev {
				if dev[i].pol < 0 {
					continue
				}
				k := argmax3(logp[i], off)
				cm[dev[i].pol][k]++
			}
			if f := macroF1Of(cm); f > bestF+1e-9 {
				best, bestF = off, f
			}
		}
	}
	m.p.Prior = best
	// Platt scaling and thresholds for each binary head.
	for h := range m.p.PlattA {
		xs := make([]float64, len(dev))
		ys := make([]bool, len(dev))
		for i := range dev {
			xs[i], ys[i] = float64(z[i][numPolarity+h]), dev[i].heads[h]
		}
		a, b := platt(xs, ys)
		m.p.PlattA[h], m.p.PlattB[h] = float32(a), float32(b)
		ps := make([]float32, len(dev))
		for i := range dev {
			ps[i] = m.headProb(&z[i], h)
		}
		m.p.Threshold[h] = bestThreshold(ps, ys)
	}
	// Blend: the weight of the model's polarity in Compound with the best
	// Pearson r against the dev polarity (-1, 0, 1).
	var gold []float64
	var model, lex []float64
	for i := range dev {
		if dev[i].pol < 0 {
			continue
		}
		p := m.polarityProbs(&z[i])
		gold = append(gold, float64(dev[i].pol)-1)
		model = append(model, float64(p[2]-p[0]))
		lex = append(lex, float64(dev[i].dense[dCompound]))
	}
	// The lexicon is not tied to Reddit's style: prefer it, taking the
	// smallest model weight within 0.01 of the best r.
	var rs [11]float64
	bestR := -2.0
	for b := range rs {
		x := make([]float64, len(gold))
		for i := range x {
			x[i] = float64(b)/10*model[i] + (1-float64(b)/10)*lex[i]
		}
		rs[b] = pearson(x, gold)
		bestR = max(bestR, rs[b])
	}
	for b, r := range rs {
		if r >= bestR-0.01 {
			m.p.Blend = float32(b) / 10
			break
		}
	}
	// Band: by the same rule, the lowest band within 0.01 of the best dev
	// macro-F1, where no band (the model's call alone) is a candidate.
	var cands []float32
	for b := float32(0.05); b <= 0.501; b += 0.05 {
		cands = append(cands, b)
	}
	cands = append(cands, 0)
	f1s := make([]float64, len(cands))
	bestF1 := -1.0
	for c, band := range cands {
		m.p.Band = band
		var cm [numPolarity][numPolarity]int
		for i := range dev {
			if dev[i].pol < 0 {
				continue
			}
			r := m.result(Result{Compound: float64(dev[i].dense[dCompound])}, &z[i], false)
			cm[dev[i].pol][map[Label]int{Negative: 0, Neutral: 1, Positive: 2}[r.Label]]++
		}
		f1s[c] = macroF1Of(cm)
		bestF1 = max(bestF1, f1s[c])
	}
	for c, f := range f1s {
		if f >= bestF1-0.01 {
			m.p.Band = cands[c]
			break
		}
	}
}

func argmax3(logp, off [numPolarity]float32) int {
	best, bz := 0, float32(math.Inf(-1))
	for k := range numPolarity {
		if s := logp[k] + off[k]; s > bz {
			best, bz = k, s
		}
	}
	return best
}

func macroF1Of(cm [numPolarity][numPolarity]int) float64 {
	f := 0.0
	for c := range numPolarity {
		tp, fp, fn := 0, 0, 0
		for o := range numPolarity {
			if o == c {
				tp = cm[c][c]
				continue
			}
			fp += cm[o][c]
			fn += cm[c][o]
		}
		f += f1(tp, fp, fn)
	}
	return f / numPolarity
}

func f1(tp, fp, fn int) float64 {
	if tp == 0 {
		return 0
	}
	return 2 * float64(tp) / float64(2*tp+fp+fn)
}

// platt fits p = sigmoid(a*x + b) to ys by Newton's method on the
// log-loss, with Platt's smoothed targets.
func platt(xs []float64, ys []bool) (a, b float64) {
	npos := 0
	for _, y := range ys {
		if y {
			npos++
		}
	}
	hi := (float64(npos) + 1) / (float64(npos) + 2)
	lo := 1 / (float64(len(ys)-npos) + 2)
	a, b = 1, 0
	for range 100 {
		var ga, gb, haa, hab, hbb float64
		for i, x := range xs {
			t := lo
			if ys[i] {
				t = hi
			}
			p := 1 / (1 + math.Exp(-(a*x + b)))
			d := p - t
			wt := max(p*(1-p), 1e-9)
			ga += d * x
			gb += d
			haa += wt * x * x
			hab += wt * x
			hbb += wt
		}
		haa += 1e-9
		hbb += 1e-9
		det := haa*hbb - hab*hab
		if det <= 0 {
			break
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		// Backtracking: halve the step until the loss falls, as a full
		// Newton step from far off (logits on another scale, such as a
		// head with the multi-task stage folded in) can overshoot and
		// diverge. Near the optimum the full step is taken.
		f0, step := plattLoss(xs, ys, a, b, lo, hi), 1.0
		for step > 1e-6 && plattLoss(xs, ys, a-step*da, b-step*db, lo, hi) > f0+1e-12 {
			step /= 2
		}
		a, b = a-step*da, b-step*db
		if step*(math.Abs(da)+math.Abs(db)) < 1e-9 {
			break
		}
	}
	// On separable data (a handful of examples) Newton's steps diverge:
	// keep a steep but finite sigmoid.
	if math.IsNaN(a) || math.IsNaN(b) {
		return 1, 0
	}
	return max(-1e3, min(1e3, a)), max(-1e4, min(1e4, b))
}

// plattLoss is the cross-entropy of sigmoid(a*x+b) against Platt's
// targets hi (positives) and lo (negatives).
func plattLoss(xs []float64, ys []bool, a, b, lo, hi float64) float64 {
	var l float64
	for i, x := range xs {
		t := lo
		if ys[i] {
			t = hi
		}
		z := a*x + b
		// log(1+exp(z)) - t*z, computed without overflow.
		l += max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) - t*z
	}
	return l
}

// bestThreshold returns the probability threshold with the best F1.
func bestThreshold(ps []float32, ys []bool) float32 {
	best, bestF := float32(0.5), -1.0
	for t := float32(0.05); t <= 0.951; t += 0.01 {
		tp, fp, fn := 0, 0, 0
		for i, p := range ps {
			switch {
			case p >= t && ys[i]:
				tp++
			case p >= t:
				fp++
			case ys[i]:
				fn++
			}
		}
		if f := f1(tp, fp, fn); f > bestF+1e-9 {
			best, bestF = t, f
		}
	}
	return best
}

func pearson(x, y []float64) float64 {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= n
	my /= n
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}

// devFigures measures the calibrated model on dev: polarity macro-F1 and
// F1 of every binary head at strength 0.5.
func (m *Model) devFigures(dev []sample) map[string]float64 {
	z := m.devLogits(dev)
	out := map[string]float64{}
	var cm [numPolarity][numPolarity]int
	var tp, fp, fn [numOutputs - numPolarity]int
	for i := range dev {
		lr := Result{Compound: float64(dev[i].dense[dCompound])}
		r := m.result(lr, &z[i], false)
		if dev[i].pol >= 0 {
			k := map[Label]int{Negative: 0, Neutral: 1, Positive: 2}[r.Label]
			cm[dev[i].pol][k]++
		}
		s := [...]float64{r.Emotions.Frustration, r.Emotions.Anger, r.Emotions.Confusion, r.Emotions.Disappointment,
			r.Emotions.Gratitude, r.Emotions.Delight, r.Complaint}
		for h := range s {
			pred, gold := s[h] >= 0.5, dev[i].heads[h]
			switch {
			case pred && gold:
				tp[h]++
			case pred:
				fp[h]++
			case gold:
				fn[h]++
			}
		}
	}
	out["macro_f1"] = math.Round(macroF1Of(cm)*1e4) / 1e4
	for h, name := range headNames {
		out[name+"_f1"] = math.Round(f1(tp[h], fp[h], fn[h])*1e4) / 1e4
	}
	return out
}

//go:embed model/support.tsv
var supportTSV string

// SupportExamples returns the customer-support messages written for
// Parley that the shipped model is trained on besides GoEmotions: short
// complaints ("My parcel never arrived."), confusion, plain requests and
// thanks, generated from templates (model/support.tsv). GoEmotions is
// Reddit comments; these teach the model what support messages look
// like ("I want a refund" is not a GoEmotions "desire").
func SupportExamples() []Example {
	var out []Example
	for line := range strings.SplitSeq(supportTSV, "\n") {
		text, labels, ok := strings.Cut(strings.TrimRight(line, "\r"), "\t")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, Example{Text: text, Labels: strings.Split(labels, ",")})
	}
	return out
}
