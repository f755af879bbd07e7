package kb_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/kb"
)

func TestReadFAQ(t *testing.T) {
	tests := []struct {
		name string
		give string
		want []string
		err  bool
	}{
		{name: "array", give: `[{"id":"r","question":"Refund?","phrasings":["Money back?"],"answer":"Yes."},{"question":"Hours?","answer":"9-5"}]`, want: []string{"r", "faq.json#1"}},
		{name: "lines", give: "{\"question\":\"Refund?\",\"answer\":\"Yes.\"}\n{\"question\":\"Hours?\",\"answer\":\"9-5\"}\n", want: []string{"faq.json#0", "faq.json#1"}},
		{name: "empty", give: "", want: []string{}},
		{name: "missing answer", give: `[{"question":"Refund?"}]`, err: true},
		{name: "broken", give: `[{"question":`, err: true},
		{name: "broken line", give: "{\"question\":\"a\",\"answer\":\"b\"}\n{oops", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := kb.ReadFAQ(strings.NewReader(tt.give), "faq.json")
			if tt.err {
				var de *kb.DocumentError
				require.True(t, errors.As(err, &de))
				assert.Equal(t, "faq.json", de.Name)
				require.ErrorIs(t, err, kb.ErrMalformed)
				return
			}
			require.NoError(t, err)
			got := []string{}
			for _, d := range docs {
				got = append(got, d.ID)
				assert.Equal(t, "faq.json", d.Source)
			}
			assert.Equal(t, tt.want, got)
		})
	}
	docs, err := kb.ReadFAQ(strings.NewReader(tests[0].give), "faq.json")
	require.NoError(t, err)
	assert.Equal(t, []string{"Money back?"}, docs[0].Phrasings)
	assert.Equal(t, "Yes.", docs[0].Text)
}
