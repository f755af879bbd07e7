package media_test

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbbot"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/parleytest"
)

func ExampleMiddleware() {
	// In production: a local whisper.cpp server or OpenAI.
	//   stt, err := media.NewOpenAI(media.OpenAIConfig{
	//       BaseURL: "http://localhost:8080/v1", TranscriptionModel: "whisper-1"})
	stt := &fakeTranscriber{texts: map[string]string{}}
	note := wav(2*time.Second, 8000)
	stt.texts[string(note)] = "I want to cancel my subscription"

	intents := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("Heard: "+t.Text()))
	})
	h := parley.Chain(intents, media.Middleware(stt, nil, media.WithTimeout(5*time.Second)))

	rec := parleytest.NewRecorder()
	turn := parleytest.NewTurn("")
	turn.Message.Attachments = []parley.Attachment{{Kind: parley.Audio, Data: note}}
	if err := h.HandleTurn(context.Background(), rec, turn); err != nil {
		fmt.Println(err)
	}
	// A voice note that is not audio at all.
	turn = parleytest.NewTurn("")
	turn.Message.Attachments = []parley.Attachment{{Kind: parley.Audio, Data: []byte("{}")}}
	if err := h.HandleTurn(context.Background(), rec, turn); err != nil {
		fmt.Println(err)
	}
	for _, s := range rec.Texts() {
		fmt.Println(s)
	}
	// Output:
	// Heard: I want to cancel my subscription
	// Sorry, I can only read text here: could you type your message?
}

func ExampleCheckAudio() {
	_, d, err := media.CheckAudio(wav(1500*time.Millisecond, 16000), media.Limits{MaxDuration: time.Minute})
	fmt.Println(d, err)
	_, _, err = media.CheckAudio(wav(90*time.Second, 8000), media.Limits{MaxDuration: time.Minute})
	fmt.Println(err)
	// Output:
	// 1.5s <nil>
	// media: recording too long: 1m30s, limit 1m0s
}

func ExampleGuard() {
	// One guard per provider: the speech server's breaker opens after
	// three failed voice notes in a row and fails fast for 30 seconds.
	speech, err := media.NewOpenAI(media.OpenAIConfig{
		BaseURL: "http://localhost:8080/v1", TranscriptionModel: "whisper-1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	g := media.NewGuard(llm.NewBreaker(nil, llm.WithThreshold(3), llm.WithCooldown(30*time.Second)),
		llm.WithAttemptTimeout(3*time.Second))
	mw := media.Middleware(g.Transcriber(speech), nil, media.WithTimeout(8*time.Second))
	fmt.Println(mw != nil)
	// Output: true
}

func ExampleImageRoute() {
	idx, err := kb.NewIndex()
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := idx.Add(kb.Doc{ID: "e402", Title: "Payment declined (error E-402)",
		Text: "Error E-402 means your bank declined the card. Try another card."}); err != nil {
		fmt.Println(err)
		return
	}
	// In production: a vision model, and the escalator as the hand-off:
	//   kbbot.WithHandOffer(media.HandOffer(escalator))
	vision := describerFunc(func(ctx context.Context, img *media.Image) (*media.Description, error) {
		return &media.Description{Text: "A checkout page with an error.", ErrorCodes: []string{"E-402"}}, nil
	})
	answers := kbbot.New(kb.NewAnswerer(idx))
	router := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("(intent router)"))
	})
	h := parley.Chain(router, media.Middleware(nil, vision), media.ImageRoute(answers))

	rec := parleytest.NewRecorder()
	turn := parleytest.NewTurn("what does this mean?")
	turn.Message.Attachments = []parley.Attachment{{Kind: parley.Image, Data: examplePNG()}}
	if err := h.HandleTurn(context.Background(), rec, turn); err != nil {
		fmt.Println(err)
	}
	fmt.Println(rec.Texts()[0])
	// Output:
	// Error E-402 means your bank declined the card. Try another card.
	//
	// Source: Payment declined (error E-402)
}
