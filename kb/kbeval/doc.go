// Package kbeval measures the ranking quality and speed of a
// [kb.Retriever] on a labelled set (documents, queries, relevance
// judgements), and provides the plain Okapi BM25 baseline it is compared
// with.
//
// # Overview
//
//	docs, err := kbeval.ReadDocs(docsFile)
//	queries, err := kbeval.ReadQueries(queriesFile)
//	qrels, err := kbeval.ReadQrels(qrelsFile)
//	idx, err := kb.NewIndex() // an error only for bad WithParams
//	err = idx.Add(docs...)
//	m, err := kbeval.Evaluate(ctx, idx, queries, qrels)
//	fmt.Printf("MAP %.3f, p50 %.1f µs\n", m.MAP, m.QueryP50Micros)
//
// The file formats are those of `parley kb eval`: docs.jsonl lines hold
// doc_id and either text or question and answer (title optional);
// queries.jsonl lines hold query_id and text; qrels.tsv has a header and
// rows query_id, doc_id, relevance.
//
// # Concurrency
//
// Evaluate runs queries one at a time, so that latencies are not skewed by
// contention. [Okapi] is safe for concurrent use.
//
// # Errors
//
// The readers return a [*LineError] naming the line of a malformed record.
package kbeval
