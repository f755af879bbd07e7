package media

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
)

// HandOffer returns a dialog.HandOffer that passes every hand-off to h
// with what the customer sent on the turn added to the request's Data,
// so that the agent sees the screenshot or hears the voice note without
// asking for it again: "attachment" is a reference to the image or
// recording (its URL, such as the web channel's signed link or a
// platform's media URL; else its name, type and size), "image" what the
// image shows, "error_codes", "order_numbers" and "products" the facts
// read from it, and "voice_transcript" what the voice note said. Keys
// the request already has are kept.
//
// Give it to the handlers that hand off for the image route, for
// example kbbot.WithHandOffer(media.HandOffer(escalator)): a screenshot
// the knowledge base cannot answer reaches a person with the image
// attached.
func HandOffer(h dialog.HandOffer) dialog.HandOffer {
	return dialog.HandOfferFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, r dialog.HandoffRequest) error {
		add := map[string]string{}
		audio, img := find(t.Message.Attachments)
		switch {
		case img != nil:
			add["attachment"] = reference(img)
		case audio != nil:
			add["attachment"] = reference(audio)
		}
		if d, ok := parley.Value(t, DescriptionKey); ok && d != nil {
			add["image"] = d.Text
			for k, v := range map[string][]string{"error_codes": d.ErrorCodes, "order_numbers": d.OrderNumbers, "products": d.Products} {
				if len(v) > 0 {
					add[k] = strings.Join(v, ", ")
				}
			}
		}
		if tr, ok := parley.Value(t, TranscriptKey); ok && tr != nil {
			add["voice_transcript"] = tr.Text
		}
		if len(add) > 0 {
			data := maps.Clone(r.Data)
			if data == nil {
				data = map[string]string{}
			}
			for k, v := range add {
				if _, ok := data[k]; !ok && v != "" {
					data[k] = v
				}
			}
			r.Data = data
		}
		return h.HandOff(ctx, w, t, r)
	})
}

// reference names an attachment for an agent.
func reference(a *parley.Attachment) string {
	if a.URL != "" {
		return a.URL
	}
	name := a.Name
	if name == "" {
		name = string(a.Kind)
	}
	if a.MIMEType != "" {
		name += " (" + a.MIMEType + ")"
	}
	if len(a.Data) > 0 {
		name += fmt.Sprintf(", %d bytes", len(a.Data))
	}
	return name
}

// ImageRoute sends the turns whose image [Middleware] described to h,
// typically a kbbot.Handler whose hand-offs go through [HandOffer], and
// the others on down the chain. h gets the turn with its text replaced by
// a search for what the image shows: its error codes and product names
// when it shows any, otherwise the customer's words and the image's
// description. So a screenshot of an error is answered from the
// knowledge base with sources, or, when the knowledge base is unsure,
// handed to a person with the image attached. Mount it after Middleware
// and the escalator's middleware, before the intent router.
func ImageRoute(h parley.Handler) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			d, ok := parley.Value(t, DescriptionKey)
			if !ok || d == nil {
				return next.HandleTurn(ctx, w, t)
			}
			out := *t
			out.Message.Text = d.query(t.Message.Text)
			return h.HandleTurn(ctx, w, &out)
		})
	}
}

// query is what to search the knowledge base for, given the text the
// turn had after Middleware (the customer's words, or "[image] " and the
// description when there were none).
func (d *Description) query(text string) string {
	facts := slices.Concat(d.ErrorCodes, d.Products)
	if len(d.ErrorCodes) > 0 {
		return "error " + strings.Join(facts, " ")
	}
	if strings.HasPrefix(text, "[image] ") {
		text = ""
	}
	return strings.TrimSpace(strings.Join(append([]string{text, d.Text}, d.Products...), " "))
}
