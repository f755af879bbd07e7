package escalation

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/parleyhq/parley/memory"
)

// A Summarizer writes the summary and suggested reply of a hand-off, for
// example with an LLM. The escalator keeps [Summary] and [SuggestedReply]
// when it fails, and reports the error as an [EventError].
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
	"issue", "order", "payment", "account", "deliver", "delivery", "return", "money", "help", "need", "want",
	"where", "twice", "complaint", "sue", "lawyer",
	// Spanish.
	"nunca", "roto", "rota", "mal", "falta", "tarde", "todavía", "reembolso", "cobro", "cobrado", "cobrasteis",
	"cancelar", "problema", "pedido", "pago", "cuenta", "entrega", "llegado", "llegó", "devolver", "devolución",
	"dinero", "ayuda", "necesito", "quiero", "dónde", "cobraron", "cobrada", "veces", "queja", "abogado", "denunciar"}

// Summary is the default summary of a ticket, written for the agent
// without a model, in three short lines: what the customer wants, in a
// sentence from the requests the bot understood and the order and amount
// they gave, followed by their own words (the one or two messages that
// best state it, quoted, never a list of fields); why they were handed
// over; and their mood as measured, for example:
//
//	Ada wants a refund for order A-1002: "my lamp arrived broken and I want my money back"
//	Handed over: asked for a person.
//	Mood: Frustrated (0.82).
//
// A customer who has said nothing the bot could read ("human",
// gibberish) is summarised as not having said what they need yet.
func Summary(t Ticket) string {
	var b strings.Builder
	who := t.Profile["first_name"]
	if who == "" {
		who = "The customer"
	}
	wants := wantsText(t)
	key := keySentences(t.Transcript, 2)
	switch {
	case wants != "" && len(key) > 0:
		fmt.Fprintf(&b, "%s %s: %s\n", who, wants, quoted(key))
	case wants != "":
		fmt.Fprintf(&b, "%s %s.\n", who, wants)
	case len(key) > 0:
		fmt.Fprintf(&b, "%s says: %s\n", who, quoted(key))
	default:
		fmt.Fprintf(&b, "%s has not said what they need yet.\n", who)
	}
	fmt.Fprintf(&b, "Handed over: %s.", t.Reason)
	if mood := moodLine(t); mood != "" {
		b.WriteString("\nMood: " + mood + ".")
	}
	return b.String()
}

// quoted writes the customer's messages as quotes, in order.
func quoted(key []string) string {
	q := make([]string, len(key))
	for i, s := range key {
		q[i] = "\"" + s + "\""
	}
	return strings.Join(q, " ... ")
}

// wantsText says what the customer wants after their name ("wants a
// refund of $60.00 for order A-1002"), or "" when neither the reason
// for the hand-off nor the requests the bot understood say it. A reason
// that names the problem (a billing dispute, a complaint, legal action)
// comes first: the request the bot was serving when it was raised is
// often only how the customer began ("you charged me twice for my
// order" asked about an order).
func wantsText(t Ticket) string {
	kind, order, amount := topicOf(t)
	switch r := strings.ToLower(t.Reason); {
	case strings.Contains(r, "billing dispute"):
		kind = "billing"
	case strings.Contains(r, "legal"):
		kind = "legal"
	case strings.Contains(r, "complaint"):
		kind = "complaint"
	}
	w, ok := wantsWords[kind]
	if !ok {
		return ""
	}
	if amount != "" && w[2] != "" {
		w[0] += strings.Replace(w[2], "{amount}", amount, 1)
	}
	if order != "" && w[1] != "" {
		w[0] += strings.Replace(w[1], "{order}", order, 1)
	}
	return w[0]
}

// wantsWords word each topic of [topicOf] for the summary: the request,
// then what is added for an order number and for an amount.
var wantsWords = map[string][3]string{
	"refund":    {"wants a refund", " for order {order}", " of {amount}"},
	"track":     {"asks where their order is", " (order {order})", ""},
	"address":   {"wants to change a delivery address", " (order {order})", ""},
	"cancel":    {"wants to cancel an order", " (order {order})", ""},
	"plan":      {"asks about their plan", "", ""},
	"billing":   {"disputes a charge", " on order {order}", " of {amount}"},
	"callback":  {"wants a call back", "", ""},
	"complaint": {"wants to make a complaint", " about order {order}", ""},
	"legal":     {"mentions legal action", " over order {order}", ""},
}

// moodLine is the customer's mood in a word with the measurement it
// comes from: frustration when they are frustrated ("Frustrated
// (0.82)"), otherwise the latest sentiment score on a 0-1 scale
// ("Negative (0.19)"; that of the last measured message when the last
// one was not, such as a bare "human"), a lowest score well below it
// ("lowest 0.18 earlier") and frustration from 0.25 up ("frustration
// 0.47"). It is "" when nothing was measured.
func moodLine(t Ticket) string {
	m := t.Mood
	f := max(m.Frustration, t.Frustration)
	if f >= 0.5 {
		return fmt.Sprintf("Frustrated (%.2f)", f)
	}
	label, score := m.Label, m.Score
	if label == "" && len(t.Scores) > 0 {
		score = t.Scores[len(t.Scores)-1]
		label = scoreLabel(score)
	}
	if label == "" {
		return ""
	}
	s := fmt.Sprintf("%s (%.2f)", strings.ToUpper(label[:1])+label[1:], score)
	if len(t.Scores) > 1 {
		if low := slices.Min(t.Scores); low < score-0.15 {
			s += fmt.Sprintf(", lowest %.2f earlier", low)
		}
	}
	if f >= 0.25 {
		s += fmt.Sprintf("; frustration %.2f", f)
	}
	return s
}

// scoreLabel words a sentiment score (0-1) as the lexical analyzer's
// default band does: within 0.025 of 0.5 is neutral.
func scoreLabel(score float64) string {
	switch {
	case score <= 0.475:
		return "negative"
	case score >= 0.525:
		return "positive"
	}
	return "neutral"
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
	ask := AskedForHuman()
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
		if words < 3 {
			s -= 2 // "no", "yes please": answers, not the issue
		}
		if ask.Match(&Input{Text: text}) && words <= 6 {
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
		if c.score >= 1 {
			out = append(out, c.text)
		}
	}
	return out
}

// SuggestedReply drafts the agent's first message from the ticket, a
// sentence an agent would send: a greeting by name, an apology when the
// customer is upset, and what the agent is looking into, from the
// requests the bot served and the entities the customer gave (never a
// quote of the customer's words, which may be gibberish or a bare
// "human"), in the conversation's language (English, or Spanish for an
// "es" locale), for example:
//
//	Hi Maria, thanks for waiting, and I'm sorry for the trouble so far. I can see you're asking where order A-1234 is; I'm looking into it now.
func SuggestedReply(t Ticket) string {
	name := t.Profile["first_name"]
	if name == "" {
		name, _, _ = strings.Cut(t.Profile["name"], " ")
	}
	sorry := t.Mood.Label == "negative" || max(t.Mood.Frustration, t.Frustration) >= 0.5
	kind, order, amount := topicOf(t)
	w := replyWords["en"]
	if base, _, _ := strings.Cut(strings.ToLower(t.Locale), "-"); replyWords[base] != nil {
		w = replyWords[base]
	}
	var b strings.Builder
	b.WriteString(w["hi"])
	if name != "" {
		b.WriteString(" " + name)
	}
	b.WriteString(w["thanks"])
	if sorry {
		b.WriteString(w["sorry"])
	}
	b.WriteString(". ")
	what := w[kind]
	if order != "" && w[kind+"+order"] != "" {
		what = w[kind+"+order"]
	}
	if kind == "refund" && amount != "" {
		what = w["refund+amount"]
		if order != "" {
			what = w["refund+amount+order"]
		}
	}
	if what == "" {
		b.WriteString(w["none"])
		return b.String()
	}
	what = strings.NewReplacer("{order}", order, "{amount}", amount).Replace(what)
	b.WriteString(strings.Replace(w["asking"], "{what}", what, 1))
	return b.String()
}

// replyWords are the suggested reply's words by language; a topic's
// entry with "+order" is used when the customer gave an order number.
var replyWords = map[string]map[string]string{
	"en": {
		"hi": "Hi", "thanks": ", thanks for waiting", "sorry": ", and I'm sorry for the trouble so far",
		"asking": "I can see you're asking {what}; I'm looking into it now.",
		"none":   "I've read our conversation so far, so you won't need to repeat anything. How can I help?",
		"refund": "about a refund", "refund+order": "about a refund on order {order}",
		"refund+amount": "about a refund of {amount}", "refund+amount+order": "about a refund of {amount} on order {order}",
		"track": "where your order is", "track+order": "where order {order} is",
		"address": "to change the delivery address", "address+order": "to change the delivery address of order {order}",
		"cancel": "about cancelling", "cancel+order": "about cancelling order {order}",
		"plan": "about your plan", "billing": "about a charge on your account", "callback": "for a call back",
	},
	"es": {
		"hi": "Hola", "thanks": ", gracias por esperar", "sorry": ", y siento las molestias",
		"asking": "Veo que me preguntas {what}; ya lo estoy revisando.",
		"none":   "He leído la conversación, así que no hace falta que repitas nada. ¿En qué te puedo ayudar?",
		"refund": "por un reembolso", "refund+order": "por un reembolso del pedido {order}",
		"refund+amount": "por un reembolso de {amount}", "refund+amount+order": "por un reembolso de {amount} del pedido {order}",
		"track": "dónde está tu pedido", "track+order": "dónde está el pedido {order}",
		"address": "por cambiar la dirección de entrega", "address+order": "por cambiar la dirección de entrega del pedido {order}",
		"cancel": "por una cancelación", "cancel+order": "por cancelar el pedido {order}",
		"plan": "por tu plan", "billing": "por un cargo en tu cuenta", "callback": "por una llamada",
	},
}

// topicOf says what the customer wants, from the most recent request
// the bot understood, with the order and amount they gave ("refund",
// "A-1002", "$60.00"). kind is "" for an intent it cannot word.
func topicOf(t Ticket) (kind, order, amount string) {
	for _, e := range t.Entities {
		switch {
		case e.Type == "order_id" && order == "":
			order = e.Value
		case e.Type == "money" && amount == "":
			var v float64
			var cur string
			if _, err := fmt.Sscanf(e.Value, "%g %s", &v, &cur); err == nil && cur == "USD" {
				amount = fmt.Sprintf("$%.2f", v)
			} else if err == nil {
				amount = fmt.Sprintf("%.2f %s", v, cur)
			}
		}
	}
	for _, in := range t.Intents {
		n := strings.ToLower(in.Name)
		switch {
		case strings.Contains(n, "refund") || strings.Contains(n, "return"):
			return "refund", order, amount
		case strings.Contains(n, "track") || strings.Contains(n, "order_status") || strings.Contains(n, "where"):
			return "track", order, amount
		case strings.Contains(n, "address"):
			return "address", order, amount
		case strings.Contains(n, "cancel"):
			return "cancel", order, amount
		case strings.Contains(n, "renew") || strings.Contains(n, "plan") || strings.Contains(n, "subscription"):
			return "plan", order, amount
		case strings.Contains(n, "billing") || strings.Contains(n, "charge"):
			return "billing", order, amount
		case strings.Contains(n, "callback") || strings.Contains(n, "call_back"):
			return "callback", order, amount
		}
	}
	return "", order, amount
}
