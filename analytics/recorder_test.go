package analytics_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/analytics"
)

func pe(conv string, i int) parley.Event {
	return parley.Event{Kind: parley.EventTurn, Time: t0.Add(time.Duration(i) * time.Millisecond), ConversationID: conv, Duration: time.Second}
}

// TestSlowSinkNeverBlocks: a sink that hangs until its write times out
// does not slow Observe; what does not fit its buffer is dropped,
// counted and reported, and the other sink gets every event.
func TestSlowSinkNeverBlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		agg := analytics.NewAggregator()
		hung := analytics.SinkFunc(func(ctx context.Context, _ []analytics.Event) error {
			<-ctx.Done()
			return ctx.Err()
		})
		var mu sync.Mutex
		var reports []*analytics.DropError
		rec := analytics.NewRecorder(agg, analytics.WithSink(hung), analytics.WithBuffer(10), analytics.WithBatch(5),
			analytics.WithWriteTimeout(time.Minute), analytics.WithErrorHandler(func(err error) {
				var de *analytics.DropError
				require.ErrorAs(t, err, &de)
				mu.Lock()
				reports = append(reports, de)
				mu.Unlock()
			}))
		start := time.Now()
		for i := range 100 {
			rec.Observe(context.Background(), pe("c", i))
			synctest.Wait()
		}
		assert.Zero(t, time.Since(start), "Observe waited")
		require.NoError(t, rec.Close(context.Background()))
		st := rec.Stats()
		assert.Equal(t, analytics.SinkStats{Written: 100}, st[0])
		// The hung sink took its first batch of 5 as soon as it was
		// full, and hung; its buffer of 10 filled: 85 dropped. Close
		// wrote the 10 in two more batches, which failed after their
		// timeout.
		assert.Equal(t, analytics.SinkStats{Failed: 15, Dropped: 85}, st[1])
		assert.Equal(t, uint64(100), agg.Stats().Events)
		var dropped, failed uint64
		for _, r := range reports {
			assert.Equal(t, 1, r.Sink)
			dropped += r.Dropped
			failed += r.Failed
		}
		assert.Equal(t, st[1].Dropped, dropped)
		assert.Equal(t, st[1].Failed, failed)
	})
}

// TestErroringSink: failed batches are counted and the error reported;
// the turn never sees it.
func TestErroringSink(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("boom")
		var got []error
		rec := analytics.NewRecorder(analytics.SinkFunc(func(context.Context, []analytics.Event) error { return boom }),
			analytics.WithBatch(2), analytics.WithErrorHandler(func(err error) { got = append(got, err) })) // one sink goroutine: no lock needed
		for i := range 5 {
			rec.Observe(context.Background(), pe("c", i))
		}
		synctest.Wait()
		assert.Equal(t, analytics.SinkStats{Failed: 5}, rec.Stats()[0])
		// Batches hold what had arrived (1 or 2 events): every loss is
		// reported once, with the sink's error.
		var failed uint64
		for _, err := range got {
			require.ErrorIs(t, err, boom)
			var de *analytics.DropError
			require.ErrorAs(t, err, &de)
			failed += de.Failed
		}
		assert.Equal(t, uint64(5), failed)
		require.NoError(t, rec.Close(context.Background()))
	})
}

// TestFlushInterval: with a flush interval, a lone event is written
// after it, not before; later events join the batch.
func TestFlushInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		agg := analytics.NewAggregator()
		var batches []int
		rec := analytics.NewRecorder(analytics.SinkFunc(func(ctx context.Context, events []analytics.Event) error {
			batches = append(batches, len(events))
			return agg.Write(ctx, events)
		}), analytics.WithFlushInterval(5*time.Second))
		rec.Observe(context.Background(), pe("c", 0))
		synctest.Wait()
		time.Sleep(4 * time.Second)
		rec.Observe(context.Background(), pe("c", 1))
		synctest.Wait()
		assert.Equal(t, 0, agg.Stats().Conversations)
		time.Sleep(5 * time.Second)
		synctest.Wait()
		assert.Equal(t, 1, agg.Stats().Conversations)
		assert.Equal(t, []int{2}, batches)
		require.NoError(t, rec.Close(context.Background()))
		rec.Observe(context.Background(), pe("d", 0))
		assert.Equal(t, 1, agg.Stats().Conversations, "events after Close are dropped")
	})
}

// TestFlushDefault: without a flush interval, events are written within
// 20ms, a full batch at once; after a second with nothing to write the
// sink's goroutine ends, even if the Recorder is never closed (this
// bubble would not end otherwise).
func TestFlushDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		agg := analytics.NewAggregator()
		rec := analytics.NewRecorder(agg, analytics.WithBatch(3))
		rec.Observe(context.Background(), pe("c", 0))
		synctest.Wait()
		assert.Equal(t, uint64(0), agg.Stats().Events)
		assert.Equal(t, 1, rec.Stats()[0].Queued)
		time.Sleep(20 * time.Millisecond)
		synctest.Wait()
		assert.Equal(t, uint64(1), agg.Stats().Events)
		for i := range 3 {
			rec.Observe(context.Background(), pe("c", 1+i))
		}
		synctest.Wait()
		assert.Equal(t, uint64(4), agg.Stats().Events, "a full batch is written at once")
		assert.Equal(t, analytics.SinkStats{Written: 4}, rec.Stats()[0])
		time.Sleep(time.Second)
	})
}

// TestCloseGivesUp: Close returns when its context ends even if a sink
// hangs, cancelling the write.
func TestCloseGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := analytics.NewRecorder(analytics.SinkFunc(func(ctx context.Context, _ []analytics.Event) error {
			<-ctx.Done()
			return ctx.Err()
		}), analytics.WithBatch(1))
		rec.Observe(context.Background(), pe("c", 0))
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		require.ErrorIs(t, rec.Close(ctx), context.DeadlineExceeded)
		assert.Equal(t, uint64(1), rec.Stats()[0].Failed)
	})
}
