package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// closeAnalytics closes a's analytics recorder when t ends. A test that
// builds the app inside a synctest bubble needs it: the recorder's sink
// goroutine waits for more events for a second after the last one, and
// a bubble must not end with a goroutine waiting.
func closeAnalytics(t *testing.T, a *app) {
	t.Cleanup(func() { require.NoError(t, a.dash.close(context.Background())) })
}
