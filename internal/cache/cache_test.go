package cache

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

func TestCacheTakeLeavesNothingBehind(t *testing.T) {
	c := New[string](4)
	c.Put("k", "first")
	got, taken := c.Take("k")
	require.True(t, taken)
	require.Equal(t, "first", got)
	for _, read := range []func(string) (string, bool){c.Take, c.Get} {
		_, found := read("k")
		require.False(t, found, "a value is taken once")
	}
	require.Zero(t, c.Len())
	c.Put("k", "second")
	got, found := c.Get("k")
	require.True(t, found)
	require.Equal(t, "second", got, "the next value put back")
	c.Delete("k")
	_, taken = c.Take("k")
	require.False(t, taken, "deleted")
}

func TestCacheEvictsAnotherKey(t *testing.T) {
	c := New[int](2)
	for i := range 10 {
		k := fmt.Sprint(i)
		c.Put(k, i)
		v, ok := c.Get(k)
		assert.True(t, ok, "the key just put stays")
		assert.Equal(t, i, v)
		assert.LessOrEqual(t, c.Len(), 2)
	}
}

func TestCacheTakeIsExclusive(t *testing.T) {
	c := New[int](8)
	const rounds = 2000
	var got sync.Map
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range rounds {
			c.Put("k", i)
		}
	})
	for range 4 {
		wg.Go(func() {
			for range rounds {
				if v, ok := c.Take("k"); ok {
					_, dup := got.LoadOrStore(v, true)
					assert.False(t, dup, "value %d taken twice", v)
				}
			}
		})
	}
	wg.Wait()
}
