package media_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/media"
	"github.com/parleyhq/parley/parleytest"
)

// BenchmarkTextTurn is what the middleware costs a turn with no
// attachment: the common case, which must stay free.
func BenchmarkTextTurn(b *testing.B) {
	h := parley.Chain(parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil }),
		media.Middleware(&fakeTranscriber{}, nil))
	turn := parleytest.NewTurn("where is my order?")
	w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := h.HandleTurn(ctx, w, turn); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckAudio checks a recorded voice note (2.3 s of 22 kHz WAV,
// about 100 KB) before it may go to a provider.
func BenchmarkCheckAudio(b *testing.B) {
	note := recording(b, "order_en.wav")
	b.SetBytes(int64(len(note)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := media.CheckAudio(note, media.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckImage checks a 1280x800 screenshot (PNG): its header
// against the pixel limit, then a full decode.
func BenchmarkCheckImage(b *testing.B) {
	var buf bytes.Buffer
	shot := image.NewRGBA(image.Rect(0, 0, 1280, 800))
	for i := range shot.Pix {
		shot.Pix[i] = byte(i * 7 % 251)
	}
	if err := png.Encode(&buf, shot); err != nil {
		b.Fatal(err)
	}
	img := buf.Bytes()
	b.SetBytes(int64(len(img)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := media.CheckImage(img, media.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
