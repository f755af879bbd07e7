package channel

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

func TestDispatcherKeepsConversationOrderAndDrains(t *testing.T) {
	var mu sync.Mutex
	got := map[string][]string{}
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		mu.Lock()
		got[t.ConversationID] = append(got[t.ConversationID], t.MessageID)
		mu.Unlock()
		return nil
	})
	d := NewDispatcher(h, nil, 4, 4000, time.Second)
	want := map[string][]string{}
	for i := range 100 {
		conv := fmt.Sprintf("c%d", i%7)
		id := fmt.Sprintf("m%03d", i)
		want[conv] = append(want[conv], id)
		require.NoError(t, d.Dispatch(&parley.Turn{ConversationID: conv, MessageID: id}, nil))
	}
	require.NoError(t, d.Close(context.Background()))
	assert.Equal(t, want, got)
	assert.ErrorIs(t, d.Dispatch(&parley.Turn{ConversationID: "c"}, nil), ErrClosed)
}

func TestDispatcherQueueFullAndHandlerErrors(t *testing.T) {
	release := make(chan struct{})
	var events []parley.Event
	var mu sync.Mutex
	obs := parley.ObserverFunc(func(ctx context.Context, e parley.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	})
	h := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		<-release
		return fmt.Errorf("boom %s", t.MessageID)
	})
	d := NewDispatcher(h, obs, 1, 1, time.Minute)
	require.NoError(t, d.Dispatch(&parley.Turn{ConversationID: "c", MessageID: "1"}, nil))
	// The worker may or may not have taken the first turn yet; the queue
	// holds one more at most.
	var full bool
	for i := range 3 {
		if err := d.Dispatch(&parley.Turn{ConversationID: "c", MessageID: fmt.Sprint(i + 2)}, nil); err != nil {
			require.ErrorIs(t, err, ErrQueueFull)
			full = true
		}
	}
	assert.True(t, full)
	close(release)
	require.NoError(t, d.Close(context.Background()))
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, events)
	for _, e := range events {
		assert.Equal(t, EventHandlerError, e.Kind)
		assert.Error(t, e.Err)
	}
}

func TestDedupers(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		give Deduper
	}{
		{"memory", NewMemoryDeduper(time.Hour, 10, nil)},
		{"store", NewStoreDeduper(memory.NewMap(), time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fresh, err := tt.give.Claim(ctx, "k")
			require.NoError(t, err)
			assert.True(t, fresh)
			fresh, err = tt.give.Claim(ctx, "k")
			require.NoError(t, err)
			assert.False(t, fresh)
			require.NoError(t, tt.give.Release(ctx, "k"))
			fresh, err = tt.give.Claim(ctx, "k")
			require.NoError(t, err)
			assert.True(t, fresh, "claimable again after Release")
		})
	}
}

func TestMemoryDeduperBounded(t *testing.T) {
	d := NewMemoryDeduper(time.Hour, 3, nil)
	for i := range 10 {
		fresh, err := d.Claim(context.Background(), fmt.Sprint(i))
		require.NoError(t, err)
		assert.True(t, fresh)
	}
	assert.LessOrEqual(t, len(d.keys), 3)
}

func TestStoreLinker(t *testing.T) {
	ctx := context.Background()
	l := NewStoreLinker(memory.NewMap())
	_, err := l.Resolve(ctx, Identity{Channel: "web", UserID: "v1"})
	require.ErrorIs(t, err, ErrNotLinked)

	wa, err := l.Link(ctx, Identity{Channel: "whatsapp", UserID: "15550100000"}, Contact{Phone: "15550100000"})
	require.NoError(t, err)
	web, err := l.Link(ctx, Identity{Channel: "web", UserID: "v1"}, Contact{Phone: "+1 (555) 010-0000", Email: "Ann@Example.com"})
	require.NoError(t, err)
	assert.Equal(t, wa, web, "same verified phone, same customer")

	mail, err := l.Link(ctx, Identity{Channel: "email", UserID: "ann@example.com"}, Contact{Email: "ann@example.com"})
	require.NoError(t, err)
	assert.Equal(t, wa, mail, "email verified on the web links too")

	got, err := l.Resolve(ctx, Identity{Channel: "web", UserID: "v1"})
	require.NoError(t, err)
	assert.Equal(t, wa, got)

	other, err := l.Link(ctx, Identity{Channel: "sms", UserID: "+447700900000"}, Contact{Phone: "+447700900000"})
	require.NoError(t, err)
	assert.NotEqual(t, wa, other)

	_, err = l.Link(ctx, Identity{Channel: "web", UserID: "v2"}, Contact{})
	assert.Error(t, err)
}

func ExampleRender() {
	m := parley.Message{Text: "Which plan?", QuickReplies: []parley.QuickReply{
		{Title: "Basic"}, {Title: "Pro"}, {Title: "Team"}, {Title: "Enterprise"},
	}}
	wa, _ := Render(m, WhatsApp)
	fmt.Println("whatsapp list rows:", len(wa[0].List))
	sms, _ := Render(m, SMS)
	fmt.Println(sms[0].Text)
	// Output:
	// whatsapp list rows: 4
	// Which plan?
	//
	// 1. Basic
	// 2. Pro
	// 3. Team
	// 4. Enterprise
}
