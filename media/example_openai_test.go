package media_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/parleyhq/parley/media"
)

// NewOpenAI speaks OpenAI's audio API, which local servers (whisper.cpp,
// LocalAI, vLLM) also serve: give it their BaseURL. Here a test server
// plays the API's part for a Spanish voice note.
func ExampleNewOpenAI() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" || r.Header.Get("Authorization") != "Bearer sk-test" {
			http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
			return
		}
		_, hdr, err := r.FormFile("file")
		if err != nil {
			http.Error(w, `{"error":{"message":"no file"}}`, http.StatusBadRequest)
			return
		}
		fmt.Printf("upload: %s (%s, %d bytes), model %s, language %s, format %s\n", hdr.Filename,
			hdr.Header.Get("Content-Type"), hdr.Size, r.FormValue("model"), r.FormValue("language"), r.FormValue("response_format"))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"text": " Quiero cancelar mi suscripción. ", "language": "spanish", "duration": 2.0}`)
	}))
	defer api.Close()

	stt, err := media.NewOpenAI(media.OpenAIConfig{BaseURL: api.URL + "/v1", APIKey: "sk-test",
		TranscriptionModel: "whisper-1", HTTPClient: api.Client(), Timeout: 10 * time.Second})
	if err != nil {
		fmt.Println(err)
		return
	}
	t, err := stt.Transcribe(context.Background(), &media.Audio{Data: wav(2*time.Second, 8000), Language: "es"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%q %s %v\n", t.Text, t.Language, t.Duration)

	// A client without the model a call needs says so before any request.
	_, err = stt.Speak(context.Background(), "Hola")
	fmt.Println(err)
	// Output:
	// upload: audio.wav (audio/wave, 32044 bytes), model whisper-1, language es, format json
	// "Quiero cancelar mi suscripción." spanish 2s
	// media: no SpeechModel configured
}
