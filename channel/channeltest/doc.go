// Package channeltest is the conformance suite for Parley's channel
// adapters, and a fake platform server to run it against.
//
// # Overview
//
// A test builds a [Harness] that starts the adapter under test against a
// fake platform ([NewServer] for HTTP APIs) and says how to encode and sign
// a webhook in the platform's format; [Run] does the rest:
//
//	func TestConformance(t *testing.T) {
//		channeltest.Run(t, channeltest.Harness{
//			Channel: "whatsapp",
//			New: func(t *testing.T, h parley.Handler) *channeltest.Env {
//				srv := channeltest.NewServer(t, channeltest.ServerConfig{Decode: decode, Success: ok, Failure: fail})
//				a, err := whatsapp.New(whatsapp.Config{BaseURL: srv.URL /* ... */}, h)
//				require.NoError(t, err)
//				return &channeltest.Env{Webhook: a, Platform: srv, Encode: encode, Request: sign,
//					MaxBody: 1 << 20, Close: a.Close}
//			},
//		})
//	}
//
// The suite checks the text round trip and stable conversation IDs, quick
// replies, de-duplication of a redelivered webhook, forged and missing
// signatures, oversized and malformed bodies, retries on 429 (honouring
// Retry-After) and 5xx without duplicates, a 400 becoming a
// [*channel.PlatformError] with the platform's reason, and 503 after Close.
//
// # Concurrency
//
// [Server] is safe for concurrent use. Run runs its subtests sequentially.
//
// # Errors
//
// Failures are reported through testing.T.
package channeltest
