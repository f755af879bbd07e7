package kb_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/kb/extract"
	"github.com/parleyhq/parley/llm/llmtest"
)

func ExampleIndex() {
	idx, err := kb.NewIndex()
	if err != nil {
		fmt.Println(err)
		return
	}
	err = idx.Add(
		kb.Doc{ID: "refunds", Question: "How do I get a refund?", Phrasings: []string{"Can I have my money back?"}, Text: "Refunds are paid within 5 days."},
		kb.Doc{ID: "shipping", Question: "How long does delivery take?", Text: "Orders arrive in 2 to 4 working days."},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	hits, err := idx.Retrieve(context.Background(), "I want my mony back", 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hits[0].Doc.ID, hits[0].Doc.Text)
	// Output: refunds Refunds are paid within 5 days.
}

func ExampleGaps() {
	gaps := kb.NewGaps(0)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	gaps.Record("Do you sell gift cards?", now)
	gaps.Record("do you sell gift cards", now.Add(time.Hour))
	for _, g := range gaps.Top(10) {
		fmt.Println(g.Count, g.Query)
	}
	// Output: 2 Do you sell gift cards?
}

func ExampleAnswerer() {
	idx, err := kb.NewIndex()
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := idx.Add(kb.Doc{ID: "returns", Question: "How do I return an item?", Text: "Send it back within 30 days for a full refund."}); err != nil {
		fmt.Println(err)
		return
	}
	model := llmtest.New(llmtest.Reply("You can send it back within 30 days [1]."))
	a := kb.NewAnswerer(idx, kb.WithModel(model))
	for _, q := range []string{"how do I return an item", "do you sell gift cards"} {
		ans, err := a.Answer(context.Background(), q)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %q %v\n", ans.Kind, ans.Text, ans.Citations)
	}
	// Output:
	// generated: "You can send it back within 30 days [1]." [{1 returns How do I return an item?  }]
	// unsure: "" []
}

func ExampleDense() {
	ctx := context.Background()
	// llmtest.Embedder is a bag-of-words stand-in for a real embedding
	// model such as llm.OpenAI.
	dense := kb.NewDense(llmtest.Embedder{})
	err := dense.Add(ctx,
		kb.Doc{ID: "address", Question: "Can I change my delivery address?", Text: "Yes, until the parcel is dispatched."},
		kb.Doc{ID: "hours", Question: "When are you open?", Text: "9am to 5pm, Monday to Friday."},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	hits, err := dense.Retrieve(ctx, "change the delivery address", 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(hits[0].Doc.ID)
	// Output: address
}

func ExampleHybrid() {
	ctx := context.Background()
	docs := []kb.Doc{
		{ID: "refund", Question: "How do I get a refund?", Text: "Refunds are paid within 5 days."},
		{ID: "shipping", Question: "How long does shipping take?", Text: "Parcels arrive in 2 to 4 days."},
	}
	idx, err := kb.NewIndex()
	if err != nil {
		fmt.Println(err)
		return
	}
	dense := kb.NewDense(llmtest.Embedder{})
	if err := idx.Add(docs...); err != nil {
		fmt.Println(err)
		return
	}
	if err := dense.Add(ctx, docs...); err != nil {
		fmt.Println(err)
		return
	}
	// The index comes first: its confidence is the one Hybrid reports,
	// so the cosine similarity of "how do I get ..." cannot make an
	// off-topic question look answerable.
	a := kb.NewAnswerer(kb.Hybrid(20, idx, dense))
	for _, q := range []string{"how do I get a refund", "how do I get to the moon"} {
		ans, err := a.Answer(ctx, q)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %s %q\n", q, ans.Kind, ans.Text)
	}
	// Output:
	// how do I get a refund: extractive "Refunds are paid within 5 days."
	// how do I get to the moon: unsure ""
}

func ExampleIndex_WriteTo() {
	idx, err := kb.NewIndex()
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := idx.Add(kb.Doc{ID: "hours", Question: "When are you open?", Text: "9am to 5pm, Monday to Friday."}); err != nil {
		fmt.Println(err)
		return
	}
	// Save the index (to a file, in practice) ...
	var file bytes.Buffer
	if _, err := idx.WriteTo(&file); err != nil {
		fmt.Println(err)
		return
	}
	// ... and load it, parameters and passages, at start-up.
	loaded, err := kb.NewIndex()
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := loaded.ReadFrom(&file); err != nil {
		fmt.Println(err)
		return
	}
	hits, err := loaded.Retrieve(context.Background(), "are you open on Monday", 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(loaded.Len(), hits[0].Doc.ID)

	// A damaged file is an error, and leaves the index as it was.
	_, err = loaded.ReadFrom(strings.NewReader("not an index file"))
	fmt.Println(errors.Is(err, kb.ErrFormat), loaded.Len())
	// Output:
	// 1 hours
	// true 1
}

func ExampleAnswerer_AnswerStream() {
	ctx := context.Background()
	idx, err := kb.NewIndex()
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := idx.Add(kb.Doc{ID: "returns", Question: "How do I return an item?", Text: "Send it back within 30 days for a full refund."}); err != nil {
		fmt.Println(err)
		return
	}
	// The model's stream breaks after three words.
	model := llmtest.New(llmtest.HalfStream("You can send it back within 30 days [1].", 3))
	st, err := kb.NewAnswerer(idx, kb.WithModel(model)).AnswerStream(ctx, "how do I return an item")
	if err != nil {
		fmt.Println(err)
		return
	}
	if st.Live() {
		for delta, err := range st.Text(ctx) {
			if err != nil {
				fmt.Println("| stream broke")
				break
			}
			fmt.Print(delta)
		}
	}
	// The streamed text was not the answer: send this one instead.
	ans := st.Answer()
	fmt.Printf("%s: %s\n", ans.Kind, ans.Text)
	// Output:
	// You can send | stream broke
	// extractive: Send it back within 30 days for a full refund.
}

func ExampleParams_Validate() {
	p := kb.DefaultParams()
	p.FeedbackDocs = 1 << 40
	fmt.Println(p.Validate())
	// Output: kb: invalid ranking parameters: feedback_docs 1099511627776 out of [0, 100]
}

func ExampleIndex_ReplaceSources() {
	ctx := context.Background()
	in := extract.NewIngester()
	idx, err := kb.NewIndex()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, body := range []string{
		"# Returns\n\nReturns within 30 days.\n\n# Sale items\n\nSale items cannot be returned.",
		"# Returns\n\nReturns within 14 days.", // the page is edited: the sale-items section is gone
	} {
		docs, err := in.Ingest(ctx, extract.Source{Name: "returns.md", Body: []byte(body)})
		if err != nil {
			fmt.Println(err)
			return
		}
		if err := idx.ReplaceSources(docs...); err != nil {
			fmt.Println(err)
			return
		}
	}
	for _, d := range idx.Docs() {
		fmt.Println(d.ID, d.Text)
	}
	// Output: returns.md#0 Returns within 14 days.
}

// ExampleWithSynonyms: the help centre knows that customers who ask for
// their refund policy mean the return policy.
func ExampleWithSynonyms() {
	idx, err := kb.NewIndex(kb.WithSynonyms([]string{"refund", "return", "money back"}))
	if err == nil {
		err = idx.Add(
			kb.Doc{ID: "returns", Question: "What is your return policy?", Text: "30 days, free."},
			kb.Doc{ID: "hours", Question: "What are your opening hours?", Text: "9 to 5."},
		)
	}
	var hits []kb.Hit
	if err == nil {
		hits, err = idx.Retrieve(context.Background(), "what is your refund policy?", 1)
	}
	if err != nil || len(hits) == 0 {
		fmt.Println("no answer", err)
		return
	}
	fmt.Println(hits[0].Doc.ID, hits[0].Confidence >= 0.4)
	// Output: returns true
}
