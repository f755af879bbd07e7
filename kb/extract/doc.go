// Package extract turns a business's documents into knowledge-base
// passages: it extracts the text of plain text, Markdown, HTML, PDF and
// DOCX files and of web pages, splits it by headings and paragraphs into
// overlapping chunks that keep their source, title, URL and position for
// citations, and reads FAQ files. The result is a list of [kb.Doc] to
// add to a [kb.Index].
//
// # Overview
//
//	in := extract.NewIngester(extract.WithChunkSize(120, 20))
//	docs, err := in.Ingest(ctx,
//		extract.Source{Name: "returns.md", Body: returnsMD},
//		extract.Source{Name: "warranty.pdf", Body: warrantyPDF})
//	// err reports the bad documents; docs holds the good ones.
//	if err := idx.ReplaceSources(docs...); err != nil {
//		return err
//	}
//	faq, err := extract.ReadFAQ(file, "faq.jsonl")
//
// Extraction needs no network except for [Ingester.Fetch] and
// [Ingester.IngestURLs], which use the ingester's HTTP client with a size
// limit and a timeout.
//
// # Concurrency
//
// An [Ingester] is safe for concurrent use.
//
// # Errors
//
// Each bad document is reported as a [*DocumentError] naming it and
// wrapping [ErrTooLarge], [ErrUnsupported], [ErrMalformed], [ErrDuplicate]
// (a name already used in the same call) or a fetch error;
// [Ingester.Ingest] joins them and still returns the good documents.
// [ReadFAQ] reports a malformed file the same way.
package extract
