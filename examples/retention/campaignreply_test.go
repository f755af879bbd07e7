package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

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
	assert.Equal(t, "I sent you that message on 2026-12-01.", sentOn(m))
	m.OfferCode = ""
	assert.False(t, offerExpired(m, sent.Add(30*day)))
}
