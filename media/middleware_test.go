package media_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/parleytest"
)

// fakeTranscriber knows the transcripts of the recordings it was given.
type fakeTranscriber struct {
	texts map[string]string // recording bytes -> text
	calls []*media.Audio
}

func (f *fakeTranscriber) Transcribe(ctx context.Context, a *media.Audio) (*media.Transcript, error) {
	f.calls = append(f.calls, a)
	text, ok := f.texts[string(a.Data)]
	if !ok {
		return nil, errors.New("fake: unknown recording")
	}
	return &media.Transcript{Text: text}, nil
}

type describerFunc func(ctx context.Context, img *media.Image) (*media.Description, error)

func (f describerFunc) Describe(ctx context.Context, img *media.Image) (*media.Description, error) {
	return f(ctx, img)
}

// echo stands for the text handlers (intent, sentiment, escalation): it
// answers with the text it sees and what the middleware annotated.
func echo() parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		reply := "You said: " + t.Text()
		if tr, ok := parley.Value(t, media.TranscriptKey); ok {
			reply += " (voice, " + tr.Duration.String() + ", " + string(t.Message.Attachments[0].Kind) + " kept)"
		}
		return w.Reply(ctx, parley.Text(reply))
	})
}

func voiceNote(data []byte) *parley.Turn {
	return &parley.Turn{Message: parley.Message{Attachments: []parley.Attachment{
		{Kind: parley.Audio, MIMEType: "image/png" /* a lie: the type is sniffed */, Data: data, Name: "note.wav"},
	}}}
}

//go:generate sh testdata/voice/gen.sh

// recording returns a voice note recorded with espeak-ng at test-data
// build time (testdata/voice/gen.sh), so that tests play real speech
// without needing espeak-ng.
func recording(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "voice", name))
	require.NoError(t, err)
	return b
}

// wavTranscriber stands for a speech-to-text server: it refuses what is
// not a well-formed WAV recording of a plausible length, as a real one
// would, and knows the transcripts of the recorded notes.
type wavTranscriber struct {
	t     *testing.T
	texts map[string]string // recording bytes -> text
	seen  []time.Duration
}

func (f *wavTranscriber) Transcribe(ctx context.Context, a *media.Audio) (*media.Transcript, error) {
	mime, d, err := media.CheckAudio(a.Data, media.Limits{MaxDuration: 10 * time.Second})
	if err != nil {
		return nil, err
	}
	assert.Equal(f.t, "audio/wave", mime)
	assert.Equal(f.t, "RIFF", string(a.Data[:4]))
	assert.Equal(f.t, "WAVE", string(a.Data[8:12]))
	f.seen = append(f.seen, d)
	text, ok := f.texts[string(a.Data)]
	if !ok {
		return nil, errors.New("fake: unknown recording")
	}
	return &media.Transcript{Text: text, Language: a.Language}, nil
}

// TestRecordedVoiceNotes plays the recorded notes through the middleware
// in English and Spanish.
func TestRecordedVoiceNotes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		en, es := recording(t, "order_en.wav"), recording(t, "cancel_es.wav")
		tr := &wavTranscriber{t: t, texts: map[string]string{
			string(en): "Where is my order A-1002?",
			string(es): "Quiero cancelar mi suscripción.",
		}}
		reply := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, turn *parley.Turn) error {
			got, ok := parley.Value(turn, media.TranscriptKey)
			require.True(t, ok)
			return w.Reply(ctx, parley.Text(fmt.Sprintf("%s [%s, %s]", turn.Text(), got.Language, got.Duration.Round(100*time.Millisecond))))
		})
		h := parley.Chain(reply, media.Middleware(tr, nil))

		c := parleytest.NewTester(t, h)
		c.Deliver(voiceNote(en)).Expect(parleytest.Matches(`^Where is my order A-1002\? \[, [1-4]\.[0-9]s\]$`))
		note := voiceNote(es)
		note.Locale = "es-ES"
		c.Deliver(note).Expect(parleytest.Matches(`^Quiero cancelar mi suscripción\. \[es, [1-4]\.[0-9]s\]$`))
		require.Len(t, tr.seen, 2)
		for _, d := range tr.seen {
			assert.Greater(t, d, time.Second, "a spoken phrase, not a click")
		}

		// The same recording cut short never reaches the transcriber.
		c.Deliver(voiceNote(en[:len(en)/3])).Expect(parleytest.Exact(media.TypePlease))
		assert.Len(t, tr.seen, 2)
	})
}

func TestConversationWithVoiceNote(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		note := recording(t, "order_en.wav")
		tr := &fakeTranscriber{texts: map[string]string{string(note): "Where is my order A-1002?"}}
		shot := pngBytes(t)
		d := describerFunc(func(ctx context.Context, img *media.Image) (*media.Description, error) {
			assert.Equal(t, shot, img.Data)
			return &media.Description{Text: "A payment error page.", ErrorCodes: []string{"E-402"}, OrderNumbers: []string{"A-1002"}}, nil
		})
		h := parley.Chain(echo(), media.Middleware(tr, d))
		c := parleytest.NewTester(t, h)

		c.Send("hello").Expect(parleytest.Exact("You said: hello"))
		c.Deliver(voiceNote(note)).Expect(parleytest.Matches(`^You said: Where is my order A-1002\? \(voice, [0-9.]+m?s, audio kept\)$`))
		require.Len(t, tr.calls, 1)
		assert.Equal(t, "audio/wave", tr.calls[0].MIMEType)

		c.Deliver(&parley.Turn{Message: parley.Message{Text: "This is the error I'm seeing", Attachments: []parley.Attachment{{Kind: parley.Image, Data: shot}}}}).
			Expect(parleytest.Exact("You said: This is the error I'm seeing"))
		c.Deliver(&parley.Turn{Message: parley.Message{Attachments: []parley.Attachment{{Kind: parley.Image, Data: shot}}}}).
			Expect(parleytest.Exact("You said: [image] A payment error page."))

		// An unreadable voice note: the customer is asked to type, the
		// handlers do not see an empty turn.
		c.Deliver(voiceNote(note[:len(note)/3])).Expect(parleytest.Exact(media.TypePlease))
		c.ExpectEvent(media.EventUnreadable, map[string]string{"media": "audio"})
		c.Deliver(voiceNote([]byte("not audio at all"))).Expect(parleytest.Exact(media.TypePlease))
		c.Deliver(&parley.Turn{Message: parley.Message{Attachments: []parley.Attachment{{Kind: parley.Image, Data: shot[:len(shot)/2]}}}}).
			Expect(parleytest.Exact(media.TypePlease))
		c.ExpectEvent(media.EventUnreadable, map[string]string{"media": "image"})
		assert.Len(t, tr.calls, 1, "bad files never reach the provider")
		var causes []error
		for _, e := range c.Events() {
			if e.Kind == media.EventUnreadable {
				causes = append(causes, e.Err)
			}
		}
		require.Len(t, causes, 3)
		assert.ErrorIs(t, causes[0], media.ErrCorrupt)
		assert.ErrorIs(t, causes[1], media.ErrType)
		assert.ErrorIs(t, causes[2], media.ErrCorrupt)
	})
}

func TestDisabled(t *testing.T) {
	h := parley.Chain(echo(), media.Middleware(nil, nil))
	rec := parleytest.NewRecorder()
	require.NoError(t, h.HandleTurn(context.Background(), rec, voiceNote(wav(time.Second, 8000))))
	assert.Equal(t, []string{media.TypePlease}, rec.Texts())

	rec.Reset()
	img := &parley.Turn{Message: parley.Message{Text: "see this", Attachments: []parley.Attachment{{Kind: parley.Image, Data: pngBytes(t)}}}}
	require.NoError(t, h.HandleTurn(context.Background(), rec, img))
	assert.Equal(t, []string{"You said: see this"}, rec.Texts(), "text with an image still passes")
}

type hangingTranscriber struct{}

func (hangingTranscriber) Transcribe(ctx context.Context, a *media.Audio) (*media.Transcript, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// A provider that hangs costs the timeout and no more.
func TestTranscriptionTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := parley.Chain(echo(), media.Middleware(hangingTranscriber{}, nil, media.WithTimeout(3*time.Second)))
		rec := parleytest.NewRecorder()
		start := time.Now()
		require.NoError(t, h.HandleTurn(context.Background(), rec, voiceNote(wav(time.Second, 8000))))
		assert.Equal(t, 3*time.Second, time.Since(start))
		assert.Equal(t, []string{media.TypePlease}, rec.Texts())
	})
}

func TestURLAttachmentOverLimit(t *testing.T) {
	var fetched int64
	h := parley.Chain(echo(), media.Middleware(&fakeTranscriber{}, nil,
		media.WithLimits(media.Limits{MaxBytes: 1 << 20}),
		media.WithFetch(func(ctx context.Context, url string, max int64) ([]byte, error) {
			fetched = max
			return bytes.Repeat([]byte{0}, int(max+1)), nil
		})))
	rec := parleytest.NewRecorder()
	turn := &parley.Turn{Message: parley.Message{Attachments: []parley.Attachment{{Kind: parley.Audio, URL: "https://media.example/123"}}}}
	require.NoError(t, h.HandleTurn(context.Background(), rec, turn))
	assert.Equal(t, int64(1<<20), fetched)
	assert.Equal(t, []string{media.TypePlease}, rec.Texts())
}
