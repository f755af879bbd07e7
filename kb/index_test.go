package kb_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/extract"
	"github.com/parleyhq/parley/kb/kbtest"
)

func TestAnalyzerTerms(t *testing.T) {
	tests := []struct {
		name string
		give string
		want []string
	}{
		{name: "stems and folds", give: "Refunds REFUNDED refunding", want: []string{"refund", "refund", "refund"}},
		{name: "drops stop words", give: "what is the delivery time", want: []string{"deliveri", "time"}},
		{name: "keeps all-stop queries", give: "who are you", want: []string{"who", "are", "you"}},
		{name: "diacritics", give: "Café crème", want: []string{"cafe", "creme"}},
		{name: "apostrophes", give: "customer’s 'order'", want: []string{"custom", "order"}},
		{name: "han characters are words", give: "退款政策", want: []string{"退", "款", "政", "策"}},
		{name: "digits", give: "COVID-19 covid19", want: []string{"covid", "19", "covid19"}},
		{name: "empty", give: " ?! ", want: []string{}},
	}
	a := kb.English()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, a.Terms(tt.give)); diff != "" {
				t.Errorf("Terms(%q) (-want +got):\n%s", tt.give, diff)
			}
		})
	}
}

func faq() []kb.Doc {
	return []kb.Doc{
		{ID: "refund", Question: "How do I get a refund?", Phrasings: []string{"Can I have my money back?"}, Text: "Refunds are paid within 5 days to the original card."},
		{ID: "ship", Question: "How long does shipping take?", Text: "Orders arrive in 2 to 4 working days."},
		{ID: "cancel", Question: "How do I cancel my subscription?", Text: "Go to Settings, then Plan, then Cancel. Your refund is pro rata."},
		{ID: "address", Question: "Can I change my delivery address?", Text: "Yes, until the order ships."},
	}
}

// bilingual returns the English and Spanish analyzer.
func bilingual(t *testing.T) *kb.Analyzer {
	t.Helper()
	an, err := kb.ForLanguage("en", "es")
	require.NoError(t, err)
	return an
}

func ids(hits []kb.Hit) []string {
	out := []string{}
	for _, h := range hits {
		out = append(out, h.Doc.ID)
	}
	return out
}

func TestIndexRetrieve(t *testing.T) {
	x := kbtest.NewIndex(t, faq())
	tests := []struct {
		name string
		give string
		want string
	}{
		{name: "question words", give: "how can I get refunded", want: "refund"},
		{name: "phrasing", give: "I want my money back", want: "refund"},
		{name: "typo", give: "how long does shiping take", want: "ship"},
		{name: "typo two edits in a long word", give: "subscribtoin cancel", want: "cancel"},
		{name: "answer text", give: "pro rata", want: "cancel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := x.Retrieve(context.Background(), tt.give, 3)
			require.NoError(t, err)
			require.NotEmpty(t, hits)
			assert.Equal(t, tt.want, hits[0].Doc.ID, "ranking %v", ids(hits))
			assert.Greater(t, hits[0].Confidence, 0.0)
			assert.LessOrEqual(t, hits[0].Confidence, 1.0)
		})
	}
}

// TestIndexFieldWeights: a word only in one passage's question outranks
// the same word only in another passage's answer, because of the field
// weights (reversing them reverses the order).
func TestIndexFieldWeights(t *testing.T) {
	docs := []kb.Doc{
		{ID: "in-answer", Question: "How do I change my email address?", Text: "Open Account, then Security; you may have to reset your login there."},
		{ID: "in-question", Question: "How do I reset my password?", Text: "Choose Forgot password on the sign-in page and follow the link we email you."},
	}
	answerFirst := kb.DefaultParams()
	answerFirst.Weights = kb.FieldWeights{Question: 0.2, Title: 0.5, Text: 1}
	tests := []struct {
		name   string
		params kb.Params
		want   []string
	}{
		{name: "defaults weigh the question", params: kb.DefaultParams(), want: []string{"in-question", "in-answer"}},
		{name: "reversed weights", params: answerFirst, want: []string{"in-answer", "in-question"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := kb.NewIndex(kb.WithParams(tt.params))
			require.NoError(t, err)
			require.NoError(t, x.Add(docs...))
			hits, err := x.Retrieve(context.Background(), "reset", 2)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ids(hits))
		})
	}
}

func TestIndexConfidence(t *testing.T) {
	x := kbtest.NewIndex(t, faq())
	ctx := context.Background()
	good, err := x.Retrieve(ctx, "cancel subscription", 1)
	require.NoError(t, err)
	off, err := x.Retrieve(ctx, "cancel quantum chromodynamics lecture", 1)
	require.NoError(t, err)
	require.Len(t, good, 1)
	require.Len(t, off, 1)
	assert.Greater(t, good[0].Confidence, 0.9)
	assert.Less(t, off[0].Confidence, 0.5)

	none, err := x.Retrieve(ctx, "zebra", 5)
	require.NoError(t, err)
	assert.Empty(t, none)
}

func TestIndexWrites(t *testing.T) {
	ctx := context.Background()
	x := kbtest.NewIndex(t, faq())
	require.Equal(t, 4, x.Len())

	// Update replaces.
	require.NoError(t, x.Add(kb.Doc{ID: "ship", Question: "Do you ship abroad?", Text: "We ship to 30 countries."}))
	assert.Equal(t, 4, x.Len())
	hits, err := x.Retrieve(ctx, "how long does shipping take", 5)
	require.NoError(t, err)
	questions := map[string]string{}
	for _, h := range hits {
		questions[h.Doc.ID] = h.Doc.Question
	}
	assert.Equal(t, "Do you ship abroad?", questions["ship"], "the replaced passage is found with its new question")

	// Delete.
	require.NoError(t, x.Delete("refund"))
	hits, err = x.Retrieve(ctx, "money back", 5)
	require.NoError(t, err)
	assert.NotContains(t, ids(hits), "refund")
	err = x.Delete("refund", "cancel")
	require.ErrorIs(t, err, kb.ErrNotFound)
	assert.Equal(t, 2, x.Len())
	_, err = x.Get("cancel")
	require.ErrorIs(t, err, kb.ErrNotFound)

	require.ErrorIs(t, x.Add(kb.Doc{Text: "no id"}), kb.ErrEmptyID)

	// Many writes trigger compaction; results stay right.
	for i := range 200 {
		require.NoError(t, x.Add(kb.Doc{ID: "tmp", Question: "temporary question", Text: string(rune('a' + i%26))}))
	}
	got, err := x.Get("tmp")
	require.NoError(t, err)
	assert.Equal(t, "temporary question", got.Question)
	hits, err = x.Retrieve(ctx, "change delivery address", 1)
	require.NoError(t, err)
	assert.Equal(t, []string{"address"}, ids(hits))
	assert.Equal(t, 3, x.Len())
}

func TestIndexCanceled(t *testing.T) {
	x := kbtest.NewIndex(t, faq())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := x.Retrieve(ctx, "refund", 1)
	require.ErrorIs(t, err, context.Canceled)
}

func TestIndexPersist(t *testing.T) {
	ctx := context.Background()
	x := kbtest.NewIndex(t, faq())
	var buf bytes.Buffer
	n, err := x.WriteTo(&buf)
	require.NoError(t, err)
	assert.Equal(t, int64(buf.Len()), n)
	data := buf.Bytes()

	y, err := kb.NewIndex()
	require.NoError(t, err)
	_, err = y.ReadFrom(bytes.NewReader(data))
	require.NoError(t, err)
	if diff := cmp.Diff(x.Docs(), y.Docs()); diff != "" {
		t.Errorf("docs (-want +got):\n%s", diff)
	}
	want, err := x.Retrieve(ctx, "money back", 3)
	require.NoError(t, err)
	got, err := y.Retrieve(ctx, "money back", 3)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	tests := []struct {
		name string
		give []byte
		want error
	}{
		{name: "empty", give: nil, want: kb.ErrFormat},
		{name: "bad magic", give: append([]byte("NOTANIDX"), data[8:]...), want: kb.ErrFormat},
		{name: "future version", give: append(append([]byte{}, data[:8]...), append([]byte{0, 9}, data[10:]...)...), want: kb.ErrVersion},
		{name: "truncated", give: data[:len(data)-10], want: kb.ErrFormat},
		{name: "corrupt", give: flip(data, len(data)-8), want: kb.ErrFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := kbtest.NewIndex(t, []kb.Doc{{ID: "keep", Text: "kept"}})
			_, err := z.ReadFrom(bytes.NewReader(tt.give))
			require.ErrorIs(t, err, tt.want)
			assert.Equal(t, 1, z.Len(), "index unchanged on error")
		})
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0xff
	return c
}

func FuzzIndexReadFrom(f *testing.F) {
	var buf bytes.Buffer
	x, err := kb.NewIndex()
	if err != nil {
		f.Fatal(err)
	}
	if err := x.Add(faq()...); err != nil {
		f.Fatal(err)
	}
	if _, err := x.WriteTo(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("PARLEYKB\x00\x01\x02{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		y, err := kb.NewIndex()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := y.ReadFrom(bytes.NewReader(data)); err != nil {
			if !errors.Is(err, kb.ErrFormat) && !errors.Is(err, kb.ErrVersion) {
				t.Fatalf("unexpected error type: %v", err)
			}
			return
		}
		if _, err := y.Retrieve(context.Background(), "refund shipping", 3); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzAnalyzer(f *testing.F) {
	for _, s := range []string{"Hello, World", "Café’s 退款", "\xff\xfe", "a'b''c'"} {
		f.Add(s)
	}
	a := kb.English()
	x := kbtest.NewIndex(f, faq())
	f.Fuzz(func(t *testing.T, s string) {
		for _, term := range a.Terms(s) {
			if term == "" {
				t.Fatalf("empty term from %q", s)
			}
		}
		if _, err := x.Retrieve(context.Background(), s, 3); err != nil {
			t.Fatal(err)
		}
	})
}

func TestGaps(t *testing.T) {
	g := kb.NewGaps(2)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g.Record("Do you sell gift cards?", t0)
	g.Record("do you sell GIFT cards", t0.Add(time.Minute))
	g.Record("  ", t0)
	g.Record("Where is your shop?", t0.Add(2*time.Minute))
	g.Record("Do you deliver on Sunday?", t0.Add(3*time.Minute)) // evicts the least asked
	want := []kb.Gap{
		{Query: "Do you sell gift cards?", Count: 2, First: t0, Last: t0.Add(time.Minute)},
		{Query: "Do you deliver on Sunday?", Count: 1, First: t0.Add(3 * time.Minute), Last: t0.Add(3 * time.Minute)},
	}
	if diff := cmp.Diff(want, g.Top(0)); diff != "" {
		t.Errorf("Top (-want +got):\n%s", diff)
	}
	g.Resolve("do you sell gift cards")
	assert.Len(t, g.Top(5), 1)
}

func TestIndexHostileQueries(t *testing.T) {
	x := kbtest.NewIndex(t, faq())
	ctx := context.Background()
	long := strings.Repeat("zq", 70000) // one 140,000-letter word
	hits, err := x.Retrieve(ctx, long, 5)
	require.NoError(t, err)
	assert.Empty(t, hits)
	hits, err = x.Retrieve(ctx, strings.Repeat("shipping refund ", 100000), 1<<40)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(hits), x.Len())
}

func TestForLanguage(t *testing.T) {
	es, err := kb.ForLanguage("es-MX")
	require.NoError(t, err)
	assert.Equal(t, []string{"devolu", "ped"}, es.Terms("devoluciones pedidos"))
	en, err := kb.ForLanguage("en-GB")
	require.NoError(t, err)
	assert.Equal(t, []string{"refund"}, en.Terms("the refunds"))
	_, err = kb.ForLanguage("xx-invalid-tag-!!")
	require.ErrorIs(t, err, kb.ErrLanguage)
	_, err = kb.ForLanguage("ja")
	require.ErrorIs(t, err, kb.ErrLanguage)
	assert.Equal(t, []string{"preci", "ped"}, es.Terms("el precio de los pedidos"), "Spanish stop words")
	assert.Equal(t, []string{"no", "quier", "cancel"}, es.Terms("no quiero cancelar"), "negations are not stop words")
	both, err := kb.ForLanguage("en", "es-ES")
	require.NoError(t, err)
	assert.Equal(t, []string{"precio", "plan", "refund"}, both.Terms("el precio del plan, the refunds"),
		"English stemming, the stop words of both")
	_, err = kb.ForLanguage("en", "ja")
	require.ErrorIs(t, err, kb.ErrLanguage)

	x, err := kb.NewIndex(kb.WithAnalyzer(es))
	require.NoError(t, err)
	require.NoError(t, x.Add(kb.Doc{ID: "dev", Question: "¿Cómo devuelvo un pedido?", Text: "Tienes 30 días para devoluciones."}))
	hits, err := x.Retrieve(context.Background(), "quiero devolver mis pedidos", 1)
	require.NoError(t, err)
	require.Len(t, hits, 1)
	assert.Equal(t, "dev", hits[0].Doc.ID)
}

func TestGapsPersist(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g := kb.NewGaps(0)
	g.Record("Gift cards?", t0)
	g.Record("gift cards", t0.Add(time.Hour))
	var buf bytes.Buffer
	_, err := g.WriteTo(&buf)
	require.NoError(t, err)

	h := kb.NewGaps(0)
	h.Record("GIFT CARDS", t0.Add(2*time.Hour))
	_, err = h.ReadFrom(&buf)
	require.NoError(t, err)
	top := h.Top(0)
	require.Len(t, top, 1)
	assert.Equal(t, 3, top[0].Count)
	assert.Equal(t, t0, top[0].First)
	assert.Equal(t, t0.Add(2*time.Hour), top[0].Last)

	_, err = h.ReadFrom(strings.NewReader("{not json"))
	require.ErrorIs(t, err, kb.ErrFormat)
}

func TestIndexParamVariants(t *testing.T) {
	// Every ranking variant still finds the obvious passage, query after
	// query (scratch buffers are reused between queries).
	tests := []struct {
		name string
		give func(*kb.Params)
	}{
		{name: "defaults", give: func(*kb.Params) {}},
		{name: "bm25f", give: func(p *kb.Params) { p.PerField = false }},
		{name: "fuse", give: func(p *kb.Params) { p.PerField, p.Fuse = false, true }},
		{name: "feedback", give: func(p *kb.Params) { p.Feedback = 0.3 }},
		{name: "fuse and feedback", give: func(p *kb.Params) { p.Fuse, p.Feedback = true, 0.3 }},
		{name: "bare", give: func(p *kb.Params) { p.Bigram, p.Typo, p.Prefix, p.Coverage, p.Margin = 0, 0, 0, 0, 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := kb.DefaultParams()
			tt.give(&p)
			x, err := kb.NewIndex(kb.WithParams(p))
			require.NoError(t, err)
			require.NoError(t, x.Add(faq()...))
			for range 3 {
				for q, want := range map[string]string{"money back refund": "refund", "shipping time": "ship", "cancel subscription": "cancel"} {
					hits, err := x.Retrieve(context.Background(), q, 2)
					require.NoError(t, err)
					require.NotEmpty(t, hits)
					assert.Equal(t, want, hits[0].Doc.ID, q)
				}
			}
		})
	}
	bad := kb.DefaultParams()
	bad.B.Text = 2
	_, err := kb.NewIndex(kb.WithParams(bad))
	require.ErrorIs(t, err, kb.ErrParams, "bad parameters are an error, not a panic")
}

func TestIndexReplaceSources(t *testing.T) {
	ctx := t.Context()
	in := extract.NewIngester(extract.WithChunkSize(8, 0))
	long := "# Returns\n\nReturn any item within 30 days for a full refund.\n\nShoes must be unworn and in the box.\n\nSale items can be exchanged but not refunded at all."
	short := "# Returns\n\nReturn any item within 14 days for a full refund."
	docs, err := in.Ingest(ctx, extract.Source{Name: "returns.md", Body: []byte(long)}, extract.Source{Name: "shipping.md", Body: []byte("# Shipping\n\nWe ship worldwide in 3 days.")})
	require.NoError(t, err)
	x, err := kb.NewIndex()
	require.NoError(t, err)
	require.NoError(t, x.ReplaceSources(docs...))
	require.Greater(t, x.Len(), 2)

	// The returns page got shorter: its old tail must not answer any more.
	docs, err = in.Ingest(ctx, extract.Source{Name: "returns.md", Body: []byte(short)})
	require.NoError(t, err)
	require.NoError(t, x.ReplaceSources(docs...))
	var gotReturns []kb.Doc
	shipping := 0
	for _, d := range x.Docs() {
		switch d.Source {
		case "returns.md":
			gotReturns = append(gotReturns, d)
		case "shipping.md":
			shipping++
		}
	}
	assert.ElementsMatch(t, docs, gotReturns, "exactly the new version's passages: the old tail is gone")
	assert.Equal(t, 1, shipping, "other sources untouched")
	hits, err := x.Retrieve(ctx, "can sale items be refunded", 5)
	require.NoError(t, err)
	for _, h := range hits {
		assert.NotContains(t, h.Doc.Text, "Sale items")
	}
	hits, err = x.Retrieve(ctx, "how many days to return", 1)
	require.NoError(t, err)
	require.Len(t, hits, 1)
	assert.Contains(t, hits[0].Doc.Text, "14 days")

	// Bad input changes nothing.
	n := x.Len()
	require.ErrorIs(t, x.ReplaceSources(kb.Doc{ID: "x#0", Text: "no source"}), kb.ErrNoSource)
	require.ErrorIs(t, x.ReplaceSources(kb.Doc{Source: "returns.md", Text: "no id"}), kb.ErrEmptyID)
	assert.Equal(t, n, x.Len())
}

// TestIndexTypos: a misspelt word of 4 to 7 letters finds the word one
// edit away (a swap of two letters is one), one of 8 or more two edits
// away, weighed below the word itself; short words and numbers are
// matched exactly or not at all.
func TestIndexTypos(t *testing.T) {
	docs := append(faq(), kb.Doc{ID: "order-2023", Question: "Where is order 2023?", Text: "On its way."})
	x := kbtest.NewIndex(t, docs)
	// The passage each query finds; "" for none.
	finds := map[string]string{
		"subscirption cancel": "cancel", // a swap is one edit
		"subscribtoin":        "cancel", // two edits in a long word
		"refnud":              "refund",
		"2024":                "", // a number is not a typo
		"mony":                "", // nor a short word
	}
	for q, want := range finds {
		hits, err := x.Retrieve(context.Background(), q, 1)
		require.NoError(t, err)
		if want == "" {
			assert.Empty(t, hits, q)
			continue
		}
		require.NotEmpty(t, hits, q)
		assert.Equal(t, want, hits[0].Doc.ID, q)
	}
	exact, err := x.Retrieve(context.Background(), "refund", 1)
	require.NoError(t, err)
	typo, err := x.Retrieve(context.Background(), "refnud", 1)
	require.NoError(t, err)
	assert.Less(t, typo[0].Confidence, exact[0].Confidence, "a typo is weighed below the word")
	assert.Greater(t, typo[0].Confidence, 0.5)
}

// TestIndexTyposOfStemmedWords: a misspelling is also compared with the
// words the index saw, not only with their stems, so "shippng" (three
// edits from the stem "ship", one from "shipping") finds the passage
// about shipping, in English and Spanish, with the confidence class of
// the word itself; numbers stay exact.
func TestIndexTyposOfStemmedWords(t *testing.T) {
	docs := []kb.Doc{
		{ID: "shipping-time", Question: "How long does shipping take?", Phrasings: []string{"¿Cuánto tarda el envío?"}, Text: "Orders arrive in 2 to 4 working days."},
		{ID: "shipping-cost", Question: "How much does shipping cost?", Phrasings: []string{"¿Cuánto cuesta el envío?"}, Text: "Shipping is free on orders over $50, otherwise $4.99."},
		{ID: "international", Question: "Do you ship internationally?", Phrasings: []string{"¿Hacen envíos internacionales?"}, Text: "We ship to Canada and the European Union in 5 to 10 days."},
		{ID: "order-2023", Question: "Where is order 2023?", Text: "On its way."},
	}
	x := kbtest.NewIndex(t, docs, kb.WithAnalyzer(bilingual(t)))
	ctx := context.Background()
	tests := []struct {
		give, exact, want string
	}{
		{"shippng cost", "shipping cost", "shipping-cost"},
		// The stem of "internacionals", "internacion", is two
		// insertions from the indexed stem "internacional", which
		// the lookup by single deletions does not reach; the word is
		// one edit from the indexed "internacionales".
		{"envios internacionals", "envíos internacionales", "international"},
	}
	for _, tt := range tests {
		exact, err := x.Retrieve(ctx, tt.exact, 1)
		require.NoError(t, err)
		require.NotEmpty(t, exact, tt.exact)
		require.Equal(t, tt.want, exact[0].Doc.ID, tt.exact)
		typo, err := x.Retrieve(ctx, tt.give, 1)
		require.NoError(t, err)
		require.NotEmpty(t, typo, tt.give)
		assert.Equal(t, tt.want, typo[0].Doc.ID, tt.give)
		// The confidence class (at the 0.5 of the package documentation)
		// of the word itself, and a typo weighs less than the word.
		assert.Equal(t, exact[0].Confidence >= 0.5, typo[0].Confidence >= 0.5, "%q: %v, %q: %v", tt.give, typo, tt.exact, exact)
		assert.LessOrEqual(t, typo[0].Confidence, exact[0].Confidence, tt.give)
	}
	hits, err := x.Retrieve(ctx, "order 2024", 1)
	require.NoError(t, err)
	require.NotEmpty(t, hits)
	assert.Less(t, hits[0].Confidence, 0.5, "a number is not a typo: %v", hits)
}

// TestIndexSynonyms: a synonym group finds a passage that uses another
// of its words or phrases, in either language, with the Confidence of
// the word itself; the word the customer used ranks first.
func TestIndexSynonyms(t *testing.T) {
	docs := []kb.Doc{
		{ID: "returns", Question: "What is your return policy?", Text: "Return any unused item within 30 days."},
		{ID: "refund-time", Question: "How long does a refund take?", Text: "5-10 business days."},
		{ID: "hours", Question: "What are your opening hours?", Text: "9 to 5."},
	}
	an := bilingual(t)
	plain := kbtest.NewIndex(t, docs, kb.WithAnalyzer(an))
	syn := kbtest.NewIndex(t, docs, kb.WithAnalyzer(an), kb.WithSynonyms([]string{"refund", "return", "money back", "reembolso", "devolución"}))
	ctx := context.Background()

	before, err := plain.Retrieve(ctx, "what is your refund policy?", 2)
	require.NoError(t, err)
	after, err := syn.Retrieve(ctx, "what is your refund policy?", 2)
	require.NoError(t, err)
	assert.Greater(t, after[0].Confidence, before[0].Confidence+0.3, "synonyms: %v, without: %v", after, before)

	tests := []struct {
		give, want string
	}{
		{"what is your refund policy?", "returns"},
		{"política de reembolso", "returns"},
		{"I want my money back, what's the policy", "returns"},
		{"how long does a refund take", "refund-time"},
		{"how long does a return take", "refund-time"},
	}
	for _, tt := range tests {
		hits, err := syn.Retrieve(ctx, tt.give, 2)
		require.NoError(t, err)
		require.NotEmpty(t, hits, tt.give)
		assert.Equal(t, tt.want, hits[0].Doc.ID, "%q: %v", tt.give, ids(hits))
		assert.GreaterOrEqual(t, hits[0].Confidence, 0.4, tt.give)
	}
	// The word asked for ranks above its synonym.
	hits, err := syn.Retrieve(ctx, "refund", 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"refund-time", "returns"}, ids(hits))
}

// TestIndexAskWordsAreNotContent: a passage whose only overlap with the
// query is words that ask for an amount ("how much ... cost") while the
// query's subject ("premium") is unmatched is not a confident answer;
// short questions whose subject matches still are.
func TestIndexAskWordsAreNotContent(t *testing.T) {
	docs := []kb.Doc{
		{ID: "shipping-cost", Question: "How much does shipping cost?", Text: "Shipping is $4.95."},
		{ID: "plans", Question: "What plans do you have?", Phrasings: []string{"How much is the annual plan?", "¿Cuánto cuesta el plan anual?"}, Text: "Plus is $12 a month."},
		{ID: "hours", Question: "What are your opening hours?", Text: "9 to 5."},
	}
	x := kbtest.NewIndex(t, docs, kb.WithAnalyzer(bilingual(t)))
	// The passage each query is answered with; "" for none.
	answers := map[string]string{
		"how much does premium cost":  "",
		"cuánto cuesta premium":       "",
		"how much does shipping cost": "shipping-cost",
		"how much is annual":          "plans",
		"cuánto cuesta el anual":      "plans",
		"how much does it cost":       "shipping-cost", // no subject: the ask words are all there is
	}
	for q, want := range answers {
		hits, err := x.Retrieve(context.Background(), q, 2)
		require.NoError(t, err)
		require.NotEmpty(t, hits, q)
		if want == "" {
			assert.Less(t, hits[0].Confidence, 0.4, "%q: %v", q, ids(hits))
			continue
		}
		assert.Equal(t, want, hits[0].Doc.ID, q)
		assert.GreaterOrEqual(t, hits[0].Confidence, 0.4, q)
	}
}

// Words that ask for information without saying about what ("info",
// "information", "details", "información"), and "u", "r", "ur", are not
// half the question:
// "info on returns" was unconfident (0.38) because "info", a word no
// passage has, counted as much as "returns".
func TestIndexInfoWordsAreNotContent(t *testing.T) {
	docs := []kb.Doc{
		{ID: "returns", Question: "What is your return policy?", Phrasings: []string{"¿Cuál es la política de devoluciones?"}, Text: "30 days."},
		{ID: "refunds", Question: "How long does a refund take?", Text: "5-10 business days."},
		{ID: "hours", Question: "What are your opening hours?", Text: "9 to 5."},
	}
	x := kbtest.NewIndex(t, docs, kb.WithAnalyzer(bilingual(t)))
	for _, q := range []string{"info on returns", "return policy details", "information about returns", "información de devoluciones",
		// Chat spellings of "your" and "are you" are stop words too.
		"whats ur return policy", "r u doing returns"} {
		hits, err := x.Retrieve(context.Background(), q, 2)
		require.NoError(t, err)
		require.NotEmpty(t, hits, q)
		assert.Equal(t, "returns", hits[0].Doc.ID, q)
		assert.GreaterOrEqual(t, hits[0].Confidence, 0.5, q)
	}
	// "info" alone is all there is: it is searched, and nothing has it.
	hits, err := x.Retrieve(context.Background(), "info", 1)
	require.NoError(t, err)
	assert.Empty(t, hits)
}
