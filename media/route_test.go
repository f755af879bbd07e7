package media_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbbot"
	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/parleytest"
)

// screenshots describes the test's screenshots by their first bytes' hash
// stand-in: the test's images differ in size.
type screenshots map[int]*media.Description

func (s screenshots) Describe(ctx context.Context, img *media.Image) (*media.Description, error) {
	return s[len(img.Data)], nil
}

// TestImageRoute sends screenshots through the image route: the
// description is searched in the knowledge base, a known error code is
// answered with its source, and a screenshot the knowledge base cannot
// answer reaches an agent with the image attached.
func TestImageRoute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		idx, err := kb.NewIndex()
		require.NoError(t, err)
		require.NoError(t, idx.Add(
			kb.Doc{ID: "e402", Title: "Payment declined (error E-402)", Source: "payments.md", URL: "https://help.example/payments#e402",
				Text: "Error E-402 means your bank declined the card payment. Check the card's expiry date or use another card."},
			kb.Doc{ID: "returns", Title: "Returns", Source: "returns.md",
				Text: "You can return shoes within 30 days for a full refund."},
		))
		known := pngBytes(t)
		unknown := append(pngBytes(t), 0) // a PNG with a trailing byte: another screenshot
		d := screenshots{
			len(known):   {Text: "A checkout page showing a payment error.", ErrorCodes: []string{"E-402"}, OrderNumbers: []string{"A-1002"}},
			len(unknown): {Text: "A blank screen with a spinning wheel.", Products: []string{"Trail Runner 2"}},
		}
		agents := desk.NewMemory(escalation.DeliverFunc(func(context.Context, *parley.Turn) error { return nil }))
		esc, err := escalation.New(agents)
		require.NoError(t, err)
		answers := kbbot.New(kb.NewAnswerer(idx), kbbot.WithHandOffer(media.HandOffer(esc)))
		app := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			return w.Reply(ctx, parley.Text("intent router: "+t.Text()))
		})
		c := parleytest.NewTester(t, parley.Chain(app, media.Middleware(nil, d), escalation.Middleware(esc), media.ImageRoute(answers)))

		shot := func(data []byte, url string) *parley.Turn {
			return &parley.Turn{Message: parley.Message{Text: "This is the error I'm seeing, what should I do?",
				Attachments: []parley.Attachment{{Kind: parley.Image, Data: data, URL: url, Name: "screenshot.png"}}}}
		}
		c.Deliver(shot(known, "/files/c1/f1?sig=abc")).
			Expect(parleytest.Exact("Error E-402 means your bank declined the card payment. Check the card's expiry date or use another card.\n\n" +
				"Source: Payment declined (error E-402) (https://help.example/payments#e402)"))

		c.Send("thanks").Expect(parleytest.Exact("intent router: thanks"))
		c.Deliver(shot(unknown, "/files/c1/f2?sig=def")).Expect(parleytest.Contains(kbbot.Specialist))
		c.Send("yes")
		q := agents.Queue()
		require.Len(t, q, 1, "the customer accepted the offer: %s", c.Transcript())
		tk := q[0].Ticket
		assert.Equal(t, "/files/c1/f2?sig=def", tk.Data["attachment"], "the agent gets the screenshot")
		assert.Equal(t, "A blank screen with a spinning wheel.", tk.Data["image"])
		assert.Equal(t, "Trail Runner 2", tk.Data["products"])
		var lines []string
		for _, e := range tk.Transcript {
			lines = append(lines, e.Text+" "+e.Meta["attachment"])
		}
		assert.Contains(t, strings.Join(lines, "\n"), "[image] A blank screen with a spinning wheel.\nProduct: Trail Runner 2 /files/c1/f2?sig=def",
			"the transcript keeps what the image showed and where it is")
	})
}
