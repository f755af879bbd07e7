package kb_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbtest"
)

// frame wraps a JSON payload in a valid index file: magic, version,
// length and a correct CRC, so that tests and fuzzing reach the decoder.
func frame(body []byte) []byte {
	b := []byte("PARLEYKB")
	b = binary.BigEndian.AppendUint16(b, 1)
	b = binary.AppendUvarint(b, uint64(len(body)))
	b = append(b, body...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(body))
}

const goodParams = `{"k1":1.2,"b":{"question":0.75,"title":0.75,"text":0.75},"weights":{"question":1,"title":0.5,"text":0.2},` +
	`"bigram":0.5,"typo":0.8,"feedback":0,"feedback_docs":3,"feedback_terms":10,"stop":1,"per_field":true,"prefix":0.5,"prefix_len":5,"coverage":0.2,"margin":2}`

const goodDocs = `[{"id":"refund","question":"How do I get a refund?","text":"Refunds are paid within 5 days."}]`

func TestIndexReadFromParams(t *testing.T) {
	tests := []struct {
		name string
		give string
		want error // nil: loads
	}{
		{name: "valid", give: `{"params":` + goodParams + `,"docs":` + goodDocs + `}`},
		{name: "no params", give: `{"docs":` + goodDocs + `}`, want: kb.ErrFormat},
		{name: "null params", give: `{"params":null,"docs":` + goodDocs + `}`, want: kb.ErrFormat},
		{name: "empty params", give: `{"params":{},"docs":` + goodDocs + `}`, want: kb.ErrParams},
		{name: "huge feedback docs", give: `{"params":{"k1":1.2,"weights":{"question":1},"feedback":0.3,"feedback_docs":1099511627776,"feedback_terms":10},"docs":` + goodDocs + `}`, want: kb.ErrParams},
		{name: "feedback without docs", give: `{"params":{"k1":1.2,"weights":{"question":1},"feedback":0.3,"feedback_docs":0,"feedback_terms":10},"docs":` + goodDocs + `}`, want: kb.ErrParams},
		{name: "negative weight", give: `{"params":{"k1":1.2,"weights":{"question":1,"text":-5}},"docs":` + goodDocs + `}`, want: kb.ErrParams},
		{name: "negative bigram", give: `{"params":{"k1":1.2,"weights":{"question":1},"bigram":-1},"docs":` + goodDocs + `}`, want: kb.ErrParams},
		{name: "absurd weight", give: `{"params":{"k1":1.2,"weights":{"question":1e300}},"docs":` + goodDocs + `}`, want: kb.ErrParams},
		{name: "huge prefix length", give: `{"params":{"k1":1.2,"weights":{"question":1},"prefix":0.5,"prefix_len":100000},"docs":` + goodDocs + `}`, want: kb.ErrParams},
		{name: "prefix without length", give: `{"params":{"k1":1.2,"weights":{"question":1},"prefix":0.5},"docs":` + goodDocs + `}`, want: kb.ErrParams},
		{name: "k1 out of range", give: `{"params":{"k1":1000,"weights":{"question":1}},"docs":` + goodDocs + `}`, want: kb.ErrParams},
		{name: "passage without id", give: `{"params":` + goodParams + `,"docs":[{"text":"x"}]}`, want: kb.ErrFormat},
		{name: "not json", give: `{"params":`, want: kb.ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := kbtest.NewIndex(t, []kb.Doc{{ID: "keep", Text: "kept"}})
			_, err := x.ReadFrom(bytes.NewReader(frame([]byte(tt.give))))
			require.ErrorIs(t, err, tt.want) // errors.Is(err, nil) holds only for a nil err
			assert.Equal(t, tt.want != nil, errors.Is(err, kb.ErrFormat), "every load error is a format error")
			wantDocs := []string{"refund"}
			if tt.want != nil {
				wantDocs = []string{"keep"} // the expectation: unchanged on error
			}
			assert.Equal(t, wantDocs, docIDs(x))
		})
	}
}

func TestParamsValidate(t *testing.T) {
	tests := []struct {
		name string
		give func(*kb.Params)
		ok   bool
	}{
		{name: "defaults", give: func(*kb.Params) {}, ok: true},
		{name: "feedback", give: func(p *kb.Params) { p.Feedback = 0.3 }, ok: true},
		{name: "only text weight", give: func(p *kb.Params) { p.Weights = kb.FieldWeights{Text: 1} }, ok: true},
		{name: "NaN k1", give: func(p *kb.Params) { p.K1 = math.NaN() }},
		{name: "infinite margin", give: func(p *kb.Params) { p.Margin = math.Inf(1) }},
		{name: "zero weights", give: func(p *kb.Params) { p.Weights = kb.FieldWeights{} }},
		{name: "negative title weight", give: func(p *kb.Params) { p.Weights.Title = -0.1 }},
		{name: "b above 1", give: func(p *kb.Params) { p.B.Text = 2 }},
		{name: "negative feedback terms", give: func(p *kb.Params) { p.FeedbackTerms = -1 }},
		{name: "feedback terms 0 with feedback", give: func(p *kb.Params) { p.Feedback, p.FeedbackTerms = 0.3, 0 }},
		{name: "too many feedback docs", give: func(p *kb.Params) { p.FeedbackDocs = 1 << 40 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := kb.DefaultParams()
			tt.give(&p)
			err := p.Validate()
			assert.Equal(t, tt.ok, err == nil, "Validate: %v", err)
			assert.Equal(t, !tt.ok, errors.Is(err, kb.ErrParams), "Validate: %v", err)
			_, err = kb.NewIndex(kb.WithParams(p))
			assert.Equal(t, !tt.ok, errors.Is(err, kb.ErrParams), "NewIndex refuses what Validate refuses: %v", err)
		})
	}
}

// FuzzIndexPayload fuzzes the payload decoder behind a valid frame (the
// harness computes the CRC), so that the JSON and parameter checks are
// reached. A payload that loads must give an index that searches and
// saves.
func FuzzIndexPayload(f *testing.F) {
	f.Add([]byte(`{"params":` + goodParams + `,"docs":` + goodDocs + `}`))
	f.Add([]byte(`{"params":{"k1":1.2,"weights":{"question":1},"feedback":0.3,"feedback_docs":3,"feedback_terms":10},"docs":` + goodDocs + `}`))
	f.Add([]byte(`{"params":{"k1":0,"weights":{"text":1000},"prefix":1000,"prefix_len":1,"margin":1000,"coverage":1000},"docs":[{"id":"a","text":"a b"},{"id":"a","question":"b"}]}`))
	f.Add([]byte(`{"docs":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		x, err := kb.NewIndex()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x.ReadFrom(bytes.NewReader(frame(body))); err != nil {
			if !errors.Is(err, kb.ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		for _, q := range []string{"refund", "how do I get a refund", "a b", ""} {
			hits, err := x.Retrieve(context.Background(), q, 5)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hits {
				if !(h.Confidence >= 0 && h.Confidence <= 1) || math.IsNaN(h.Score) {
					t.Fatalf("query %q: hit %s has confidence %v, score %v", q, h.Doc.ID, h.Confidence, h.Score)
				}
			}
		}
		var buf bytes.Buffer
		if _, err := x.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		y, err := kb.NewIndex()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := y.ReadFrom(&buf); err != nil {
			t.Fatalf("reloading a saved index: %v", err)
		}
		if y.Len() != x.Len() || y.Params() != x.Params() {
			t.Fatalf("round trip: %d passages %+v, want %d %+v", y.Len(), y.Params(), x.Len(), x.Params())
		}
	})
}

// docIDs returns the IDs of the index's passages.
func docIDs(x *kb.Index) []string {
	var out []string
	for _, d := range x.Docs() {
		out = append(out, d.ID)
	}
	return out
}
