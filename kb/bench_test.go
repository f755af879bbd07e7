package kb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/kbeval"
	"github.com/parleyhq/parley/kb/kbtest"
)

// synthetic returns n chunks of about 80 words drawn from a Zipf
// distribution over a 30,000-word vocabulary whose most frequent words are
// English function words, as in real text, and queries of 3 to 8 words
// drawn from the same distribution.
func synthetic(n, queries int) ([]kb.Doc, []string) {
	r := rand.New(rand.NewPCG(1, 2))
	vocab := make([]string, 30000)
	for i := range vocab {
		var b strings.Builder
		for range 4 + r.IntN(6) {
			b.WriteByte(byte('a' + r.IntN(26)))
		}
		vocab[i] = b.String()
	}
	copy(vocab, strings.Fields(functionWords))
	z := rand.NewZipf(r, 1.1, 2, uint64(len(vocab)-1))
	sentence := func(words int) string {
		ws := make([]string, words)
		for i := range ws {
			ws[i] = vocab[z.Uint64()]
		}
		return strings.Join(ws, " ")
	}
	docs := make([]kb.Doc, n)
	for i := range docs {
		docs[i] = kb.Doc{ID: fmt.Sprint("c", i), Title: sentence(5), Text: sentence(80)}
	}
	qs := make([]string, queries)
	for i := range qs {
		qs[i] = sentence(3 + r.IntN(6))
	}
	return docs, qs
}

// BenchmarkRetrieve100k measures one query on a 100,000-chunk index.
func BenchmarkRetrieve100k(b *testing.B) {
	docs, qs := synthetic(benchN, 1000)
	benchRetrieve(b, kbtest.NewIndex(b, docs), qs)
}

// BenchmarkOkapi100k is the peer: plain Okapi BM25 over the chunk text
// (map-based accumulation, full sort), on the same chunks and queries.
func BenchmarkOkapi100k(b *testing.B) {
	docs, qs := synthetic(benchN, 1000)
	benchRetrieve(b, kbeval.NewOkapi(docs), qs)
}

func benchRetrieve(b *testing.B, x kb.Retriever, qs []string) {
	ctx := context.Background()
	var lat []time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := x.Retrieve(ctx, qs[i%len(qs)], 10); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		i++
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-us")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-us")
}

const benchN = 100000

// functionWords are the most frequent English words, most frequent first.
const functionWords = `the of and to a in is you that it he was for on are as with his they i
at be this have from or one had by word but not what all were we when your can said there use an
each which she do how their if will up other about out many then them these so some her would make
like him into time has look two more write go see number no way could people my than first water
been call who oil its now find long down day did get come made may part`

// BenchmarkRetrieveTypos100k is BenchmarkRetrieve100k with one word of
// each query misspelt (two letters swapped), so that every query looks up
// a word the index does not know among its typo neighbours.
func BenchmarkRetrieveTypos100k(b *testing.B) {
	docs, qs := synthetic(benchN, 1000)
	for i, q := range qs {
		ws := strings.Fields(q)
		w := []byte(ws[i%len(ws)])
		if len(w) >= 4 {
			w[1], w[2] = w[2], w[1]
		}
		ws[i%len(ws)] = string(w)
		qs[i] = strings.Join(ws, " ")
	}
	benchRetrieve(b, kbtest.NewIndex(b, docs), qs)
}
