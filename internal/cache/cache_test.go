package cache

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCache(t *testing.T) {
	c := New[int](64)
	c.Put("a", 1)
	v, ok := c.Get("a")
	assert.True(t, ok)
	assert.Equal(t, 1, v)
	c.Delete("a")
	_, ok = c.Get("a")
	assert.False(t, ok)

	for i := range 10_000 {
		c.Put(fmt.Sprint(i), i)
	}
	assert.LessOrEqual(t, c.Len(), 64, "bounded")

	off := New[int](0)
	off.Put("a", 1)
	_, ok = off.Get("a")
	assert.False(t, ok, "capacity 0 holds nothing")
}

func TestCacheConcurrent(t *testing.T) {
	c := New[int](1000)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				k := fmt.Sprint(g, "-", i%50)
				c.Put(k, i)
				if v, ok := c.Get(k); ok && v < 0 {
					t.Error("impossible")
				}
			}
		})
	}
	wg.Wait()
}
