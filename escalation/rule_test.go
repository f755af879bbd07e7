package escalation

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

func understood(intent string, ents ...parley.Entity) parley.Understanding {
	return parley.Understanding{Status: parley.Understood, Intent: parley.Intent{Name: intent, Confidence: 0.9}, Entities: ents}
}

func TestConditions(t *testing.T) {
	money := parley.Entity{Type: "money", Value: "150.00 USD"}
	small := parley.Entity{Type: "money", Value: "20 USD"}
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
		{"score below", ScoreBelow(0.4), Input{HasMood: true, Mood: parley.Mood{Score: 0.3, Label: "negative"}}, true},
		{"score not below", ScoreBelow(0.4), Input{HasMood: true, Mood: parley.Mood{Score: 0.5, Label: "neutral"}}, false},
		{"score without mood", ScoreBelow(0.4), Input{}, false},
		{"trend falling", TrendFalling(0.1), Input{HasMood: true, Turns: 3, FirstScore: 0.7, Mood: parley.Mood{Trend: 0.4}}, true},
		{"trend flat", TrendFalling(0.1), Input{HasMood: true, Turns: 3, FirstScore: 0.5, Mood: parley.Mood{Trend: 0.45}}, false},
		{"trend below", TrendBelow(0.4), Input{HasMood: true, Mood: parley.Mood{Trend: 0.3}}, true},
		{"frustration", FrustrationAbove(0.6), Input{HasMood: true, Mood: parley.Mood{Frustration: 0.7}}, true},
		{"fallbacks", Fallbacks(2), Input{Fallbacks: 2}, true},
		{"one fallback", Fallbacks(2), Input{Fallbacks: 1}, false},
		{"long conversation", LongConversation(8), Input{Turns: 9}, true},
		{"short conversation", LongConversation(8), Input{Turns: 8}, false},
		{"intent", Intent("billing_dispute", "legal"), Input{HasUnderstanding: true, Understanding: understood("legal")}, true},
		{"intent unsure", Intent("legal"), Input{HasUnderstanding: true, Understanding: parley.Understanding{Status: parley.Unsure, Intent: parley.Intent{Name: "legal"}}}, false},
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
		{"after turns", AfterTurns(3), Input{Turns: 3}, true},
		{"before turns", AfterTurns(3), Input{Turns: 2}, false},
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
		Rule{Name: "vip dispute", Expr: `intent == "billing_dispute" && profile.tier == "vip"`, Priority: parley.PriorityUrgent},
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
		{"refund", Input{HasMood: true, Mood: parley.Mood{Frustration: 0.8}, HasUnderstanding: true, Understanding: understood("refund", parley.Entity{Type: "money", Value: "5 USD"})}, "big refund"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok, err := p.Evaluate(context.Background(), &tt.give)
			require.NoError(t, err)
			assert.Equal(t, tt.wantRule != "", ok)
			assert.Equal(t, tt.wantRule, r.Name)
		})
	}
	r, _, _ := p.Evaluate(context.Background(), &tests[2].give)
	assert.Equal(t, Offer, r.Action)
	assert.Equal(t, parley.PriorityNormal, r.Priority, "default priority")
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

func TestDefaultRulesCompile(t *testing.T) {
	p, err := NewPolicy(DefaultRules()...)
	require.NoError(t, err)
	assert.Len(t, p.Rules(), 7)
}

func TestSummaryAndSuggestedReply(t *testing.T) {
	tk := Ticket{Reason: "frustrated", Intents: []parley.Intent{{Name: "order_status"}},
		Entities:  []parley.Entity{{Type: "order_id", Value: "A-1234"}},
		Sentiment: Trend{Label: "negative", Score: 0.2, Smoothed: 0.3},
		Profile:   map[string]string{"name": "Maria"}}
	tk.Transcript = append(tk.Transcript,
		entry("user", "hi"),
		entry("bot", "Hello! How can I help?"),
		entry("user", "My order A-1234 still hasn't arrived and it's been two weeks"),
		entry("user", "human please"),
	)
	s := ExtractiveSummary(tk)
	assert.Contains(t, s, "order status")
	assert.Contains(t, s, "order_id A-1234")
	assert.Contains(t, s, "My order A-1234 still hasn't arrived")
	assert.NotContains(t, s, `"human please"`)
	r := SuggestedReply(tk)
	assert.Contains(t, r, "Maria")
	assert.Contains(t, r, "sorry")
	assert.Contains(t, r, "order status")
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
