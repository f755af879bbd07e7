// Package tee copies the text of a streamed reply as it passes, for the
// writers that record what a stream said (the Bot's history, privacy's
// consent record) while handing the stream on unchanged.
package tee

import (
	"iter"
	"strings"
)

// Text returns chunks unchanged, writing each chunk that comes without
// an error to b as it is yielded. After a full pass b holds the streamed
// text; a stream stopped early leaves what had passed.
func Text(chunks iter.Seq2[string, error], b *strings.Builder) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for c, err := range chunks {
			if err == nil {
				b.WriteString(c)
			}
			if !yield(c, err) {
				return
			}
		}
	}
}
