package kb

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/parleyhq/parley/llm"
)

// errStopped is the ModelErr of a stream whose reader stopped early.
var errStopped = errors.New("kb: answer stream abandoned by its reader")

// An AnswerStream is an answer that a model writes while the user
// watches. Get one from [Answerer.AnswerStream]; if [AnswerStream.Live],
// range once over [AnswerStream.Text] (passing it on, for example to
// [github.com/parleyhq/parley.Stream]); then [AnswerStream.Answer] says
// what the answer finally is.
//
// The model may fail half-way, run out of time, say the passages do not
// hold the answer, or cite none: then Text ends with an error, and Answer
// is the extractive answer (with [Answer.ModelErr]) or an [Unsure] one,
// which the caller sends instead of the streamed text. Text holds back
// the start of the reply until it cannot be [NotFound], so that marker is
// never shown.
//
// An AnswerStream is not safe for concurrent use.
type AnswerStream struct {
	a        *Answerer
	question string
	customer string // who asks, for the gap log
	ans      Answer
	live     bool
	started  bool
}

// AnswerStream retrieves the passages for question, like
// [Answerer.Answer], and returns a stream through which the model will
// write the answer. It returns an error only when retrieval fails. When
// no model is needed (an [Unsure] or extractive answer) or there is no
// time left for one, the stream is not live and its Answer is final.
func (a *Answerer) AnswerStream(ctx context.Context, question string) (*AnswerStream, error) {
	ans, live, err := a.prepare(ctx, question)
	if err != nil {
		return nil, err
	}
	s := &AnswerStream{a: a, question: question, customer: customerOf(ctx), ans: ans, live: live}
	if live {
		// Check the time now, so that a stream is only live when the
		// model will be asked.
		_, cancel, err := a.modelContext(ctx)
		if err != nil {
			s.ans, s.live = a.fallback(ans, err), false
		} else {
			cancel()
		}
	}
	return s, nil
}

// Live reports whether a model will write the answer through
// [AnswerStream.Text]. If not, Text yields nothing and
// [AnswerStream.Answer] is final.
func (s *AnswerStream) Live() bool { return s.live }

// Answer returns the answer. After [AnswerStream.Text] has ended, or when
// the stream is not live, it is final: a [Generated] answer's text is the
// text that was streamed (its citations are here); any other kind must be
// sent instead of what was streamed. Before then, it holds the retrieved
// passages only.
func (s *AnswerStream) Answer() Answer { return s.ans }

// Text streams the model's answer as text deltas, under the Answerer's
// model timeout ([WithModelTimeout]) and ctx. It can be ranged over once;
// later, or when the stream is not live, it yields nothing. It ends with
// an error if the streamed text is not the answer: the model's error (a
// broken stream wraps [llm.ErrIncomplete]), or an error saying that the
// passages do not hold the answer or that the model cited none.
// Stopping early makes the answer extractive.
func (s *AnswerStream) Text(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if !s.live || s.started {
			return
		}
		s.started = true
		a, base := s.a, s.ans
		fail := func(err error) {
			if errors.Is(err, errNotInSources) {
				s.ans = a.finish(base, s.question, s.customer, "", nil, err)
			} else {
				s.ans = a.fallback(base, err)
			}
			if !errors.Is(err, errStopped) {
				yield("", err)
			}
		}
		mctx, cancel, err := a.modelContext(ctx)
		if err != nil {
			fail(err)
			return
		}
		defer cancel()
		var text strings.Builder
		sent := 0 // bytes of text yielded
		var resp *llm.Response
		for c, err := range llm.Stream(mctx, a.model, Prompt(s.question, base.Hits)) {
			if err != nil {
				fail(err)
				return
			}
			text.WriteString(c.Text)
			if c.Response != nil {
				resp = c.Response
				break
			}
			t := strings.TrimSpace(text.String())
			if strings.Contains(t, NotFound) {
				fail(errNotInSources)
				return
			}
			if strings.HasPrefix(NotFound, t) {
				continue // it may yet be the marker: hold it back
			}
			if !yield(text.String()[sent:], nil) {
				fail(errStopped)
				return
			}
			sent = text.Len()
		}
		if resp == nil {
			fail(fmt.Errorf("%w: stream ended without a final response", llm.ErrIncomplete))
			return
		}
		full := text.String()
		if full == "" {
			full = resp.Message.Content
		}
		grounded, cites, err := ground(full, base.Hits)
		if err != nil {
			fail(err)
			return
		}
		if sent < len(full) && !yield(full[sent:], nil) {
			fail(errStopped)
			return
		}
		s.ans = a.finish(base, s.question, s.customer, grounded, cites, nil)
	}
}
