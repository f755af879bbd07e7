package escalation

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

func understood(intent string, ents ...nlu.Entity) nlu.Understanding {
	return nlu.Understanding{Status: nlu.Understood, Intent: nlu.Intent{Name: intent, Confidence: 0.9}, Entities: ents}
}

func TestConditions(t *testing.T) {
	money := nlu.Entity{Type: "money", Value: "150.00 USD"}
	small := nlu.Entity{Type: "money", Value: "20 USD"}
	tests := []struct {
		name string
		cond Condition
		give Input
		want bool
	}{
		{"asked for human en", AskedForHuman(), Input{Text: "Can I talk to a human?"}, true},
		{"asked for human es", AskedForHuman("es"), Input{Text: "Quiero hablar con alguien"}, true},
		{"asked for human fr", AskedForHuman("fr"), Input{Text: "Je veux parler à quelqu'un"}, true},
		{"asked for human de", AskedForHuman("de"), Input{Text: "Bitte einen Mitarbeiter"}, true},
		{"language filter", AskedForHuman("en"), Input{Text: "hablar con alguien"}, false},
		{"no request", AskedForHuman(), Input{Text: "where is my order"}, false},
		{"keyword boundary", Keywords("legal"), Input{Text: "that is illegally slow"}, false},
		{"keyword", Keywords("legal action"), Input{Text: "I'll take LEGAL action!"}, true},
		{"keyword empty text", Keywords("x"), Input{}, false},
		// A word negated in its clause does not count (QA9 F53).
		{"keyword negated", Keywords("angry"), Input{Text: "I'm not angry, just asking where A-1001 is"}, false},
		{"keyword negated contraction", Keywords("frustrated"), Input{Text: "I wasn't frustrated at all"}, false},
		{"keyword negated spanish", Keywords("harto"), Input{Text: "no estoy harto, solo pregunto"}, false},
		{"keyword no before noun", Keywords("complaint"), Input{Text: "I have no complaint about it"}, false},
		{"keyword after a no in another clause", Keywords("ridiculous"), Input{Text: "no, this is ridiculous"}, true},
		{"keyword after a spanish no in another clause", Keywords("harto"), Input{Text: "No, estoy harto"}, true},
		{"keyword not just", Keywords("annoyed"), Input{Text: "I'm not just annoyed, I'm furious"}, true},
		{"keyword negated elsewhere", Keywords("angry"), Input{Text: "not that I care, I'm angry"}, true},
		{"keyword phrase with not", Keywords("not helpful"), Input{Text: "this is not helpful"}, true},
		{"score below", ScoreBelow(0.4), Input{HasMood: true, Mood: nlu.Mood{Score: 0.3, Label: "negative"}}, true},
		{"score not below", ScoreBelow(0.4), Input{HasMood: true, Mood: nlu.Mood{Score: 0.5, Label: "neutral"}}, false},
		{"score without mood", ScoreBelow(0.4), Input{}, false},
		// "no wait, make it A-1002": a low score the analyzer still
		// labels neutral is a correction, not an upset customer.
		{"low score labelled neutral", ScoreBelow(0.4), Input{HasMood: true, Mood: nlu.Mood{Score: 0.38, Label: "neutral"}}, false},
		{"frustration", FrustrationAbove(0.6), Input{HasMood: true, Mood: nlu.Mood{Frustration: 0.7}}, true},
		{"human command", AskedForHuman(), Input{Text: "4", Command: "human"}, true},
		{"keywords skip commands", Keywords("stop"), Input{Text: "STOP", Command: "stop"}, false},
		{"not understood", NotUnderstood(3), Input{NotUnderstood: 3}, true},
		{"understood enough", NotUnderstood(3), Input{NotUnderstood: 2}, false},
		{"unresolved", Unresolved(8), Input{Unresolved: 9}, true},
		{"failures", Failures(2), Input{Failures: 2}, true},
		{"one failure", Failures(2), Input{Failures: 1}, false},
		{"resolved in time", Unresolved(8), Input{Unresolved: 8}, false},
		{"intent", Intent("billing_dispute", "legal"), Input{HasUnderstanding: true, Understanding: understood("legal")}, true},
		{"intent unsure", Intent("legal"), Input{HasUnderstanding: true, Understanding: nlu.Understanding{Status: nlu.Unsure, Intent: nlu.Intent{Name: "legal"}}}, false},
		{"amount over", AmountOver(100, "USD"), Input{HasUnderstanding: true, Understanding: understood("refund", money)}, true},
		{"amount under", AmountOver(100, ""), Input{HasUnderstanding: true, Understanding: understood("refund", small)}, false},
		{"amount other currency", AmountOver(100, "EUR"), Input{HasUnderstanding: true, Understanding: understood("refund", money)}, false},
		{"profile", ProfileIs("tier", "vip", "gold"), Input{Profile: map[string]string{"tier": "VIP"}}, true},
		{"profile missing", ProfileIs("tier", "vip"), Input{}, false},
		{"and", And(Keywords("refund"), ProfileIs("tier", "vip")), Input{Text: "refund", Profile: map[string]string{"tier": "vip"}}, true},
		{"and fails", And(Keywords("refund"), ProfileIs("tier", "vip")), Input{Text: "refund"}, false},
		{"empty and", And(), Input{}, false},
		{"or", Or(Keywords("lawyer"), Keywords("chargeback")), Input{Text: "I'll do a chargeback"}, true},
		{"not", Not(Keywords("thanks")), Input{Text: "hello"}, true},
		{"go predicate", ConditionFunc(func(in *Input) bool { return len(in.Text) > 3 }), Input{Text: "long"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.cond.Match(&tt.give))
		})
	}
}

func TestExprRules(t *testing.T) {
	p, err := NewPolicy(
		Rule{Name: "vip dispute", Expr: `intent == "billing_dispute" && profile.tier == "vip"`, Priority: dialog.PriorityUrgent},
		Rule{Name: "big refund", Expr: `"money" in entities && frustration > 0.5`, Action: Offer},
	)
	require.NoError(t, err)
	tests := []struct {
		name     string
		give     Input
		wantRule string
	}{
		{"vip", Input{HasUnderstanding: true, Understanding: understood("billing_dispute"), Profile: map[string]string{"tier": "vip"}}, "vip dispute"},
		{"not vip", Input{HasUnderstanding: true, Understanding: understood("billing_dispute")}, ""},
		{"refund", Input{HasMood: true, Mood: nlu.Mood{Frustration: 0.8}, HasUnderstanding: true, Understanding: understood("refund", nlu.Entity{Type: "money", Value: "5 USD"})}, "big refund"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			matches(t, p, tt.give, tt.wantRule)
		})
	}
	r, _, _ := p.Evaluate(&tests[2].give)
	assert.Equal(t, Offer, r.Action, "default action")
	assert.Equal(t, dialog.PriorityNormal, r.Priority, "default priority")
}

func TestNewPolicyErrors(t *testing.T) {
	ok := Keywords("x")
	tests := []struct {
		name string
		give []Rule
	}{
		{"no name", []Rule{{When: ok}}},
		{"duplicate", []Rule{{Name: "a", When: ok}, {Name: "a", When: ok}}},
		{"no condition", []Rule{{Name: "a"}}},
		{"both", []Rule{{Name: "a", When: ok, Expr: "true"}}},
		{"bad action", []Rule{{Name: "a", When: ok, Action: "shout"}}},
		{"bad priority", []Rule{{Name: "a", When: ok, Priority: "asap"}}},
		{"negative AfterOffer", []Rule{{Name: "a", When: ok, AfterOffer: -1}}},
		{"syntax", []Rule{{Name: "a", Expr: "score <"}}},
		{"unknown variable", []Rule{{Name: "a", Expr: "nonsense > 1"}}},
		{"not boolean", []Rule{{Name: "a", Expr: "score + 1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPolicy(tt.give...)
			var re *RuleError
			require.ErrorAs(t, err, &re)
		})
	}
}

// TestDefaultRules checks the playbook's defaults rule by rule: what
// hands off, what offers a person, and what must not.
func TestDefaultRules(t *testing.T) {
	p, err := NewPolicy(DefaultRules()...)
	require.NoError(t, err)
	calm := nlu.Mood{Score: 0.55, Label: "neutral"}
	tests := []struct {
		name       string
		give       Input
		wantRule   string
		wantAction Action
		wantEmpath bool
	}{
		{name: "human", give: Input{Text: "human"}, wantRule: "asked for a person", wantAction: HandOff},
		{name: "agent", give: Input{Text: "agent please"}, wantRule: "asked for a person", wantAction: HandOff},
		{name: "speak to someone", give: Input{Text: "can I speak to someone?"}, wantRule: "asked for a person", wantAction: HandOff},
		{name: "human command", give: Input{Text: "4", Command: "human"}, wantRule: "asked for a person", wantAction: HandOff},
		{name: "legal", give: Input{Text: "I will talk to my lawyer about this"}, wantRule: "legal threat", wantAction: Offer, wantEmpath: true},
		{name: "sue", give: Input{Text: "I'm going to sue you"}, wantRule: "legal threat", wantAction: Offer, wantEmpath: true},
		{name: "billing dispute words", give: Input{Text: "you charged me twice for the same order"}, wantRule: "billing dispute", wantAction: Offer},
		{name: "billing dispute intent", give: Input{HasUnderstanding: true, Understanding: understood("billing_dispute")}, wantRule: "billing dispute", wantAction: Offer},
		{name: "chargeback", give: Input{Text: "I'll file a chargeback"}, wantRule: "billing dispute", wantAction: Offer},
		{name: "complaint", give: Input{Text: "I want to make a complaint"}, wantRule: "complaint", wantAction: Offer, wantEmpath: true},
		{name: "refund over 100", give: Input{Text: "refund $150 please", HasUnderstanding: true,
			Understanding: understood("refund", nlu.Entity{Type: "money", Value: "150 USD"})}, wantRule: "refund over $100", wantAction: Offer},
		{name: "amount over 100 after refund intent", give: Input{Text: "$120", Intents: []nlu.Intent{{Name: "refund"}}, HasUnderstanding: true,
			Understanding: nlu.Understanding{Status: nlu.Unsure, Entities: []nlu.Entity{{Type: "money", Value: "120 USD"}}}}, wantRule: "refund over $100", wantAction: Offer},
		{name: "refund of 100", give: Input{Text: "refund $100", HasUnderstanding: true,
			Understanding: understood("refund", nlu.Entity{Type: "money", Value: "100 USD"})}},
		{name: "amount without refund", give: Input{Text: "I paid $300 for it", HasUnderstanding: true,
			Understanding: nlu.Understanding{Status: nlu.Unsure, Entities: []nlu.Entity{{Type: "money", Value: "300 USD"}}}}},
		{name: "low sentiment", give: Input{Text: "this is bad", HasMood: true, Mood: nlu.Mood{Score: 0.3, Label: "negative"}},
			wantRule: "frustrated", wantAction: Offer, wantEmpath: true},
		{name: "sentiment at 0.4", give: Input{Text: "meh", HasMood: true, Mood: nlu.Mood{Score: 0.4, Label: "neutral"}}},
		{name: "frustration words", give: Input{Text: "I'm fed up with this", HasMood: true, Mood: calm},
			wantRule: "frustrated", wantAction: Offer, wantEmpath: true},
		{name: "waiting words", give: Input{Text: "this is taking forever!!!", HasMood: true, Mood: nlu.Mood{Score: 0.58, Label: "neutral"}},
			wantRule: "frustrated", wantAction: Offer, wantEmpath: true},
		{name: "waiting words in Spanish", give: Input{Text: "llevo esperando una semana", HasMood: true, Mood: calm},
			wantRule: "frustrated", wantAction: Offer, wantEmpath: true},
		{name: "STOP is not frustration", give: Input{Text: "STOP", Command: "stop"}},
		{name: "angry faces", give: Input{Text: "😡😡😡", HasMood: true, Mood: calm}, wantRule: "frustrated", wantAction: Offer, wantEmpath: true},
		{name: "angry face with skin tone", give: Input{Text: "😤🏽 🤬"}, wantRule: "frustrated", wantAction: Offer, wantEmpath: true},
		{name: "thumbs up", give: Input{Text: "👍"}},
		{name: "angry face and words", give: Input{Text: "where is A-1001 😡", HasMood: true, Mood: calm}},
		{name: "third not understood", give: Input{Text: "blorf", NotUnderstood: 3}, wantRule: "not understood", wantAction: Offer},
		{name: "second not understood", give: Input{Text: "blorf", NotUnderstood: 2}},
		{name: "second failure", give: Input{Text: "A-9998", Failures: 2}, wantRule: "could not help", wantAction: Offer},
		{name: "first failure", give: Input{Text: "A-9999", Failures: 1}},
		{name: "nine turns unresolved", give: Input{Text: "and now?", Unresolved: 9}, wantRule: "long without resolution", wantAction: Offer},
		{name: "eight turns", give: Input{Text: "and now?", Unresolved: 8}},
		{name: "plain question", give: Input{Text: "where is my order A-1001?", HasMood: true, Mood: calm}},
		// "I'm not angry": neither the word nor a low score it caused is
		// frustration (QA9 F53); "no, I'm angry" still is.
		{name: "not angry", give: Input{Text: "I'm not angry, just asking where A-1001 is", HasMood: true, Mood: calm}},
		{name: "not angry scored low", give: Input{Text: "I'm not angry, just asking where A-1001 is", HasMood: true, Mood: nlu.Mood{Score: 0.3, Label: "negative"}}},
		{name: "no estoy enfadado scored low", give: Input{Text: "no estoy enfadado, solo pregunto", HasMood: true, Mood: nlu.Mood{Score: 0.35, Label: "negative"}}},
		{name: "no then angry", give: Input{Text: "no, I'm angry", HasMood: true, Mood: calm}, wantRule: "frustrated", wantAction: Offer, wantEmpath: true},
		// Spanish.
		{name: "abogado", give: Input{Text: "Voy a hablar con mi abogado"}, wantRule: "legal threat", wantAction: Offer, wantEmpath: true},
		// QA12 F31: the verb with its pronoun, and consumer authorities.
		{name: "denunciaros", give: Input{Text: "voy a denunciaros si no me devolvéis el dinero"}, wantRule: "legal threat", wantAction: Offer, wantEmpath: true},
		{name: "os demando", give: Input{Text: "como no me lo arregléis os demando"}, wantRule: "legal threat", wantAction: Offer, wantEmpath: true},
		{name: "a consumo", give: Input{Text: "os voy a denunciar a consumo"}, wantRule: "legal threat", wantAction: Offer, wantEmpath: true},
		{name: "hoja de reclamaciones", give: Input{Text: "quiero la hoja de reclamaciones"}, wantRule: "legal threat", wantAction: Offer, wantEmpath: true},
		{name: "consumer protection", give: Input{Text: "I'll report you to consumer protection"}, wantRule: "legal threat", wantAction: Offer, wantEmpath: true},
		{name: "consumo of a lamp", give: Input{Text: "¿cuánto consumo tiene la lámpara?", HasMood: true, Mood: calm}},
		{name: "cobraron dos veces", give: Input{Text: "me cobraron dos veces el pedido"}, wantRule: "billing dispute", wantAction: Offer},
		{name: "queja", give: Input{Text: "quiero poner una queja"}, wantRule: "complaint", wantAction: Offer, wantEmpath: true},
		{name: "harto", give: Input{Text: "estoy harto de esperar", HasMood: true, Mood: calm}, wantRule: "frustrated", wantAction: Offer, wantEmpath: true},
		{name: "reembolso over 100", give: Input{Text: "quiero un reembolso de 150 $", HasUnderstanding: true,
			Understanding: nlu.Understanding{Status: nlu.Unsure, Entities: []nlu.Entity{{Type: "money", Value: "150 USD"}}}}, wantRule: "refund over $100", wantAction: Offer},
		{name: "plain Spanish question", give: Input{Text: "¿dónde está mi pedido?", HasMood: true, Mood: calm}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := matches(t, p, tt.give, tt.wantRule); tt.wantRule != "" {
				assert.Equal(t, tt.wantAction, r.Action)
				assert.Equal(t, tt.wantEmpath, r.Empathy)
			}
		})
	}
}

// matches evaluates give with p and checks that the rule named want
// matched (none, when want is empty); it returns the rule.
func matches(t *testing.T, p *Policy, give Input, want string) Rule {
	t.Helper()
	r, ok, err := p.Evaluate(&give)
	require.NoError(t, err)
	assert.Equal(t, want != "", ok)
	assert.Equal(t, want, r.Name)
	return r
}

func TestSummaryAndSuggestedReply(t *testing.T) {
	tk := Ticket{Reason: "frustrated", Intents: []nlu.Intent{{Name: "order_status"}},
		Entities: []nlu.Entity{{Type: "order_id", Value: "A-1234"}},
		Mood:     nlu.Mood{Label: "negative", Score: 0.2, Frustration: 0.72},
		Scores:   []float64{0.5, 0.35, 0.2},
		Profile:  map[string]string{"name": "Maria Lopez", "first_name": "Maria"}}
	tk.Transcript = append(tk.Transcript,
		entry("user", "hi"),
		entry("bot", "Hello! How can I help?"),
		entry("user", "My order A-1234 still hasn't arrived and it's been two weeks"),
		entry("user", "human please"),
	)
	s := Summary(tk)
	assert.Equal(t, "Maria asks where their order is (order A-1234): \"My order A-1234 still hasn't arrived and it's been two weeks\"\n"+
		"Handed over: frustrated.\n"+
		"Mood: Frustrated (0.72).", s)
	assert.Equal(t, "Hi Maria, thanks for waiting, and I'm sorry for the trouble so far. "+
		"I can see you're asking where order A-1234 is; I'm looking into it now.", SuggestedReply(tk))

	// A question in Spanish states the issue too.
	es := Ticket{Reason: "asked for a person", Profile: map[string]string{"first_name": "Ana"},
		Transcript: []memory.Entry{entry("user", "hola"), entry("user", "¿dónde está mi pedido?"), entry("user", "agente")}}
	assert.Equal(t, "Ana says: \"¿dónde está mi pedido?\"\nHanded over: asked for a person.", Summary(es))
	// So does a short billing dispute, in either language, which the
	// reason names better than the order question it began as.
	es.Reason, es.Transcript = "billing dispute", []memory.Entry{entry("user", "me cobraron dos veces"), entry("user", "sí")}
	es.Intents = []nlu.Intent{{Name: "track_order"}}
	assert.Equal(t, "Ana disputes a charge: \"me cobraron dos veces\"\nHanded over: billing dispute.", Summary(es))
	es.Transcript = []memory.Entry{entry("user", "I was charged twice"), entry("user", "yes")}
	assert.Equal(t, "Ana disputes a charge: \"I was charged twice\"\nHanded over: billing dispute.", Summary(es))

	// Nothing understood (gibberish, a bare "human"): no quote, no guess.
	tk = Ticket{Transcript: []memory.Entry{entry("user", "asdkjh qwelkj"), entry("user", "human")}}
	assert.Equal(t, "Hi, thanks for waiting. I've read our conversation so far, so you won't need to repeat anything. How can I help?",
		SuggestedReply(tk))
	tk = Ticket{Intents: []nlu.Intent{{Name: "refund"}, {Name: "human"}},
		Entities: []nlu.Entity{{Type: "money", Value: "10 USD"}, {Type: "order_id", Value: "A-1002"}}, Profile: map[string]string{"name": "Ada Lovelace"}}
	assert.Equal(t, "Hi Ada, thanks for waiting. I can see you're asking about a refund of $10.00 on order A-1002; I'm looking into it now.",
		SuggestedReply(tk), "not \"help with human (money 10 USD)\"")

	// A Spanish conversation gets a Spanish draft: the agent answers in
	// the language the bot spoke.
	tk = Ticket{Locale: "es-ES", Intents: []nlu.Intent{{Name: "track_order"}}, Entities: []nlu.Entity{{Type: "order_id", Value: "A-1003"}},
		Mood: nlu.Mood{Label: "negative", Score: 0.1}, Profile: map[string]string{"first_name": "Ben"}}
	assert.Equal(t, "Hola Ben, gracias por esperar, y siento las molestias. Veo que me preguntas dónde está el pedido A-1003; ya lo estoy revisando.",
		SuggestedReply(tk))
}

// TestSummaryReadsAsASentence: the ticket's summary says what the
// customer wants in a sentence and in their own words, never as a dump
// of fields, with the mood as measured on its own line.
func TestSummaryReadsAsASentence(t *testing.T) {
	tk := Ticket{Reason: "asked for a person", Profile: map[string]string{"first_name": "Ada", "name": "Ada Lovelace"},
		Intents:  []nlu.Intent{{Name: "human"}, {Name: "refund"}},
		Entities: []nlu.Entity{{Type: "order_id", Value: "A-1002"}, {Type: "money", Value: "60 USD"}},
		Mood:     nlu.Mood{Label: "negative", Score: 0.3, Frustration: 0.82}, Scores: []float64{0.5, 0.3},
		Transcript: []memory.Entry{entry("user", "hi"), entry("bot", "Hello! How can I help?"),
			entry("user", "my lamp arrived broken and I want my money back"), entry("bot", "Which order?"),
			entry("user", "A-1002"), entry("user", "let me talk to a person")}}
	assert.Equal(t, "Ada wants a refund of $60.00 for order A-1002: \"my lamp arrived broken and I want my money back\"\n"+
		"Handed over: asked for a person.\n"+
		"Mood: Frustrated (0.82).", Summary(tk))

	// Calm, with a low point earlier: the mood now, and the low point.
	tk.Mood, tk.Scores = nlu.Mood{Label: "neutral", Score: 0.5, Frustration: 0.1}, []float64{0.2, 0.5}
	assert.True(t, strings.HasSuffix(Summary(tk), "\nMood: Neutral (0.50), lowest 0.20 earlier."), Summary(tk))
	tk.Scores = []float64{0.45, 0.5}
	assert.True(t, strings.HasSuffix(Summary(tk), "\nMood: Neutral (0.50)."), Summary(tk))
	for _, field := range []string{"sentiment", "frustration", "0.10", "USD", "order_id"} {
		assert.NotContains(t, Summary(tk), field, "no field names or unused measures")
	}

	// The last message unmeasured (a bare "human"): the last measured
	// one, worded by its score, and frustration below "Frustrated" as
	// measured.
	tk.Mood, tk.Scores, tk.Frustration = nlu.Mood{}, []float64{0.19}, 0.47
	assert.True(t, strings.HasSuffix(Summary(tk), "\nMood: Negative (0.19); frustration 0.47."), Summary(tk))

	// Nothing measured: no mood line. No request understood: their words.
	tk = Ticket{Reason: "not understood", Transcript: []memory.Entry{entry("user", "the thing with the blue lid is broken again")}}
	assert.Equal(t, "The customer says: \"the thing with the blue lid is broken again\"\nHanded over: not understood.", Summary(tk))
	// Nothing said: no quote, no guess.
	tk = Ticket{Reason: "asked for a person", Transcript: []memory.Entry{entry("user", "human")}}
	assert.Equal(t, "The customer has not said what they need yet.\nHanded over: asked for a person.", Summary(tk))
	// A topic without words to quote still says what they want.
	tk = Ticket{Reason: "asked for a person", Intents: []nlu.Intent{{Name: "cancel_order"}},
		Entities: []nlu.Entity{{Type: "order_id", Value: "A-1010"}}, Transcript: []memory.Entry{entry("user", "A-1010")}}
	assert.Equal(t, "The customer wants to cancel an order (order A-1010).\nHanded over: asked for a person.", Summary(tk))
}

func entry(role, text string) memory.Entry { return memory.Entry{Role: memory.Role(role), Text: text} }

func TestAskedForHumanFalsePositives(t *testing.T) {
	for _, text := range []string{"your customer service is great", "my manager approved it", "thanks, that helps"} {
		assert.False(t, AskedForHuman().Match(&Input{Text: text}), text)
	}
	for _, text := range []string{"let me speak to a manager", "REAL PERSON please", "can I get a live agent"} {
		assert.True(t, AskedForHuman().Match(&Input{Text: text}), text)
	}
}
