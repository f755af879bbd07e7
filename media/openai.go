package media

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/parleyhq/parley/llm"
)

// OpenAIConfig configures an OpenAI client. The same wire format reaches
// local servers: LocalAI, whisper.cpp's server (started with
// --inference-path /v1/audio/transcriptions), Ollama vision models.
type OpenAIConfig struct {
	// BaseURL is the API root; default "https://api.openai.com/v1".
	BaseURL string
	// APIKey is sent as a bearer token, if set.
	APIKey string
	// TranscriptionModel is the speech-to-text model ("whisper-1").
	// Required for Transcribe.
	TranscriptionModel string
	// VisionModel is a chat model that reads images ("gpt-4o-mini",
	// "llava"). Required for Describe.
	VisionModel string
	// SpeechModel is the text-to-speech model ("tts-1"). Required for Speak.
	SpeechModel string
	// Voice is the voice for Speak; default "alloy".
	Voice string
	// HTTPClient sends requests; default http.DefaultClient.
	HTTPClient *http.Client
	// Timeout bounds one request; default 30s.
	Timeout time.Duration
	// MaxResponseBytes bounds a reply body (speech audio included);
	// default 16 MiB.
	MaxResponseBytes int64
	// Header holds extra headers.
	Header http.Header
}

// OpenAI is a Transcriber, Describer and Speaker over OpenAI-compatible
// HTTP endpoints. It is safe for concurrent use.
type OpenAI struct {
	cfg OpenAIConfig
}

// NewOpenAI returns a client for cfg. At least one model must be set.
func NewOpenAI(cfg OpenAIConfig) (*OpenAI, error) {
	if cfg.TranscriptionModel == "" && cfg.VisionModel == "" && cfg.SpeechModel == "" {
		return nil, errors.New("media: OpenAIConfig sets no model")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://api.openai.com/v1"
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = 16 << 20
	}
	if cfg.Voice == "" {
		cfg.Voice = "alloy"
	}
	return &OpenAI{cfg: cfg}, nil
}

// Transcribe uploads a to POST {BaseURL}/audio/transcriptions as
// multipart/form-data with the fields file, model, response_format=json
// and, if set, language, as documented in
// https://platform.openai.com/docs/api-reference/audio/createTranscription.
// The reply is {"text": "..."}.
func (c *OpenAI) Transcribe(ctx context.Context, a *Audio) (*Transcript, error) {
	if c.cfg.TranscriptionModel == "" {
		return nil, errors.New("media: no TranscriptionModel configured")
	}
	mime := a.MIMEType
	if mime == "" {
		mime = sniff(a.Data)
	}
	name := a.Name
	if name == "" {
		name = "audio" + audioExt(mime)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreatePart(fileHeader(name, mime))
	if err != nil {
		return nil, err
	}
	fw.Write(a.Data)
	mw.WriteField("model", c.cfg.TranscriptionModel)
	mw.WriteField("response_format", "json")
	if a.Language != "" {
		mw.WriteField("language", a.Language)
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	raw, _, err := c.post(ctx, "/audio/transcriptions", mw.FormDataContentType(), &body)
	if err != nil {
		return nil, err
	}
	var out struct {
		Text     *string `json:"text"`
		Language string  `json:"language"`
		Duration float64 `json:"duration"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.Text == nil {
		return nil, fmt.Errorf("%w: transcription: %s", ErrBadResponse, snippet(raw))
	}
	return &Transcript{
		Text:     strings.TrimSpace(*out.Text),
		Language: out.Language,
		Duration: time.Duration(out.Duration * float64(time.Second)),
	}, nil
}

func fileHeader(name, mime string) map[string][]string {
	return map[string][]string{
		"Content-Disposition": {fmt.Sprintf(`form-data; name="file"; filename=%q`, name)},
		"Content-Type":        {mime},
	}
}

func audioExt(mime string) string {
	switch mime {
	case "audio/wave":
		return ".wav"
	case "application/ogg":
		return ".ogg"
	case "audio/mpeg":
		return ".mp3"
	case "video/webm":
		return ".webm"
	case "video/mp4":
		return ".m4a"
	}
	return ".bin"
}

// describePrompt asks for the facts as a JSON object.
const describePrompt = `You read screenshots and photos sent to customer support. Reply with one JSON object only:
{"description": "one or two sentences on what the image shows", "error_codes": [], "order_numbers": [], "products": []}
List only what is visible in the image; leave a list empty when nothing fits.`

// Describe sends img to POST {BaseURL}/chat/completions as a user message
// whose content holds a text part and an image_url part with a base64 data
// URL, as documented in
// https://platform.openai.com/docs/guides/images-vision and
// https://platform.openai.com/docs/api-reference/chat/create, and reads the
// JSON object the model is asked for. A reply that is not JSON becomes the
// description with no facts.
func (c *OpenAI) Describe(ctx context.Context, img *Image) (*Description, error) {
	if c.cfg.VisionModel == "" {
		return nil, errors.New("media: no VisionModel configured")
	}
	mime := img.MIMEType
	if mime == "" {
		mime = sniff(img.Data)
	}
	type imageURL struct {
		URL string `json:"url"`
	}
	type part struct {
		Type     string    `json:"type"`
		Text     string    `json:"text,omitempty"`
		ImageURL *imageURL `json:"image_url,omitempty"`
	}
	req := map[string]any{
		"model": c.cfg.VisionModel,
		"messages": []map[string]any{
			{"role": "system", "content": describePrompt},
			{"role": "user", "content": []part{
				{Type: "text", Text: "Describe this image."},
				{Type: "image_url", ImageURL: &imageURL{URL: "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(img.Data)}},
			}},
		},
	}
	b, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	raw, _, err := c.post(ctx, "/chat/completions", "application/json", bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var resp struct {
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil || len(resp.Choices) == 0 || strings.TrimSpace(resp.Choices[0].Message.Content) == "" {
		return nil, fmt.Errorf("%w: chat completion: %s", ErrBadResponse, snippet(raw))
	}
	content := strings.TrimSpace(resp.Choices[0].Message.Content)
	var facts struct {
		Description  string   `json:"description"`
		ErrorCodes   []string `json:"error_codes"`
		OrderNumbers []string `json:"order_numbers"`
		Products     []string `json:"products"`
	}
	js := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(content, "```json"), "```"), "```")
	if err := json.Unmarshal([]byte(strings.TrimSpace(js)), &facts); err != nil || facts.Description == "" {
		return &Description{Text: content}, nil
	}
	return &Description{
		Text:         facts.Description,
		ErrorCodes:   facts.ErrorCodes,
		OrderNumbers: facts.OrderNumbers,
		Products:     facts.Products,
	}, nil
}

// Speak posts {"model", "input", "voice", "response_format": "mp3"} to
// POST {BaseURL}/audio/speech, as documented in
// https://platform.openai.com/docs/api-reference/audio/createSpeech; the
// reply body is the audio.
func (c *OpenAI) Speak(ctx context.Context, text string) (*Audio, error) {
	if c.cfg.SpeechModel == "" {
		return nil, errors.New("media: no SpeechModel configured")
	}
	b, err := json.Marshal(map[string]string{
		"model": c.cfg.SpeechModel, "input": text, "voice": c.cfg.Voice, "response_format": "mp3",
	})
	if err != nil {
		return nil, err
	}
	raw, _, err := c.post(ctx, "/audio/speech", "application/json", bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	mime := sniff(raw)
	if !audioTypes[mime] {
		return nil, fmt.Errorf("%w: speech reply is %s, not audio", ErrBadResponse, mime)
	}
	return &Audio{Data: raw, MIMEType: mime, Name: "reply" + audioExt(mime)}, nil
}

// post sends one request and returns the body of a 2xx reply; an error
// reply is an *llm.StatusError, as package llm reports it.
func (c *OpenAI) post(ctx context.Context, path, contentType string, body io.Reader) ([]byte, http.Header, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.BaseURL+path, body)
	if err != nil {
		return nil, nil, err
	}
	for k, vs := range c.cfg.Header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", contentType)
	if c.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.APIKey)
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxResponseBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, err
	}
	if int64(len(raw)) > c.cfg.MaxResponseBytes {
		return nil, nil, fmt.Errorf("%w: reply over %d bytes", ErrBadResponse, c.cfg.MaxResponseBytes)
	}
	if resp.StatusCode/100 != 2 {
		se := &llm.StatusError{Provider: "openai", StatusCode: resp.StatusCode}
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(raw, &e) == nil {
			se.Message = e.Error.Message
		}
		if s := resp.Header.Get("Retry-After"); s != "" {
			var secs int
			if _, err := fmt.Sscan(s, &secs); err == nil {
				se.RetryAfter = time.Duration(secs) * time.Second
			}
		}
		return nil, nil, se
	}
	return raw, resp.Header, nil
}

func snippet(b []byte) string {
	if len(b) > 80 {
		b = b[:80]
	}
	return fmt.Sprintf("%q", b)
}
