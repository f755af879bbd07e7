package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/parleytest"
)

func screenshotPNG(t *testing.T, w int) []byte {
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, 10))))
	return b.Bytes()
}

func withAttachment(text string, a parley.Attachment) *parley.Turn {
	return &parley.Turn{Message: parley.Message{Text: text, Attachments: []parley.Attachment{a}}}
}

// Without -speech-url, a voice note gets a polite request to type, in the
// customer's language, and the conversation goes on. Without -vision-url
// a photo is never refused after the widget took it: the customer is
// thanked and handed to a person, the photo on the ticket (a photo of a
// broken lamp is what a damaged-item claim needs); once with a person,
// a further photo goes to them.
func TestMediaWithoutServers(t *testing.T) {
	c, a := newTester(t, parleytest.WithChannel("web"))
	c.Deliver(withAttachment("", parley.Attachment{Kind: parley.Audio, Data: []byte("RIFF....WAVEfmt ")})).
		Expect(parleytest.Exact(media.TypePlease))
	c.Send("How long does shipping take?").Expect(parleytest.Contains("Standard shipping takes 2-4 business days"))
	c.Deliver(withAttachment("", parley.Attachment{Kind: parley.Image, Data: screenshotPNG(t, 10), URL: "/chat/files/c/1?sig=x"})).
		Expect(parleytest.Exact(photoThanks), parleytest.Contains("I've asked a person from our team to join"))
	q := a.desk.Queue()
	require.Len(t, q, 1, c.Transcript())
	assert.Equal(t, "/chat/files/c/1?sig=x", q[0].Ticket.Data["attachment"], "the agent gets the photo")
	assert.Equal(t, "sent a photo", q[0].Ticket.Reason)
	c.Deliver(withAttachment("", parley.Attachment{Kind: parley.Image, Data: screenshotPNG(t, 12), URL: "/chat/files/c/2?sig=y"})).
		Expect(parleytest.Contains("I've passed that on: a person will be with you soon."))
	assert.Len(t, a.desk.Queue(), 1, "one hand-off, not one a photo")

	es, _ := newTester(t, parleytest.WithLocale("es"))
	es.Send("hola")
	turn := withAttachment("", parley.Attachment{Kind: parley.Audio, Data: []byte("not audio")})
	turn.Locale = "es"
	es.Deliver(turn).Expect(parleytest.Exact("Perdona, aquí solo puedo leer texto: ¿puedes escribir tu mensaje?"))
	photo := withAttachment("", parley.Attachment{Kind: parley.Image, Data: screenshotPNG(t, 10)})
	photo.Locale = "es"
	es.Deliver(photo).Expect(parleytest.Exact("Gracias por la foto. Yo no puedo ver imágenes, así que se la paso a una persona de nuestro equipo, junto con nuestra conversación."),
		parleytest.Contains("persona"))
}

// With -vision-url, a screenshot is described by the vision server and
// answered from the help centre with its source; one the help centre
// cannot answer gets the offer of a person.
func TestScreenshotFromVisionServer(t *testing.T) {
	known, unknown := screenshotPNG(t, 10), screenshotPNG(t, 20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		desc := `{"description":"A blank page with a spinning wheel.","error_codes":[],"order_numbers":[],"products":[]}`
		if bytes.Contains(body, []byte(encodeB64(known))) {
			desc = `{"description":"The checkout page listing the payment methods.","error_codes":[],"order_numbers":[],"products":["PayPal","Apple Pay"]}`
		}
		content, _ := json.Marshal(desc)
		io.WriteString(w, `{"choices":[{"message":{"role":"assistant","content":`+string(content)+`}}]}`)
	}))
	defer srv.Close()
	a, err := newAppWith(config{writes: true, media: &mediaOptions{visionURL: srv.URL + "/v1", visionModel: "llava"}})
	require.NoError(t, err)
	closeAnalytics(t, a)
	c := parleytest.NewTester(t, a.handler, parleytest.WithCustomer("cus_ada"), parleytest.WithChannel("web"))

	c.Deliver(withAttachment("can I pay with this?", parley.Attachment{Kind: parley.Image, Data: known, URL: "/chat/files/c/1?sig=x"})).
		Expect(parleytest.Contains("We accept Visa, Mastercard, American Express, PayPal and Apple Pay."))
	assert.Contains(t, c.Texts()[0], "Source: Which payment methods do you accept? (https://shop.example/help#payment)")
	c.Deliver(withAttachment("", parley.Attachment{Kind: parley.Image, Data: unknown, URL: "/chat/files/c/2?sig=y"})).
		Expect(parleytest.Contains("I'm not sure I have the right answer to that."))
	c.Send("yes")
	q := a.desk.Queue()
	require.Len(t, q, 1, c.Transcript())
	assert.Equal(t, "/chat/files/c/2?sig=y", q[0].Ticket.Data["attachment"], "the agent gets the screenshot")
	assert.Equal(t, "A blank page with a spinning wheel.", q[0].Ticket.Data["image"])
}

func encodeB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// With -speech-url and -voice-replies, a Spanish voice note is answered
// in Spanish, and the spoken reply says what the customer reads (speech
// runs outside the translation).
func TestSpanishVoiceNoteSpokenReply(t *testing.T) {
	note, err := os.ReadFile(filepath.Join("..", "..", "media", "testdata", "voice", "cancel_es.wav"))
	require.NoError(t, err)
	var spoken []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/audio/transcriptions":
			io.WriteString(w, `{"text":"¿Cuánto cuesta el envío?"}`)
		case "/v1/audio/speech":
			var req struct{ Input string }
			assert.NoError(t, json.NewDecoder(r.Body).Decode(&req))
			spoken = append(spoken, req.Input)
			w.Header().Set("Content-Type", "audio/mpeg")
			w.Write(append([]byte("ID3\x04\x00"), make([]byte, 40)...))
		}
	}))
	defer srv.Close()
	a, err := newAppWith(config{writes: true, media: &mediaOptions{speechURL: srv.URL + "/v1", speechModel: "whisper-1", voiceReplies: true}})
	require.NoError(t, err)
	closeAnalytics(t, a)
	c := parleytest.NewTester(t, a.handler, parleytest.WithCustomer("cus_ada"), parleytest.WithChannel("web"), parleytest.WithLocale("es"))
	c.Send("hola")
	turn := withAttachment("", parley.Attachment{Kind: parley.Audio, Data: note, Name: "nota.wav"})
	turn.Locale = "es"
	c.Deliver(turn)
	require.NotEmpty(t, c.Replies(), c.Transcript())
	assert.Contains(t, c.Replies()[0].Text, "El envío es gratis", c.Transcript())
	require.NotEmpty(t, spoken)
	assert.Contains(t, spoken[0], "El envío es gratis", "the customer hears the Spanish answer")
	var audio int
	for _, m := range c.Replies() {
		for _, at := range m.Attachments {
			if at.Kind == parley.Audio {
				audio++
			}
		}
	}
	assert.Equal(t, len(spoken), audio, "one audio reply per spoken text")
}
