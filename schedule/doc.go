// Package schedule fires jobs at their due times, durably and once across
// replicas: campaign steps, flow.Wait timeouts, escalation call-backs.
// A [Job] is stored in a [Store] (in memory here, on SQLite, Redis and
// PostgreSQL in the nested modules memory/sqlite, memory/redis and
// memory/postgres); every replica runs a [Scheduler] over the same store,
// which claims due jobs under a lease, calls the [Handler] registered for
// their kind, and retries, skips or removes them.
//
// The package sits below flow, escalation and proactive, which schedule
// through it, and imports nothing else of ours.
//
// # Overview
//
//	s := schedule.New(store) // schedule.NewMemory(), or a durable store
//	s.Handle("cart.reminder", schedule.HandlerFunc(func(ctx context.Context, j *schedule.Job) error {
//		err := bot.Enqueue(ctx, &parley.Turn{
//			ConversationID: string(j.Payload),
//			MessageID:      j.FireID(), // the same on every attempt: sent once
//			Signal:         &parley.Signal{Name: "cart.reminder"},
//		})
//		if errors.Is(err, parley.ErrDuplicate) {
//			return nil // fired before a crash, recorded now
//		}
//		return err
//	}))
//	go s.Run(ctx) // on every replica
//
//	err := s.Schedule(ctx, schedule.Job{
//		ID:     "cart/" + cartID, // scheduling it again replaces it
//		Kind:   "cart.reminder",
//		Key:    customerID, // s.Erase(ctx, customerID) deletes it
//		Due:    time.Now().Add(time.Hour),
//		Window: 3 * time.Hour, // after downtime: late within 3 hours, else skipped
//	})
//
// # Delivery
//
// A job fires at least once and, when its handler keys its effect with
// [Job.FireID], takes effect exactly once: a replica that dies mid-job
// leaves its lease to expire, another replica claims the job and fires
// it with the same FireID, and the Bot's per-message claim turns the
// second delivery away. A handler's error retries the job with back-off
// ([WithRetry]); a job claimed more than its Window after its due time
// (the service was down, or the job kept failing) is skipped. What
// happens to each job is reported to the observer of [WithObserver]:
// fired, skipped, retried, dropped, lease lost, store error.
//
// Time is time.Now: tests run inside testing/synctest, where
// time.Sleep(7 * 24 * time.Hour) fires a week of jobs at once.
//
// # Concurrency
//
// A [Scheduler] is safe for concurrent use; [Scheduler.Run] runs up to
// [WithWorkers] handlers at once, on goroutines it waits for before it
// returns. [Memory] and every Store are safe for concurrent use.
//
// # Errors
//
// [Scheduler.Schedule] returns errors wrapping [ErrInvalidJob] (empty ID
// or kind, zero due time, negative window) and [ErrUnknownKind], and
// then stores nothing; Cancel returns [ErrNotFound]. Stores return
// [ErrNotFound] and [ErrLeaseLost]; their other errors are wrapped with
// the operation.
//
// # Implementing Store
//
// A [Store] keeps jobs and their claims. Every job has one time at which
// it is next claimable (its due time, the end of its lease, or its retry
// time) and claims take the earliest of those not after now, under a
// token that Extend and Release check. Times come from the caller, so a
// store needs no clock of its own. Implementations pass
// schedule/scheduletest.Run.
package schedule
