package train

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/nlu"
)

// An Example is one labelled training utterance.
type Example struct {
	Text   string `json:"text" yaml:"text"`
	Intent string `json:"intent" yaml:"intent"`
	// Source names where the example came from ("train.csv:12"), for
	// messages about it; it may be empty.
	Source string `json:"source,omitempty" yaml:"-"`
}

// Algorithm selects the learning method of [Train].
type Algorithm uint8

// Algorithms.
const (
	// Softmax is multinomial logistic regression over word and character
	// n-gram TF-IDF features with temperature-calibrated probabilities.
	Softmax Algorithm = iota
	// Centroid is a nearest-centroid classifier over word TF-IDF: tiny
	// and instant to train, less accurate. It serves as a baseline.
	Centroid
	// Ensemble combines the [Softmax] model with one-vs-rest linear SVMs
	// (squared hinge, fitted by dual coordinate descent as in LIBLINEAR) over the
	// same features: each model's scores are divided by its own
	// calibration temperature, mixed, and calibrated again. The mix is
	// itself a linear model, so it classifies as fast as Softmax and saves
	// in the same file format; training takes about twice as long. It is
	// the default.
	Ensemble
)

// String returns the algorithm's name.
func (a Algorithm) String() string {
	switch a {
	case Softmax:
		return "softmax"
	case Centroid:
		return "centroid"
	case Ensemble:
		return "ensemble"
	}
	return fmt.Sprintf("Algorithm(%d)", uint8(a))
}

// trainConfig holds the options of [Train].
type trainConfig struct {
	lang      string
	oosLabel  string
	algorithm Algorithm
	sgd       sgdParams
	holdout   float64
	topK      int
	features  *featureConfig
}

// An Option configures [Train].
type Option func(*trainConfig)

// WithLanguage sets the base language (an ISO 639-1 code such as "en" or
// "es") whose stemmer the features use. The default is "en". A language
// without a stemmer uses words as written.
func WithLanguage(lang string) Option {
	return func(c *trainConfig) { c.lang = lang }
}

// WithOutOfScopeLabel names the intent of out-of-scope training examples
// (default "oos"). They are learnt as one more class whose probability is
// reported as [intent.Result.OutOfScope], never as an intent.
func WithOutOfScopeLabel(label string) Option {
	return func(c *trainConfig) { c.oosLabel = label }
}

// WithAlgorithm selects the learning method; the default is [Ensemble].
func WithAlgorithm(a Algorithm) Option {
	return func(c *trainConfig) { c.algorithm = a }
}

// WithEpochs sets the number of passes over the training data (default 6).
func WithEpochs(n int) Option {
	return func(c *trainConfig) { c.sgd.Epochs = n }
}

// WithL2 sets the L2 regularisation strength per example. The default is
// 0.015 divided by the number of examples (1e-6 for 15,000 examples), so
// that small training sets are regularised more, as with a fixed C in
// LIBLINEAR.
func WithL2(lambda float64) Option {
	return func(c *trainConfig) { c.sgd.Lambda = lambda }
}

// WithSeed sets the seed of the training data shuffle. The same data,
// options and seed give the same model, byte for byte.
func WithSeed(seed uint64) Option {
	return func(c *trainConfig) { c.sgd.Seed = seed }
}

// WithCalibrationHoldout sets the fraction of each intent's examples held
// out to fit the probability temperature (default 0.1; 0 disables
// calibration). The final model is trained on all the examples.
func WithCalibrationHoldout(frac float64) Option {
	return func(c *trainConfig) { c.holdout = frac }
}

// minCalibrationRows is the least number of held-out rows a temperature
// is fitted on.
const minCalibrationRows = 50

// WithTopK sets how many intents [Model.Classify] ranks (default 5).
func WithTopK(k int) Option {
	return func(c *trainConfig) { c.topK = k }
}

// A Model is a trained intent classifier. It is immutable and safe for
// concurrent use.
type Model struct {
	algorithm Algorithm
	labels    []string // class names; labels[oos] is the out-of-scope class
	oos       int      // index of the out-of-scope class, or -1
	fx        *extractor
	voc       *vocab
	lin       *linear
	temp      float64
	topK      int
	pool      *sync.Pool // *[]float64 score buffers
}

// Train learns a model from examples. It returns an [*DataError] naming
// the offending rows when an example has no intent or no text, or when
// fewer than two intents are given.
func Train(ctx context.Context, examples []Example, opts ...Option) (*Model, error) {
	cfg := trainConfig{
		lang:      "en",
		oosLabel:  "oos",
		sgd:       sgdParams{Epochs: 6, LR: 5, Seed: 1},
		algorithm: Ensemble,
		holdout:   0.1,
		topK:      5,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if err := checkTrainable(examples, cfg.oosLabel); err != nil {
		return nil, err
	}
	if cfg.sgd.Lambda <= 0 {
		cfg.sgd.Lambda = 0.015 / float64(len(examples))
	}
	labels, oos := labelSet(examples, cfg.oosLabel)
	ids := make(map[string]int, len(labels))
	for i, l := range labels {
		ids[l] = i
	}
	fc := defaultFeatureConfig(cfg.lang)
	if cfg.features != nil {
		fc = *cfg.features
	}
	fx := newExtractor(fc)
	raws := make([][]rawFeature, len(examples))
	ys := make([]int, len(examples))
	for i, e := range examples {
		raws[i] = fx.raw(nil, Normalize(e.Text))
		ys[i] = ids[e.Intent]
	}
	m := &Model{
		algorithm: cfg.algorithm,
		labels:    labels,
		oos:       oos,
		fx:        fx,
		temp:      1,
		topK:      max(cfg.topK, 1),
	}
	switch cfg.algorithm {
	case Centroid:
		fx.cfg.CharMax, fx.cfg.CharMin, fx.cfg.Bigrams = 0, 1, false
		for i, e := range examples {
			raws[i] = fx.raw(nil, Normalize(e.Text))
		}
		m.voc = buildVocab(raws)
		m.lin = trainCentroid(m.voc, raws, ys, len(labels))
		m.temp = 0.05
	case Softmax, Ensemble:
		if err := m.trainSoftmax(ctx, raws, ys, cfg); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("intent: unknown algorithm %v", cfg.algorithm)
	}
	quantize(m.lin)
	m.init()
	return m, nil
}

func (m *Model) init() {
	C := m.lin.C
	m.pool = &sync.Pool{New: func() any { s := make([]float64, 0, C); return &s }}
}

// Ensemble settings, chosen on the CLINC150 validation set: SVM C among
// 0.5, 1, 2, 4, 8 (2 to 8 within a few rows; 4 is faster to train than
// 8); SVM weight among 0.5, 0.65 and 0.8 (0.5 and 0.65 tied on the
// threshold objective, 0.65 kept more in-scope rows). The solver stops
// after 30 passes, which lost nothing on validation.
const (
	ensembleSVMC      = 4
	ensembleSVMWeight = 0.65
	// ensembleSVMTemp and ensembleLinTemp scale the two models' scores
	// when too few rows can be held out to calibrate them: the
	// temperatures the CLINC150 training set calibrates to.
	ensembleSVMTemp = 0.157
	ensembleLinTemp = 0.73
)

// members are the models an algorithm trains on one set of rows.
type members struct {
	lin, svm *linear
}

// trainMembers trains the softmax model and, for [Ensemble], the SVMs.
func trainMembers(ctx context.Context, xs []sparse, ys []int, F, C int, cfg trainConfig) (members, error) {
	var ms members
	if cfg.algorithm != Ensemble {
		var err error
		ms.lin, err = trainSoftmax(ctx, xs, ys, F, C, cfg.sgd)
		return ms, err
	}
	// The softmax and the SVMs train at the same time, the SVM classes
	// spread over all processors, so that no core idles while another
	// model (the calibration copy) is still training. Every class has its
	// own seed, so the result does not depend on the scheduling.
	var (
		wg     sync.WaitGroup
		linErr error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		ms.lin, linErr = trainSoftmax(ctx, xs, ys, F, C, cfg.sgd)
	}()
	p := svmParams{C: ensembleSVMC, Eps: 0.5, MaxIter: 30, Workers: runtime.GOMAXPROCS(0), Seed: cfg.sgd.Seed}
	svm, err := trainSVM(ctx, xs, ys, F, C, p)
	wg.Wait()
	if linErr != nil {
		return ms, linErr
	}
	if err != nil {
		return ms, err
	}
	ms.svm = svm
	return ms, nil
}

// trainSoftmax trains the final model on all rows and, concurrently, a
// calibration model on all but a held-out part, whose scores fit the
// temperature. For [Ensemble] each member's temperature is fitted first,
// then the temperature of their mix.
func (m *Model) trainSoftmax(ctx context.Context, raws [][]rawFeature, ys []int, cfg trainConfig) error {
	m.voc = buildVocab(raws)
	F, C := len(m.voc.hashes), len(m.labels)
	xs := make([]sparse, len(raws))
	for i, r := range raws {
		xs[i], _, _ = m.voc.vectorize(r)
	}
	var (
		wg      sync.WaitGroup
		calErr  error
		calTemp = 1.0
		linTemp = ensembleLinTemp
		svmTemp = ensembleSVMTemp
	)
	if cfg.holdout > 0 {
		trainIdx, heldIdx := stratifiedSplit(ys, C, cfg.holdout, cfg.sgd.Seed)
		// Fewer held-out rows than this give a temperature that chases
		// noise; the model then keeps T = 1.
		if len(heldIdx) >= minCalibrationRows {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// The calibration model uses the full vocabulary, but IDF and
				// features of held-out rows never reach its weights.
				txs, tys := pick(xs, ys, trainIdx)
				ms, err := trainMembers(ctx, txs, tys, F, C, cfg)
				if err != nil {
					calErr = err
					return
				}
				hys := make([]int, len(heldIdx))
				lin := make([][]float64, len(heldIdx))
				for k, i := range heldIdx {
					lin[k] = ms.lin.scores(nil, xs[i])
					hys[k] = ys[i]
				}
				if ms.svm == nil {
					calTemp = fitTemperature(lin, hys)
					return
				}
				svm := make([][]float64, len(heldIdx))
				for k, i := range heldIdx {
					svm[k] = ms.svm.scores(nil, xs[i])
				}
				linTemp = fitTemperature(lin, hys)
				svmTemp = fitTemperature(svm, hys)
				a, b := (1-ensembleSVMWeight)/linTemp, ensembleSVMWeight/svmTemp
				for k := range lin {
					for c := range lin[k] {
						lin[k][c] = a*lin[k][c] + b*svm[k][c]
					}
				}
				calTemp = fitTemperature(lin, hys)
			}()
		}
	}
	ms, err := trainMembers(ctx, xs, ys, F, C, cfg)
	wg.Wait()
	if err != nil {
		return err
	}
	if calErr != nil {
		return calErr
	}
	m.lin = ms.lin
	m.temp = calTemp
	if ms.svm != nil {
		a, b := float32((1-ensembleSVMWeight)/linTemp), float32(ensembleSVMWeight/svmTemp)
		for k, w := range ms.svm.W {
			m.lin.W[k] = a*m.lin.W[k] + b*w
		}
		for c, w := range ms.svm.B {
			m.lin.B[c] = a*m.lin.B[c] + b*w
		}
	}
	return nil
}

func pick(xs []sparse, ys []int, idx []int) ([]sparse, []int) {
	px := make([]sparse, len(idx))
	py := make([]int, len(idx))
	for k, i := range idx {
		px[k], py[k] = xs[i], ys[i]
	}
	return px, py
}

// stratifiedSplit holds out about frac of each class (never a class's only
// example), choosing rows deterministically from seed.
func stratifiedSplit(ys []int, C int, frac float64, seed uint64) (train, held []int) {
	byClass := make([][]int, C)
	for i, y := range ys {
		byClass[y] = append(byClass[y], i)
	}
	for c, rows := range byClass {
		n := int(math.Round(frac * float64(len(rows))))
		if len(rows) < 2 {
			n = 0
		}
		// A cheap deterministic permutation: order rows by a seeded hash.
		slices.SortFunc(rows, func(a, b int) int {
			return cmp.Compare(mix(uint64(a)^seed^uint64(c)<<32), mix(uint64(b)^seed^uint64(c)<<32))
		})
		held = append(held, rows[:n]...)
		train = append(train, rows[n:]...)
	}
	slices.Sort(train)
	slices.Sort(held)
	return train, held
}

func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// labelSet returns the sorted class names and the index of the
// out-of-scope class (-1 if absent).
func labelSet(examples []Example, oosLabel string) ([]string, int) {
	set := make(map[string]bool)
	for _, e := range examples {
		set[e.Intent] = true
	}
	labels := make([]string, 0, len(set))
	for l := range set {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	oos := -1
	if oosLabel != "" {
		oos = slices.Index(labels, oosLabel)
	}
	return labels, oos
}

// Intents returns the names of the in-scope intents the model knows, sorted.
func (m *Model) Intents() []string {
	out := make([]string, 0, len(m.labels))
	for i, l := range m.labels {
		if i != m.oos {
			out = append(out, l)
		}
	}
	return out
}

// Algorithm reports how the model was trained.
func (m *Model) Algorithm() Algorithm { return m.algorithm }

// Temperature returns the calibration temperature applied to the scores.
func (m *Model) Temperature() float64 { return m.temp }

// Classify ranks the model's intents for text. It never fails for any
// text; empty or unknown text gives low confidences. The error is for the
// [intent.Classifier] interface and reports only a done ctx.
func (m *Model) Classify(ctx context.Context, text string) (intent.Result, error) {
	if err := ctx.Err(); err != nil {
		return intent.Result{}, err
	}
	return m.classify(text), nil
}

func (m *Model) classify(text string) intent.Result {
	raw := m.fx.raw(make([]rawFeature, 0, 256), Normalize(text))
	x, known, total := m.voc.vectorize(raw)
	var res intent.Result
	if total > 0 {
		res.Coverage = float64(known) / float64(total)
	}
	if len(x.idx) == 0 {
		return res
	}
	bp := m.pool.Get().(*[]float64)
	s := m.lin.scores((*bp)[:0], x)
	softmaxInPlace(s, m.temp)
	if m.oos >= 0 {
		res.OutOfScope = s[m.oos]
	}
	res.Ranked = m.top(s)
	*bp = s
	m.pool.Put(bp)
	return res
}

// top returns the k best in-scope classes of probabilities p.
func (m *Model) top(p []float64) []nlu.Intent {
	k := min(m.topK, len(p))
	best := make([]nlu.Intent, 0, k+1)
	for c, v := range p {
		if c == m.oos {
			continue
		}
		if len(best) == k && v <= best[k-1].Confidence {
			continue
		}
		in := nlu.Intent{Name: m.labels[c], Confidence: v}
		pos, _ := slices.BinarySearchFunc(best, v, func(a nlu.Intent, v float64) int {
			return cmp.Compare(v, a.Confidence) // descending
		})
		best = slices.Insert(best, pos, in)
		if len(best) > k {
			best = best[:k]
		}
	}
	return best
}
