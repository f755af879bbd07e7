package cli_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/cli"
)

func menuBot() parley.Handler {
	return parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		switch {
		case t.Signal != nil:
			return w.Reply(ctx, parley.Text("Welcome!"))
		case t.Text() == "refund":
			return w.Reply(ctx, parley.Text("Refund it is."))
		default:
			return w.Reply(ctx, parley.Message{Text: "Pick one:", QuickReplies: []parley.QuickReply{
				{Title: "Track order", Payload: "track"}, {Title: "Refund", Payload: "refund"}}})
		}
	}))
}

func TestRunFromPipe(t *testing.T) {
	var out strings.Builder
	err := cli.Run(context.Background(), menuBot(), strings.NewReader("hi\n2\n/quit\nignored\n"), &out,
		cli.Config{Start: "start", Echo: true})
	require.NoError(t, err)
	assert.Equal(t, `bot> Welcome!
you> hi
bot> Pick one:
bot>    [1] Track order  [2] Refund
you> 2
bot> Refund it is.
you> /quit
`, out.String())
}

// Blank lines are not messages: the prompt comes back and the bot hears
// nothing (QA9 F49: three blank lines got "Please pick one of the
// options" and two offers of a person).
func TestRunSkipsBlankLines(t *testing.T) {
	var turns []string
	bot := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		turns = append(turns, t.Text())
		return w.Reply(ctx, parley.Text("ok"))
	})
	var out strings.Builder
	require.NoError(t, cli.Run(context.Background(), bot, strings.NewReader("hi\n\n   \n\t\nbye\n"), &out, cli.Config{}))
	assert.Equal(t, []string{"hi", "bye"}, turns)
	assert.Equal(t, "you> bot> ok\nyou> you> you> you> bot> ok\nyou> \n", out.String())
}

func TestRunEndOfInput(t *testing.T) {
	var out strings.Builder
	require.NoError(t, cli.Run(context.Background(), menuBot(), strings.NewReader(""), &out, cli.Config{}))
	assert.Equal(t, "you> \n", out.String())
}

func TestRunReportsTurnErrors(t *testing.T) {
	failing := parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error {
		return errors.New("store down")
	})
	var out strings.Builder
	err := cli.Run(context.Background(), failing, strings.NewReader("hi\n"), &out, cli.Config{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "store down")
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out strings.Builder
	require.ErrorIs(t, cli.Run(ctx, menuBot(), strings.NewReader("hi\n"), &out, cli.Config{}), context.Canceled)
}

func TestRunLongAndOddInput(t *testing.T) {
	in := strings.Repeat("x", 2<<20) + "\n"
	var out strings.Builder
	err := cli.Run(context.Background(), menuBot(), strings.NewReader(in), &out, cli.Config{MaxLine: 1 << 20})
	require.Error(t, err, "a line over MaxLine is a clear read error, not a panic")
	assert.Contains(t, err.Error(), "token too long")

	out.Reset()
	require.NoError(t, cli.Run(context.Background(), menuBot(), strings.NewReader("\xff\x00\n\n"), &out, cli.Config{}))
	assert.Contains(t, out.String(), "Pick one:")
}

func TestFormat(t *testing.T) {
	got := cli.Format(parley.Message{
		Text:        "Your order",
		Cards:       []parley.Card{{Title: "Blue shirt", Subtitle: "M", URL: "https://shop.example/p/1", Buttons: []parley.Button{{Title: "Buy", Payload: "buy"}}}},
		Attachments: []parley.Attachment{{Kind: parley.Image, URL: "https://shop.example/1.jpg"}},
	}, "> ")
	assert.Equal(t, `> Your order
> [card] Blue shirt - M (https://shop.example/p/1)
>        > Buy
> [image] https://shop.example/1.jpg
`, got)
}

func ExampleRun() {
	bot := parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("You said "+t.Text()))
	}))
	err := cli.Run(context.Background(), bot, strings.NewReader("hello\n"), os.Stdout, cli.Config{Prompt: "> ", BotPrefix: "< "})
	if err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// > < You said hello
	// >
}
