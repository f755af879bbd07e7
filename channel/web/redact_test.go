package web

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/privacy"
)

// TestRedactBeforeStoring is issue 15's web chat transcript holding a
// full card number after the chat: with Config.Redact the echo, the kept
// transcript and the bot's turn all carry the masked text.
func TestRedactBeforeStoring(t *testing.T) {
	red := privacy.NewRedactor()
	e := newEnv(t, func(c *Config) {
		c.Redact = func(ctx context.Context, _, text string) (string, error) {
			out, _, err := red.Redact(ctx, "", text)
			return out, err
		}
	})
	sess := e.session("")
	ws := e.connectConsented(sess.Token)
	const card = "4111 1111 1111 1111"
	ws.send(msg("c1", "my card is "+card+" cvv 123"))
	echo := ws.until("message")
	require.Equal(t, roleUser, echo.Entry.Role)
	assert.NotContains(t, echo.Entry.Message.Text, card)
	reply := ws.botReply()
	assert.NotContains(t, reply.Message.Text, card, "the bot got the masked text")
	assert.True(t, strings.HasPrefix(reply.Message.Text, "you said: my card is "))
	for _, en := range e.history(sess.Conversation) {
		assert.NotContains(t, en.Message.Text, card)
		assert.NotContains(t, en.Message.Text, "cvv 123")
	}
	require.Len(t, e.rec.Turns(), 1)
	assert.NotContains(t, e.rec.Turns()[0].Message.Text, card)
}

func TestRedactFailureRefuses(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.Redact = func(context.Context, string, string) (string, error) { return "", errors.New("vault down") }
	})
	ws, _ := e.connect(e.session("").Token)
	ws.send(msg("c1", "my card is 4111 1111 1111 1111"))
	assert.Equal(t, codeInternal, ws.until("error").Code)
	assert.Empty(t, e.rec.Turns(), "nothing unredacted reached the bot")
}
