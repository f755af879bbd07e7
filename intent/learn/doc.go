// Package learn closes the loop between a served intent model and the
// conversations it gets wrong: the utterances it was unsure about are
// queued for review, a person labels them, and a scheduled retrain
// replaces the model only when the new one beats it on a held-out set.
//
//	q := learn.NewQueue(store, learn.WithRedactor(redact))
//	h := parley.Chain(router, intent.Middleware(understander), learn.Middleware(q))
//	...
//	err := q.Label(ctx, item.ID, "track_order", "Sam") // from a review page or `parley review`
//	...
//	r := &learn.Retrainer{Queue: q, Train: base, Eval: held, Current: model,
//		Deploy: func(ctx context.Context, m *train.Model) error { return understander.SetClassifier("en", m) }}
//	job := r.Job(time.Now())
//	sched.Handle(job.Kind, r.Every(sched, 7*24*time.Hour))
//	err = sched.Schedule(ctx, job)
//
// # The queue
//
// [Middleware] goes after the understander's middleware: a turn
// whose understanding is not "understood", or is understood with less
// than [WithMinConfidence], is queued as an [Item] with the model's
// guess, its confidence and why. Its text passes through the redactor
// ([WithRedactor]) first: without one, only the turn's shape is kept
// and the text is not stored. Items expire after [WithTTL].
//
// # Privacy
//
// Each item is indexed by the customer whose turn it came from (the ID
// hashed in the key), so that [PrivacySource] exports and erases a
// customer's items, labelled ones included, as one of the sources of a
// privacy.Eraser.
//
// # The gate
//
// [Retrainer.Retrain] trains a model on the base examples plus the
// labelled items, and scores it and the serving model on the same
// held-out set: the given evaluation examples plus one labelled item in
// five (chosen by the item's ID, so an item stays on its side). The new
// model is deployed only if it beats the serving one: a higher accuracy,
// or the same accuracy and a higher macro-F1. Each run's [Report], with
// the before and after figures, is kept ([Retrainer.Reports]).
//
// # Concurrency
//
// A Queue and a Retrainer are safe for concurrent use; Retrain runs one
// at a time.
package learn
