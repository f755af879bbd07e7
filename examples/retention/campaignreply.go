package main

import (
	"context"
	"strings"
	"time"
	"unicode"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/proactive"
)

// This file answers the customer's replies to a campaign message, within
// its reply window (48 hours): "why did you message me?"
// explains it (later too, with the day it was sent) (why, the offer and until when, and that STOP ends such
// messages); "no thanks" or "not now" declines it, which ends the
// campaign's run (proactive.Engine.Decline) and says so in a line; the
// cart's "Check out now" gives the checkout link again. Outside the
// window, or once the conversation moved on to something else (for a
// decline), these messages go on to the rest of the bot as before.

// movedOnKey keeps the send time of the campaign message the
// conversation moved on from: a "no" after another topic is not a
// decline of the campaign.
var movedOnKey = memory.NewStateKey[time.Time]("example.campaign_moved_on")

// The customer's words, normalised (campaignWords).
var (
	whyPhrases = wordSet("why did you message me", "why did you text me", "why did you write to me", "why did you write me",
		"why are you messaging me", "why did i get this", "why this message", "what is this about", "whats this about",
		"what is this", "whats this", "what's this",
		"why did you send me this", "why are you texting me", "why am i getting this", "why did i get this message",
		"why did you message me about this", "why the reminder", "why are you reminding me",
		"por que me escribes", "por que me has escrito", "por que me escribiste", "por que me mandas esto",
		"por que me escribis", "por que me escribiste esto", "por que me escriben", "por que me escribieron",
		"por que me mandaste esto", "por que me llega esto", "por que recibo esto", "por que me avisas",
		"que es esto", "de que va esto", "de que se trata")
	declinePhrases = wordSet("no thanks", "no thank you", "not now", "no", "nope", "not interested", "maybe later",
		"not today", "not right now", "not yet", "later",
		"no gracias", "ahora no", "no me interesa", "quizas luego", "ahora mismo no", "hoy no", "mas tarde")
	// A "yes" to the renewal reminder ("your plan renews on ...;
	// nothing to do if you're staying") keeps the plan (qa12 F10).
	keepPhrases = wordSet("yes", "yes please", "yeah", "yep", "ok", "okay", "sure", "keep it", "keep my plan", "i am staying",
		"im staying", "thats fine", "sounds good", "fine", "si", "vale", "de acuerdo", "mantenerlo", "me quedo", "perfecto")
	// "cancel" to the renewal reminder is about the plan it reminds of
	// (the choice turn-turn9-cancel-word-is-the-option made for the
	// plan's question): the plan's cancellation starts.
	cancelPlanPhrases = wordSet("cancel", "cancel it", "cancel my plan", "cancel the plan", "i want to cancel",
		"cancelar", "cancela", "cancelalo", "cancelar mi plan", "quiero cancelar")
	// Words around a decline that do not change it: "nah not now
	// thanks" is "not now".
	declineOpeners  = []string{"nah ", "no ", "nope ", "oh ", "hmm ", "um ", "ok ", "okay "}
	declineClosings = []string{" thanks", " thank you", " thx", " cheers", " please", " gracias", " mate"}
	checkoutPhrases = wordSet("checkout", "check out", "check out now", "pagar", "pagar ahora", "terminar la compra")
)

// isDecline reports whether words (campaignWords) decline a campaign
// message, with a filler before it or a thanks after it.
func isDecline(words string) bool {
	for range 2 {
		if declinePhrases[words] {
			return true
		}
		for _, o := range declineOpeners {
			if rest, ok := strings.CutPrefix(words, o); ok && declinePhrases[rest] {
				return true
			}
		}
		trimmed := false
		for _, c := range declineClosings {
			if rest, ok := strings.CutSuffix(words, c); ok {
				words, trimmed = rest, true
				break
			}
		}
		if !trimmed {
			return false
		}
	}
	return false
}

func wordSet(phrases ...string) map[string]bool {
	m := make(map[string]bool, len(phrases))
	for _, p := range phrases {
		m[campaignWords(p)] = true
	}
	return m
}

// campaignWords lowercases s, drops accents (unaccent, datarequest.go) and punctuation and
// collapses spaces: "¿Por qué me escribes?" is "por que me escribes".
func campaignWords(s string) string {
	var b strings.Builder
	space := false
	for _, r := range unaccent.Replace(strings.ToLower(s)) {
		switch {
		case r == '\'', r == '’':
			// accents and apostrophes: "what's" is "whats"
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// declineTexts acknowledge a decline, by campaign.
var declineTexts = map[string]string{
	"abandoned_cart": "No problem, I won't remind you about this cart again.",
	"renewal":        "No problem, I won't remind you about your renewal again.",
	"win_back":       "No problem, I won't send you more offers like this one.",
	"failed_payment": "No problem, I won't remind you about this payment again.",
}

const (
	declineText  = "No problem, I won't send you more messages like this one."
	stopText     = "Reply STOP any time and you won't get messages like this."
	checkoutText = "Here's your checkout link: {url}"
	keptText     = "Great, nothing to do: your plan renews automatically."
)

// campaignReplies is the middleware that answers replies to a campaign
// message. It runs after proactive's middleware, which keeps the
// message (proactive.LastMessage), and before the intents: "what is
// this?" means the message, not the help centre.
func (r *retention) campaignReplies(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Signal != nil || t.Message.Text == "" {
			return next.HandleTurn(ctx, w, t)
		}
		m, ok := proactive.LastMessage(t)
		if !ok {
			return next.HandleTurn(ctx, w, t)
		}
		words := campaignWords(t.Text())
		// A question of a flow's (the churn offer's "Tell the team | No,
		// thanks") reads its own answers; the menu does not hold a "no".
		q, asked := dialog.OpenQuestion(t)
		asked = asked && !isMenu(q)
		s := t.Session()
		moved, _, _ := movedOnKey.Get(s)
		onIt := !moved.Equal(m.Sent) && !asked
		if !m.InWindow {
			// Days later, "why did you message me?" or "what is this
			// about?" still means the bot's latest message of its own
			// (it got "I'm not sure I have the right answer"); the
			// explanation says when it was sent.
			if whyPhrases[words] {
				return w.Reply(ctx, parley.Text(sentOn(m)+"\n"+explainCampaign(m, offerExpired(m, t.Time))))
			}
			return next.HandleTurn(ctx, w, t)
		}
		switch {
		case whyPhrases[words]:
			return w.Reply(ctx, parley.Text(explainCampaign(m, false)))
		case onIt && m.Campaign == "renewal" && keepPhrases[words]:
			// Not a decline: the reply ends the run all the same
			// (ExitOnReply), with no later step.
			return w.Reply(ctx, parley.Text(keptText))
		case onIt && m.Campaign == "renewal" && cancelPlanPhrases[words] && r.start != nil:
			return r.start("renewal").HandleTurn(ctx, w, t)
		case onIt && isDecline(words):
			// A second "no" is acknowledged again; Decline records one.
			if _, _, err := r.eng.Decline(ctx, t); err != nil {
				return err
			}
			text, ok := declineTexts[m.Campaign]
			if !ok {
				text = declineText
			}
			return w.Reply(ctx, parley.Text(text))
		case onIt && checkoutPhrases[words] && m.Event["checkout_url"] != "":
			text := strings.ReplaceAll(checkoutText, "{url}", m.Event["checkout_url"])
			if m.OfferCode != "" {
				text += "\n" + offerSentence(m)
			}
			return w.Reply(ctx, parley.Text(text))
		}
		if s != nil {
			_ = movedOnKey.Set(s, m.Sent) // a time always encodes
		}
		return next.HandleTurn(ctx, w, t)
	})
}

// sentOn says when the campaign message m was sent, for an explanation
// asked for after its reply window: the date is written out in the
// reply's language (i18n.WithDates).
func sentOn(m proactive.Message) string {
	return "I sent you that message on " + m.Sent.Format(time.DateOnly) + "."
}

// expiredText says that a message's code ({code}) has expired, in place
// of "valid until" a day gone by.
const expiredText = "Its code {code} has expired since."

// offerExpired reports whether the code of campaign message m had
// expired at now (the step's Offer.Valid after it was sent); false for a
// message without one.
func offerExpired(m proactive.Message, now time.Time) bool {
	if m.OfferCode == "" {
		return false
	}
	if now.IsZero() {
		now = time.Now()
	}
	for _, c := range append(campaigns(), churnCampaign()) {
		if c.Name != m.Campaign {
			continue
		}
		for _, st := range c.Steps {
			if st.ID == m.Step && st.Offer != nil && st.Offer.Valid > 0 {
				return now.After(m.Sent.Add(st.Offer.Valid))
			}
		}
	}
	return false
}

// explainCampaign says why the message m was sent, its offer (or that
// it expired), and that STOP ends such messages.
func explainCampaign(m proactive.Message, expired bool) string {
	var parts []string
	if m.Reason != "" {
		parts = append(parts, "I messaged you because "+m.Reason+".")
	} else {
		parts = append(parts, "That was one of our messages to customers.")
	}
	switch {
	case m.OfferCode != "" && expired:
		parts = append(parts, strings.ReplaceAll(expiredText, "{code}", m.OfferCode))
	case m.OfferCode != "":
		parts = append(parts, offerSentence(m))
	}
	parts = append(parts, stopText)
	return strings.Join(parts, "\n")
}

func offerSentence(m proactive.Message) string {
	if m.OfferExpires == "" {
		return "Your code is " + m.OfferCode + "."
	}
	return "Your code " + m.OfferCode + " is valid until " + m.OfferExpires + "."
}
