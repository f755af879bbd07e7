package media_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/media"
)

// wav returns a mono 16-bit PCM WAV of a 440 Hz tone lasting d at rate
// samples per second: the canonical 44-byte RIFF header (RIFF, WAVE,
// "fmt " chunk of 16 bytes, "data" chunk) followed by the samples.
func wav(d time.Duration, rate int) []byte {
	n := int(d * time.Duration(rate) / time.Second)
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	le(uint32(36 + 2*n))
	b.WriteString("WAVEfmt ")
	le(uint32(16))
	le(uint16(1))        // PCM
	le(uint16(1))        // mono
	le(uint32(rate))     // sample rate
	le(uint32(2 * rate)) // byte rate
	le(uint16(2))        // block align
	le(uint16(16))       // bits per sample
	b.WriteString("data")
	le(uint32(2 * n))
	for i := range n {
		le(int16(8000 * math.Sin(2*math.Pi*440*float64(i)/float64(rate))))
	}
	return b.Bytes()
}

func pngBytes(t *testing.T) []byte {
	b := examplePNG()
	require.NotEmpty(t, b)
	return b
}

// examplePNG returns a small PNG image (nil only if encoding fails).
func examplePNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil
	}
	return b.Bytes()
}

func TestCheckAudio(t *testing.T) {
	mime, d, err := media.CheckAudio(wav(1500*time.Millisecond, 8000), media.Limits{})
	require.NoError(t, err)
	assert.Equal(t, "audio/wave", mime)
	assert.Equal(t, 1500*time.Millisecond, d)

	good := wav(time.Second, 8000)
	cases := map[string]struct {
		data []byte
		lim  media.Limits
		want error
	}{
		"truncated":      {good[:len(good)/2], media.Limits{}, media.ErrCorrupt},
		"header only":    {good[:30], media.Limits{}, media.ErrCorrupt},
		"empty":          {nil, media.Limits{}, media.ErrCorrupt},
		"too long":       {wav(3*time.Second, 8000), media.Limits{MaxDuration: 2 * time.Second}, media.ErrTooLong},
		"text as audio":  {[]byte("hello, this is not a recording"), media.Limits{}, media.ErrType},
		"image as audio": {pngBytes(t), media.Limits{}, media.ErrType},
		"100 MB":         {make([]byte, 100<<20), media.Limits{}, media.ErrTooLarge},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, err := media.CheckAudio(c.data, c.lim)
			assert.ErrorIs(t, err, c.want)
		})
	}
}

func TestCheckImage(t *testing.T) {
	p := pngBytes(t)
	mime, err := media.CheckImage(p, media.Limits{})
	require.NoError(t, err)
	assert.Equal(t, "image/png", mime)

	_, err = media.CheckImage(p, media.Limits{MaxPixels: 11}) // 4x3
	assert.ErrorIs(t, err, media.ErrTooLarge)

	cases := map[string]struct {
		data []byte
		want error
	}{
		"truncated png": {p[:20], media.ErrCorrupt},
		"half a png":    {p[:len(p)/2], media.ErrCorrupt},
		"pdf":           {[]byte("%PDF-1.7\n1 0 obj"), media.ErrType},
		"html":          {[]byte("<html><body>hi</body></html>"), media.ErrType},
		"wav":           {wav(time.Second, 8000), media.ErrType},
		"100 MB":        {make([]byte, 100<<20), media.ErrTooLarge},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := media.CheckImage(c.data, media.Limits{})
			assert.ErrorIs(t, err, c.want)
		})
	}
}
