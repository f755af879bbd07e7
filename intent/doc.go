// Package intent understands what a customer wants: a trainable intent
// classifier with calibrated confidence and out-of-scope detection, a
// policy that asks when unsure, entities, languages, and a router that
// maps intents to handlers the way http.ServeMux maps paths.
//
// # Overview
//
//	examples, err := intent.LoadFile("intents.yaml") // or CSV "text,intent", or Go values
//	model, err := intent.Train(ctx, examples)          // seconds, in process, deterministic
//	u := intent.New(model,
//		intent.WithLocale("es", modelES),
//		intent.WithExtractors(entity.Builtins()...))
//
//	router := intent.NewRouter(intent.WithHandOffer(desk))
//	router.Handle("track_order", trackOrderFlow)
//	router.HandleFunc("refund", refund)
//
//	bot := parley.NewBot(parley.Chain(router, u.Middleware()))
//
//	// Later, with new labelled turns, while the bot serves:
//	_, err = u.Retrain(ctx, "en", append(examples, corrected...))
//
// [Train] builds a [Model]: TF-IDF features over Unicode-normalised,
// case-folded text (stemmed words, word bigrams, character n-grams inside
// words), multinomial logistic regression trained by SGD with a fixed
// seed mixed with one-vs-rest linear SVMs ([Ensemble], the default; the
// mix is one linear model), and temperatures fitted on held-out rows so
// that confidences are calibrated. Features the model never saw still count towards the length
// of the feature vector, so text in an unknown language or on an unknown
// topic gets low confidence. Examples labelled "oos" are learnt as an
// out-of-scope class. Models save with [Model.WriteTo] and load with
// [ReadModel] in a versioned format.
//
// An [Understander] classifies each turn (per locale, detecting English or
// Spanish when the turn has no locale), splits messages that ask for
// several things ([Split]), extracts entities (package entity), and its
// [Policy] decides: [parley.Understood] when the top intent reaches its
// threshold (default 0.75, per intent if set), [parley.Ambiguous] when
// the top two are close, [parley.Unsure] or [parley.OutOfScope] otherwise.
// The result is attached to the turn under [parley.UnderstandingKey].
//
// A [Router] acts on it: it runs the handler of the intent and then those
// of [parley.Understanding.Then]; it asks "Did you mean: A / B?" with quick
// replies and acts on the answer; it replies with a fallback and quick
// replies when unsure, and hands over to a human on the second fallback
// in a row.
//
// [Score], [Sweep], [ChooseThreshold] and [Evaluate] measure a classifier
// on labelled data and pick the threshold on a validation set; the
// command "parley nlu eval" wraps them.
//
// # Languages
//
// Stemming: English, Spanish, French, German, Italian, Portuguese (Snowball);
// other languages use words as written and still work. Language detection
// ([DetectLanguage]) and multi-intent splitting know English and Spanish.
// Each entity extractor documents its languages.
//
// # Concurrency
//
// [Model], [Understander] and [Router] are safe for concurrent use once
// built (register Router handlers before serving). [Understander.Retrain]
// and [Understander.SetClassifier] swap models atomically: turns that are
// classifying finish with the old model. The Router keeps each
// conversation's clarification and fallback state in the turn's session
// under the name "intent", so it works across replicas.
//
// # Errors
//
// Training data problems come back as a [*DataError] naming the rows;
// malformed files as a [*RowError] wrapping [ErrFormat]; model files of
// another format version as a [*VersionError], damaged ones wrap
// [ErrModelFile]. Classifying never fails on bad text: empty, emoji-only
// or foreign text yields [parley.OutOfScope] or [parley.Unsure].
//
// # Implementing Classifier
//
// Any [Classifier] (an LLM, a remote service) can replace [Model]: return
// the ranked intents with confidences in [0, 1], best first, and an error
// only when classification could not run.
package intent
