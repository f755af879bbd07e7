// Package privacytest checks that the privacy machinery leaves nothing
// of an erased customer behind in a given [memory.Store]: [RunErasure]
// drives real conversations through a Bot with consent, redaction and
// cross-channel history, erases one customer, then reads every key and
// value in the store.
//
// # Overview
//
//	func TestErasure(t *testing.T) {
//		privacytest.RunErasure(t, myStore(t)) // an empty store
//	}
//
// # Concurrency
//
// RunErasure uses the store from one goroutine at a time.
//
// # Errors
//
// Failures are reported through the *testing.T.
package privacytest
