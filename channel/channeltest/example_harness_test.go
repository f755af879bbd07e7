package channeltest_test

import "testing"

// The whole-file example's harness passes the suite, so the example
// shows a harness that works.
func TestExampleHarnessPasses(t *testing.T) { testTelegram(t) }
