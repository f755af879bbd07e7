// Package actiontest holds conformance suites: for implementations of
// [action.ApprovalStore], the store of calls waiting for a person's
// approval, and ([RunBudgets]) for a [memory.Store] holding a registry's
// budget counters.
//
// # Overview
//
//	func TestMyApprovals(t *testing.T) {
//		actiontest.RunApprovalStore(t, func(t *testing.T) action.ApprovalStore {
//			return myapprovals.New(t.Name()) // a fresh, empty store
//		})
//	}
//
// The suite checks de-duplication by key, that an approval is taken at
// most once (also under concurrent takes, so that two agents clicking
// "approve" at the same moment cannot pay twice), listing oldest first,
// and the errors for unknown IDs.
//
//	func TestBudgets(t *testing.T) {
//		actiontest.RunBudgets(t, func(t *testing.T) memory.Store { return newStore(t) })
//	}
//
// # Concurrency
//
// The suite runs its subtests one after the other; some of them call the
// store from several goroutines at once.
//
// # Errors
//
// Failures are reported through the [testing.T] given to the suite.
package actiontest
