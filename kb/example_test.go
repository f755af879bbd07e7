package kb_test

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/kb"
	"github.com/parleyhq/parley/llm/llmtest"
)

func ExampleIndex() {
	idx := kb.NewIndex()
	err := idx.Add(
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

func ExampleIngester() {
	in := kb.NewIngester(kb.WithChunkSize(40, 8))
	docs, err := in.Ingest(context.Background(),
		kb.Source{Name: "returns.md", URL: "https://help.example.com/returns", Body: []byte("# Returns\n\nSend items back within 30 days for a full refund.\n")},
		kb.Source{Name: "broken.pdf", Body: []byte("%PDF-1.4 truncated")},
	)
	for _, d := range docs {
		fmt.Printf("%s | %s | %s\n", d.ID, d.Title, d.Text)
	}
	fmt.Println(err)
	// Output:
	// returns.md#0 | returns > Returns | Send items back within 30 days for a full refund.
	// kb: ingest broken.pdf: kb: malformed document: no extractable text
}

func ExampleAnswerer() {
	idx := kb.NewIndex()
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
