package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
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
