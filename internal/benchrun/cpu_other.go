//go:build !unix

package benchrun

// ProcessCPU reports that the process CPU time is not known here.
func ProcessCPU() (int64, bool) { return 0, false }
