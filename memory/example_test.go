package memory_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/memory"
)

func ExampleSessions() {
	ctx := context.Background()
	sessions := memory.NewSessions(memory.NewMap())

	s, err := sessions.LoadOrNew(ctx, "conv-42")
	if err != nil {
		fmt.Println(err)
		return
	}
	s.Append(memory.Entry{Role: memory.RoleUser, Text: "where is my order?"})
	orderKey := memory.NewStateKey[map[string]string]("app.order") // the application's state
	if err := orderKey.Set(s, map[string]string{"order": "A-1001"}); err != nil {
		fmt.Println(err)
		return
	}
	if err := sessions.Save(ctx, s); err != nil {
		fmt.Println(err)
		return
	}

	// Two replicas load the same version; the second save loses the race.
	a, errA := sessions.Load(ctx, "conv-42")
	b, errB := sessions.Load(ctx, "conv-42")
	if err := errors.Join(errA, errB); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sessions.Save(ctx, a))
	fmt.Println(errors.Is(sessions.Save(ctx, b), memory.ErrConflict))

	st, ok, err := orderKey.Get(a)
	fmt.Println(st["order"], ok, err, len(a.History))
	// Output:
	// <nil>
	// true
	// A-1001 true <nil> 1
}

func ExampleMap() {
	ctx := context.Background()
	m := memory.NewMap()
	v, err := m.Set(ctx, memory.Put{Key: "dedup/whatsapp/wamid.1", Value: []byte("1"), IfVersion: memory.Absent})
	fmt.Println(v, err)
	_, err = m.Set(ctx, memory.Put{Key: "dedup/whatsapp/wamid.1", Value: []byte("1"), IfVersion: memory.Absent})
	fmt.Println(errors.Is(err, memory.ErrConflict))
	// Output:
	// 1 <nil>
	// true
}

func ExampleStateKey() {
	// The package that owns the state declares its key once.
	type cart struct {
		Items []string `json:"items"`
	}
	cartKey := memory.NewStateKey[cart]("shop.cart")

	s := memory.NewSessions(memory.NewMap()).New("conv-1")
	if err := cartKey.Set(s, cart{Items: []string{"lamp"}}); err != nil {
		fmt.Println(err)
	}
	c, ok, err := cartKey.Get(s)
	fmt.Println(c.Items, ok, err)
	cartKey.Delete(s)
	_, ok, _ = cartKey.Get(s)
	fmt.Println(ok)
	// Output:
	// [lamp] true <nil>
	// false
}

func ExampleNewLocker() {
	ctx := context.Background()
	store := memory.NewMap() // shared by every replica in production
	locks := memory.NewLocker(store)

	lease, err := locks.Lock(ctx, "conversation/c1", 30*time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Another replica (here: another Locker on the same store) waits.
	_, err = memory.NewLocker(store).Lock(ctx, "conversation/c1", 30*time.Second)
	fmt.Println(errors.Is(err, memory.ErrLocked))

	fmt.Println(lease.Renew(ctx, 30*time.Second))
	fmt.Println(lease.Unlock(ctx))
	_, err = memory.NewLocker(store).Lock(ctx, "conversation/c1", 30*time.Second)
	fmt.Println(err)
	// Output:
	// true
	// <nil>
	// <nil>
	// <nil>
}
