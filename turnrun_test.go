package parley

import (
	"testing"
	"unsafe"
)

// TestTurnRunFitsInOneSizeClass: a turn's one allocation (its copy of the
// Turn and its recorder) stays within the runtime's 512-byte size class;
// at 513 bytes every turn would allocate 576.
func TestTurnRunFitsInOneSizeClass(t *testing.T) {
	if n := unsafe.Sizeof(turnRun{}); n > 512 {
		t.Errorf("turnRun is %d bytes, over 512: put what only some turns use behind a pointer", n)
	}
}
