// Package kbbot puts a knowledge base in front of users: a
// [parley.Handler] that answers questions from a [kb.Answerer] with
// citations and, when the knowledge base is not confident, says so and
// hands the conversation to a specialist or asks a clarifying question,
// instead of guessing.
//
// # Overview
//
//	idx, err := kb.NewIndex() // an error only for bad WithParams
//	err = idx.Add(docs...)
//	gaps := kb.NewGaps(0)
//	answerer := kb.NewAnswerer(idx, kb.WithModel(model), kb.WithGaps(gaps))
//	h := kbbot.New(answerer, kbbot.WithHandOffer(desk))
//	bot := parley.NewBot(h)
//
// With no model the answers are extractive (the best passage and its
// source); with a model they are written from the passages only. A dead
// or slow model degrades to the extractive answer within the Answerer's
// model timeout ([kb.WithModelTimeout]) and before the turn's deadline,
// and low confidence to a hand-off, so a user always gets an answer or a
// person. When the ReplyWriter is a [parley.Streamer], a model's answer
// is streamed as it is written ([kb.Answerer.AnswerStream]); if the
// stream breaks off half-way, the streamed message ends with the error
// and the extractive answer (or a hand-off) follows, so a half sentence
// is never the last word.
//
// # Concurrency
//
// A Handler is safe for concurrent use.
//
// # Errors
//
// HandleTurn returns retrieval errors and the errors of the ReplyWriter
// and HandOffer, wrapped.
package kbbot
