package media_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/media"
)

func client(t *testing.T, h http.HandlerFunc) *media.OpenAI {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := media.NewOpenAI(media.OpenAIConfig{
		BaseURL: srv.URL + "/v1", APIKey: "sk-test",
		TranscriptionModel: "whisper-1", VisionModel: "gpt-4o-mini", SpeechModel: "tts-1",
	})
	require.NoError(t, err)
	return c
}

// TestTranscribeWire checks the request against OpenAI's documented
// createTranscription format
// (https://platform.openai.com/docs/api-reference/audio/createTranscription):
// POST /v1/audio/transcriptions, multipart/form-data with the audio in the
// field "file" (with a file name) and the fields "model" and
// "response_format"; the reply {"text": ...}.
func TestTranscribeWire(t *testing.T) {
	audio := wav(time.Second, 8000)
	c := client(t, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "/v1/audio/transcriptions", r.URL.Path)
		assert.Equal(t, "Bearer sk-test", r.Header.Get("Authorization"))
		assert.True(t, strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data; boundary="))
		require.NoError(t, r.ParseMultipartForm(1<<20))
		assert.Equal(t, []string{"whisper-1"}, r.MultipartForm.Value["model"])
		assert.Equal(t, []string{"json"}, r.MultipartForm.Value["response_format"])
		assert.Equal(t, []string{"es"}, r.MultipartForm.Value["language"])
		fh := r.MultipartForm.File["file"]
		require.Len(t, fh, 1)
		assert.Equal(t, "note.wav", fh[0].Filename)
		assert.Equal(t, "audio/wave", fh[0].Header.Get("Content-Type"))
		f, err := fh[0].Open()
		require.NoError(t, err)
		got, _ := io.ReadAll(f)
		assert.Equal(t, audio, got)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"text":" Where is my order A-1002? "}`)
	})
	tr, err := c.Transcribe(context.Background(), &media.Audio{Data: audio, Name: "note.wav", Language: "es"})
	require.NoError(t, err)
	assert.Equal(t, "Where is my order A-1002?", tr.Text)
}

// TestDescribeWire checks the chat completion against OpenAI's documented
// vision input (https://platform.openai.com/docs/guides/images-vision): a
// user message whose content is an array of parts, one {"type": "text"}
// and one {"type": "image_url", "image_url": {"url": "data:image/png;base64,..."}}.
func TestDescribeWire(t *testing.T) {
	img := pngBytes(t)
	c := client(t, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/v1/chat/completions", r.URL.Path)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		var req struct {
			Model    string `json:"model"`
			Messages []struct {
				Role    string          `json:"role"`
				Content json.RawMessage `json:"content"`
			} `json:"messages"`
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&req))
		assert.Equal(t, "gpt-4o-mini", req.Model)
		require.Len(t, req.Messages, 2)
		assert.Equal(t, "system", req.Messages[0].Role)
		assert.Equal(t, "user", req.Messages[1].Role)
		var parts []struct {
			Type     string `json:"type"`
			Text     string `json:"text"`
			ImageURL struct {
				URL string `json:"url"`
			} `json:"image_url"`
		}
		require.NoError(t, json.Unmarshal(req.Messages[1].Content, &parts))
		require.Len(t, parts, 2)
		assert.Equal(t, "text", parts[0].Type)
		assert.Equal(t, "image_url", parts[1].Type)
		assert.Equal(t, "data:image/png;base64,"+base64.StdEncoding.EncodeToString(img), parts[1].ImageURL.URL)
		content, _ := json.Marshal(`{"description":"A checkout page showing a payment error.","error_codes":["E-402"],"order_numbers":["A-1002"],"products":["Trail Runner 2"]}`)
		io.WriteString(w, `{"choices":[{"index":0,"message":{"role":"assistant","content":`+string(content)+`}}]}`)
	})
	d, err := c.Describe(context.Background(), &media.Image{Data: img})
	require.NoError(t, err)
	assert.Equal(t, &media.Description{
		Text:         "A checkout page showing a payment error.",
		ErrorCodes:   []string{"E-402"},
		OrderNumbers: []string{"A-1002"},
		Products:     []string{"Trail Runner 2"},
	}, d)
}

func TestDescribePlainText(t *testing.T) {
	c := client(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"choices":[{"message":{"role":"assistant","content":"A login screen."}}]}`)
	})
	d, err := c.Describe(context.Background(), &media.Image{Data: pngBytes(t)})
	require.NoError(t, err)
	assert.Equal(t, &media.Description{Text: "A login screen."}, d)
}

// TestSpeakWire checks the request against OpenAI's documented createSpeech
// (https://platform.openai.com/docs/api-reference/audio/createSpeech): a
// JSON body with model, input and voice; the reply body is the audio.
func TestSpeakWire(t *testing.T) {
	mp3 := append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), make([]byte, 64)...)
	c := client(t, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/v1/audio/speech", r.URL.Path)
		var req map[string]string
		require.NoError(t, json.NewDecoder(r.Body).Decode(&req))
		assert.Equal(t, map[string]string{"model": "tts-1", "input": "Your order ships today.", "voice": "alloy", "response_format": "mp3"}, req)
		w.Header().Set("Content-Type", "audio/mpeg")
		w.Write(mp3)
	})
	a, err := c.Speak(context.Background(), "Your order ships today.")
	require.NoError(t, err)
	assert.Equal(t, mp3, a.Data)
	assert.Equal(t, "audio/mpeg", a.MIMEType)
}

func TestProviderErrors(t *testing.T) {
	img := &media.Image{Data: pngBytes(t)}
	audio := &media.Audio{Data: wav(time.Second, 8000)}
	garbage := client(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>502 Bad Gateway</html>") })
	_, err := garbage.Transcribe(context.Background(), audio)
	assert.ErrorIs(t, err, media.ErrBadResponse)
	_, err = garbage.Describe(context.Background(), img)
	assert.ErrorIs(t, err, media.ErrBadResponse)
	_, err = garbage.Speak(context.Background(), "hi")
	assert.ErrorIs(t, err, media.ErrBadResponse)

	empty := client(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"choices":[]}`) })
	_, err = empty.Describe(context.Background(), img)
	assert.ErrorIs(t, err, media.ErrBadResponse)

	limited := client(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"error":{"message":"Rate limit reached","type":"requests"}}`)
	})
	_, err = limited.Transcribe(context.Background(), audio)
	var se *llm.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, &llm.StatusError{Provider: "openai", StatusCode: 429, RetryAfter: 7 * time.Second, Message: "Rate limit reached"}, se)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A provider that never answers costs the client's Timeout, then
// context.DeadlineExceeded.
func TestProviderTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hang := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			<-r.Context().Done()
			return nil, r.Context().Err()
		})}
		c, err := media.NewOpenAI(media.OpenAIConfig{TranscriptionModel: "whisper-1", HTTPClient: hang, Timeout: 4 * time.Second})
		require.NoError(t, err)
		start := time.Now()
		_, err = c.Transcribe(context.Background(), &media.Audio{Data: wav(time.Second, 8000)})
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
		assert.Equal(t, 4*time.Second, time.Since(start))
	})
}
