// Package sink holds adapters that ship the events of an
// [analytics.Recorder] out of the process: [JSONL] writes a JSON Lines
// log (read back with [ReadJSONL], as `parley report` does), [HTTP]
// posts batches to a collector and [Slog] logs them. The memory/sqlite
// and memory/postgres modules provide SQL sinks.
//
//	logf, _ := os.OpenFile("events.jsonl", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
//	rec := analytics.NewRecorder(agg, analytics.WithSink(sink.NewJSONL(logf)))
//
// Every sink here is safe for concurrent use.
package sink
