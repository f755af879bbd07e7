package main

import (
	"context"
	"flag"
	"os"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbbot"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/media"
)

// mediaOptions say which speech and vision servers read voice notes and
// screenshots. Without them the bot asks the customer, politely and in
// their language, to type instead.
type mediaOptions struct {
	speechURL, speechModel string // OpenAI-compatible speech-to-text (whisper.cpp, LocalAI, OpenAI)
	visionURL, visionModel string // OpenAI-compatible vision chat model (Ollama llava, OpenAI)
	voiceReplies           bool   // answer a voice note by voice too (the speech server's /audio/speech)
	speechKey, visionKey   string
}

// mediaFlags declares the media flags on fs.
func mediaFlags(fs *flag.FlagSet) *mediaOptions {
	o := &mediaOptions{speechKey: os.Getenv("PARLEY_SPEECH_API_KEY"), visionKey: os.Getenv("PARLEY_VISION_API_KEY")}
	fs.StringVar(&o.speechURL, "speech-url", "", "optional OpenAI-compatible API root for voice notes (e.g. a whisper.cpp or LocalAI server's /v1); its key, if any, in PARLEY_SPEECH_API_KEY")
	fs.StringVar(&o.speechModel, "speech-model", "whisper-1", "with -speech-url, the transcription model")
	fs.StringVar(&o.visionURL, "vision-url", "", "optional OpenAI-compatible API root for screenshots (e.g. http://localhost:11434/v1 for Ollama); its key, if any, in PARLEY_VISION_API_KEY")
	fs.StringVar(&o.visionModel, "vision-model", "llava", "with -vision-url, the vision model")
	fs.BoolVar(&o.voiceReplies, "voice-replies", false, "with -speech-url, answer voice notes by voice too (tts-1 through the server's /audio/speech)")
	return o
}

// uploadTypes are what the web widget accepts: the defaults (images,
// PDF, text) and, when voice notes are read, the widget's recordings.
func (o *mediaOptions) uploadTypes() []string {
	types := []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}
	if o != nil && o.speechURL != "" {
		types = append(types, "video/webm", "application/ogg", "audio/wave", "audio/mpeg", "video/mp4")
	}
	return types
}

// mediaMiddleware returns the middleware that speaks the replies to a
// voice note (outside the translation, so the customer hears what they
// read), the one that turns voice notes and screenshots into text
// (before intents are detected), and the image route: a described
// screenshot is searched in the help centre and answered with sources,
// or handed to a person with the image attached.
func mediaMiddleware(o *mediaOptions, answerer *kb.Answerer, handoff dialog.HandOffer) (speak, read, route parley.Middleware, err error) {
	speak = func(next parley.Handler) parley.Handler { return next }
	var t media.Transcriber
	var d media.Describer
	opts := []media.Option{media.WithTimeout(12 * time.Second)}
	if o != nil && o.speechURL != "" {
		c, err := media.NewOpenAI(media.OpenAIConfig{BaseURL: o.speechURL, APIKey: o.speechKey,
			TranscriptionModel: o.speechModel, SpeechModel: "tts-1"})
		if err != nil {
			return nil, nil, nil, err
		}
		g := media.NewGuard(llm.NewBreaker(nil, llm.WithThreshold(3), llm.WithCooldown(30*time.Second)))
		t = g.Transcriber(c)
		if o.voiceReplies {
			speak = media.VoiceReplies(g.Speaker(c))
		}
	}
	if o != nil && o.visionURL != "" {
		c, err := media.NewOpenAI(media.OpenAIConfig{BaseURL: o.visionURL, APIKey: o.visionKey, VisionModel: o.visionModel})
		if err != nil {
			return nil, nil, nil, err
		}
		d = media.NewGuard(llm.NewBreaker(nil, llm.WithThreshold(3), llm.WithCooldown(30*time.Second))).Describer(c)
	}
	if d == nil {
		// Nobody reads images: a photo goes to a person (photoRoute),
		// never "please type" after the widget took it.
		return speak, photosPass(media.Middleware(t, nil, opts...)), photoRoute(media.HandOffer(handoff)), nil
	}
	screenshots := kbbot.New(answerer, kbbot.WithHandOffer(media.HandOffer(handoff)))
	return speak, media.Middleware(t, d, opts...), media.ImageRoute(screenshots), nil
}

// photoThanks acknowledges a photo the bot cannot look at before it goes
// to a person.
const photoThanks = "Thanks for the photo. I can't look at pictures myself, so I'm passing it to a person from our team, with our conversation."

// photosPass lets a turn whose attachment is a photo (and no voice note)
// past read, the media middleware, which without a vision model would
// answer it with "please type": photoRoute hands it to a person instead.
func photosPass(read parley.Middleware) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		h := read(next)
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if photoOnly(t) {
				return next.HandleTurn(ctx, w, t)
			}
			return h.HandleTurn(ctx, w, t)
		})
	}
}

// photoOnly reports whether t carries an image and no audio.
func photoOnly(t *parley.Turn) bool {
	img := false
	for _, a := range t.Message.Attachments {
		switch {
		case a.Kind == parley.Audio || strings.HasPrefix(a.MIMEType, "audio/") || a.MIMEType == "application/ogg" || a.MIMEType == "video/webm":
			return false
		case a.Kind == parley.Image:
			img = true
		}
	}
	return img
}

// photoRoute answers a photo when no vision model reads images (the
// demo's default): the customer is thanked and handed to a person with
// the photo on the ticket (handoff is media.HandOffer's, which adds its
// link), because a photo is what a damaged-item claim needs and the bot
// cannot judge it. A customer already with a person, or waiting for one,
// never reaches here: the escalator passes the photo to them. Mount it
// after the escalator's middleware, where the image route would be.
func photoRoute(handoff dialog.HandOffer) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if !photoOnly(t) {
				return next.HandleTurn(ctx, w, t)
			}
			if err := w.Reply(ctx, parley.Text(photoThanks)); err != nil {
				return err
			}
			// Sending a photo the bot cannot see asks for a person to
			// look at it: the hand-off happens, it is not offered.
			asked := parley.With(t, dialog.CommandKey, dialog.Command("human"))
			return handoff.HandOff(ctx, w, asked, dialog.HandoffRequest{Reason: "sent a photo", Note: "The customer sent a photo (see attachment); the bot cannot look at images."})
		})
	}
}

// readBeforeLanguage runs read (voice notes and screenshots as text)
// before lang (the i18n middleware), so that the conversation's language
// is chosen from what the customer said, not from the empty text of a
// voice note, and the transcription is not told the previous language.
// read's own replies ("please type") still go out through lang,
// translated into the conversation's language.
func readBeforeLanguage(read, lang parley.Middleware) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		inner := lang(next)
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			if len(t.Message.Attachments) == 0 {
				return inner.HandleTurn(ctx, w, t)
			}
			var own []parley.Message
			h := read(parley.HandlerFunc(func(ctx context.Context, _ parley.ReplyWriter, t *parley.Turn) error {
				return inner.HandleTurn(ctx, w, t)
			}))
			err := h.HandleTurn(ctx, parley.ReplyFunc(func(_ context.Context, m parley.Message) error {
				own = append(own, m)
				return nil
			}), t)
			if err != nil || len(own) == 0 {
				return err
			}
			return lang(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
				for _, m := range own {
					if err := w.Reply(ctx, m); err != nil {
						return err
					}
				}
				return nil
			})).HandleTurn(ctx, w, t)
		})
	}
}
