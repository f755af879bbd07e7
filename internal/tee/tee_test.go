package tee_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/internal/tee"
)

func TestText(t *testing.T) {
	boom := errors.New("model stopped")
	chunks := func(yield func(string, error) bool) {
		_ = yield("Refunds ", nil) && yield("", boom) && yield("take 5 days.", nil) && yield("unread", nil)
	}
	var b strings.Builder
	var got []string
	var errs []error
	for c, err := range tee.Text(chunks, &b) {
		got, errs = append(got, c), append(errs, err)
		if c == "take 5 days." {
			break
		}
	}
	assert.Equal(t, []string{"Refunds ", "", "take 5 days."}, got, "chunks pass unchanged")
	assert.Equal(t, []error{nil, boom, nil}, errs)
	assert.Equal(t, "Refunds take 5 days.", b.String(), "what passed without an error, and nothing after the consumer stopped")
}
