package main

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/intent"
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
	// plan's question): the plan's cancellation starts. Said as the
	// global command is ("cancel", "cancélalo"), it may also mean "stop
	// this": the plan flow asks first (askCancelPhrases, qa12 F51).
	cancelPlanPhrases = wordSet("cancel", "cancel it", "cancel my plan", "cancel the plan", "i want to cancel",
		"i want to cancel my plan", "i want to cancel my subscription", "cancel my subscription",
		"cancelar", "cancela", "cancelalo", "cancelar mi plan", "quiero cancelar", "quiero cancelar mi plan", "cancelar mi suscripcion")
	// "renew" to the renewal reminder (its quick reply "Renew my plan")
	// asks what to change.
	renewPhrases     = wordSet("renew", "renew my plan", "renew it", "change it", "change my plan", "renovar", "renovar mi plan", "cambiarlo", "cambiar mi plan")
	askCancelPhrases = wordSet("cancel", "cancel it", "cancel that", "cancel this", "cancelar", "cancela", "cancelalo")
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
		if optOutSaid(t.Text()) {
			// "please stop sending me these reminders", however long,
			// after a campaign message or not: STOP, with all that STOP
			// does (qa12 F40).
			if _, short := intent.ParseCommand(t.Text()); !short {
				t.Emit(ctx, parley.Event{Kind: intent.EventCommand, Attrs: map[string]string{"command": string(dialog.CommandStop)}})
				t = parley.With(t, dialog.CommandKey, dialog.CommandStop)
			}
			return next.HandleTurn(ctx, w, t)
		}
		words := campaignWords(t.Text())
		// A question of a flow's (the churn offer's "Tell the team | No,
		// thanks") reads its own answers; the menu does not hold a "no".
		q, asked := dialog.OpenQuestion(t)
		asked = asked && !isMenu(q)
		m, ok := proactive.LastMessage(t)
		if !ok || !m.InWindow {
			if !asked && stopPlanSaid(words) && len(words) <= maxStopPlan && r.start != nil {
				// "stop my plan" with nothing asked: the plan flow says
				// when it renews and asks whether to cancel it. Its
				// "stop" is no sign of anger (it got "I'm sorry this has
				// been frustrating" first).
				return r.start("renewal").HandleTurn(ctx, w, t)
			}
		}
		if !ok {
			return next.HandleTurn(ctx, w, t)
		}
		s := t.Session()
		moved, _, _ := movedOnKey.Get(s)
		onIt := !moved.Equal(m.Sent) && !asked
		if !m.InWindow {
			// Days later, "why did you message me?" or "what is this
			// about?" still means the bot's latest message of its own
			// (it got "I'm not sure I have the right answer"); the
			// explanation says when it was sent.
			if whyAsked(words) {
				sent := sentOn(m, r.customerZone(ctx, t.CustomerID))
				return w.Reply(ctx, parley.Text(sent+"\n"+explainCampaign(m, offerExpired(m, t.Time))))
			}
			return next.HandleTurn(ctx, w, t)
		}
		switch {
		case whyAsked(words):
			return w.Reply(ctx, parley.Text(explainCampaign(m, false)))
		case onIt && m.Campaign == "renewal" && keepPhrases[words]:
			// Not a decline: the reply ends the run all the same
			// (ExitOnReply), with no later step.
			return w.Reply(ctx, parley.Text(keptText))
		case onIt && m.Campaign == "renewal" && (askCancelPhrases[words] || stopPlanSaid(words)) && r.start != nil:
			// "cancel", "stop my plan", "how do I stop the renewal?":
			// the plan, most likely, but asked before anything starts.
			return r.start("renewal").HandleTurn(ctx, w, parley.With(t, renewalEntryKey, "cancel_ask"))
		case onIt && m.Campaign == "renewal" && m.Step == "day-7" && (renewPhrases[words] || cancelPlanPhrases[words]) && r.start != nil:
			// The reminder said when the plan renews a moment ago: the
			// plan flow goes on from there, not with the same date again
			// (qa12 F52).
			return r.start("renewal").HandleTurn(ctx, w, parley.With(t, renewalEntryKey, "intent"))
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
// asked for after its reply window: the day is the customer's, in their
// time zone loc (nil: the server's), written out in the reply's language
// (i18n.WithDates).
func sentOn(m proactive.Message, loc *time.Location) string {
	if loc == nil {
		loc = time.Local
	}
	return "I sent you that message on " + m.Sent.In(loc).Format(time.DateOnly) + "."
}

// customerZone returns the time zone of customerID's profile, or nil
// for a visitor, a profile without one or one that does not load.
func (r *retention) customerZone(ctx context.Context, customerID string) *time.Location {
	if customerID == "" || r.profiles == nil {
		return nil
	}
	p, err := r.profiles.Load(ctx, customerID)
	if err != nil || p.TimeZone == "" {
		return nil
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return nil
	}
	return loc
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

// What campaign messages are called, in the customer's words (folded as
// campaignWords folds them): "these reminders", "your marketing emails",
// "estos recordatorios".
const (
	enMessages = `(?:reminders|reminder messages|messages|texts|text messages|emails|e mails|mails|offers|deals|discounts|marketing|marketing emails|promotions|promos|notifications|newsletters?|ads|adverts|spam)`
	esMessages = `(?:mensajes|recordatorios|ofertas|descuentos|correos|emails|avisos|promociones|publicidad|notificaciones|newsletters?|boletin|boletines|anuncios|spam)`
	enDeterm   = `(?:(?:these|those|the|your|all|all the|all these|all your|any|any more|anymore|more|such|any of these|any of your) )?`
	esDeterm   = `(?:(?:estos|estas|esos|esas|los|las|tus|vuestros|vuestras|sus|mas|ningun|ninguna|todos los|todas las) )?`
)

// optOutPattern finds an opt-out anywhere in a message, however long:
// "... so please stop sending me these reminders and offers, I'll renew
// when I want to" (qa12 F40: it started the renewal flow), "no quiero
// recibir más recordatorios". "Stop" in another sense ("stop my plan",
// "how do I stop the renewal?") is no opt-out: stopPlanSaid.
var optOutPattern = regexp.MustCompile(`\b(?:` +
	// English
	`(?:stop|quit|cease) (?:sending|messaging|texting|emailing|mailing|contacting|spamming|bothering|pestering|reminding) (?:me|us)\b|` +
	`(?:stop|quit) (?:sending|messaging|texting|emailing) (?:these|those|your|all|any|them)\b|` +
	`(?:stop|no more|enough) ` + enDeterm + `(?:\w+ )?` + enMessages + `\b|` +
	`(?:dont|do not|dont ever|never) (?:want|need) (?:to (?:get|receive) )?` + enDeterm + `(?:\w+ )?` + enMessages + `\b|` +
	`(?:dont|do not) (?:message|text|email|contact|spam) (?:me|us)\b|` +
	`unsubscribe(?: me)?(?: from ` + enDeterm + `(?:\w+ )?` + enMessages + `)?(?: please)?$|unsubscribe me\b|` +
	`(?:opt|take|remove) me (?:out|off)\b|opt out\b|` +
	// "can you cancel these renewal reminders", "turn off these emails"
	// (QA13 G37: the first started the plan's cancellation).
	`(?:cancel|turn off|switch off|disable|mute) ` + enDeterm + `(?:\w+ )?` + enMessages + `\b|` +
	// Spanish
	`(?:deja|dejad|dejen|deje|dejar|dejes|dejeis) de (?:enviarme|mandarme|escribirme|molestarme|contactarme|spamearme|enviar|mandar|escribir)(?: \w+)?\b|` +
	`no (?:me )?(?:envies|envieis|envien|mandes|mandeis|manden|escribas|escribais|escriban|envieis) (?:mas|nada)\b|` +
	`(?:dejar|deja|dejad|dejen|dejo) de recibir ` + esDeterm + `(?:\w+ )?` + esMessages + `\b|no quiero recibir (?:nada|mas)\b|` +
	`no quiero (?:recibir |que me (?:envieis|envies|envien|mandeis|mandes|manden) )?` + esDeterm + `(?:mas )?(?:\w+ )?` + esMessages + `\b|` +
	`no mas ` + esDeterm + `(?:\w+ )?` + esMessages + `\b|` +
	`(?:darme|dame|dadme|denme|quiero darme|dar) de baja de ` + esDeterm + `(?:la lista|el boletin|\w* ?` + esMessages + `)|` +
	`(?:cancela|cancelad|cancelar|cancelame|anula|anulad|anular|quita|quitad|quitar|quitame|desactiva|desactivad|desactivar) ` +
	`(?:(?:mi|la) suscripcion a )?` + esDeterm + `(?:\w+ )?` + esMessages + `\b|` +
	`desuscribirme|desuscribeme|desuscribidme` +
	`)`)

// notOptOut are words that make a message about opting out something
// else: a question about the plan ("unsubscribe from my plan") or a wish
// to keep getting them ("don't stop sending me offers").
var notOptOut = regexp.MustCompile(`\b(?:dont stop|do not stop|no dejes de|no dejeis de|no dejen de)\b|` +
	`\b(?:unsubscribe|darme de baja|dar de baja) (?:me )?(?:from |de |del )?(?:my |the |mi |el )?(?:plan|subscription|membership|suscripcion)\b`)

// optOutSaid reports whether text says it wants no more of the shop's
// messages, anywhere in it.
func optOutSaid(text string) bool {
	words := campaignWords(text)
	return optOutPattern.MatchString(words) && !notOptOut.MatchString(words)
}

// stopPlanPattern finds "stop" said of the plan: "stop my
// plan", "how do I stop the renewal?", "¿cómo paro la renovación?". To
// the renewal reminder it asks whether to cancel the plan; it is never
// an opt-out.
var stopPlanPattern = regexp.MustCompile(`\b(?:` +
	`(?:stop|end|halt|turn off|switch off) (?:the |my |this |your )?(?:auto |automatic )?(?:plan|subscription|membership|renewal|auto renewal|autorenewal|renewing|payments?|charges|charging me|billing)\b|` +
	`(?:parar|paro|parad|detener|detengo|deten|frenar|freno|anular|anulo|anula|quitar|quito|desactivar|desactivo) (?:la |el |mi |tu |esta |este )?(?:plan|suscripcion|renovacion|renovacion automatica|cobros?|pagos?)\b` +
	`)`)

// maxStopPlan bounds the messages stopPlanSaid starts the plan flow for
// by itself: a longer one may say more, for the rest of the bot.
const maxStopPlan = 60

// stopPlanSaid reports whether words (campaignWords) say stop of the
// plan rather than of the messages.
func stopPlanSaid(words string) bool {
	return stopPlanPattern.MatchString(words) && !optOutPattern.MatchString(words)
}

// whyPattern finds "why did you message me?" in other words, in English
// and Spanish (qa12 F50: "¿por qué me mandáis esto?"), once greetings are
// trimmed (whyAsked). The verbs are those of writing to someone: "why did
// you send me the wrong item?" is not one.
var whyPattern = regexp.MustCompile(`^(?:` +
	`(?:but |so |and |um |uh |erm )?(?:why|how come) (?:did|do|are|have|would|were|is it) (?:you|u|yall|you guys|you people) (?:just |even |keep |still |suddenly )?` +
	`(?:message|messaging|messaged|text|texting|texted|write|writing|written|wrote|send|sending|sent|contact|contacting|contacted|email|emailing|emailed|remind|reminding|reminded|ping|pinging|pinged)` +
	`(?: (?:to )?(?:me|us))?(?: (?:this|that|these|this message|that message|about this|about that|about it|now|today|again|here|for|for this))*|` +
	`why (?:am i|do i|did i|have i|would i) (?:getting|get|receiving|receive|got|received|been getting|been sent)(?: (?:this|these|that|this message|these messages|a message|messages|reminders|this reminder|from you|now|today|again))*|` +
	`(?:y |pero |oye |a ver )?por que (?:me |nos )?(?:estas |estais |estan |esta )?` +
	`(?:escribes|escribis|escriben|escribe|escribiendo|has escrito|habeis escrito|han escrito|ha escrito|escribiste|escribisteis|escribieron|escribio|` +
	`mandas|mandais|mandan|manda|mandando|has mandado|habeis mandado|han mandado|ha mandado|mandaste|mandasteis|mandaron|mando|` +
	`envias|enviais|envian|envia|enviando|has enviado|habeis enviado|han enviado|ha enviado|enviaste|enviasteis|enviaron|envio|` +
	`avisas|avisais|avisan|recuerdas|recordais|recuerdan|contactas|contactais|contactan|has contactado|habeis contactado|han contactado)` +
	`(?: (?:esto|eso|este mensaje|ese mensaje|estos mensajes|ahora|hoy|otra vez|aqui|por aqui))*|` +
	`por que (?:recibo|he recibido|me llega|me llegan|me ha llegado|me han llegado|me llego|me llegaron)(?: (?:esto|eso|este mensaje|estos mensajes|ahora|hoy|otra vez))*` +
	`)$`)

// greetingWords may open a "why" question ("hola, ¿por qué me
// escribes?", "hi, why did you text me?"); whyClosings may close it.
var (
	greetingWords = []string{"hola ", "hi ", "hello ", "hey ", "buenas ", "buenos dias ", "buenas tardes ", "buenas noches ", "oye ",
		"perdona ", "perdon ", "disculpa ", "sorry ", "excuse me ", "um ", "eh ", "ok ", "okay ", "vale ", "hmm ", "wait ", "espera "}
	whyClosings = []string{" thanks", " thank you", " please", " gracias", " por favor"}
)

// whyAsked reports whether words (campaignWords) ask why the bot wrote:
// whyPhrases, or whyPattern after a greeting or before a thanks.
func whyAsked(words string) bool {
	for range 3 {
		trimmed := false
		for _, g := range greetingWords {
			if rest, ok := strings.CutPrefix(words, g); ok {
				words, trimmed = rest, true
			}
		}
		for _, c := range whyClosings {
			if rest, ok := strings.CutSuffix(words, c); ok {
				words, trimmed = rest, true
			}
		}
		if !trimmed {
			break
		}
	}
	return whyPhrases[words] || whyPattern.MatchString(words)
}
