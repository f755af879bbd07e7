package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/proactive"
)

func TestCampaignReplyWords(t *testing.T) {
	for _, s := range []string{"why did you message me?", "What is this about?", "what's this?", "¿Por qué me escribes?", "¿qué es esto?"} {
		assert.True(t, whyPhrases[campaignWords(s)], s)
	}
	for _, s := range []string{"no thanks", "Not now.", "no, gracias", "No", "ahora no"} {
		assert.True(t, declinePhrases[campaignWords(s)], s)
	}
	// STOP is the opt-out command's, not a decline of one campaign; a
	// request is no decline.
	for _, s := range []string{"stop sending me this", "STOP", "no I want a refund"} {
		assert.False(t, declinePhrases[campaignWords(s)], s)
		assert.False(t, whyPhrases[campaignWords(s)], s)
	}
}

// Every campaign says why it wrote (the churn rescue had no Reason, and
// "why did you message me?" got "That was one of our messages to
// customers."). Explained after its code expired, a message says so
// rather than "valid until" a day gone by.
func TestCampaignsSayWhyAndExpiredCodes(t *testing.T) {
	for _, c := range append(campaigns(), churnCampaign()) {
		if c.Reason != "" {
			continue
		}
		for _, s := range c.Steps {
			if s.Reason == "" && s.Text != "" {
				t.Errorf("campaign %s step %s: no Reason", c.Name, s.ID)
			}
		}
	}
	sent := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	m := proactive.Message{Campaign: "churn_rescue", Step: "now", Reason: "things went wrong", OfferCode: "STAY20-0001",
		OfferExpires: "Tue Dec 8 at 10:00", Sent: sent}
	assert.False(t, offerExpired(m, sent.Add(3*day)))
	assert.True(t, offerExpired(m, sent.Add(8*day)))
	assert.Equal(t, "I messaged you because things went wrong.\nYour code STAY20-0001 is valid until Tue Dec 8 at 10:00.\n"+stopText,
		explainCampaign(m, false))
	assert.Equal(t, "I messaged you because things went wrong.\nIts code STAY20-0001 has expired since.\n"+stopText,
		explainCampaign(m, true))
	assert.Equal(t, "I sent you that message on 2026-12-01.", sentOn(m, time.UTC))
	// The customer's day: 01:30 in London is still the evening before in
	// New York (the server's zone is no one's).
	m.Sent = time.Date(2026, 12, 2, 1, 30, 0, 0, time.UTC)
	newYork, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	assert.Equal(t, "I sent you that message on 2026-12-01.", sentOn(m, newYork))
	assert.Equal(t, "I sent you that message on 2026-12-02.", sentOn(m, time.UTC))
	m.OfferCode = ""
	assert.False(t, offerExpired(m, sent.Add(30*day)))
}

// Opt-outs said anywhere in a message, however long, in English and
// Spanish (qa12 F40); "stop" said of the plan is none (stopPlanSaid).
func TestOptOutSaid(t *testing.T) {
	for _, s := range []string{
		"Hi, I keep getting these reminder messages about my plan renewing and discounts and I really don't want them, I get enough " +
			"marketing from everyone else, so please stop sending me these reminders and offers, I'll renew when I want to. Thanks.",
		"please stop sending me these reminders, I don't want them",
		"I don't want any more reminders",
		"no more marketing emails please",
		"how do I unsubscribe?",
		"can you unsubscribe me from your marketing emails",
		"stop the reminders",
		"Hola, os escribo porque no quiero recibir más recordatorios ni ofertas de vuestra tienda, gracias.",
		"dejad de mandarme mensajes, por favor",
		"no me enviéis más, gracias",
		"quiero darme de baja de los recordatorios",
		"no quiero más ofertas",
		"can you cancel these renewal reminders", "turn off these emails please",
		"cancela mi suscripción a las ofertas", "desactiva las notificaciones",
	} {
		assert.True(t, optOutSaid(s), s)
		assert.False(t, stopPlanSaid(campaignWords(s)), s)
	}
	for _, s := range []string{
		"stop my plan", "how do I stop the renewal?", "I want to stop my subscription", "¿cómo paro la renovación?",
		"quiero anular mi suscripción", "turn off auto renewal",
	} {
		assert.False(t, optOutSaid(s), s)
		assert.True(t, stopPlanSaid(campaignWords(s)), s)
	}
	for _, s := range []string{
		"don't stop sending me offers, I like them", "unsubscribe me from my plan", "I don't need a new lamp",
		"where is my order?", "stop", "I want to cancel my plan", "un descuento para mi plan", "I don't want the offer",
		"cancel my renewal", "cancel the order", "cancela mi pedido",
	} {
		assert.False(t, optOutSaid(s), s)
		assert.False(t, stopPlanSaid(campaignWords(s)), s)
	}
}

// "Why did you message me?" in other words (qa12 F50), with a greeting
// before it; a question about an order is not one.
func TestWhyAsked(t *testing.T) {
	for _, s := range []string{
		"why did you message me?", "¿por qué me mandáis esto?", "hola, ¿por qué me escribes?", "¿por qué me escribís?",
		"¿por qué me habéis escrito?", "Hi, why are you texting me?", "why do you keep messaging me", "why am I getting this?",
		"why have you written to me?", "¿por qué me llega esto?", "oye, ¿por qué me enviáis esto ahora?", "what's this about?",
		"why did you send me this? thanks",
	} {
		assert.True(t, whyAsked(campaignWords(s)), s)
	}
	for _, s := range []string{
		"why did you send me the wrong item?", "why did you cancel my order?", "¿por qué no me llega el pedido?",
		"why is my refund late?", "hola", "¿por qué me cobráis dos veces?",
	} {
		assert.False(t, whyAsked(campaignWords(s)), s)
	}
}

// A change of mind while cancelling the plan names the switch the
// renewal flow confirms, or keeps the plan (qa12 F8).
func TestPlanChoice(t *testing.T) {
	for _, c := range []struct{ text, plan, want string }{
		{"actually no, I'd rather switch to annual", plusPlan.Name, "to_annual"},
		{"en realidad no, prefiero pasarme al plan anual", plusPlan.Name, "to_annual"},
		{"mejor cámbiame al básico", plusPlan.Name, "to_basic"},
		{"can I switch to basic instead?", plusPlan.Name, "to_basic"},
		{"actually I'd rather go monthly", annualPlan.Name, "to_monthly"},
		{"actually I'd rather switch to annual", annualPlan.Name, "kept"},
		{"actually I'll keep it", plusPlan.Name, "kept"},
		{"mejor me quedo", plusPlan.Name, "kept"},
		{"how much is the annual plan?", plusPlan.Name, ""},
		{"it's too expensive", plusPlan.Name, ""},
		{"I don't use it", plusPlan.Name, ""},
		{"no", plusPlan.Name, ""},
		{"the annual price went up", plusPlan.Name, ""},
		{"I'll stay if you make it cheaper", plusPlan.Name, ""},
		{"I'd rather not say", plusPlan.Name, ""},
	} {
		assert.Equal(t, c.want, planChoice(c.text, c.plan), c.text)
	}
}
