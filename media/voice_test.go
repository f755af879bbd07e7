package media_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/parleytest"
)

// TestVoiceReplies: a customer who spoke on a channel that plays audio
// hears the answer too; one who typed, or who spoke on SMS, reads it.
func TestVoiceReplies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mp3 := append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), make([]byte, 32)...)
		var spoken []string
		var fail atomic.Bool
		p := inProcess(t, func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/v1/audio/transcriptions":
				io.WriteString(w, `{"text":"Where is my order?"}`)
			case "/v1/audio/speech":
				if fail.Load() {
					w.WriteHeader(http.StatusInternalServerError)
					return
				}
				var req struct{ Input string }
				assert.NoError(t, json.NewDecoder(r.Body).Decode(&req))
				spoken = append(spoken, req.Input)
				w.Header().Set("Content-Type", "audio/mpeg")
				w.Write(mp3)
			}
		})
		g := media.NewGuard(llm.NewBreaker(nil), llm.WithAttempts(1))
		answer := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			return w.Reply(ctx, parley.Text("Order A-1002 ships today."))
		})
		h := parley.Chain(answer, media.VoiceReplies(g.Speaker(p)), media.Middleware(g.Transcriber(p), nil))
		note := func(channel string) *parley.Turn {
			t := voiceNote(wav(time.Second, 8000))
			t.Channel = channel
			return t
		}

		c := parleytest.NewTester(t, h, parleytest.WithChannel("whatsapp"))
		c.Deliver(note("whatsapp"))
		replies := c.Replies()
		require.Len(t, replies, 2)
		assert.Equal(t, "Order A-1002 ships today.", replies[0].Text)
		require.Len(t, replies[1].Attachments, 1)
		assert.Equal(t, parley.Attachment{Kind: parley.Audio, MIMEType: "audio/mpeg", Data: mp3, Name: "reply.mp3"}, replies[1].Attachments[0])
		assert.Equal(t, []string{"Order A-1002 ships today."}, spoken)

		c.Send("and the other one?").Expect(parleytest.Exact("Order A-1002 ships today."))
		c.Deliver(note("sms")).Expect(parleytest.Exact("Order A-1002 ships today."))
		assert.Len(t, spoken, 1, "typed turns and channels without audio get text only")

		fail.Store(true)
		c.Deliver(note("telegram")).Expect(parleytest.Exact("Order A-1002 ships today."))
		c.ExpectEvent(media.EventSpeechFailed, nil)
	})
}
