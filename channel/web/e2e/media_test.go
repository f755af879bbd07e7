package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/web"
	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbbot"
	"github.com/parleyhq/parley/media"
)

// fakeModels stands for the speech and vision servers: an
// OpenAI-compatible API that describes every image as a payment error
// E-402, transcribes every recording as a question about shipping and
// speaks every reply as the given WAV.
func fakeModels(t *testing.T, speech []byte, calls *atomic.Int32) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		switch r.URL.Path {
		case "/v1/chat/completions":
			body, _ := io.ReadAll(r.Body)
			if !strings.Contains(string(body), `"url":"data:image/png;base64,`) {
				http.Error(w, "no image in the request", http.StatusBadRequest)
				return
			}
			content, _ := json.Marshal(`{"description":"A checkout page with a red banner: payment declined.","error_codes":["E-402"],"order_numbers":[],"products":[]}`)
			io.WriteString(w, `{"choices":[{"index":0,"message":{"role":"assistant","content":`+string(content)+`}}]}`)
		case "/v1/audio/transcriptions":
			io.WriteString(w, `{"text":"How long does shipping take?"}`)
		case "/v1/audio/speech":
			w.Header().Set("Content-Type", "audio/wav")
			w.Write(speech)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

// mediaServer serves a page with the widget open, over a bot that reads
// screenshots and voice notes through the fake models and answers from a
// small help centre, by voice to those who spoke.
func mediaServer(t *testing.T, models string, uploadTypes []string) string {
	t.Helper()
	idx, err := kb.NewIndex()
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.Add(
		kb.Doc{ID: "e402", Title: "Payment declined (error E-402)", URL: "https://shop.example/help#e402",
			Text: "Error E-402 means your bank declined the card payment. Check the card's expiry date or use another card."},
		kb.Doc{ID: "shipping", Question: "How long does shipping take?", Title: "Shipping", URL: "https://shop.example/help#shipping",
			Text: "Standard shipping takes 2-4 business days."},
	); err != nil {
		t.Fatal(err)
	}
	ai, err := media.NewOpenAI(media.OpenAIConfig{BaseURL: models, VisionModel: "llava", TranscriptionModel: "whisper-1", SpeechModel: "tts-1"})
	if err != nil {
		t.Fatal(err)
	}
	chat, err := web.New(web.Config{Secret: []byte("e2e-secret-e2e-secret-e2e-secret-e2e"), Title: "Parley Shop", UploadTypes: uploadTypes})
	if err != nil {
		t.Fatal(err)
	}
	answers := kbbot.New(kb.NewAnswerer(idx))
	h := parley.Chain(answers,
		media.VoiceReplies(ai),
		media.Middleware(ai, ai),
		media.ImageRoute(answers))
	bot := parley.NewBot(h, parley.WithSender("web", chat.Sender()), parley.WithObserver(parley.ObserverFunc(func(_ context.Context, e parley.Event) {
		if e.Err != nil {
			t.Logf("event %s: %v", e.Kind, e.Err)
		}
	})))
	page := `<!doctype html><html><head><title>Checkout</title></head><body><h1>Checkout</h1>
<script src="/chat/widget.js" data-open="true" async></script></body></html>`
	mux := http.NewServeMux()
	mux.Handle("/chat/", http.StripPrefix("/chat", chat.Handler(bot)))
	mux.HandleFunc("/checkout", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	})
	return start(t, bot, chat, mux)
}

// TestWidgetScreenshotAndVoiceNote uploads a screenshot of an error: the
// fake vision server describes it, the help centre answers with its
// source. Then it uploads a recorded voice note (espeak-ng, from
// media/testdata): the answer comes as text and as audio the widget plays.
func TestWidgetScreenshotAndVoiceNote(t *testing.T) {
	ctx := browser(t)
	voice, err := os.ReadFile(filepath.Join("..", "..", "..", "media", "testdata", "voice", "order_en.wav"))
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	url := mediaServer(t, fakeModels(t, voice, &calls),
		[]string{"image/png", "image/jpeg", "video/webm", "application/ogg", "audio/wave"})
	dir := t.TempDir()
	shot := filepath.Join(dir, "error.png")
	note := filepath.Join(dir, "question.wav")
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 40, 30))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(shot, img.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(note, voice, 0o600); err != nil {
		t.Fatal(err)
	}

	run(t, ctx, "open the checkout page", chromedp.Navigate(url+"/checkout"),
		waitFor(`R && !R.querySelector('.panel').hidden`),
		waitFor(`R.querySelector('.record') && !R.querySelector('.record').hidden`))
	run(t, ctx, "upload a screenshot",
		chromedp.SetUploadFiles(shadow(`input[type=file]`), []string{shot}),
		waitFor(`R.querySelector('.msg.user .attachment-image img')`),
		waitFor(`Array.from(R.querySelectorAll('.msg.bot .text')).some(m => m.textContent.startsWith('Error E-402 means your bank declined the card payment.') && m.textContent.includes('Source: Payment declined (error E-402)'))`),
		waitFor(`Array.from(R.querySelectorAll('.msg.bot .text a')).some(a => a.href === 'https://shop.example/help#e402')`))
	run(t, ctx, "send a voice note",
		chromedp.SetUploadFiles(shadow(`input[type=file]`), []string{note}),
		waitFor(`Array.from(R.querySelectorAll('.msg.bot .text')).some(m => m.textContent.startsWith('Standard shipping takes 2-4 business days.'))`),
		waitFor(`R.querySelector('.msg.bot audio.attachment-audio')`))
	var duration float64
	run(t, ctx, "the spoken answer plays",
		chromedp.Evaluate[chromedp.Void](root+`.querySelector('.msg.bot audio.attachment-audio').preload = 'metadata'`),
		waitFor(`R.querySelector('.msg.bot audio.attachment-audio').duration > 0`),
		eval(`R.querySelector('.msg.bot audio.attachment-audio').duration`, &duration))
	if duration < 1 || duration > 5 {
		t.Errorf("the spoken answer lasts %.2fs, want the recording's 1-5s", duration)
	}
	run(t, ctx, "leave", chromedp.Navigate("about:blank"))
	if calls.Load() != 3 {
		t.Errorf("the models were called %d times, want 3 (describe, transcribe, speak)", calls.Load())
	}
}

// Without recordings among the accepted uploads there is no record
// button.
func TestWidgetNoRecordButtonWithoutVoice(t *testing.T) {
	ctx := browser(t)
	var calls atomic.Int32
	url := mediaServer(t, fakeModels(t, nil, &calls), nil)
	run(t, ctx, "open the checkout page", chromedp.Navigate(url+"/checkout"),
		waitFor(`R && R.querySelector('.title').textContent === 'Parley Shop'`))
	var hidden bool
	run(t, ctx, "no record button", waitFor(`R.querySelector('.record')`), eval(`R.querySelector('.record').hidden`, &hidden))
	if !hidden {
		t.Error("the record button shows although the server refuses recordings")
	}
	// Leave the page, so that its connection closes before the server's.
	run(t, ctx, "leave", chromedp.Navigate("about:blank"))
}
