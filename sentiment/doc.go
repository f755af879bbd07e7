// Package sentiment scores the polarity and emotions of each user turn and
// tracks how a conversation's mood evolves.
//
// # Overview
//
// Two analyzers are built in. [Model] is the trained one, and the one to
// use: a linear model over hashed word, word-pair and character n-gram
// features plus the lexicon analyzer's scores, trained in process on
// GoEmotions (Demszky et al. 2020, Apache-2.0; see [ModelNotice]) and
// shipped as a versioned model file. It gives 3-class polarity with
// calibrated probabilities, the support emotions (frustration, anger,
// confusion, urgency, disappointment, gratitude, delight) and a complaint
// strength. [Train] retrains it ("parley sentiment train"); [ReadModel]
// loads a model file and rejects one of another format version with
// [ErrModelVersion].
//
//	m, err := sentiment.NewModel()
//	if err != nil {
//		return err
//	}
//	r := m.Polarity("Still waiting!!! This is the third time I ask.")
//	fmt.Println(r.Label, r.Emotions.Frustration >= 0.5, r.Complaint >= 0.5)
//	// negative true true
//
// The [Lexical] analyzer follows VADER (Hutto & Gilbert, 2014):
// the VADER lexicon and emoji lexicon (MIT, shipped in lexicon/ with their
// licence, see [VADERLicense]) plus rules for negation, intensifiers, "but"
// clauses, ALL CAPS, punctuation emphasis, emoji and emoticons. It needs no
// network, allocates nothing per call and scores well over 150,000
// sentences a second on one core. [ModeVADER] reproduces vaderSentiment
// 3.3.2 exactly; the default [ModeParley] adds a few fixes. Besides
// polarity it scores four emotions from Parley's own word lists:
// frustration, confusion, urgency and delight.
//
//	an, err := sentiment.NewLexical()
//	if err != nil {
//		return err
//	}
//	r := an.Polarity("This is the third time I ask. Ridiculous!")
//	fmt.Println(r.Label, r.Score < 0.4, r.Emotions.Frustration > 0.5)
//	// negative true true
//
//	// In a bot: annotate every turn with a nlu.Mood and keep the
//	// conversation's trend in the session.
//	h := parley.Chain(app, sentiment.Middleware(an))
//
// For Spanish, [NewSpanish] scores polarity, the main emotions and
// complaints from the AFINN-165 word list in Spanish (MIT; see
// [SpanishLicense]); [ForLanguage] makes the middleware use it for turns
// whose locale is Spanish.
//
// [WithWords] adds domain terms or another language's words, for example
// read with [ParseLexicon] from a file in VADER's format. Any [Analyzer]
// can replace Lexical: an LLM or a cloud service.
//
// # Concurrency
//
// [Model], [Lexical] and the middleware are safe for concurrent use. Analyzer
// implementations must be too.
//
// # Errors
//
// [NewLexical] returns an error for invalid options and [ParseLexicon] a
// [*LexiconError] for a bad line. [ReadModel] returns errors wrapping
// [ErrModelVersion] or [ErrBadModel]. Scoring never fails:
// empty, emoji-only, very long or non-English text gives a defined result
// (neutral with low [Result.Confidence] when there is no evidence).
//
// # Implementing Analyzer
//
// An Analyzer returns a [Result] with Label set for any input and returns
// an error only when it cannot answer (network failure, ctx ended). Check
// an implementation with sentimenttest.Run; sentimenttest.Scripted is a
// fake for tests of code that reads moods.
package sentiment
