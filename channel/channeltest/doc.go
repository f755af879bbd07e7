// Package channeltest is the conformance suite for Parley's channel
// drivers, and a fake platform server to run it against.
//
// # Overview
//
// A test builds a [Harness] whose New returns the [channel.Adapter] under
// test, pointed at a fake platform that speaks the platform's documented
// API ([NewServer] for HTTP APIs), and says how to encode and sign a
// webhook in the platform's format; [Run] does the rest, with a [Queue]
// standing in for the Bot's Enqueue:
//
//	func TestConformance(t *testing.T) {
//		channeltest.Run(t, channeltest.Harness{
//			Channel: "whatsapp",
//			New: func(t *testing.T) *channeltest.Env {
//				srv := channeltest.NewServer(t, channeltest.ServerConfig{Decode: decode, Success: ok, Failure: fail})
//				a, err := whatsapp.New(whatsapp.Config{BaseURL: srv.URL, HTTPClient: srv.Client() /* ... */})
//				require.NoError(t, err)
//				return &channeltest.Env{Adapter: a, Platform: srv, Encode: encode, Request: sign, MaxBody: 1 << 20}
//			},
//		})
//	}
//
// The suite checks turns with stable conversation IDs, message IDs and a
// Recipient that replies reach, quick replies, de-duplication through the
// Bot ([parley.ErrDuplicate] is acknowledged), forged and missing
// signatures, oversized and malformed bodies, 503 while the Bot cannot
// accept turns (and the redelivery then accepted), retries on 429
// (honouring Retry-After) and 5xx without duplicates, and a 400 becoming a
// [*channel.PlatformError] with the platform's reason.
//
// [NewServer] answers in memory (no network), and Run runs every check in
// a testing/synctest bubble, so a Retry-After takes no real time and the
// suite runs in well under a second.
//
// # Concurrency
//
// [Server] and [Queue] are safe for concurrent use. Run runs its subtests
// sequentially.
//
// # Errors
//
// Failures are reported through testing.T.
package channeltest
