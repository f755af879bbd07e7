package intent

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/intent/entity"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// fixed is a classifier returning canned results by text.
type fixed map[string]Result

func (f fixed) Classify(ctx context.Context, text string) (Result, error) { return f[text], nil }

func ranked(pairs ...any) Result {
	var r Result
	for i := 0; i < len(pairs); i += 2 {
		r.Ranked = append(r.Ranked, nlu.Intent{Name: pairs[i].(string), Confidence: pairs[i+1].(float64)})
	}
	return r
}

type recorder struct{ msgs []parley.Message }

func (r *recorder) Reply(ctx context.Context, m parley.Message) error {
	r.msgs = append(r.msgs, m)
	return nil
}

func TestPolicyDecide(t *testing.T) {
	p := DefaultPolicy()
	p.PerIntent = map[string]float64{"refund": 0.9}
	tests := []struct {
		name string
		give Result
		want nlu.Status
	}{
		{"understood", ranked("track_order", 0.9, "refund", 0.05), nlu.Understood},
		{"per-intent threshold", ranked("refund", 0.85, "track_order", 0.1), nlu.Unsure},
		{"ambiguous", ranked("track_order", 0.45, "change_address", 0.4), nlu.Ambiguous},
		{"unsure", ranked("track_order", 0.5, "refund", 0.1), nlu.Unsure},
		{"out of scope", ranked("track_order", 0.2, "refund", 0.1), nlu.OutOfScope},
		{"oos class wins", Result{Ranked: ranked("track_order", 0.4).Ranked, OutOfScope: 0.5}, nlu.OutOfScope},
		{"empty", Result{}, nlu.OutOfScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, p.Decide(tt.give).Status)
		})
	}
}

// form is a question owner: it asks for an order number (policy Resume)
// and takes answers that start with "A-".
type form struct{ answers, resumes int }

func (f *form) HandleTurn(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	if !strings.HasPrefix(t.Text(), "A-") {
		return dialog.ErrNotAnswer
	}
	f.answers++
	dialog.CloseQuestion(t)
	return w.Reply(ctx, parley.Text("got "+t.Text()))
}

func (f *form) Resume(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, q dialog.Question) error {
	f.resumes++
	return w.Reply(ctx, parley.Text(q.Text))
}

type bot struct {
	t    *testing.T
	h    parley.Handler
	sess *memory.Session
	ran  []string
	form *form
}

func (b *bot) send(text string) []string {
	b.t.Helper()
	rec := &recorder{}
	b.sess.Turns++
	turn := (&parley.Turn{ConversationID: "c1", Message: parley.Text(text)}).WithSession(b.sess)
	require.NoError(b.t, b.h.HandleTurn(context.Background(), rec, turn))
	var out []string
	for _, m := range rec.msgs {
		s := m.Text
		for _, q := range m.QuickReplies {
			s += " [" + q.Title + "]"
		}
		out = append(out, s)
	}
	return out
}

func (b *bot) outcome() dialog.Outcome {
	o, _ := dialog.TurnOutcome((&parley.Turn{}).WithSession(b.sess))
	return o
}

func newBot(t *testing.T, c Classifier, opts ...RouterOption) (*bot, *Router) {
	b := &bot{t: t, sess: &memory.Session{ID: "c1"}, form: &form{}}
	opts = append([]RouterOption{WithMenu("I can help with:", "track_order", "refund")}, opts...)
	r := NewRouter(opts...)
	for _, name := range []string{"track_order", "change_address", "product_info", "faq"} {
		r.HandleFunc(name, func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			u, _ := parley.Value(t, nlu.UnderstandingKey)
			b.ran = append(b.ran, u.Intent.Name)
			return w.Reply(ctx, parley.Text("ok "+u.Intent.Name))
		})
	}
	r.HandleFunc("refund", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		b.ran = append(b.ran, "refund")
		if err := dialog.Ask(t, dialog.Question{ID: "order", Owner: "form", Text: "Which order?", Policy: dialog.Resume, Intent: "refund"}); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text("Which order?"))
	})
	r.HandleFunc("feedback", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if err := dialog.Ask(t, dialog.Question{ID: "helpful", Owner: "form", Text: "Was this helpful?"}); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text("Was this helpful?"))
	})
	r.Handle("form", b.form)
	b.h = parley.Chain(r, Commands(), Middleware(New(c)))
	return b, r
}

func TestRouterClarifies(t *testing.T) {
	c := fixed{
		"my order":  ranked("track_order", 0.45, "change_address", 0.42),
		"gibberish": ranked("track_order", 0.1),
	}
	b, _ := newBot(t, c, WithTitles(map[string]string{"track_order": "Track my order"}))
	assert.Equal(t, []string{"Did you mean: Track my order / Change address? [Track my order] [Change address]"}, b.send("my order"))
	assert.Equal(t, dialog.NotUnderstood, b.outcome())
	assert.Equal(t, []string{"ok change_address"}, b.send("change_address"), "the tapped quick reply")
	assert.Equal(t, []string{"change_address"}, b.ran)
	assert.Equal(t, dialog.Served, b.outcome())
}

func TestRouterNotUnderstoodRephraseThenMenu(t *testing.T) {
	c := fixed{"where is it": ranked("track_order", 0.95)}
	b, _ := newBot(t, c, WithTitles(map[string]string{"track_order": "Track my order"}))
	assert.Equal(t, []string{"Sorry, I didn't quite get that. Could you say it another way?"}, b.send("blah"))
	assert.Equal(t, dialog.NotUnderstood, b.outcome())
	assert.Equal(t, []string{"Sorry, I still didn't get that. I can help with: [Track my order] [Refund]"}, b.send("blah again"))
	assert.Equal(t, dialog.NotUnderstood, b.outcome())
	// More misses in a row never repeat the sentence said last (issue 17).
	assert.Equal(t, []string{"I'm still not sure what you need. I can help with: [Track my order] [Refund]"}, b.send("blah blah"))
	assert.Equal(t, []string{"Sorry, I still didn't get that. I can help with: [Track my order] [Refund]"}, b.send("blah blah blah"))
	// The menu is the router's question: tapping an option routes it.
	assert.Equal(t, []string{"ok track_order"}, b.send("Track my order"))

	// An understood turn resets the count; never a hand-off.
	b.send("blah")
	assert.Equal(t, []string{"ok track_order"}, b.send("where is it"))
	assert.Equal(t, []string{"Sorry, I didn't quite get that. Could you say it another way?"}, b.send("blah"))
}

func TestRouterMenuDeclined(t *testing.T) {
	b, _ := newBot(t, fixed{}, WithTitles(map[string]string{"track_order": "Track my order"}))
	b.send("blah")
	b.send("blah again") // the menu
	assert.Equal(t, []string{"No problem. I'm here whenever you need me."}, b.send("No, thanks!"))
	assert.Equal(t, dialog.Served, b.outcome())
	_, open := dialog.OpenQuestion((&parley.Turn{}).WithSession(b.sess))
	assert.False(t, open, "the menu is closed")
}

func TestRouterGivesTheOwnerTheAnswerFirst(t *testing.T) {
	c := fixed{"I want a refund": ranked("refund", 0.95)}
	b, _ := newBot(t, c)
	assert.Equal(t, []string{"Which order?"}, b.send("I want a refund"))
	assert.Equal(t, []string{"got A-1001"}, b.send("A-1001"))
	assert.Equal(t, 1, b.form.answers)
	_, open := dialog.OpenQuestion((&parley.Turn{}).WithSession(b.sess))
	assert.False(t, open)
}

// helpCentre stands in for the help centre: it answers every question
// with answer.
func helpCentre(answer string) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text(answer))
	})
}

func TestRouterResumesAFormAfterADigression(t *testing.T) {
	c := fixed{
		"I want a refund":   ranked("refund", 0.95),
		"where is my order": ranked("track_order", 0.95),
		"how long?":         ranked("track_order", 0.1),
	}
	b, _ := newBot(t, c, WithQuestions(helpCentre("5 days")))
	b.send("I want a refund")
	assert.Equal(t, []string{"ok track_order", "Which order?"}, b.send("where is my order"))
	assert.Equal(t, []string{"5 days", "Which order?"}, b.send("how long?"))
	assert.Equal(t, 2, b.form.resumes)
	assert.Equal(t, []string{"got A-1"}, b.send("A-1"))
}

// A question about the request that asked the open question goes to the
// help centre, and the question is asked again: routing it would start
// the request over.
func TestRouterSendsAQuestionAboutTheSameRequestToTheHelpCentre(t *testing.T) {
	c := fixed{
		"I want a refund":              ranked("refund", 0.95),
		"how long does a refund take?": ranked("refund", 0.9),
	}
	b, _ := newBot(t, c, WithQuestions(helpCentre("5-10 days")))
	b.send("I want a refund")
	assert.Equal(t, []string{"5-10 days", "Which order?"}, b.send("how long does a refund take?"))
	assert.Equal(t, []string{"refund"}, b.ran, "the refund did not start over")
	assert.Equal(t, 1, b.form.resumes)
}

func TestRouterDropsAFeedbackQuestion(t *testing.T) {
	c := fixed{"rate": ranked("feedback", 0.95), "where is my order": ranked("track_order", 0.95)}
	b, _ := newBot(t, c)
	assert.Equal(t, []string{"Was this helpful?"}, b.send("rate"))
	assert.Equal(t, []string{"ok track_order"}, b.send("where is my order"), "the new request is served, the question dropped")
	assert.Zero(t, b.form.resumes)
	_, open := dialog.OpenQuestion((&parley.Turn{}).WithSession(b.sess))
	assert.False(t, open)
}

func TestRouterCommandsDropTheQuestion(t *testing.T) {
	c := fixed{"I want a refund": ranked("refund", 0.95)}
	b, r := newBot(t, c)
	var stopped int
	r.HandleCommand(dialog.CommandStop, parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		stopped++
		return w.Reply(ctx, parley.Text("unsubscribed"))
	}))
	b.send("I want a refund")
	assert.Equal(t, []string{"OK, I've stopped that. What would you like to do next?"}, b.send("cancel"))
	_, open := dialog.OpenQuestion((&parley.Turn{}).WithSession(b.sess))
	assert.False(t, open)

	b.send("I want a refund")
	assert.Equal(t, []string{"I can help with: [Track order] [Refund]"}, b.send("menú"))
	assert.Equal(t, []string{"unsubscribed"}, b.send("STOP"))
	assert.Equal(t, 1, stopped)
	assert.Equal(t, []string{"Sorry, I can't do that here."}, b.send("human"), "no handler mounted for it")
	assert.Zero(t, b.form.answers)
}

// STOP (an opt-out of proactive messages) is an aside: the form asks its
// question again and reads the next answer; a feedback question is
// dropped, as after any digression.
func TestRouterStopResumesTheForm(t *testing.T) {
	c := fixed{"I want a refund": ranked("refund", 0.95), "rate": ranked("feedback", 0.95)}
	b, r := newBot(t, c)
	r.HandleCommand(dialog.CommandStop, parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("unsubscribed"))
	}))
	b.send("I want a refund")
	assert.Equal(t, []string{"unsubscribed", "Which order?"}, b.send("STOP"))
	assert.Equal(t, 1, b.form.resumes)
	assert.Equal(t, []string{"got A-1"}, b.send("A-1"))

	b.send("rate")
	assert.Equal(t, []string{"unsubscribed"}, b.send("unsubscribe"))
	_, open := dialog.OpenQuestion((&parley.Turn{}).WithSession(b.sess))
	assert.False(t, open, "the feedback question is dropped")
	assert.Equal(t, 1, b.form.resumes)
}

func TestRouterOneQuestionPerTurnForMultiIntent(t *testing.T) {
	r := NewRouter()
	r.HandleFunc("refund", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if err := dialog.Ask(t, dialog.Question{ID: "order", Owner: "form"}); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text("Which order?"))
	})
	r.HandleFunc("track_order", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("tracking"))
	})
	sess := &memory.Session{ID: "c2", Turns: 1}
	und := nlu.Understanding{Status: nlu.Understood, Intent: nlu.Intent{Name: "track_order"}, Then: []nlu.Intent{{Name: "refund"}}}
	rec := &recorder{}
	require.NoError(t, r.HandleTurn(context.Background(), rec, parley.With((&parley.Turn{}).WithSession(sess), nlu.UnderstandingKey, und)))
	require.Len(t, rec.msgs, 2, "a request without a question, then one with")
	und = nlu.Understanding{Status: nlu.Understood, Intent: nlu.Intent{Name: "refund"}, Then: []nlu.Intent{{Name: "track_order"}}}
	rec = &recorder{}
	sess.Turns++
	require.NoError(t, r.HandleTurn(context.Background(), rec, parley.With((&parley.Turn{}).WithSession(sess), nlu.UnderstandingKey, und)))
	assert.Equal(t, []parley.Message{parley.Text("Which order?")}, rec.msgs, "nothing after a question")
}

func TestRouterSignals(t *testing.T) {
	r := NewRouter()
	var got []string
	r.HandleSignal("renewal.due", parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		got = append(got, t.Signal.Name)
		return nil
	}))
	sess := &memory.Session{ID: "c1", Turns: 1}
	for _, name := range []string{"renewal.due", "unknown"} {
		turn := (&parley.Turn{Signal: &parley.Signal{Name: name}}).WithSession(sess)
		require.NoError(t, r.HandleTurn(context.Background(), &recorder{}, turn))
	}
	assert.Equal(t, []string{"renewal.due"}, got)
}

func TestSplit(t *testing.T) {
	tests := []struct {
		give string
		want []string
	}{
		{"where is my order", []string{"where is my order"}},
		{"return this shirt, and also check if you have it in red", []string{"return this shirt", "check if you have it in red"}},
		{"do you have black and white socks", []string{"do you have black and white socks"}},
		{"where is my order? I also want a refund", []string{"where is my order", "I also want a refund"}},
		{"where is A-1001 and I also want to return the lamp", []string{"where is A-1001", "want to return the lamp"}},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			var got []string
			for _, s := range Split(tt.give) {
				got = append(got, s.Text)
				assert.Equal(t, s.Text, tt.give[s.Start:s.End])
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDetectLanguage(t *testing.T) {
	tests := []struct{ give, want string }{
		{"where is my order please", "en"},
		{"¿dónde está mi pedido?", "es"},
		{"😀", ""},
		{"Wo ist meine Bestellung", ""},
		// Support words decide when there is no function word.
		{"agente", "es"},
		{"baja", "es"},
		{"me cobraron dos veces", "es"},
		{"agent", "en"},
		{"I was charged twice", "en"},
		// Help-centre words, and Spanish typed without accents.
		{"aceptan paypal?", "es"},
		{"cuanto cuesta plus", "es"},
		{"envios a canada?", "es"},
		// One-word questions about prices.
		{"precio", "es"},
		{"precios?", "es"},
		{"price", ""},
		{"how much is plus", "en"},
		// A word of both languages says neither.
		{"menu", ""},
		{"menú", "es"},
		{"menu por favor", "es"},
		{"show me the menu", "en"},
		{"do you ship to canada?", "en"},
		// Spanish around an English word (es13).
		{"mi order no ha llegado", "es"},
		{"my order hasn't arrived", "en"},
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, DetectLanguage(tt.give), tt.give)
	}
}

func TestRouterSendsAnUnsureQuestionToTheHelpCentre(t *testing.T) {
	c := fixed{
		"how much is shipping? my lawyer will hear of this": ranked("faq", 0.6, "track_order", 0.3),
		"blah blah": ranked("faq", 0.6, "track_order", 0.3),
		"weather?":  ranked("track_order", 0.05),
	}
	faq := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("Shipping is free over $50."))
	})
	b, _ := newBot(t, c, WithQuestions(faq))
	assert.Equal(t, []string{"Shipping is free over $50."}, b.send("how much is shipping? my lawyer will hear of this"))
	assert.Equal(t, []string{"Sorry, I didn't quite get that. Could you say it another way?"}, b.send("blah blah"),
		"an unsure statement is not a question: the router asks to rephrase")
	assert.Equal(t, []string{"Sorry, I still didn't get that. I can help with: [Track order] [Refund]"}, b.send("weather?"),
		"out of scope is not sent to the help centre")
}

func TestMultiIntentIgnoresWeakClauses(t *testing.T) {
	c := fixed{
		"I want to make a complaint. how long does shipping take?": ranked("faq", 0.97, "human", 0.01),
		"I want to make a complaint":                               ranked("human", 0.36, "refund", 0.21),
		"how long does shipping take?":                             ranked("faq", 0.99),
	}
	u := New(c, WithMultiIntent(true))
	und, err := u.Understand(context.Background(), "I want to make a complaint. how long does shipping take?", "en", time.Now(), time.UTC)
	require.NoError(t, err)
	assert.Equal(t, nlu.Understood, und.Status)
	assert.Equal(t, "faq", und.Intent.Name, "a clause at 0.36 does not displace the confident whole")
	assert.Empty(t, und.Then)
}

func TestAnEntityAloneIsNoIntent(t *testing.T) {
	c := fixed{" A-1002. ": ranked("refund", 0.9), "refund A-1002": ranked("refund", 0.9)}
	orders := entity.OrderID("order_id", regexp.MustCompile(`\bA-\d{4}\b`))
	u := New(c, WithExtractors(orders))
	und, err := u.Understand(context.Background(), " A-1002. ", "en", time.Now(), time.UTC)
	require.NoError(t, err)
	assert.Equal(t, nlu.Unsure, und.Status, "an order number names an order, not what to do with it")
	require.Len(t, und.Entities, 1)
	und, err = u.Understand(context.Background(), "refund A-1002", "en", time.Now(), time.UTC)
	require.NoError(t, err)
	assert.Equal(t, nlu.Understood, und.Status)
	assert.Equal(t, "refund", und.Intent.Name)
}

// An offer of a person made over a form's question (the help centre was
// unsure) pauses the form; a no to the offer asks the form's question
// again, and the answer goes to the form.
func TestRouterUnpausesAFormAfterAnOffer(t *testing.T) {
	b, r := newBot(t, fixed{"I want a refund": ranked("refund", 0.95), "how much is shipping": ranked("shipping", 0.95)})
	r.HandleFunc("offerer", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		dialog.CloseQuestion(t)
		return w.Reply(ctx, parley.Text("No problem."))
	})
	r.HandleFunc("shipping", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		// As the help centre does when unsure: an offer of a person.
		if err := dialog.Ask(t, dialog.Question{ID: "offer", Owner: "offerer", Text: "A person?"}); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text("Not sure. A person?"))
	})

	assert.Equal(t, []string{"Which order?"}, b.send("I want a refund"))
	assert.Equal(t, []string{"Not sure. A person?"}, b.send("how much is shipping"))
	assert.Equal(t, []string{"No problem.", "Which order?"}, b.send("no thanks"))
	assert.Equal(t, 1, b.form.resumes)
	assert.Equal(t, []string{"got A-1"}, b.send("A-1"))

	// The customer may answer the form instead of the offer: the offer
	// is passed by, and the form reads the answer.
	assert.Equal(t, []string{"Which order?"}, b.send("I want a refund"))
	assert.Equal(t, []string{"Not sure. A person?"}, b.send("how much is shipping"))
	dialog.CloseQuestion((&parley.Turn{}).WithSession(b.sess)) // as escalation does for a turn that is not an answer
	assert.Equal(t, []string{"got A-2"}, b.send("A-2"))
	assert.Equal(t, 2, b.form.answers)

	// A command leaves the paused form for good.
	assert.Equal(t, []string{"Which order?"}, b.send("I want a refund"))
	assert.Equal(t, []string{"Not sure. A person?"}, b.send("how much is shipping"))
	assert.Equal(t, []string{"OK, I've stopped that. What would you like to do next?"}, b.send("cancel"))
	assert.Equal(t, []string{"Not sure. A person?"}, b.send("how much is shipping"))
	assert.Equal(t, []string{"No problem."}, b.send("no thanks"))
	assert.Equal(t, 1, b.form.resumes)
}

// A message the whole of which leans to an intent below the threshold is
// understood as that intent when one of its clauses says it with
// confidence and the others say nothing the bot serves; a clause that
// disagrees with the whole, or two unsure halves, are not enough.
func TestOneConfidentClauseDecidesAnUnsureWhole(t *testing.T) {
	c := fixed{
		"this is useless, I'm fed up, my order never arrived": ranked("track_order", 0.73, "greeting", 0.04),
		"this is useless":              ranked("faq", 0.28),
		"I'm fed up":                   ranked("greeting", 0.2),
		"my order never arrived":       ranked("track_order", 0.97),
		"blah, my order never arrived": ranked("refund", 0.6, "track_order", 0.3),
		"blah":                         ranked("greeting", 0.1),
		"meh, so so":                   ranked("refund", 0.6),
		"meh":                          ranked("refund", 0.6),
		"so so":                        ranked("refund", 0.6),
	}
	u := New(c, WithMultiIntent(true))
	und, err := u.Understand(context.Background(), "this is useless, I'm fed up, my order never arrived", "en", time.Now(), time.UTC)
	require.NoError(t, err)
	assert.Equal(t, nlu.Understood, und.Status)
	assert.Equal(t, "track_order", und.Intent.Name)
	assert.Empty(t, und.Then)

	und, err = u.Understand(context.Background(), "blah, my order never arrived", "en", time.Now(), time.UTC)
	require.NoError(t, err)
	assert.Equal(t, nlu.Unsure, und.Status, "the clause disagrees with the whole")

	und, err = u.Understand(context.Background(), "meh, so so", "en", time.Now(), time.UTC)
	require.NoError(t, err)
	assert.Equal(t, nlu.Unsure, und.Status, "no clause is confident")
}

// "refund": neither getting one nor asking about one is sure alone, but
// together they are: the bot asks which.
func TestTwoUnsureCandidatesThatTogetherAreSureAreAmbiguous(t *testing.T) {
	d := DefaultPolicy()
	und := d.Decide(Result{Ranked: []nlu.Intent{{Name: "refund_status", Confidence: 0.68}, {Name: "refund", Confidence: 0.31}}})
	assert.Equal(t, nlu.Ambiguous, und.Status)
	und = d.Decide(Result{Ranked: []nlu.Intent{{Name: "refund_status", Confidence: 0.6}, {Name: "refund", Confidence: 0.25}}})
	assert.Equal(t, nlu.Unsure, und.Status, "together 0.85: not surely one of the two")
	und = d.Decide(Result{Ranked: []nlu.Intent{{Name: "refund_status", Confidence: 0.8}, {Name: "refund", Confidence: 0.19}}})
	assert.Equal(t, nlu.Understood, und.Status)

	b, r := newBot(t, fixed{"refund": ranked("refund_status", 0.68, "refund", 0.31)})
	r.HandleFunc("refund_status", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error { return nil })
	assert.Equal(t, []string{"Did you mean: Refund status / Refund? [Refund status] [Refund]"}, b.send("refund"))
}

// With WithOutOfScope, a question outside what the bot does gets the
// menu with that lead at once; gibberish is still asked to be put another
// way, and without the option the question is too.
func TestRouterOutOfScopeQuestion(t *testing.T) {
	c := fixed{
		"what is the meaning of life?": ranked("track_order", 0.05),
		"asdfgh":                       ranked("track_order", 0.05),
	}
	b, _ := newBot(t, c, WithOutOfScope("That's not something I can help with here. I can help with:"))
	assert.Equal(t, []string{"That's not something I can help with here. I can help with: [Track order] [Refund]"}, b.send("what is the meaning of life?"))
	b2, _ := newBot(t, c, WithOutOfScope("That's not something I can help with here."))
	assert.Equal(t, []string{"Sorry, I didn't quite get that. Could you say it another way?"}, b2.send("asdfgh"), "not a question")
	b3, _ := newBot(t, c)
	assert.Equal(t, []string{"Sorry, I didn't quite get that. Could you say it another way?"}, b3.send("what is the meaning of life?"))
}

// A second question outside what the bot does in a row gets the same
// lead, not "Sorry, I still didn't get that": the bot understood it.
// Gibberish after it still counts as the second miss.
func TestRouterOutOfScopeQuestionTwice(t *testing.T) {
	c := fixed{
		"what is the meaning of life?":   ranked("track_order", 0.05),
		"what is the capital of france?": ranked("track_order", 0.05),
		"asdfgh":                         ranked("track_order", 0.05),
	}
	b, _ := newBot(t, c, WithOutOfScope("That's not something I can help with here."))
	assert.Equal(t, []string{"That's not something I can help with here. [Track order] [Refund]"}, b.send("what is the meaning of life?"))
	assert.Equal(t, []string{"That's not something I can help with here. [Track order] [Refund]"}, b.send("what is the capital of france?"))
	// The third miss in a row: the menu in other words than the second's.
	assert.Equal(t, []string{"I'm still not sure what you need. I can help with: [Track order] [Refund]"}, b.send("asdfgh"))
}

// An answer to "Did you mean ...?" that names only an order fits both
// requests: it is not read as a new one; the question is asked again and
// the request chosen gets the order, as it gets that of the message that
// was unclear.
func TestRouterClarifyKeepsOrderForTheChoice(t *testing.T) {
	c := fixed{
		"refund":            ranked("refund_status", 0.68, "refund", 0.31),
		"refund A-1001":     ranked("refund_status", 0.6, "refund", 0.38),
		"A-1001":            ranked("track_order", 0.9),
		"where is my order": ranked("track_order", 0.9),
	}
	b, r := newBot(t, c)
	var got []string
	r.HandleFunc("refund_status", func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		u, _ := parley.Value(t, nlu.UnderstandingKey)
		e, _ := u.Entity("order_id")
		got = append(got, e.Value)
		return w.Reply(ctx, parley.Text("status of "+e.Value))
	})
	b.h = parley.Chain(r, Commands(), Middleware(New(c, WithExtractors(entity.OrderID("order_id", regexp.MustCompile(`A-\d{4}`))))))
	clarify := "Did you mean: Refund status / Refund? [Refund status] [Refund]"
	assert.Equal(t, []string{clarify}, b.send("refund"))
	assert.Equal(t, []string{clarify}, b.send("A-1001"), "asked again, not tracked")
	assert.Equal(t, []string{"status of A-1001"}, b.send("1"))
	assert.Empty(t, b.ran, "no order tracking")

	assert.Equal(t, []string{clarify}, b.send("refund A-1001"))
	assert.Equal(t, []string{"status of A-1001"}, b.send("Refund status"), "the order of the unclear message")

	assert.Equal(t, []string{clarify}, b.send("refund A-1001"))
	assert.Equal(t, []string{"ok track_order"}, b.send("where is my order"), "a new request")
	assert.Equal(t, []string{clarify}, b.send("refund"))
	assert.Equal(t, []string{"status of "}, b.send("1"), "nothing held from before")
	assert.Equal(t, []string{"A-1001", "A-1001", ""}, got)
}

// Each request of a message with two sees what is still to come (so it
// can leave out its closing question) and the entities of its own
// clause: the order tracked is not the one whose address changes.
func TestRouterMultiIntentClausesGetTheirOwnEntities(t *testing.T) {
	r := NewRouter()
	var seen []string
	for _, name := range []string{"track_order", "change_address"} {
		r.HandleFunc(name, func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			u, _ := parley.Value(t, nlu.UnderstandingKey)
			var orders []string
			for _, e := range u.Entities {
				orders = append(orders, e.Value)
			}
			seen = append(seen, fmt.Sprintf("%s %v then %d", u.Intent.Name, orders, len(u.Then)))
			return nil
		})
	}
	text := "where is A-1001 and also I want to change the address of A-1010"
	und := nlu.Understanding{Status: nlu.Understood, Intent: nlu.Intent{Name: "track_order"}, Then: []nlu.Intent{{Name: "change_address"}},
		Entities: []nlu.Entity{
			{Type: "order_id", Value: "A-1001", Start: 9, End: 15},
			{Type: "order_id", Value: "A-1010", Start: 57, End: 63},
			{Type: "customer", Value: "cus_ada"}, // no place in the text
		}}
	turn := parley.With((&parley.Turn{Message: parley.Text(text)}).WithSession(&memory.Session{ID: "c3"}), nlu.UnderstandingKey, und)
	require.NoError(t, r.HandleTurn(context.Background(), &recorder{}, turn))
	assert.Equal(t, []string{"track_order [A-1001 cus_ada] then 1", "change_address [A-1010 cus_ada] then 0"}, seen)
}
