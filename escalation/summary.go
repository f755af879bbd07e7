package escalation

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/parleyhq/parley/memory"
)

// A Summarizer writes the summary and suggested reply of a hand-off, for
// example with an LLM. The escalator falls back to the extractive
// summary when it fails, and records the error in the ticket's note.
//
// Implementations must be safe for concurrent use.
type Summarizer interface {
	Summarize(ctx context.Context, t Ticket) (summary, reply string, err error)
}

// SummarizerFunc adapts a function to a [Summarizer].
type SummarizerFunc func(ctx context.Context, t Ticket) (string, string, error)

// Summarize calls f(ctx, t).
func (f SummarizerFunc) Summarize(ctx context.Context, t Ticket) (string, string, error) {
	return f(ctx, t)
}

// issueWords mark sentences that state a problem.
var issueWords = [...]string{"not", "never", "no", "can't", "cannot", "won't", "didn't", "doesn't", "broken",
	"wrong", "missing", "late", "still", "refund", "charge", "charged", "cancel", "error", "problem",
	"issue", "order", "payment", "account", "deliver", "delivery", "return", "money", "help", "need", "want"}

// ExtractiveSummary summarises a ticket without a model: what the
// customer wants (the intents), the key facts (entities), the reason for
// the hand-off, the mood, and the two or three customer messages that
// best state the issue, in order.
func ExtractiveSummary(t Ticket) string {
	var b strings.Builder
	if len(t.Intents) > 0 {
		names := make([]string, 0, len(t.Intents))
		for _, in := range t.Intents {
			names = append(names, strings.ReplaceAll(in.Name, "_", " "))
		}
		fmt.Fprintf(&b, "Customer wants: %s. ", strings.Join(names, "; "))
	}
	if len(t.Entities) > 0 {
		facts := make([]string, 0, len(t.Entities))
		for _, e := range t.Entities {
			facts = append(facts, e.Type+" "+e.Value)
		}
		fmt.Fprintf(&b, "Facts: %s. ", strings.Join(facts, ", "))
	}
	fmt.Fprintf(&b, "Hand-off: %s", t.Reason)
	if t.Sentiment.Label != "" {
		fmt.Fprintf(&b, " (mood %s, score %.2f, trend %.2f)", t.Sentiment.Label, t.Sentiment.Score, t.Sentiment.Smoothed)
	}
	b.WriteString(".")
	if key := keySentences(t.Transcript, 3); len(key) > 0 {
		b.WriteString(" Customer said: ")
		for i, s := range key {
			if i > 0 {
				b.WriteString(" ... ")
			}
			b.WriteString("\"" + s + "\"")
		}
	}
	return b.String()
}

// keySentences picks up to n customer messages that best state the issue:
// scored by issue words, digits (order numbers, amounts) and length, and
// returned in conversation order. Requests for a human carry no issue and
// score low.
func keySentences(tr []memory.Entry, n int) []string {
	type cand struct {
		i     int
		text  string
		score float64
	}
	var cs []cand
	for i, e := range tr {
		if e.Role != memory.RoleUser || strings.TrimSpace(e.Text) == "" {
			continue
		}
		text := strings.TrimSpace(e.Text)
		if len(text) > 280 {
			text = text[:280] + "..."
		}
		norm := " " + normalizeText(text) + " "
		words := strings.Count(norm, " ") - 1
		s := min(float64(words), 20) / 10
		for _, w := range issueWords {
			if strings.Contains(norm, " "+w+" ") {
				s++
			}
		}
		if strings.ContainsAny(text, "0123456789") {
			s++
		}
		if AskedForHuman().Match(&Input{Text: text}) && words <= 6 {
			s -= 3
		}
		cs = append(cs, cand{i, text, s})
	}
	slices.SortStableFunc(cs, func(a, b cand) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	cs = cs[:min(n, len(cs))]
	slices.SortFunc(cs, func(a, b cand) int { return a.i - b.i })
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		if c.score > 0 {
			out = append(out, c.text)
		}
	}
	return out
}

// SuggestedReply drafts the agent's first message from the ticket: an
// apology when the customer is upset, and a sentence showing the agent
// already knows the issue.
func SuggestedReply(t Ticket) string {
	var b strings.Builder
	b.WriteString("Hi")
	if name := t.Profile["name"]; name != "" {
		b.WriteString(" " + name)
	}
	b.WriteString(", thanks for waiting. ")
	if t.Sentiment.Label == "negative" || t.Sentiment.Emotions.Frustration >= 0.5 {
		b.WriteString("I'm sorry for the trouble so far. ")
	}
	if len(t.Intents) > 0 {
		fmt.Fprintf(&b, "I can see you need help with %s", strings.ReplaceAll(t.Intents[0].Name, "_", " "))
		if len(t.Entities) > 0 {
			fmt.Fprintf(&b, " (%s %s)", t.Entities[0].Type, t.Entities[0].Value)
		}
		b.WriteString(". ")
	} else {
		b.WriteString("I've read our conversation so far. ")
	}
	b.WriteString("I'm looking into it now.")
	return b.String()
}
