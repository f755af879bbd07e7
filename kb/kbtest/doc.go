// Package kbtest checks that a [kb.Retriever] implementation behaves as
// the answer layers expect, as testing/fstest does for file systems.
//
// # Overview
//
//	func TestMyRetriever(t *testing.T) {
//		kbtest.Run(t, func(t *testing.T, docs []kb.Doc) kb.Retriever {
//			r := myretriever.New(...)
//			// index docs
//			return r
//		})
//	}
//
// [Check] runs the same checks outside a test and returns what fails.
// [NewIndex] builds a [kb.Index] over a test's passages, for tests of
// code that answers from one.
//
// # Concurrency
//
// Run calls the retriever from several goroutines at once, and waits for
// them.
//
// # Errors
//
// Run reports failures through the [testing.T]; Check returns them
// joined, each naming its check. NewIndex stops the test on an error.
package kbtest
