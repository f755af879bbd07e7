// Package intent understands what a customer wants and routes it: a
// [Classifier] interface, an [Understander] that classifies each turn
// with a policy that asks when unsure, extracts entities and detects the
// language, and a [Router] that maps intents to handlers the way
// http.ServeMux maps paths. Training, model files and evaluation live in
// package intent/train, whose Model is a Classifier.
//
// # Overview
//
//	examples, err := train.LoadFile("intents.yaml") // or CSV "text,intent", or Go values
//	model, err := train.Train(ctx, examples)         // seconds, in process, deterministic
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
//	model, err = train.Train(ctx, append(examples, corrected...))
//	err = u.SetClassifier("en", model)
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
// # Languages
//
// Language detection ([DetectLanguage]) and multi-intent splitting know
// English and Spanish. Each entity extractor documents its languages.
//
// # Concurrency
//
// [Understander] and [Router] are safe for concurrent use once built
// (register Router handlers before serving). [Understander.SetClassifier]
// swaps a classifier atomically: turns that are classifying finish with
// the old one. The Router keeps each conversation's clarification and
// fallback state in the turn's session under the name "intent", so it
// works across replicas.
//
// # Errors
//
// Classifying never fails on bad text: empty, emoji-only or foreign text
// yields [parley.OutOfScope] or [parley.Unsure]. A classifier that cannot
// run (a remote model failing) ends the turn with its error.
//
// # Implementing Classifier
//
// Any [Classifier] (an LLM, a remote service, a train.Model) can serve:
// return the ranked intents with confidences in [0, 1], best first, and an
// error only when classification could not run.
package intent
