package media_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/parleytest"
)

// inProcess returns a client whose requests are served by h in the same
// process, so that tests run inside a synctest bubble: the request is
// encoded by the real client and read by h as a server would read it.
func inProcess(t *testing.T, h http.HandlerFunc) *media.OpenAI {
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		h(rec, r)
		if err := r.Context().Err(); err != nil {
			return nil, err
		}
		return rec.Result(), nil
	})}
	c, err := media.NewOpenAI(media.OpenAIConfig{HTTPClient: hc, TranscriptionModel: "whisper-1", VisionModel: "llava", SpeechModel: "tts-1"})
	require.NoError(t, err)
	return c
}

// unreadableCauses returns the errors of the EventUnreadable events.
func unreadableCauses(c *parleytest.Tester) []error {
	var errs []error
	for _, e := range c.Events() {
		if e.Kind == media.EventUnreadable {
			errs = append(errs, e.Err)
		}
	}
	return errs
}

func TestGuardRetriesATemporaryFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		p := inProcess(t, func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			io.WriteString(w, `{"text":"Where is my order A-1002?"}`)
		})
		g := media.NewGuard(llm.NewBreaker(nil))
		c := parleytest.NewTester(t, parley.Chain(echo(), media.Middleware(g.Transcriber(p), nil)))
		c.Deliver(voiceNote(wav(time.Second, 8000))).Expect(parleytest.Matches(`^You said: Where is my order A-1002\?`))
		assert.Equal(t, int32(2), calls.Load())
	})
}

// A provider that is down opens the breaker: later customers are asked to
// type at once, without waiting on the provider, and text still works.
func TestGuardBreakerFailsFast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		var up atomic.Bool
		p := inProcess(t, func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			if !up.Load() {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			io.WriteString(w, `{"text":"I want a refund"}`)
		})
		g := media.NewGuard(llm.NewBreaker(nil, llm.WithThreshold(2), llm.WithCooldown(time.Minute)))
		c := parleytest.NewTester(t, parley.Chain(echo(), media.Middleware(g.Transcriber(p), nil)))
		note := voiceNote(wav(time.Second, 8000))

		c.Deliver(note).Expect(parleytest.Exact(media.TypePlease))
		c.Deliver(note).Expect(parleytest.Exact(media.TypePlease))
		assert.Equal(t, int32(4), calls.Load(), "two customers, two tries each")

		start := time.Now()
		c.Deliver(note).Expect(parleytest.Exact(media.TypePlease))
		assert.Zero(t, time.Since(start), "an open breaker answers at once")
		assert.Equal(t, int32(4), calls.Load(), "an open breaker does not call the provider")
		c.Send("hello").Expect(parleytest.Exact("You said: hello"))

		causes := unreadableCauses(c)
		require.Len(t, causes, 3)
		var se *llm.StatusError
		require.ErrorAs(t, causes[0], &se)
		assert.Equal(t, http.StatusBadGateway, se.StatusCode)
		assert.ErrorIs(t, causes[2], llm.ErrCircuitOpen)

		up.Store(true)
		time.Sleep(time.Minute)
		c.Deliver(note).Expect(parleytest.Matches(`^You said: I want a refund`))
	})
}

// A provider that never answers: the customer is asked to type within the
// middleware's timeout, the hang counts against the breaker, and the
// cause is a typed timeout.
func TestGuardProviderHangs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		p := inProcess(t, func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			<-r.Context().Done()
		})
		b := llm.NewBreaker(nil, llm.WithThreshold(1))
		g := media.NewGuard(b)
		c := parleytest.NewTester(t, parley.Chain(echo(), media.Middleware(g.Transcriber(p), nil, media.WithTimeout(10*time.Second))))

		start := time.Now()
		c.Deliver(voiceNote(wav(time.Second, 8000))).Expect(parleytest.Exact(media.TypePlease))
		assert.LessOrEqual(t, time.Since(start), 10*time.Second)
		assert.GreaterOrEqual(t, time.Since(start), 8*time.Second, "two tries of 4s")
		assert.Equal(t, int32(2), calls.Load())
		assert.True(t, b.Open(), "a hanging provider counts against the breaker")
		causes := unreadableCauses(c)
		require.Len(t, causes, 1)
		assert.ErrorIs(t, causes[0], context.DeadlineExceeded)
	})
}

// A provider that ignores its context entirely still cannot hold the
// reply past the timeout.
func TestProviderIgnoringContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		stuck := describerFunc(func(ctx context.Context, img *media.Image) (*media.Description, error) {
			<-release
			return &media.Description{Text: "too late"}, nil
		})
		c := parleytest.NewTester(t, parley.Chain(echo(), media.Middleware(nil, stuck, media.WithTimeout(5*time.Second))))
		start := time.Now()
		c.Deliver(&parley.Turn{Message: parley.Message{Attachments: []parley.Attachment{{Kind: parley.Image, Data: pngBytes(t)}}}}).
			Expect(parleytest.Exact(media.TypePlease))
		assert.Equal(t, 5*time.Second, time.Since(start))
		assert.ErrorIs(t, unreadableCauses(c)[0], context.DeadlineExceeded)
		c.Send("still there?").Expect(parleytest.Exact("You said: still there?"))
		close(release)
	})
}

// Garbage from the provider is a typed error, not retried, not counted
// against the breaker, and the customer is asked to type.
func TestGuardGarbage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		p := inProcess(t, func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			io.WriteString(w, "<html><body>502 Bad Gateway</body></html>")
		})
		b := llm.NewBreaker(nil, llm.WithThreshold(1))
		g := media.NewGuard(b)
		c := parleytest.NewTester(t, parley.Chain(echo(), media.Middleware(g.Transcriber(p), g.Describer(p))))
		c.Deliver(voiceNote(wav(time.Second, 8000))).Expect(parleytest.Exact(media.TypePlease))
		c.Deliver(&parley.Turn{Message: parley.Message{Attachments: []parley.Attachment{{Kind: parley.Image, Data: pngBytes(t)}}}}).
			Expect(parleytest.Exact(media.TypePlease))
		assert.Equal(t, int32(2), calls.Load(), "garbage is not retried")
		assert.False(t, b.Open())
		for _, err := range unreadableCauses(c) {
			assert.ErrorIs(t, err, media.ErrBadResponse)
		}
		c.Send("hello").Expect(parleytest.Exact("You said: hello"))
	})
}

// A 100 MB upload is refused from its Content-Length, before it is read.
func TestHundredMegabyteUpload(t *testing.T) {
	const size = 100 << 20
	var written atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(size))
		chunk := make([]byte, 1<<20)
		for range 100 {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	tr := &fakeTranscriber{}
	c := parleytest.NewTester(t, parley.Chain(echo(), media.Middleware(tr, nil)))
	c.Deliver(&parley.Turn{Message: parley.Message{Attachments: []parley.Attachment{{Kind: parley.Audio, URL: srv.URL + "/voice.ogg"}}}}).
		Expect(parleytest.Exact(media.TypePlease))
	causes := unreadableCauses(c)
	require.Len(t, causes, 1)
	assert.True(t, errors.Is(causes[0], media.ErrTooLarge), "%v", causes[0])
	assert.Empty(t, tr.calls)
	c.Send("ok").Expect(parleytest.Exact("You said: ok"))
}
