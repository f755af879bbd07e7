package intent

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/intent/entity"
	"github.com/parleyhq/parley/nlu"
)

// Policy decides what a classification means.
type Policy struct {
	// Threshold is the confidence the top intent needs to be acted on
	// (default 0.75).
	Threshold float64
	// PerIntent overrides Threshold for single intents.
	PerIntent map[string]float64
	// Margin: when the top two candidates are closer than Margin, both
	// reach AmbiguousFloor and together reach the top intent's threshold
	// (the text is surely one of the two), the result is Ambiguous and the
	// bot asks which one was meant (default 0.1; negative disables).
	Margin float64
	// AmbiguousFloor is the confidence the second candidate needs for a
	// clarifying question (default 0.2).
	AmbiguousFloor float64
	// OutOfScope is the confidence below which a rejected text counts as
	// out of scope rather than unsure (default 0.3). A text whose
	// out-of-scope probability beats every intent is out of scope too.
	OutOfScope float64
}

// DefaultPolicy returns the default policy.
func DefaultPolicy() Policy {
	return Policy{Threshold: 0.75, Margin: 0.1, AmbiguousFloor: 0.2, OutOfScope: 0.3}
}

func (p Policy) threshold(name string) float64 {
	if t, ok := p.PerIntent[name]; ok {
		return t
	}
	return p.Threshold
}

// Decide turns a classifier's result into an [nlu.Understanding]
// (without entities).
func (p Policy) Decide(r Result) nlu.Understanding {
	u := nlu.Understanding{Ranked: r.Ranked}
	top := r.Top()
	switch {
	case top.Name == "" || r.OutOfScope > top.Confidence || top.Confidence < p.OutOfScope:
		u.Status = nlu.OutOfScope
	case len(r.Ranked) > 1 && p.Margin >= 0 && r.Ranked[1].Confidence >= p.AmbiguousFloor &&
		top.Confidence-r.Ranked[1].Confidence < p.Margin &&
		top.Confidence+r.Ranked[1].Confidence >= p.threshold(top.Name):
		u.Status = nlu.Ambiguous
	case len(r.Ranked) > 1 && p.Margin >= 0 && r.Ranked[1].Confidence >= p.AmbiguousFloor &&
		top.Confidence < p.threshold(top.Name) &&
		top.Confidence+r.Ranked[1].Confidence >= surelyOneOfTwo:
		// Neither is sure alone, but the text is surely one of the two
		// ("refund": get one, or ask about one): ask which.
		u.Status = nlu.Ambiguous
	case top.Confidence >= p.threshold(top.Name):
		u.Status = nlu.Understood
		u.Intent = top
	default:
		u.Status = nlu.Unsure
	}
	return u
}

// surelyOneOfTwo is the confidence the top two candidates need together
// for a text neither is sure of alone to be [nlu.Ambiguous] between them.
const surelyOneOfTwo = 0.95

// routes is an immutable set of classifiers by locale.
type routes struct {
	def     Classifier
	defTag  language.Tag
	tags    []language.Tag
	byTag   []Classifier
	matcher language.Matcher
}

// An Understander classifies turns and extracts their entities: the front
// of the package. Its classifiers can be replaced while it serves
// ([Understander.SetClassifier]), for example with a model retrained by
// package intent/train.
//
// An Understander is safe for concurrent use.
type Understander struct {
	routes     atomic.Pointer[routes]
	mu         sync.Mutex // serialises writers of routes
	policy     Policy
	extractors []entity.Extractor
	split      bool
	detect     bool
	location   func(*parley.Turn) *time.Location
	openers    map[string]bool
	loanwords  map[string]map[string]string // base language -> lower-case word -> its own
}

// An Option configures an [Understander].
type Option func(*Understander)

// WithPolicy sets the decision policy (default [DefaultPolicy]). Zero
// fields take their default values.
func WithPolicy(p Policy) Option {
	return func(u *Understander) {
		d := DefaultPolicy()
		if p.Threshold == 0 {
			p.Threshold = d.Threshold
		}
		if p.Margin == 0 {
			p.Margin = d.Margin
		}
		if p.AmbiguousFloor == 0 {
			p.AmbiguousFloor = d.AmbiguousFloor
		}
		if p.OutOfScope == 0 {
			p.OutOfScope = d.OutOfScope
		}
		u.policy = p
	}
}

// WithExtractors adds entity extractors, run on every text turn.
func WithExtractors(xs ...entity.Extractor) Option {
	return func(u *Understander) { u.extractors = append(u.extractors, xs...) }
}

// WithMultiIntent enables or disables splitting messages that ask for
// several things (default on); see [Split].
func WithMultiIntent(on bool) Option { return func(u *Understander) { u.split = on } }

// WithOpeners names the intents that open a message without being its
// request, such as a greeting: "Hi there, hope you're well. I ordered a
// lamp two weeks ago and it still hasn't arrived" is about the order, not
// a greeting to answer with the menu. A message whose first clauses are
// openers and that goes on is classified on the rest; an opener alone
// ("hi", "hola buenas") is still the opener.
func WithOpeners(intents ...string) Option {
	return func(u *Understander) {
		if u.openers == nil {
			u.openers = map[string]bool{}
		}
		for _, in := range intents {
			u.openers[in] = true
		}
	}
}

// WithLoanwords names the words customers borrow from another language
// while writing in locale's, and that language's own word for each: with
// WithLoanwords("es", map[string]string{"refund": "reembolso", "order":
// "pedido"}), "quiero un refund" is classified by the Spanish classifier
// as "quiero un reembolso". Only the text the locale's classifier reads
// changes (whole words, any case); entities are found in the customer's
// words. Keys are single words. It panics if locale is not a valid tag.
func WithLoanwords(locale string, words map[string]string) Option {
	return func(u *Understander) {
		tag, err := language.Parse(locale)
		if err != nil {
			panic(fmt.Sprintf("intent: WithLoanwords: locale %q: %v", locale, err)) // bad tag in code: programmer error
		}
		base, _ := tag.Base()
		if u.loanwords == nil {
			u.loanwords = map[string]map[string]string{}
		}
		m := u.loanwords[base.String()]
		if m == nil {
			m = map[string]string{}
			u.loanwords[base.String()] = m
		}
		for from, to := range words {
			m[strings.ToLower(from)] = to
		}
	}
}

// ownWords returns text with the loanwords of locale (see
// [WithLoanwords]) replaced by the locale's own words.
func (u *Understander) ownWords(locale, text string) string {
	if len(u.loanwords) == 0 {
		return text
	}
	tag, err := language.Parse(locale)
	if err != nil {
		return text
	}
	base, _ := tag.Base()
	words := u.loanwords[base.String()]
	if len(words) == 0 {
		return text
	}
	var b strings.Builder
	start := -1
	flush := func(end int) {
		w := text[start:end]
		if to, ok := words[strings.ToLower(w)]; ok {
			w = to
		}
		b.WriteString(w)
		start = -1
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		letter := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\''
		switch {
		case letter && start < 0:
			start = i
		case !letter && start >= 0:
			flush(i)
		}
		if !letter {
			b.WriteString(text[i : i+size])
		}
		i += size
	}
	if start >= 0 {
		flush(len(text))
	}
	return b.String()
}

// WithLanguageDetection enables or disables guessing the language of
// turns without a locale (default on; see [DetectLanguage]).
func WithLanguageDetection(on bool) Option { return func(u *Understander) { u.detect = on } }

// WithTimeZone sets how to find a customer's time zone, against which
// relative dates are resolved (default UTC).
func WithTimeZone(f func(*parley.Turn) *time.Location) Option {
	return func(u *Understander) { u.location = f }
}

// WithLocale adds a classifier for a BCP 47 locale such as "es". Turns
// are routed to the best-matching locale's classifier. It panics if locale
// is not a valid tag or c is nil (use [Understander.SetClassifier] for
// values from configuration).
func WithLocale(locale string, c Classifier) Option {
	return func(u *Understander) {
		if err := u.SetClassifier(locale, c); err != nil {
			panic(err) // bad tag in code: programmer error
		}
	}
}

// New returns an Understander using c for its default locale, English
// ("en"). It panics if c is nil.
func New(c Classifier, opts ...Option) *Understander {
	if c == nil {
		panic("intent: New with nil Classifier")
	}
	u := &Understander{policy: DefaultPolicy(), split: true, detect: true}
	u.routes.Store(newRoutes(c, language.English, nil, nil))
	for _, o := range opts {
		o(u)
	}
	return u
}

func newRoutes(def Classifier, defTag language.Tag, tags []language.Tag, cs []Classifier) *routes {
	all := append([]language.Tag{defTag}, tags...)
	return &routes{def: def, defTag: defTag, tags: tags, byTag: cs, matcher: language.NewMatcher(all)}
}

// SetClassifier replaces (or adds) the classifier of a locale atomically:
// turns already classifying finish with the old one. The locale of the
// default classifier is "en".
func (u *Understander) SetClassifier(locale string, c Classifier) error {
	tag, err := language.Parse(locale)
	if err != nil {
		return fmt.Errorf("intent: locale %q: %w", locale, err)
	}
	if c == nil {
		return fmt.Errorf("intent: locale %q: %w", locale, ErrNotTrained)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	old := u.routes.Load()
	if tag == old.defTag {
		u.routes.Store(newRoutes(c, old.defTag, old.tags, old.byTag))
		return nil
	}
	tags := append([]language.Tag(nil), old.tags...)
	cs := append([]Classifier(nil), old.byTag...)
	replaced := false
	for i, t := range tags {
		if t == tag {
			cs[i], replaced = c, true
		}
	}
	if !replaced {
		tags, cs = append(tags, tag), append(cs, c)
	}
	u.routes.Store(newRoutes(old.def, old.defTag, tags, cs))
	return nil
}

// classifierFor picks the classifier for a locale (empty: detect or
// default) and returns it with the locale used.
func (u *Understander) classifierFor(locale, text string) (Classifier, string) {
	r := u.routes.Load()
	if locale == "" && u.detect && len(r.tags) > 0 {
		locale = DetectLanguage(text)
	}
	if locale == "" || len(r.tags) == 0 {
		return r.def, r.defTag.String()
	}
	tag, err := language.Parse(locale)
	if err != nil {
		return r.def, r.defTag.String()
	}
	_, i, conf := r.matcher.Match(tag)
	if conf == language.No || i == 0 {
		return r.def, r.defTag.String()
	}
	return r.byTag[i-1], r.tags[i-1].String()
}

// Understand classifies text in locale ("" to detect) and extracts
// entities, resolving relative dates against now in loc.
func (u *Understander) Understand(ctx context.Context, text, locale string, now time.Time, loc *time.Location) (nlu.Understanding, error) {
	return u.understand(ctx, text, locale, now, loc, false)
}

// understand is Understand; asked says the customer was asked for a
// value or a yes or no (their clauses may be an answer and its reasons,
// not a request).
func (u *Understander) understand(ctx context.Context, text, locale string, now time.Time, loc *time.Location, asked bool) (nlu.Understanding, error) {
	c, used := u.classifierFor(locale, text)
	und, err := u.classify(ctx, c, u.ownWords(used, text), asked)
	if err != nil {
		return nlu.Understanding{}, err
	}
	und.Locale = used
	if len(u.extractors) > 0 {
		es, err := entity.Extract(ctx, entity.Input{Text: text, Time: now, Location: loc, Locale: used}, u.extractors...)
		if err != nil {
			return nlu.Understanding{}, fmt.Errorf("intent: entities: %w", err)
		}
		und.Entities = es
		if und.Status == nlu.Understood && onlyEntities(text, es) {
			// "A-1002" alone names an order, not what to do with it.
			und.Status, und.Intent, und.Then = nlu.Unsure, nlu.Intent{}, nil
		}
	}
	return und, nil
}

// onlyEntities reports whether text holds nothing but the entities found
// in it (and punctuation or spaces).
func onlyEntities(text string, es []nlu.Entity) bool {
	if len(es) == 0 {
		return false
	}
	covered := make([]bool, len(text))
	for _, e := range es {
		for i := max(e.Start, 0); i < min(e.End, len(text)); i++ {
			covered[i] = true
		}
	}
	for i, r := range text {
		if !covered[i] && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

func (u *Understander) classify(ctx context.Context, c Classifier, text string, asked bool) (nlu.Understanding, error) {
	if rest, ok, err := u.afterOpeners(ctx, c, text); err != nil || ok {
		if err != nil {
			return nlu.Understanding{}, err
		}
		und, err := u.classifyText(ctx, c, rest, asked)
		if err != nil || und.Status == nlu.Understood {
			return und, err
		}
	}
	return u.classifyText(ctx, c, text, asked)
}

// maxOpeners bounds the opening clauses skipped ("Hi there, hope
// you're well, ...").
const maxOpeners = 3

// afterOpeners returns what text says after its opening clauses, when
// its first clause is an opener (see [WithOpeners]) and something of at
// least two words follows.
func (u *Understander) afterOpeners(ctx context.Context, c Classifier, text string) (string, bool, error) {
	if len(u.openers) == 0 {
		return "", false, nil
	}
	rest, skipped := text, false
	for range maxOpeners {
		i := strings.IndexAny(rest, ",.!?;\n")
		if i < 0 {
			break
		}
		first, after := rest[:i], strings.TrimLeft(rest[i+1:], " ,.!?;\n\t")
		if len(strings.Fields(after)) < 2 || strings.TrimSpace(first) == "" {
			break
		}
		r, err := c.Classify(ctx, first)
		if err != nil {
			return "", false, fmt.Errorf("intent: classify: %w", err)
		}
		if d := u.policy.Decide(r); d.Status != nlu.Understood || !u.openers[d.Intent.Name] {
			break
		}
		rest, skipped = after, true
	}
	return rest, skipped, nil
}

func (u *Understander) classifyText(ctx context.Context, c Classifier, text string, asked bool) (nlu.Understanding, error) {
	r, err := c.Classify(ctx, text)
	if err != nil {
		return nlu.Understanding{}, fmt.Errorf("intent: classify: %w", err)
	}
	und := u.policy.Decide(r)
	if und.Status == nlu.Unsure && !asked {
		in, ok, err := u.oneConfidentClause(ctx, c, text, r.Top().Name)
		if err != nil {
			return nlu.Understanding{}, err
		}
		if ok {
			und.Status, und.Intent = nlu.Understood, in
			return und, nil
		}
	}
	if !u.split {
		return und, nil
	}
	segs := Split(text)
	if len(segs) < 2 {
		return und, nil
	}
	// A clause counts when it is understood on its own, or is merely
	// unsure (not out of scope, not ambiguous) while another clause is
	// understood: clauses are short and carry less evidence than whole
	// messages. An unsure clause still needs its intent to be more likely
	// than all the others together: a weak guess on a clause ("my lawyer
	// will hear about this" as order tracking at 0.32) must not add a
	// request the customer did not make, or displace the one they did.
	var found []nlu.Intent
	understood := false
	for _, s := range segs {
		r, err := c.Classify(ctx, s.Text)
		if err != nil {
			return nlu.Understanding{}, fmt.Errorf("intent: classify: %w", err)
		}
		d := u.policy.Decide(r)
		switch d.Status {
		case nlu.Understood:
			understood = true
		case nlu.Unsure:
			if d.Intent = r.Top(); d.Intent.Confidence < unsureClauseFloor {
				continue
			}
		default:
			continue
		}
		if len(found) == 0 || found[len(found)-1].Name != d.Intent.Name {
			found = append(found, d.Intent)
		}
	}
	if len(found) < 2 || !understood {
		return und, nil
	}
	und.Status = nlu.Understood
	und.Intent = found[0]
	und.Then = found[1:]
	return und, nil
}

// oneConfidentClause reports the intent of the one clause of text (cut at
// commas and sentence ends) that is understood on its own, when that is
// top, the intent the whole text leans to. It is not asked while the
// customer has a question to answer ("the full amount please, it arrived
// torn" answers it and says why). "esto es inútil, estoy harta,
// mi pedido nunca llegó" is about the order; the other clauses say nothing
// the bot can serve. Two understood clauses, or one that disagrees with
// the whole, are no answer.
func (u *Understander) oneConfidentClause(ctx context.Context, c Classifier, text, top string) (nlu.Intent, bool, error) {
	clauses := strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(",;.!?¿¡", r) })
	if len(clauses) < 2 || len(clauses) > maxClauses {
		return nlu.Intent{}, false, nil
	}
	var found nlu.Intent
	for _, cl := range clauses {
		if len(strings.Fields(cl)) < 2 {
			continue
		}
		r, err := c.Classify(ctx, strings.TrimSpace(cl))
		if err != nil {
			return nlu.Intent{}, false, fmt.Errorf("intent: classify: %w", err)
		}
		d := u.policy.Decide(r)
		if d.Status != nlu.Understood {
			continue
		}
		if found.Name != "" || d.Intent.Name != top {
			return nlu.Intent{}, false, nil
		}
		found = d.Intent
	}
	return found, found.Name != "", nil
}

// maxClauses bounds the clauses [Understander.oneConfidentClause]
// classifies one by one.
const maxClauses = 6

// unsureClauseFloor is the confidence an unsure clause of a multi-intent
// message needs to count (see Understander.classify).
const unsureClauseFloor = 0.5

// EventClassified is emitted for every classified turn; Attrs hold
// "status", "intent", "confidence", "locale", "then" and "entities" (the
// types of the entities found, separated by commas; never their values).
const EventClassified parley.EventKind = "intent.classified"

// Middleware returns middleware that annotates each text turn with u's
// [nlu.Understanding] under [nlu.UnderstandingKey] and emits
// [EventClassified]. Turns without text (signals, attachments only) pass
// through unannotated. A classifier error ends the turn with that error.
// It panics if u is nil.
func Middleware(u *Understander) parley.Middleware {
	if u == nil {
		panic("intent: Middleware with nil Understander")
	}
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if strings.TrimSpace(t.Text()) == "" && t.Signal != nil {
				return next.HandleTurn(ctx, w, t)
			}
			var loc *time.Location
			if u.location != nil {
				loc = u.location(t)
			}
			und, err := u.understand(ctx, t.Text(), t.Locale, t.Time, loc, askingForValue(t))
			if err != nil {
				return err
			}
			then := make([]string, len(und.Then))
			for i, in := range und.Then {
				then[i] = in.Name
			}
			top := und.Intent
			if top.Name == "" && len(und.Ranked) > 0 {
				top = und.Ranked[0]
			}
			types := make([]string, 0, len(und.Entities))
			for _, e := range und.Entities {
				if !slices.Contains(types, e.Type) {
					types = append(types, e.Type)
				}
			}
			t.Emit(ctx, parley.Event{Kind: EventClassified, Attrs: map[string]string{
				"status": string(und.Status), "intent": top.Name,
				"confidence": strconv.FormatFloat(top.Confidence, 'f', 3, 64),
				"locale":     und.Locale, "then": strings.Join(then, ","),
				"entities": strings.Join(types, ","),
			}})
			return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, und))
		})
	}
}
