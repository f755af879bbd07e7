// Package intenttest helps test code that uses package intent: a fake
// [intent.Classifier] with canned answers and a conformance suite for
// classifier implementations.
//
// # Overview
//
//	c := intenttest.Static{
//		"where is my order": {Ranked: []nlu.Intent{{Name: "track_order", Confidence: 0.95}}},
//	}
//	u := intent.New(c) // deterministic understanding in tests of flows and routers
//
//	func TestMyClassifier(t *testing.T) {
//		intenttest.Run(t, myClassifier, intenttest.Case{Text: "where is my order", Want: "track_order"})
//	}
//
// # Concurrency
//
// [Static] is safe for concurrent use. [Run] classifies concurrently to
// check the classifier is.
//
// # Errors
//
// [Static] never fails. [Run] reports failures through testing.TB.
package intenttest
