// Package kb is a knowledge base: it ingests a business's documents and
// FAQ entries and retrieves the passages that answer a user's question,
// offline, with no network.
//
// # Overview
//
// An [Index] ranks passages with BM25F over an FAQ's question and
// phrasings, a chunk's title and the answer or body text, weighing
// questions above answers; it folds case and diacritics, stems English,
// tolerates typos (never in numbers), rewards adjacent word pairs and
// matches the synonyms it is given ([WithSynonyms]). Passages can be added,
// replaced and deleted at run time, and the index saved to and loaded from
// a versioned file.
//
//	idx, err := kb.NewIndex() // an error only for bad WithParams
//	err = idx.Add(kb.Doc{
//		ID:        "refunds",
//		Question:  "How do I get a refund?",
//		Phrasings: []string{"Can I have my money back?"},
//		Text:      "Refunds are paid within 5 days.",
//	})
//	hits, err := idx.Retrieve(ctx, "i want my money back", 3)
//	if len(hits) == 0 || hits[0].Confidence < 0.5 {
//		gaps.Record(question, time.Now()) // a [Gaps] log of unanswered questions
//	}
//	err = idx.Delete("refunds")
//	_, err = idx.WriteTo(file)
//
// [Retriever] is the interface answer layers use; an application can
// plug in its own (a search server, a vector store) behind it. [Dense]
// retrieves through an [llm.Embedder], and [Hybrid] fuses rankings with
// reciprocal rank fusion, taking its confidence from the first retriever
// (an Index) so that a cosine similarity never turns "unsure" into an
// answer.
//
// Package extract (kb/extract) turns text, Markdown, HTML, PDF, DOCX, web pages and
// FAQ files into passages ([Doc] values) to add to an Index.
//
// An [Answerer] answers from retrieved passages and never guesses: below
// a confidence threshold it returns an [Unsure] answer (package kbbot
// then says it is not sure and hands off); with an
// [llm.Model] it writes an answer from the passages only, with citations,
// and falls back to quoting the best passage when the model fails or
// runs out of time: the model runs under its own timeout
// ([WithModelTimeout], default [DefaultModelTimeout]) and stops short of
// the turn's deadline, so a dead model costs a user seconds, not the
// answer. [Answerer.AnswerStream] streams the model's answer as it is
// written; if the stream breaks off, the model finds no answer or cites
// nothing, its [AnswerStream.Answer] is the answer to send instead.
//
// # Concurrency
//
// [Index], [Analyzer] and [Gaps] are safe for concurrent use. Searches on
// an Index run in parallel; writes are serialised.
//
// # Errors
//
// [ErrNotFound] for an unknown passage ID, [ErrEmptyID] for a passage
// without one, [ErrFormat] and [ErrVersion] for an index file that
// cannot be read (wrapping [ErrParams] too when its ranking parameters
// are out of range, as [Params.Validate] reports). [Answerer.Answer] fails only when retrieval fails: a failing or late
// model degrades to an extractive answer, with the model's error (or
// [ErrNoTime]) in [Answer.ModelErr]. Errors are wrapped with context;
// match them with [errors.Is] and [errors.As].
//
// # Implementing Retriever
//
// A Retriever returns at most k hits, best first, with a Confidence in
// [0, 1] that answer layers compare with their threshold; it returns
// ctx.Err() when the context ends and must be safe for concurrent use.
package kb
