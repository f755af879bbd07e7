// Package sentimenttest checks [sentiment.Analyzer] implementations
// against the interface's contract and provides a scripted fake for
// tests of code that reads moods.
package sentimenttest
