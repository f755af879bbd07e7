package media

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// TypePlease is the reply when a voice note or image cannot be read.
const TypePlease = "Sorry, I can only read text here: could you type your message?"

// EventUnreadable is emitted when Middleware asks the customer to type:
// Err holds the cause (a typed error from this package, a provider's
// error, context.DeadlineExceeded) and Attrs["media"] is "audio" or
// "image".
const EventUnreadable parley.EventKind = "media.unreadable"

// Annotations set by Middleware on the turn it passes on.
var (
	// TranscriptKey holds the transcript of the turn's voice note.
	TranscriptKey = parley.NewKey[*Transcript]("media.transcript")
	// DescriptionKey holds the description of the turn's image.
	DescriptionKey = parley.NewKey[*Description]("media.description")
)

// An Option configures Middleware.
type Option func(*config)

type config struct {
	limits  Limits
	timeout time.Duration
	fetch   func(ctx context.Context, url string, max int64) ([]byte, error)
}

// WithLimits sets the limits on attachments; the default is Limits{}.
func WithLimits(l Limits) Option { return func(c *config) { c.limits = l } }

// WithTimeout bounds fetching and transcribing or describing one
// attachment; default 10s. The customer is asked to type as soon as it
// passes, even when a provider ignores its context. Wrap providers in a
// [Guard] for retries and a circuit breaker within this time.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithFetch sets how an attachment given by URL is downloaded (for
// platforms whose media URLs need credentials). fetch must return at most
// max+1 bytes. The default is a GET with http.DefaultClient.
func WithFetch(fetch func(ctx context.Context, url string, max int64) ([]byte, error)) Option {
	return func(c *config) { c.fetch = fetch }
}

// Middleware reads a turn's first audio and first image attachment before
// the handlers that read text (intent, sentiment, escalation) run.
//
// A voice note (an audio attachment, or a file the channel sniffed as
// Ogg or WebM, as the web widget's recordings are) becomes the turn's
// text; the attachment stays on the message and the transcript is
// annotated under TranscriptKey. An image's description and facts are
// annotated under DescriptionKey (for [ImageRoute]); the text keeps the
// customer's own words, so that sentiment and intent read what the
// customer said, not a machine's description, and only an image sent
// without words gets "[image] " and its description as its text. The
// turn's entry in the conversation's history gets the words and the
// whole description (error codes, order numbers, products), with a
// reference to the file in Meta["attachment"], so that transcripts and
// an agent's ticket show what was said and shown.
//
// When t is nil (voice disabled) or the audio fails a limit or
// transcription, the customer gets TypePlease and the next handler is not
// called; so too for an image without text when d is nil or fails. An
// image that comes with text still passes on with its text.
func Middleware(t Transcriber, d Describer, opts ...Option) parley.Middleware {
	c := config{timeout: 10 * time.Second, fetch: httpFetch}
	for _, o := range opts {
		o(&c)
	}
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, turn *parley.Turn) error {
			audio, img := find(turn.Message.Attachments)
			if audio == nil && img == nil {
				return next.HandleTurn(ctx, w, turn)
			}
			texts := []string{}
			if s := strings.TrimSpace(turn.Message.Text); s != "" {
				texts = append(texts, s)
			}
			var tr *Transcript
			if audio != nil {
				var err error
				tr, err = c.transcribe(ctx, t, audio, turn.Locale)
				if err == nil && tr.Text == "" {
					err = fmt.Errorf("%w: empty transcript", ErrBadResponse)
				}
				if err != nil {
					return unreadable(ctx, w, turn, "audio", err)
				}
				texts = append([]string{tr.Text}, texts...)
			}
			var desc *Description
			if img != nil {
				var err error
				desc, err = c.describe(ctx, d, img)
				if err != nil && len(texts) == 0 {
					return unreadable(ctx, w, turn, "image", err)
				}
			}
			history := texts
			if desc != nil {
				history = append(slices.Clip(texts), desc.asText())
				if len(texts) == 0 {
					texts = []string{"[image] " + desc.Text}
				}
			}
			out := *turn
			out.Message.Text = strings.Join(texts, "\n")
			if audio != nil {
				remember(turn, strings.Join(history, "\n"), audio)
			} else {
				remember(turn, strings.Join(history, "\n"), img)
			}
			next2 := &out
			if tr != nil {
				next2 = parley.With(next2, TranscriptKey, tr)
			}
			if desc != nil {
				next2 = parley.With(next2, DescriptionKey, desc)
			}
			return next.HandleTurn(ctx, w, next2)
		})
	}
}

// remember writes what the media said into the turn's entry of the
// conversation's history, with a reference to the file under
// Meta["attachment"], so that the transcript and an agent's ticket read
// the voice note's words and the screenshot's description.
func remember(t *parley.Turn, text string, a *parley.Attachment) {
	s := t.Session()
	if s == nil {
		return
	}
	for i := len(s.History) - 1; i >= 0; i-- {
		e := &s.History[i]
		if e.Role != memory.RoleUser {
			continue
		}
		if e.MessageID != t.MessageID {
			return
		}
		e.Text = text
		meta := maps.Clone(e.Meta)
		if meta == nil {
			meta = map[string]string{}
		}
		meta["attachment"] = reference(a)
		e.Meta = meta
		return
	}
}

func unreadable(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, kind string, err error) error {
	t.Emit(ctx, parley.Event{Kind: EventUnreadable, Err: err, Attrs: map[string]string{"media": kind}})
	return w.Reply(ctx, parley.Text(TypePlease))
}

func find(as []parley.Attachment) (audio, img *parley.Attachment) {
	for i := range as {
		a := &as[i]
		switch {
		case audio == nil && (a.Kind == parley.Audio || strings.HasPrefix(a.MIMEType, "audio/") ||
			a.Kind == parley.File && (a.MIMEType == "application/ogg" || a.MIMEType == "video/webm")):
			audio = a
		case img == nil && a.Kind == parley.Image:
			img = a
		}
	}
	return audio, img
}

func (c *config) load(ctx context.Context, a *parley.Attachment) ([]byte, error) {
	if a.Data != nil || a.URL == "" {
		return a.Data, nil
	}
	return c.fetch(ctx, a.URL, c.limits.maxBytes())
}

func (c *config) transcribe(ctx context.Context, t Transcriber, a *parley.Attachment, locale string) (*Transcript, error) {
	if t == nil {
		return nil, fmt.Errorf("media: voice notes disabled")
	}
	return bounded(ctx, c.timeout, func(ctx context.Context) (*Transcript, error) {
		data, err := c.load(ctx, a)
		if err != nil {
			return nil, err
		}
		mime, d, err := CheckAudio(data, c.limits)
		if err != nil {
			return nil, err
		}
		lang, _, _ := strings.Cut(locale, "-")
		tr, err := t.Transcribe(ctx, &Audio{Data: data, MIMEType: mime, Name: a.Name, Language: lang})
		if err != nil {
			return nil, err
		}
		if tr == nil {
			return nil, fmt.Errorf("%w: no transcript", ErrBadResponse)
		}
		if tr.Duration == 0 {
			tr.Duration = d
		}
		return tr, nil
	})
}

func (c *config) describe(ctx context.Context, d Describer, a *parley.Attachment) (*Description, error) {
	if d == nil {
		return nil, fmt.Errorf("media: images disabled")
	}
	return bounded(ctx, c.timeout, func(ctx context.Context) (*Description, error) {
		data, err := c.load(ctx, a)
		if err != nil {
			return nil, err
		}
		mime, err := CheckImage(data, c.limits)
		if err != nil {
			return nil, err
		}
		desc, err := d.Describe(ctx, &Image{Data: data, MIMEType: mime})
		if err == nil && desc == nil {
			err = fmt.Errorf("%w: no description", ErrBadResponse)
		}
		return desc, err
	})
}

// bounded calls f with a context that ends after d, and returns when f
// does or, at the latest, when d has passed: a provider that ignores its
// context (or a fetch stuck in a read) cannot keep the customer waiting.
// f then finishes on its own, its result dropped.
func bounded[T any](ctx context.Context, d time.Duration, f func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f(ctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// asText renders a description as lines of text for the transcript.
func (d *Description) asText() string {
	var b strings.Builder
	b.WriteString("[image] ")
	b.WriteString(d.Text)
	if len(d.ErrorCodes) > 0 {
		fmt.Fprintf(&b, "\nError: %s", strings.Join(d.ErrorCodes, ", "))
	}
	if len(d.OrderNumbers) > 0 {
		fmt.Fprintf(&b, "\nOrder %s", strings.Join(d.OrderNumbers, ", "))
	}
	if len(d.Products) > 0 {
		fmt.Fprintf(&b, "\nProduct: %s", strings.Join(d.Products, ", "))
	}
	return b.String()
}

func httpFetch(ctx context.Context, url string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("media: fetch %s: %s", url, resp.Status)
	}
	if resp.ContentLength > max {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, resp.ContentLength, max)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, err
	}
	return b, nil
}
