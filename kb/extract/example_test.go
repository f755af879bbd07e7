package extract_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/kb/extract"
)

func ExampleIngester() {
	in := extract.NewIngester(extract.WithChunkSize(40, 8))
	docs, err := in.Ingest(context.Background(),
		extract.Source{Name: "returns.md", URL: "https://help.example.com/returns", Body: []byte("# Returns\n\nSend items back within 30 days for a full refund.\n")},
		extract.Source{Name: "broken.pdf", Body: []byte("%PDF-1.4 truncated")},
	)
	for _, d := range docs {
		fmt.Printf("%s | %s | %s\n", d.ID, d.Title, d.Text)
	}
	fmt.Println(err)
	// Output:
	// returns.md#0 | returns > Returns | Send items back within 30 days for a full refund.
	// broken.pdf: extract: malformed document: no extractable text
}

func ExampleReadFAQ() {
	const faq = `{"id": "refund", "question": "How do I get a refund?", "phrasings": ["Can I have my money back?"], "answer": "Refunds are paid within 5 days."}
{"question": "When are you open?", "answer": "9am to 5pm, Monday to Friday."}
`
	docs, err := extract.ReadFAQ(strings.NewReader(faq), "faq.jsonl")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range docs {
		fmt.Printf("%s | %s | %v | %s\n", d.ID, d.Question, d.Phrasings, d.Text)
	}
	// Output:
	// refund | How do I get a refund? | [Can I have my money back?] | Refunds are paid within 5 days.
	// faq.jsonl#1 | When are you open? | [] | 9am to 5pm, Monday to Friday.
}
