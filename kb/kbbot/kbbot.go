package kbbot

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/kb"
)

// Specialist is what the bot says before handing an unsure question to
// the HandOffer, which may offer a person or hand off.
const Specialist = "I'm not sure I have the right answer to that."

// Event kinds the [Handler] emits, for analytics.
const (
	// EventAnswered: the knowledge base answered; Attrs "kind"
	// (extractive or generated), "confidence" and "sources", the cited
	// document IDs separated by commas.
	EventAnswered parley.EventKind = "kb.answered"
	// EventUnsure: the knowledge base had no confident answer; Attrs
	// "question" (the customer's words, for the unanswered-questions
	// report: redact personal data before the event leaves the process)
	// and "confidence".
	EventUnsure parley.EventKind = "kb.unsure"
)

// AnswerKey annotates the turn passed to a fallback handler with the
// knowledge base's (unsure) answer.
var AnswerKey = parley.NewKey[kb.Answer]("kb.answer")

// Handler answers turns from a knowledge base.
type Handler struct {
	a        *kb.Answerer
	handoff  dialog.HandOffer
	clarify  int
	sources  bool
	priority dialog.Priority
}

// An Option configures a [Handler].
type Option func(*Handler)

// WithHandOffer hands unsure questions to h after saying [Specialist],
// except a near tie between passages that each cover most of the
// question, which gets the clarifying question of [WithClarify].
func WithHandOffer(h dialog.HandOffer) Option { return func(x *Handler) { x.handoff = h } }

// WithClarify answers an unsure question with "Did you mean ...?" and up
// to n candidate questions as quick replies: every unsure question when
// there is no HandOffer, a near tie when there is. Default 3.
func WithClarify(n int) Option { return func(x *Handler) { x.clarify = n } }

// WithoutSources leaves the "Source:" line out of answers.
func WithoutSources() Option { return func(x *Handler) { x.sources = false } }

// New returns a Handler. It panics if a is nil.
func New(a *kb.Answerer, opts ...Option) *Handler {
	if a == nil {
		panic("kbbot: New: nil answerer")
	}
	h := &Handler{a: a, clarify: 3, sources: true, priority: dialog.PriorityNormal}
	for _, o := range opts {
		o(h)
	}
	return h
}

var _ parley.Handler = (*Handler)(nil)

// HandleTurn implements [parley.Handler].
func (h *Handler) HandleTurn(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	q := strings.TrimSpace(t.Text())
	if q == "" {
		return nil
	}
	if err := parley.Typing(ctx, w); err != nil && !errors.Is(err, parley.ErrNotSupported) {
		return fmt.Errorf("kbbot: typing: %w", err)
	}
	var ans kb.Answer
	if _, ok := w.(parley.Streamer); ok {
		st, err := h.a.AnswerStream(kb.WithCustomer(ctx, t.CustomerID), q)
		if err != nil {
			return fmt.Errorf("kbbot: %w", err)
		}
		done, err := h.stream(ctx, w, st)
		if done {
			report(ctx, t, q, st.Answer())
		}
		if done || err != nil {
			return err
		}
		ans = st.Answer()
	} else {
		var err error
		if ans, err = h.a.Answer(kb.WithCustomer(ctx, t.CustomerID), q); err != nil {
			return fmt.Errorf("kbbot: %w", err)
		}
	}
	report(ctx, t, q, ans)
	if ans.Kind != kb.Unsure {
		return h.reply(ctx, w, ans)
	}
	if h.handoff != nil && !nearTie(ans) {
		if err := w.Reply(ctx, parley.Text(Specialist)); err != nil {
			return fmt.Errorf("kbbot: reply: %w", err)
		}
		t = parley.With(t, AnswerKey, ans)
		req := dialog.HandoffRequest{Reason: "knowledge base has no confident answer", Priority: h.priority,
			Note: q, Data: map[string]string{"kb_confidence": fmt.Sprintf("%.2f", ans.Confidence)}}
		if err := h.handoff.HandOff(ctx, w, t, req); err != nil {
			return fmt.Errorf("kbbot: hand off: %w", err)
		}
		return nil
	}
	return h.clarifyReply(ctx, w, t, ans)
}

// nearTieCoverage is the share of the question (Hit.Confidence) a
// runner-up must cover for an unsure answer to be a near tie.
const nearTieCoverage = 0.5

// nearTie reports whether ans is unsure only because two passages answer
// the question about as well ("international shipping cost": the shipping
// costs or international shipping): the customer is asked which one they
// meant rather than offered a person.
func nearTie(ans kb.Answer) bool {
	return len(ans.Hits) > 1 && ans.Hits[0].Confidence > 0 && ans.Hits[1].Confidence >= nearTieCoverage
}

// report emits the answer's [EventAnswered] or [EventUnsure].
func report(ctx context.Context, t *parley.Turn, q string, ans kb.Answer) {
	if !t.Observed() {
		return
	}
	conf := strconv.FormatFloat(ans.Confidence, 'f', 3, 64)
	if ans.Kind == kb.Unsure {
		t.Emit(ctx, parley.Event{Kind: EventUnsure, Attrs: map[string]string{"question": q, "confidence": conf}})
		return
	}
	ids := make([]string, 0, len(ans.Citations))
	for _, c := range ans.Citations {
		if !slices.Contains(ids, c.DocID) {
			ids = append(ids, c.DocID)
		}
	}
	t.Emit(ctx, parley.Event{Kind: EventAnswered, Attrs: map[string]string{
		"kind": string(ans.Kind), "confidence": conf, "sources": strings.Join(ids, ",")}})
}

// stream streams a model's answer to w, a [parley.Streamer], with its
// sources at the end. It reports whether the streamed text was the
// answer; if not (the model broke off, ran out of time, cited nothing or
// found no answer), st's answer is to be sent instead. Nothing is
// streamed until the model has written some text.
func (h *Handler) stream(ctx context.Context, w parley.ReplyWriter, st *kb.AnswerStream) (bool, error) {
	if !st.Live() {
		return false, nil
	}
	next, stop := iter.Pull2(st.Text(ctx))
	defer stop()
	first, err, ok := next()
	if !ok || err != nil {
		return false, nil
	}
	deltas := func(yield func(string, error) bool) {
		if !yield(first, nil) {
			return
		}
		for {
			c, err, ok := next()
			if !ok {
				break
			}
			if !yield(c, err) || err != nil {
				return
			}
		}
		if src := h.sourcesLine(st.Answer().Citations); src != "" {
			yield(src, nil)
		}
	}
	err = parley.Stream(ctx, w, deltas)
	stop()
	if st.Answer().Kind != kb.Generated {
		// The stream's error is the model's, recorded in ModelErr; the
		// caller sends the fallback.
		return false, nil
	}
	if err != nil {
		return true, fmt.Errorf("kbbot: stream reply: %w", err)
	}
	return true, nil
}

// sourcesLine is the "Source:" paragraph for citations, or "".
func (h *Handler) sourcesLine(cites []kb.Citation) string {
	if !h.sources {
		return ""
	}
	var srcs []string
	for _, c := range cites {
		s := c.Title
		if s == "" {
			s = c.Source
		}
		if c.URL != "" {
			s += " (" + c.URL + ")"
		}
		if s != "" {
			srcs = append(srcs, s)
		}
	}
	if len(srcs) == 0 {
		return ""
	}
	return "\n\nSource: " + strings.Join(srcs, "; ")
}

func (h *Handler) reply(ctx context.Context, w parley.ReplyWriter, ans kb.Answer) error {
	m := parley.Text(ans.Text + h.sourcesLine(ans.Citations))
	if err := w.Reply(ctx, m); err != nil {
		return fmt.Errorf("kbbot: reply: %w", err)
	}
	return nil
}

// clarifyOwner owns the clarifying question in the session: no handler
// reads its answers (a candidate's title is asked as a question anew), so
// a router drops it at the next turn; asking it keeps a menu from being
// asked again after it in the same turn.
const clarifyOwner = "kbbot"

func (h *Handler) clarifyReply(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, ans kb.Answer) error {
	tellMore := parley.Text(Specialist + " Meanwhile, could you tell me a bit more about what you need?")
	m := tellMore
	seen := map[string]bool{}
	for i, hit := range ans.Hits {
		if len(m.QuickReplies) == h.clarify {
			break
		}
		// The top hit may have no confidence only because the runner-up
		// is as good: then both are candidates.
		tie := i == 0 && len(ans.Hits) > 1 && ans.Hits[1].Confidence > 0
		if hit.Confidence <= 0 && !tie {
			continue
		}
		title := hit.Doc.Question
		if title == "" {
			title = hit.Doc.Title
		}
		if title == "" || seen[title] {
			continue
		}
		seen[title] = true
		m.QuickReplies = append(m.QuickReplies, parley.QuickReply{Title: title})
	}
	if len(m.QuickReplies) > 0 {
		m.Text = "I'm not sure I understood. Did you mean one of these?"
		err := dialog.Ask(t, dialog.Question{ID: "clarify", Owner: clarifyOwner, Text: m.Text, Options: m.QuickReplies})
		switch {
		case errors.Is(err, dialog.ErrQuestionOpen):
			m = tellMore // one question a turn: another was asked already
		case err != nil && !errors.Is(err, dialog.ErrNoSession):
			return fmt.Errorf("kbbot: %w", err)
		}
	}
	if err := w.Reply(ctx, m); err != nil {
		return fmt.Errorf("kbbot: reply: %w", err)
	}
	return nil
}
