package media

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley"
)

// EventSpeechFailed is emitted when a voice reply could not be made or
// sent; the text reply went out as usual. Err holds the cause.
const EventSpeechFailed parley.EventKind = "media.speech_failed"

// VoiceReplies returns middleware that answers a customer who sent a
// voice note by voice as well: after each text reply of that turn, s
// speaks the text and the audio follows as a message with one audio
// attachment (given by value; the channel uploads it or serves it behind
// a link). Only turns from channels (parley.Turn.Channel) that play audio
// get it, "web", "whatsapp" and "telegram" when none are given; others,
// and customers who typed, get text only. Speech gets at most 10 seconds;
// when it fails the customer has the text already and EventSpeechFailed
// is emitted. Replies streamed with parley.Stream are not spoken.
//
// Mount it before (outside) the middleware that translates replies, so
// that what is spoken is what is sent, and before [Middleware].
func VoiceReplies(s Speaker, channels ...string) parley.Middleware {
	if len(channels) == 0 {
		channels = []string{"web", "whatsapp", "telegram"}
	}
	channels = slices.Clone(channels)
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if audio, _ := find(t.Message.Attachments); audio != nil && slices.Contains(channels, t.Channel) {
				w = &speaking{next: w, s: s, turn: t}
			}
			return next.HandleTurn(ctx, w, t)
		})
	}
}

// speaking is the ReplyWriter of a turn whose replies are also spoken.
type speaking struct {
	next parley.ReplyWriter
	s    Speaker
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
	a, err := bounded(ctx, 10*time.Second, func(ctx context.Context) (*Audio, error) {
		return w.s.Speak(ctx, text)
	})
	if err == nil && (a == nil || len(a.Data) == 0) {
		err = fmt.Errorf("%w: no audio", ErrBadResponse)
	}
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
