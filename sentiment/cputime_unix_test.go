//go:build unix

package sentiment

import (
	"syscall"
	"time"
)

// cpuTime returns the process's user and system CPU time, so that
// benchmarks on a loaded machine can report CPU time per operation
// besides wall time.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
