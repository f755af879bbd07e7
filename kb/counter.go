package kb

import "sync/atomic"

// atomicCounter counts up, safely for concurrent use.
type atomicCounter struct{ n atomic.Int64 }

func (c *atomicCounter) add() int64 { return c.n.Add(1) }
