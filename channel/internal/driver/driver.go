// Package driver holds what the platform packages' constructors share:
// the defaults they fill in and the step from a driver to a
// [channel.Adapter].
package driver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
)

// Adapt returns the Adapter for p and c, or err: a platform's New is
// "return driver.Adapt(newDriver(c))".
func Adapt(p channel.Platform, c channel.Config, err error) (*channel.Adapter, error) {
	if err != nil {
		return nil, err
	}
	return channel.New(p, c)
}

// Defaults fills the zero fields of c with a platform's: the channel
// name, its Capabilities (when MaxText is zero) and its Limits (when Rate
// is zero).
func Defaults(c channel.Config, name string, caps channel.Capabilities, limits channel.Limits) channel.Config {
	if c.Channel == "" {
		c.Channel = name
	}
	if c.Capabilities.MaxText == 0 {
		c.Capabilities = caps
	}
	if c.Limits.Rate == 0 {
		c.Limits = limits
	}
	return c
}

// Client returns c, or a client with a 30-second timeout when c is nil.
func Client(c *http.Client) *http.Client {
	if c == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	return c
}

// BaseURL returns u without a trailing slash, or def when u is empty.
func BaseURL(u, def string) string {
	if u == "" {
		return def
	}
	return strings.TrimRight(u, "/")
}

// AttachmentKind returns the kind of an attachment of the given MIME type:
// image, audio or video by its top-level type, a file otherwise.
func AttachmentKind(mimeType string) parley.AttachmentKind {
	switch {
	case strings.HasPrefix(mimeType, "image/"):
		return parley.Image
	case strings.HasPrefix(mimeType, "audio/"):
		return parley.Audio
	case strings.HasPrefix(mimeType, "video/"):
		return parley.Video
	}
	return parley.File
}

// ParseJSON decodes a webhook body into a T and asks invalid what is
// wrong with it ("" for nothing; nil checks nothing). Either failure is an
// error wrapping [channel.ErrMalformed].
func ParseJSON[T any](body []byte, invalid func(*T) string) (*T, error) {
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("%w: %w", channel.ErrMalformed, err)
	}
	if invalid != nil {
		if why := invalid(&v); why != "" {
			return nil, fmt.Errorf("%w: %s", channel.ErrMalformed, why)
		}
	}
	return &v, nil
}

// JoinLines appends line b to text a: a line of its own, unless a is empty.
func JoinLines(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}
