//go:build !unix

package scheduletest

// processCPU reports that the process CPU time is not known here.
func processCPU() (int64, bool) { return 0, false }
