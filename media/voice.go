package media

import (
	"context"
	"slices"
	"strings"

	"github.com/parleyhq/parley"
)

// EventSpeechFailed is emitted when a voice reply could not be made or
// sent; the text reply went out as usual. Err holds the cause.
const EventSpeechFailed parley.EventKind = "media.speech_failed"

// WithVoiceReplies makes Middleware answer a customer who sent a voice
// note by voice as well: after each text reply of that turn, s speaks the
// text and the audio follows as a message with one audio attachment
// (given by value; the channel uploads it or serves it behind a link).
// Only turns from channels (parley.Turn.Channel) that play audio get it,
// "web", "whatsapp" and "telegram" when none are given; others, and customers who typed,
// get text only. Speech is bounded by WithTimeout; when it fails the
// customer has the text already and EventSpeechFailed is emitted.
// Replies streamed with parley.Stream are not spoken.
func WithVoiceReplies(s Speaker, channels ...string) Option {
	if len(channels) == 0 {
		channels = []string{"web", "whatsapp", "telegram"}
	}
	channels = slices.Clone(channels)
	return func(c *config) { c.speaker, c.audioChannels = s, channels }
}

// speaking is the ReplyWriter of a turn whose replies are also spoken.
type speaking struct {
	next parley.ReplyWriter
	c    *config
	turn *parley.Turn
}

// Unwrap returns the writer that speaking wraps.
func (w *speaking) Unwrap() parley.ReplyWriter { return w.next }

// Reply sends m, then m's text spoken.
func (w *speaking) Reply(ctx context.Context, m parley.Message) error {
	if err := w.next.Reply(ctx, m); err != nil {
		return err
	}
	text := strings.TrimSpace(m.Text)
	if text == "" || m.Agent != "" {
		return nil
	}
	a, err := bounded(ctx, w.c.timeout, func(ctx context.Context) (*Audio, error) {
		return w.c.speaker.Speak(ctx, text)
	})
	if err == nil {
		name := "reply" + extension(a.MIMEType)
		err = w.next.Reply(ctx, parley.Message{Attachments: []parley.Attachment{
			{Kind: parley.Audio, MIMEType: a.MIMEType, Data: a.Data, Name: name}}})
	}
	if err != nil {
		w.turn.Emit(ctx, parley.Event{Kind: EventSpeechFailed, Err: err})
	}
	return nil
}

// voice returns w wrapped to speak its replies when c says so for t.
func (c *config) voice(w parley.ReplyWriter, t *parley.Turn) parley.ReplyWriter {
	if c.speaker == nil || !slices.Contains(c.audioChannels, t.Channel) {
		return w
	}
	return &speaking{next: w, c: c, turn: t}
}

func extension(mime string) string {
	switch mime {
	case "audio/mpeg":
		return ".mp3"
	case "audio/ogg", "application/ogg":
		return ".ogg"
	case "audio/wave", "audio/wav", "audio/x-wav":
		return ".wav"
	case "audio/webm":
		return ".webm"
	case "audio/aac":
		return ".aac"
	}
	return ""
}
