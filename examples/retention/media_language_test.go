package main

import (
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/parleytest"
)

// A voice note is transcribed before the conversation's language is
// chosen: a Spanish voice note in a conversation that was English, from
// a channel that gives no locale (the web widget's uploads, the terminal),
// is transcribed without an English hint and answered in Spanish. A note
// that cannot be read still gets "please type" in the conversation's
// language.
func TestVoiceNoteLanguageFromTheTranscript(t *testing.T) {
	note, err := os.ReadFile(filepath.Join("..", "..", "media", "testdata", "voice", "cancel_es.wav"))
	require.NoError(t, err)
	var hints []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if !assert.NoError(t, err) {
			return
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		hint := ""
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			if p.FormName() == "language" {
				b, _ := io.ReadAll(p)
				hint = string(b)
			}
		}
		hints = append(hints, hint)
		io.WriteString(w, `{"text":"¿Cuánto cuesta el envío?"}`)
	}))
	defer srv.Close()
	a, err := newAppWith(config{writes: true, media: &mediaOptions{speechURL: srv.URL + "/v1", speechModel: "whisper-1"}})
	require.NoError(t, err)
	closeAnalytics(t, a)
	c := parleytest.NewTester(t, a.handler, parleytest.WithCustomer("cus_ada"), parleytest.WithChannel("web"))
	c.Send("hello there, how are you")
	c.Deliver(withAttachment("", parley.Attachment{Kind: parley.Audio, Data: note, Name: "nota.wav"}))
	require.NotEmpty(t, c.Replies(), c.Transcript())
	assert.Contains(t, c.Replies()[0].Text, "El envío es gratis", c.Transcript())
	assert.Equal(t, []string{""}, hints, "no English hint for the transcription")

	// Without a speech server, "please type" follows the conversation's
	// language (Spanish now).
	b, err := newAppWith(config{writes: true})
	require.NoError(t, err)
	closeAnalytics(t, b)
	es := parleytest.NewTester(t, b.handler, parleytest.WithCustomer("cus_ada"), parleytest.WithChannel("web"))
	es.Send("hola, ¿cuánto cuesta el envío?")
	es.Deliver(withAttachment("", parley.Attachment{Kind: parley.Audio, Data: note})).
		Expect(parleytest.Exact("Perdona, aquí solo puedo leer texto: ¿puedes escribir tu mensaje?"))
	// A photo is never refused: it goes to a person, thanked in Spanish.
	es.Deliver(withAttachment("", parley.Attachment{Kind: parley.Image, Data: screenshotPNG(t, 10)})).
		Expect(parleytest.Exact("Gracias por la foto. Yo no puedo ver imágenes, así que se la paso a una persona de nuestro equipo, junto con nuestra conversación."))
}

// TestVoiceTranscripts replays testdata/transcripts/voice-*.txtar with a
// speech server: "> (voice) text" is a voice note (the committed
// espeak-ng recording) in which the customer says text, and the server
// transcribes it so.
func TestVoiceTranscripts(t *testing.T) {
	note, err := os.ReadFile(filepath.Join("..", "..", "media", "testdata", "voice", "cancel_es.wav"))
	require.NoError(t, err)
	files, err := filepath.Glob("testdata/transcripts/voice-*.txtar")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			var mu sync.Mutex
			var said string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				b, err := json.Marshal(map[string]string{"text": said})
				assert.NoError(t, err)
				w.Write(b)
			}))
			defer srv.Close()
			a, err := newAppWith(config{writes: true, today: goldenToday, media: &mediaOptions{speechURL: srv.URL + "/v1", speechModel: "whisper-1"}})
			require.NoError(t, err)
			closeAnalytics(t, a)
			c := parleytest.NewTester(t, a.handler, parleytest.WithCustomer("cus_ada"), parleytest.WithChannel("web"))
			runTranscript(t, file, c, a, func(text string) {
				mu.Lock()
				said = text
				mu.Unlock()
				c.Deliver(withAttachment("", parley.Attachment{Kind: parley.Audio, Data: note, Name: "note.wav"}))
			})
		})
	}
}
