package sentiment

import (
	"context"
	"encoding/binary"
	"math"
	"sync"
)

// Model outputs, in weight order.
const (
	outNeg = iota // polarity softmax: negative, neutral, positive
	outNeu
	outPos
	outFrustration
	outAnger
	outConfusion
	outDisappointment
	outGratitude
	outDelight
	outComplaint
	numOutputs
)

const numPolarity = 3

// MaxText is the longest text, in bytes, that [Model] scores; longer ones
// are pastes, not messages, and get a neutral result with low confidence.
const MaxText = 4096

// headNames names the binary outputs (outFrustration on), in order.
var headNames = [numOutputs - numPolarity]string{"frustration", "anger", "confusion", "disappointment", "gratitude", "delight", "complaint"}

// Dense features, computed from the lexicon analyzer and the support cues.
const (
	dCompound = iota
	dPos
	dNeg
	dFrust
	dConf
	dUrg
	dDel
	dProblem
	dRequest
	dExcl
	dQuest
	dShout
	dForeign
	dAsk
	numDense
)

// Model is the trained analyzer: a linear model over hashed word, word
// pair and character n-gram features plus the [Lexical] analyzer's scores,
// trained on GoEmotions (see [Train]) with calibrated outputs. It gives
// 3-class polarity with calibrated probabilities, the support emotions and
// a complaint probability. [NewModel] loads the model shipped with Parley;
// [ReadModel] one written by [Model.WriteTo].
//
// A Model is safe for concurrent use.
type Model struct {
	lex  *Lexical
	cues *cueSet
	vec  *wordVectors // nil: a model without word vectors
	// vecTab holds, for every word of vec, its contribution to each
	// output of p.VecOutputs: the mean of these over a text's words is the
	// vectors' part of the logit (see setVecScores). Open addressing.
	vecTab  []vecScoreSlot
	vecMask uint64
	p       params
	// rows is p.weights with 128 added to every weight (unsigned bytes),
	// followed by padding, so that [Model.sum] adds eight at a time.
	rows []byte
	pool sync.Pool
}

// params are the learnt parameters, as stored in a model file.
type params struct {
	Info ModelInfo `json:"info"`
	// Feature configuration.
	Bits     uint8 `json:"bits"`
	CharMin  uint8 `json:"char_min"`
	CharMax  uint8 `json:"char_max"`
	Negation bool  `json:"negation"`
	// Extra holds the extra feature families (extra* bits) of a tuning
	// ablation; not stored, so such a model is for [Train]'s dev report
	// only.
	Extra uint8 `json:"-"`
	// Scale[k] turns the int8 sparse weights of output k into floats.
	Scale []float32 `json:"scale"`
	Bias  []float32 `json:"bias"`
	// Dense[d*numOutputs+k] is the weight of dense feature d for output k.
	Dense []float32 `json:"dense"`
	// Temperature calibrates the polarity softmax.
	Temperature float32 `json:"temperature"`
	// Prior is added to the polarity logits after calibration (negative,
	// neutral, positive): the offsets that maximise dev macro-F1.
	Prior [numPolarity]float32 `json:"prior"`
	// PlattA, PlattB calibrate the binary heads: p = sigmoid(A*z + B).
	PlattA []float32 `json:"platt_a"`
	PlattB []float32 `json:"platt_b"`
	// Threshold[h] is the calibrated probability at which head h is
	// reported as 0.5: the dev F1-optimal decision point.
	Threshold []float32 `json:"threshold"`
	// Blend is the weight of the model's polarity in Compound; the
	// lexicon's compound has the rest.
	Blend float32 `json:"blend"`
	// Band: a text the model calls neutral is positive or negative when
	// |Compound| reaches it (0: never).
	Band float32 `json:"band"`
	// VectorsCRC identifies the word vectors file (model/vectors.bin)
	// the model was trained with; 0: none.
	VectorsCRC uint32 `json:"vectors_crc,omitempty"`
	// VectorDims is the dimension of those vectors.
	VectorDims int `json:"vector_dims,omitempty"`
	// VecOutputs lists the outputs that read the pooled word vectors.
	VecOutputs []int `json:"vec_outputs,omitempty"`
	// Vec[k*VectorDims+j] is the weight of component j of the mean of the
	// text's word vectors (times vecGain) for output k.
	Vec []float32 `json:"vec,omitempty"`
	// Weights holds 2^Bits rows of numOutputs int8 weights.
	weights []int8
}

// ModelInfo describes a trained model.
type ModelInfo struct {
	// Version is the model file format version ([ModelVersion]).
	Version int `json:"version"`
	// Data names the training data and its licence.
	Data string `json:"data"`
	// Examples is the number of training examples.
	Examples int `json:"examples"`
	// Dev holds the development-set figures measured after training
	// (macro_f1, frustration_f1, ...).
	Dev map[string]float64 `json:"dev,omitempty"`
}

var _ Analyzer = (*Model)(nil)

type modelScratch struct {
	f featurizer
}

func newModel(p params, vec *wordVectors) (*Model, error) {
	lex, err := NewLexical(absenceIsNoJudgement())
	if err != nil {
		return nil, err
	}
	m := &Model{lex: lex, cues: newCueSet(), p: p, vec: vec}
	m.setRows()
	m.setVecScores()
	m.pool.New = func() any {
		return &modelScratch{f: featurizer{word: make([]byte, 0, 64), hashes: make([]uint64, 0, 64), feats: make([]uint32, 0, 128), chars: make([]uint32, 0, 512)}}
	}
	return m, nil
}

// maxVecOutputs is the number of outputs that may read the word vectors.
const maxVecOutputs = 3

// vecScoreSlot is a slot of Model.vecTab: a word's hash tag (0: empty)
// and its scores, 16 bytes, so that a word costs one memory access.
type vecScoreSlot struct {
	tag   uint32
	score [maxVecOutputs]float32
}

// vecTag is the tag of a word hash in Model.vecTab, never 0.
func vecTag(h uint64) uint32 { return uint32(h>>32) | 1 }

// setVecScores precomputes, for every word of the vectors, its dot
// product with each output's vector weights: the mean of a text's word
// vectors enters the logits linearly, so its contribution is the mean of
// its words' scores, one table read a word instead of a pass over the
// vector.
func (m *Model) setVecScores() {
	m.vecTab = nil
	v := m.vec
	if v == nil || len(m.p.VecOutputs) == 0 || len(m.p.VecOutputs) > maxVecOutputs || len(m.p.Vec) != v.dims*numOutputs {
		return
	}
	m.vecTab, m.vecMask = make([]vecScoreSlot, len(v.slots)), v.mask
	for _, sl := range v.slots {
		if sl.key == 0 {
			continue
		}
		var e vecScoreSlot
		e.tag = vecTag(sl.key)
		for i, k := range m.p.VecOutputs {
			w := m.p.Vec[k*v.dims : (k+1)*v.dims]
			var a float32
			for d := range v.dims {
				a += w[d] * v.component(int(sl.row), d)
			}
			e.score[i] = a * vecGain
		}
		s := mix64(sl.key) & m.vecMask
		for m.vecTab[s].tag != 0 {
			s = (s + 1) & m.vecMask
		}
		m.vecTab[s] = e
	}
}

// vecScores returns the scores of the word with hash h, or nil.
func (m *Model) vecScores(h uint64) *[maxVecOutputs]float32 {
	if h == 0 {
		h = 1 // as wordVectors does
	}
	tag := vecTag(h)
	for s := mix64(h) & m.vecMask; ; s = (s + 1) & m.vecMask {
		switch e := &m.vecTab[s]; e.tag {
		case tag:
			return &e.score
		case 0:
			return nil
		}
	}
}

// Info describes the model: format version, training data, dev figures.
func (m *Model) Info() ModelInfo { return m.p.Info }

// Analyze implements [Analyzer]; it never fails and ignores ctx, as
// [Model.Polarity] does no I/O.
func (m *Model) Analyze(_ context.Context, text string) (Result, error) {
	return m.Polarity(text), nil
}

func (m *Model) featureConfig() featureConfig {
	return featureConfig{bits: m.p.Bits, charMin: m.p.CharMin, charMax: m.p.CharMax, negation: m.p.Negation, extra: m.p.Extra}
}

// Polarity scores text. Any input, including empty, emoji-only, very long
// or non-English text, gives a defined result: text without evidence the
// model knows is neutral with low [Result.Confidence]. So is a bare
// answer or chat command ("no", "No.", "cancel", "ok"): it answers the
// bot, it does not say how the customer feels.
//
// Texts longer than [MaxText] are pastes (logs, documents), not messages:
// they get a neutral result with low confidence.
func (m *Model) Polarity(text string) Result {
	if len(text) > MaxText {
		return Result{Label: Neutral, Score: 0.5, Confidence: 0.1}
	}
	sc := m.pool.Get().(*modelScratch)
	lr := m.lex.Polarity(text)
	var dense [numDense]float32
	m.extract(text, lr, &sc.f, &dense)
	var z [numOutputs]float32
	m.logits(sc.f.feats, sc.f.chars, &dense, sc.f.hashes, &z)
	r := m.result(lr, &z, sc.f.words == 0 || dense[dForeign] == 1 || sc.f.excl == 0 && m.cues.bareAnswer(sc.f.hashes))
	if cap(sc.f.chars) <= 1<<14 {
		m.pool.Put(sc)
	}
	return r
}

// extract fills f with the sparse features and dense with the dense ones.
func (m *Model) extract(text string, lr Result, f *featurizer, dense *[numDense]float32) {
	f.extract(text, m.featureConfig())
	problem, request := m.cues.count(f.hashes)
	dense[dCompound] = float32(lr.Compound)
	dense[dPos] = float32(lr.Positive)
	dense[dNeg] = float32(lr.Negative)
	dense[dFrust] = float32(lr.Emotions.Frustration)
	dense[dConf] = float32(lr.Emotions.Confusion)
	dense[dUrg] = float32(lr.Emotions.Urgency)
	dense[dDel] = float32(lr.Emotions.Delight)
	dense[dProblem] = float32(min(problem, 3)) / 3
	dense[dRequest] = float32(min(request, 3)) / 3
	if f.excl > 0 {
		dense[dExcl] = 1
	}
	if f.quest > 0 {
		dense[dQuest] = 1
	}
	if f.shout > 0 {
		dense[dShout] = 1
	}
	if f.ask {
		dense[dAsk] = 1
	}
	if foreign(lr, problem+request) {
		dense[dForeign] = 1
	}
}

// foreign reports whether a text is probably not English: the lexicon
// analyzer knew none of its words and no support cue matched.
func foreign(lr Result, cues int) bool { return lr.Confidence > 0 && lr.Confidence <= 0.1 && cues == 0 }

// sparseValue is the value of each sparse feature of a group (words,
// character n-grams) of n features: each group has unit length.
func sparseValue(n int) float32 {
	if n == 0 {
		return 0
	}
	return 1 / float32(math.Sqrt(float64(n)))
}

// logits computes the outputs' logits from the sparse features, the
// dense ones and the word vectors of the words with the given hashes.
func (m *Model) logits(feats, chars []uint32, dense *[numDense]float32, hashes []uint64, z *[numOutputs]float32) {
	aw, ac := m.sum(feats), m.sum(chars)
	vw, vc := sparseValue(len(feats)), sparseValue(len(chars))
	for k := range numOutputs {
		z[k] = m.p.Bias[k] + (float32(aw[k])*vw+float32(ac[k])*vc)*m.p.Scale[k]
	}
	for d, x := range dense {
		if x == 0 {
			continue
		}
		dw := m.p.Dense[d*numOutputs : d*numOutputs+numOutputs]
		for k := range numOutputs {
			z[k] += x * dw[k]
		}
	}
	if m.vecTab == nil {
		return
	}
	var acc [maxVecOutputs]float32
	n := 0
	for _, h := range hashes[:min(len(hashes), maxFeatureTokens)] {
		sc := m.vecScores(h)
		if sc == nil {
			continue
		}
		n++
		acc[0] += sc[0]
		acc[1] += sc[1]
		acc[2] += sc[2]
	}
	if n == 0 {
		return
	}
	for i, k := range m.p.VecOutputs {
		z[k] += acc[i] / float32(n)
	}
}

// setRows builds m.rows from the int8 weights.
func (m *Model) setRows() {
	m.rows = make([]byte, len(m.p.weights)+16)
	for i, w := range m.p.weights {
		m.rows[i] = byte(int(w) + 128)
	}
}

// Byte lanes of a 64-bit word: the even bytes, each in a 16-bit lane.
const evenBytes = 0x00FF00FF00FF00FF

// sum is written for rows of ten outputs: eight in a 64-bit word, two
// more in tail. This fails to compile if that changes.
var _ = [1]struct{}{}[numOutputs-10]

// sum adds up the int8 weight rows of the buckets. It adds the biased
// rows eight bytes at a time in 16-bit lanes (SWAR), flushing the lanes
// every 256 rows before they can overflow, and removes the bias at the
// end: the same integers as adding the int8 weights one by one.
func (m *Model) sum(buckets []uint32) [numOutputs]int32 {
	var acc [numOutputs]int32
	rows := m.rows
	for len(buckets) > 0 {
		chunk := buckets[:min(len(buckets), 256)]
		buckets = buckets[len(chunk):]
		var even, odd, tail uint64
		n := int32(len(chunk))
		for _, b := range chunk {
			o := int(b) * numOutputs
			if o+16 > len(rows) {
				n-- // cannot happen: buckets are masked to the table
				continue
			}
			r := rows[o : o+16 : o+16]
			x := binary.LittleEndian.Uint64(r)
			even += x & evenBytes
			odd += x >> 8 & evenBytes
			tail += uint64(r[8]) | uint64(r[9])<<32
		}
		for j := range 4 {
			acc[2*j] += int32(even >> (16 * j) & 0xFFFF)
			acc[2*j+1] += int32(odd >> (16 * j) & 0xFFFF)
		}
		acc[8] += int32(tail & 0xFFFFFFFF)
		acc[9] += int32(tail >> 32)
		for k := range acc {
			acc[k] -= 128 * n
		}
	}
	return acc
}

func sigmoid(x float32) float32 { return 1 / (1 + float32(math.Exp(float64(-x)))) }

// polarityProbs returns the calibrated polarity probabilities
// (negative, neutral, positive).
func (m *Model) polarityProbs(z *[numOutputs]float32) [numPolarity]float32 {
	t := m.p.Temperature
	if t <= 0 {
		t = 1
	}
	var p [numPolarity]float32
	mx := float32(math.Inf(-1))
	for k := range numPolarity {
		p[k] = z[k] / t
		mx = max(mx, p[k])
	}
	var sum float32
	for k := range numPolarity {
		p[k] = float32(math.Exp(float64(p[k] - mx)))
		sum += p[k]
	}
	for k := range numPolarity {
		p[k] /= sum
	}
	return p
}

// headProb returns the calibrated probability of binary head h.
func (m *Model) headProb(z *[numOutputs]float32, h int) float32 {
	return sigmoid(m.p.PlattA[h]*z[numPolarity+h] + m.p.PlattB[h])
}

// strength maps a calibrated probability to a strength in [0, 1] whose
// 0.5 is the head's decision threshold, the scale the rest of Parley reads
// ("frustration >= 0.5").
func strength(p, threshold float32) float64 {
	if threshold <= 0 || threshold >= 1 {
		return float64(p)
	}
	if p < threshold {
		return float64(0.5 * p / threshold)
	}
	return float64(0.5 + 0.5*(p-threshold)/(1-threshold))
}

func (m *Model) result(lr Result, z *[numOutputs]float32, noEvidence bool) Result {
	r := Result{Positive: lr.Positive, Negative: lr.Negative, Neutral: lr.Neutral}
	if noEvidence {
		// No evidence: empty, punctuation or emoji only, another
		// language, or a bare answer or command ("no", "cancel").
		r.Label, r.Score = Neutral, 0.5
		r.Confidence = min(lr.Confidence, 0.1)
		r.Emotions.Urgency = lr.Emotions.Urgency
		return r
	}
	p := m.polarityProbs(z)
	best, bestZ := 0, float32(math.Inf(-1))
	for k := range numPolarity {
		if s := float32(math.Log(float64(p[k]))) + m.p.Prior[k]; s > bestZ {
			best, bestZ = k, s
		}
	}
	r.Label = [numPolarity]Label{Negative, Neutral, Positive}[best]
	r.Probabilities = Probabilities{Negative: float64(p[0]), Neutral: float64(p[1]), Positive: float64(p[2])}
	r.Confidence = float64(p[best])
	b := float64(m.p.Blend)
	r.Compound = max(-1, min(1, b*float64(p[2]-p[0])+(1-b)*lr.Compound))
	if band := float64(m.p.Band); r.Label == Neutral && band > 0 {
		// Strong polar evidence, from the lexicon too, overrides a
		// neutral call: Reddit's "neutral" is broader than a support
		// conversation's.
		switch {
		case r.Compound >= band:
			r.Label, r.Confidence = Positive, float64(p[2])
		case r.Compound <= -band:
			r.Label, r.Confidence = Negative, float64(p[0])
		}
	}
	r.Score = (r.Compound + 1) / 2
	var s [numOutputs - numPolarity]float64
	for h := range s {
		s[h] = strength(m.headProb(z, h), m.p.Threshold[h])
	}
	r.Emotions = Emotions{
		Frustration:    s[outFrustration-numPolarity],
		Anger:          s[outAnger-numPolarity],
		Confusion:      s[outConfusion-numPolarity],
		Urgency:        lr.Emotions.Urgency,
		Disappointment: s[outDisappointment-numPolarity],
		Gratitude:      s[outGratitude-numPolarity],
		Delight:        s[outDelight-numPolarity],
	}
	r.Complaint = s[outComplaint-numPolarity]
	return r
}
