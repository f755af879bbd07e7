package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"time"
)

// Default limits, used where a Limits field is zero.
const (
	DefaultMaxBytes    = 16 << 20 // WhatsApp's own limit for audio
	DefaultMaxDuration = 5 * time.Minute
	DefaultMaxPixels   = 4096 * 4096
)

// Limits bound what a customer may send. Zero fields take the defaults.
type Limits struct {
	// MaxBytes bounds the size of one attachment; default DefaultMaxBytes.
	MaxBytes int64
	// MaxPixels bounds an image's width times height, checked from its
	// header before it is decoded; default DefaultMaxPixels.
	MaxPixels int
	// MaxDuration bounds a recording whose duration can be read from its
	// header (WAV); default DefaultMaxDuration.
	MaxDuration time.Duration
}

func (l Limits) maxBytes() int64 {
	if l.MaxBytes > 0 {
		return l.MaxBytes
	}
	return DefaultMaxBytes
}

func (l Limits) maxPixels() int {
	if l.MaxPixels > 0 {
		return l.MaxPixels
	}
	return DefaultMaxPixels
}

func (l Limits) maxDuration() time.Duration {
	if l.MaxDuration > 0 {
		return l.MaxDuration
	}
	return DefaultMaxDuration
}

// audioTypes are the sniffed types accepted as audio. DetectContentType
// reports Ogg as application/ogg and WebM and MP4 (m4a) containers as video.
var audioTypes = map[string]bool{
	"audio/wave": true, "application/ogg": true, "audio/mpeg": true,
	"video/webm": true, "video/mp4": true, "audio/aiff": true,
}

// CheckAudio checks a recording against lim and returns its sniffed MIME
// type and, for WAV, its duration (0 when the format does not say). The
// type the channel claimed is not consulted.
func CheckAudio(data []byte, lim Limits) (mime string, d time.Duration, err error) {
	if int64(len(data)) > lim.maxBytes() {
		return "", 0, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), lim.maxBytes())
	}
	if len(data) == 0 {
		return "", 0, fmt.Errorf("%w: empty", ErrCorrupt)
	}
	mime = sniff(data)
	if !audioTypes[mime] {
		return "", 0, fmt.Errorf("%w: %s is not audio", ErrType, mime)
	}
	if mime == "audio/wave" {
		d, err = wavDuration(data)
		if err != nil {
			return "", 0, err
		}
		if d > lim.maxDuration() {
			return "", 0, fmt.Errorf("%w: %v, limit %v", ErrTooLong, d, lim.maxDuration())
		}
	}
	return mime, d, nil
}

// CheckImage checks an image against lim, returning its sniffed MIME type.
// PNG, JPEG and GIF images are decoded (after their header is checked
// against MaxPixels), so a truncated file or one that merely starts like
// an image is ErrCorrupt.
func CheckImage(data []byte, lim Limits) (mime string, err error) {
	if int64(len(data)) > lim.maxBytes() {
		return "", fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), lim.maxBytes())
	}
	mime = sniff(data)
	var decodeConfig func(io.Reader) (image.Config, error)
	var decode func(io.Reader) (image.Image, error)
	switch mime {
	case "image/png":
		decodeConfig, decode = png.DecodeConfig, png.Decode
	case "image/jpeg":
		decodeConfig, decode = jpeg.DecodeConfig, jpeg.Decode
	case "image/gif":
		decodeConfig, decode = gif.DecodeConfig, gif.Decode
	case "image/webp":
		// DetectContentType has checked the RIFF/WEBP signature; the
		// standard library has no WebP decoder.
		return mime, nil
	default:
		return "", fmt.Errorf("%w: %s is not an image", ErrType, mime)
	}
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrCorrupt, mime, err)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > int64(lim.maxPixels()) {
		return "", fmt.Errorf("%w: %dx%d pixels, limit %d", ErrTooLarge, cfg.Width, cfg.Height, lim.maxPixels())
	}
	// Decode it all: a truncated file has a good header.
	if _, err := decode(bytes.NewReader(data)); err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrCorrupt, mime, err)
	}
	return mime, nil
}

func sniff(data []byte) string {
	mime := http.DetectContentType(data)
	if i := bytes.IndexByte([]byte(mime), ';'); i >= 0 {
		mime = mime[:i]
	}
	return mime
}

// wavDuration reads a RIFF WAVE header (the "fmt " and "data" chunks) and
// returns the duration of the samples. A data chunk that claims more bytes
// than the file holds is a truncated file.
func wavDuration(b []byte) (time.Duration, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return 0, fmt.Errorf("%w: not a RIFF WAVE file", ErrCorrupt)
	}
	var byteRate uint32
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), binary.LittleEndian.Uint32(b[p+4:p+8])
		body := b[p+8:]
		switch id {
		case "fmt ":
			if size < 16 || len(body) < 16 {
				return 0, fmt.Errorf("%w: short fmt chunk", ErrCorrupt)
			}
			byteRate = binary.LittleEndian.Uint32(body[8:12])
			if byteRate == 0 {
				return 0, fmt.Errorf("%w: byte rate 0", ErrCorrupt)
			}
		case "data":
			if byteRate == 0 {
				return 0, fmt.Errorf("%w: data before fmt", ErrCorrupt)
			}
			if uint64(size) > uint64(len(body)) {
				return 0, fmt.Errorf("%w: data chunk says %d bytes, file has %d", ErrCorrupt, size, len(body))
			}
			return time.Duration(uint64(size) * uint64(time.Second) / uint64(byteRate)), nil
		}
		next := uint64(p) + 8 + uint64(size) + uint64(size&1) // chunks are word-aligned
		if next > uint64(len(b)) {
			break
		}
		p = int(next)
	}
	return 0, fmt.Errorf("%w: no data chunk", ErrCorrupt)
}
