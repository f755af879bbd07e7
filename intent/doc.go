// Package intent understands what a customer wants and routes it: a
// [Classifier] interface, an [Understander] that classifies each turn
// with a policy that asks when unsure, extracts entities and detects the
// language, and a [Router] that maps intents to handlers the way
// http.ServeMux maps paths. Training, model files and evaluation live in
// package intent/train, whose Model is a Classifier; package intent/learn
// queues the turns the model was unsure about for people to label and
// retrains it on a schedule, deploying a new model only when it does
// better on held-out examples.
//
// # Overview
//
//	examples, err := train.LoadFile("intents.yaml") // or CSV "text,intent", or Go values
//	model, err := train.Train(ctx, examples)         // seconds, in process, deterministic
//	u := intent.New(model,
//		intent.WithLocale("es", modelES),
//		intent.WithExtractors(entity.Builtins()...))
//
//	router := intent.NewRouter(intent.WithMenu("I can help with:", "track_order", "refund"))
//	router.Handle("track_order", engine.Starter("order_status")) // flows are mounted here
//	router.Handle("refund", engine.Starter("refund"))
//	router.Handle(flow.DefaultOwner, engine)                     // it reads answers to its questions
//	router.HandleCommand(dialog.CommandHuman, escalator)         // "human", "agent", in any state
//
//	bot := parley.NewBot(parley.Chain(router, intent.Commands(), intent.Middleware(u)))
//
//	// Later, with new labelled turns, while the bot serves:
//	model, err = train.Train(ctx, append(examples, corrected...))
//	err = u.SetClassifier("en", model)
//
// An [Understander] classifies each turn (per locale, detecting English or
// Spanish when the turn has no locale), splits messages that ask for
// several things ([Split]), extracts entities (package entity), and its
// [Policy] decides: [nlu.Understood] when the top intent reaches its
// threshold (default 0.75, per intent if set), [nlu.Ambiguous] when
// the top two are close, [nlu.Unsure] or [nlu.OutOfScope] otherwise.
// The result is attached to the turn under [nlu.UnderstandingKey].
//
// [Commands] recognises global commands ("cancel", "menu", "human",
// "STOP", in English and Spanish) and annotates the turn under
// [dialog.CommandKey].
//
// A [Router] is the one map from intents to handlers and owns
// turn-taking: a command goes to its handler in any state; the answer to
// the conversation's open [dialog.Question] goes to the question's owner
// first; anything else runs the handler of the intent and then those of
// [nlu.Understanding.Then] (while none asks a question); it asks "Did
// you mean: A / B?" with quick replies and acts on the answer; a turn not
// understood gets a request to put it another way, then the menu. It
// reports typed outcomes ([dialog.Report]) and never hands off by itself:
// package escalation decides that.
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
// the old one. The Router keeps each conversation's count of turns not
// understood in the turn's session under the name "intent", and the open
// question in the session too, so it works across replicas.
//
// # Errors
//
// Classifying never fails on bad text: empty, emoji-only or foreign text
// yields [nlu.OutOfScope] or [nlu.Unsure]. A classifier that cannot
// run (a remote model failing) ends the turn with its error.
//
// # Implementing Classifier
//
// Any [Classifier] (an LLM, a remote service, a train.Model) can serve:
// return the ranked intents with confidences in [0, 1], best first, and an
// error only when classification could not run.
package intent
