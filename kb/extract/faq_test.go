package extract_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/kb/extract"
	"github.com/parleyhq/parley/kb/kbtest"
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
			docs, err := extract.ReadFAQ(strings.NewReader(tt.give), "faq.json")
			if tt.err {
				var de *extract.DocumentError
				require.True(t, errors.As(err, &de))
				assert.Equal(t, "faq.json", de.Name)
				require.ErrorIs(t, err, extract.ErrMalformed)
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
	docs, err := extract.ReadFAQ(strings.NewReader(tests[0].give), "faq.json")
	require.NoError(t, err)
	assert.Equal(t, []string{"Money back?"}, docs[0].Phrasings)
	assert.Equal(t, "Yes.", docs[0].Text)
}

func FuzzReadFAQ(f *testing.F) {
	for _, s := range []string{
		`[{"id":"r","question":"Refund?","phrasings":["Money back?"],"answer":"Yes."}]`,
		"{\"question\":\"a\",\"answer\":\"b\"}\n{\"question\":\"c\",\"answer\":\"d\"}",
		`[{"id":"r","question":"a","answer":"b"},{"id":"r","question":"c","answer":"d"}]`,
		"", "[", "{oops",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		docs, err := extract.ReadFAQ(strings.NewReader(s), "faq.json")
		if err != nil {
			var de *extract.DocumentError
			if !errors.As(err, &de) || de.Name != "faq.json" {
				t.Fatalf("error %v is not a DocumentError naming the file", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, d := range docs {
			if d.ID == "" || seen[d.ID] || strings.TrimSpace(d.Question) == "" || strings.TrimSpace(d.Text) == "" {
				t.Fatalf("bad passage %+v", d)
			}
			seen[d.ID] = true
		}
		if x := kbtest.NewIndex(t, docs); x.Len() != len(docs) {
			t.Fatalf("index holds %d of %d passages", x.Len(), len(docs))
		}
	})
}
