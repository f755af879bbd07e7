// Package evalstat holds the statistics the evaluation commands and the
// accuracy tests share, so that a figure printed by cmd/parley and one
// asserted in a test are computed the same way.
package evalstat

import "math"

// Pearson returns Pearson's correlation coefficient of x and y, which
// must have the same length. It returns 0 when either has no variance
// (or fewer than one value), where the coefficient is undefined.
func Pearson(x, y []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	n := float64(len(x))
	var sx, sy float64
	for i := range x {
		sx += x[i]
		sy += y[i]
	}
	mx, my := sx/n, sy/n
	var cov, vx, vy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		cov += dx * dy
		vx += dx * dx
		vy += dy * dy
	}
	if vx == 0 || vy == 0 {
		return 0
	}
	return cov / math.Sqrt(vx*vy)
}
