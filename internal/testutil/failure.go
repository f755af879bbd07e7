package testutil

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// Failure runs fn in its own goroutine with a [testing.TB] that records
// failures instead of failing t (its Fatalf ends the goroutine, as
// testing.T's does), and returns the first failure message. t fails if fn
// reported none. Test kits use it to check what their assertions say.
func Failure(t testing.TB, fn func(tb testing.TB)) string {
	t.Helper()
	tb := &failTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(tb)
	}()
	<-done
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if len(tb.failed) == 0 {
		t.Fatal("expected a failure, got none")
	}
	return tb.failed[0]
}

// failTB records failures.
type failTB struct {
	testing.TB
	mu     sync.Mutex
	failed []string
}

func (f *failTB) Helper() {}

func (f *failTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = append(f.failed, fmt.Sprintf(format, args...))
}

func (f *failTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}
