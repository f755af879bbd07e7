package main

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// Parcels that arrive damaged or not at all. "My order arrived damaged"
// and "it says delivered but I never got it" are not questions about
// where the order is: the customer knows. The bot says sorry for the
// right thing and offers what a shop does (a replacement, a refund or a
// person), keeping the order so nobody asks for it twice.

// careFlows are the flows of this file, for newEngine.
func careFlows(d deps) []*flow.Builder {
	return []*flow.Builder{parcelFlow(d, "damaged"), parcelFlow(d, "missing"), parcelFlow(d, "wrong"), parcelFlow(d, "incomplete"), praiseFlow(d), noteFlow(d)}
}

// parcelFlow handles a damaged ("damaged") or missing ("missing")
// parcel: it finds the order, says sorry for what happened to it and
// offers a replacement, a refund (the refund flow, with the order kept)
// or a person.
func parcelFlow(d deps, kind string) *flow.Builder {
	// An upset customer has just heard the escalator's "I'm sorry": the
	// empathetic wording does not say it twice.
	sorry := &flow.Say{ID: "sorry", Text: []string{"I'm sorry your {{slots.item}} ({{slots.order}}) arrived damaged: that shouldn't happen."},
		Tones: map[string][]string{"empathetic": {"Your {{slots.item}} ({{slots.order}}) arrived damaged: that shouldn't happen."}}, Next: "fix"}
	subject := "Replacement for a damaged item"
	other := "Which order arrived damaged? Type its number, or \"human\" to talk to a person."
	switch kind {
	case "missing":
		sorry = &flow.Say{ID: "sorry", Text: []string{"I'm sorry your {{slots.item}} ({{slots.order}}) hasn't reached you."},
			Tones: map[string][]string{"empathetic": {"Your {{slots.item}} ({{slots.order}}) is marked delivered but hasn't reached you."}}, Next: "fix"}
		subject = "Replacement for a parcel that never arrived"
	case "wrong": // "you sent me the wrong lamp" (QA13 G5)
		sorry = &flow.Say{ID: "sorry", Text: []string{"I'm sorry: what you got for your {{slots.item}} ({{slots.order}}) isn't what you ordered."},
			Tones: map[string][]string{"empathetic": {"What you got for your {{slots.item}} ({{slots.order}}) isn't what you ordered: that shouldn't happen."}}, Next: "fix"}
		subject, other = "Replacement for a wrong item", "Which order is it? Type its number, or \"human\" to talk to a person."
	case "incomplete": // "the lamp came without the bulb"
		sorry = &flow.Say{ID: "sorry", Text: []string{"I'm sorry your {{slots.item}} ({{slots.order}}) arrived with something missing."},
			Tones: map[string][]string{"empathetic": {"Your {{slots.item}} ({{slots.order}}) arrived with something missing: that shouldn't happen."}}, Next: "fix"}
		subject, other = "Replacement for an incomplete item", "Which order is it? Type its number, or \"human\" to talk to a person."
	}
	return flow.New(kind).Slots("item", "status", "tracking", "why", "retried", "told").Add(
		pickNamedOrder(d, "order"), // itemname.go: "my lamp broke"
		&flow.Ask{ID: "order", Slot: "order", Entity: "order_id", Prompt: []string{"Which order is it? The number starts with A-."},
			Validate: validOrder, MaxAttempts: 3, OnFail: "human", Next: "lookup"},
		&flow.Action{ID: "lookup", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			o, route, err := d.lookupStep(ctx, s)
			if route != "" || err != nil {
				return route, err
			}
			rememberOrder(s.Turn, o.ID) // followup.go: "where is it then?" after a "no" to the choice below
			s.SetSlot("item", o.itemIn(s.Turn.Locale))
			s.SetSlot("status", o.Status)
			s.SetSlot("tracking", o.Tracking)
			if kind == "missing" && o.Status != "delivered" {
				return "on_way", nil
			}
			if kind == "missing" {
				if sess := s.Turn.Session(); sess != nil {
					_ = reportedMissingKey.Set(sess, o.ID) // a string always encodes
				}
				if s.Slot("told") != "" {
					return "told", nil // the order's status said it already (orderFlow)
				}
			}
			if kind != "missing" && o.Status != "shipped" && o.Status != "delivered" {
				return "not_sent", nil
			}
			return "", nil
		}, Routes: map[string]string{"retry": "retry", "missing": "missing", "refused": "refused", "on_way": "on_way", "not_sent": "not_sent", "told": "fix"}, Next: "sorry",
			OnError: "human", ErrorText: []string{"I can't see your order right now: our order system isn't answering."}},
		retryOrder(),
		reaskOrder(),
		notFound(),
		&flow.Say{ID: "refused", Text: []string{"{{slots.why}}"}, Next: "human"},
		sorry,
		// Not delivered yet: say where it is before offering anything.
		&flow.Say{ID: "on_way", Text: []string{"Your {{slots.item}} ({{slots.order}}) isn't marked delivered yet (it's {{slots.status}}), so it may still be on its way."},
			Next: "fix"},
		// Not sent yet (processing, cancelled): it cannot have arrived
		// damaged; perhaps the customer means another order.
		&flow.Say{ID: "not_sent", Text: []string{"Your {{slots.item}} ({{slots.order}}) hasn't left our warehouse yet (it's {{slots.status}}), so it can't have reached you."}, Next: "other"},
		&flow.Ask{ID: "other", Slot: "order", Entity: "order_id", Always: true,
			Prompt:   []string{other},
			Validate: validOrder, MaxAttempts: 2, OnFail: "human", Next: "lookup"},
		&flow.Choice{ID: "fix", Prompt: []string{"How would you like us to put it right?"}, Options: []flow.Option{
			{Title: "Send a replacement", Payload: "replace", Synonyms: []string{"replacement", "replace it", "a new one", "send another", "reemplazo", "uno nuevo"}, Next: "replace"},
			{Title: "Refund it", Payload: "refund", Synonyms: []string{"refund", "money back", "reembolso", "devolucion"}, Next: "refund"},
			{Title: "Talk to a person", Payload: "human", Synonyms: []string{"person", "human", "agent", "persona"}, Next: "human"},
		}, MaxAttempts: 2, OnFail: "human"},
		&flow.Action{ID: "replace", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			_, err := d.act.call(ctx, s, actTicket, ticketArgs{Subject: subject + " (" + s.Slot("order") + ")",
				Body: "Send the customer a new " + s.Slot("item") + " for order " + s.Slot("order") + " and email them a prepaid return label if anything needs to come back."}, false)
			return "", err
		}, Next: "replaced", OnError: "human", ErrorText: []string{"I couldn't file the replacement on our side, sorry."}},
		&flow.Say{ID: "replaced", Text: []string{"Done: our team will send you a new {{slots.item}} for {{slots.order}} and email you within one business day. If you have a photo of the problem, reply to that email with it."},
			Next: "end"},
		// The refund flow finds the order already chosen.
		&flow.Call{ID: "refund", Flow: "refund", Next: "end"},
		&flow.Handoff{ID: "human", Reason: "customer asked for a human"},
		&flow.End{ID: "end", Status: flow.Resolved},
	)
}

// reportedMissingKey keeps the order the customer said never reached
// them although it is marked delivered: asked where it is afterwards
// ("where is it then?", after a "no" to the replacement), the bot does
// not answer "it is delivered" as if they had not said so.
var reportedMissingKey = memory.NewStateKey[string]("example.reported_missing")

// reportedMissing reports whether the customer said in this conversation
// that order id, marked delivered, never reached them.
func reportedMissing(t *parley.Turn, id string) bool {
	got, _, _ := reportedMissingKey.Get(t.Session())
	return id != "" && got == id
}

// careRoutes mounts this file's intents on the router.
func careRoutes(router *intent.Router, e *flow.Engine) {
	router.Handle("damaged_item", e.Starter("damaged"))
	router.Handle("missing_parcel", e.Starter("missing"))
	router.Handle("wrong_item", e.Starter("wrong"))
	router.Handle("incomplete_item", e.Starter("incomplete"))
	router.Handle("praise", e.Starter("praise"))
	router.Handle("leave_feedback", e.Starter("leave_feedback"))
}

// damageWords say something is broken; arrivalWords that it came in a
// parcel or is something the customer bought. Both, in one message, are a
// damaged parcel ("my order arrived damaged", "my lamp broke", "it's
// broken", "mi pedido llegó roto"); "the website is broken" is not, nor
// is "it is broken" said at a refund's amount question. Lower-case
// without accents or apostrophes.
var (
	damageWords = []string{"damaged", "broken", "broke", "smashed", "cracked", "crushed", "torn", "shattered", "faulty", "defective",
		"danado", "danada", "roto", "rota", "rotos", "rotas", "rompio", "estropeado", "estropeada", "defectuoso", "defectuosa"}
	arrivalWords = []string{"arrived", "came", "come", "delivered", "received", "got", "package", "parcel", "order", "box", "delivery",
		"my", "it", "its", "it's", "item", "thing", "product",
		"llego", "llegado", "recibi", "pedido", "paquete", "caja", "entregado", "entregaron", "mi", "producto", "articulo"}
	missingWords = []string{"never got", "never received", "never recieved", "never arrived", "never came", "never showed up", "didnt get", "didnt receive", "did not get", "did not receive",
		"havent received", "have not received", "havent got", "not received", "was stolen", "got stolen", "nunca llego", "nunca recibi", "nunca me llego", "no me ha llegado", "no me llego",
		"no he recibido", "no recibi", "no lo he recibido", "me lo robaron", "lo han robado", "no llego"}
	// wrongWords say the parcel held something else than was ordered;
	// incompleteWords that a part of it was missing (QA13 G5).
	wrongWords = []string{"sent me the wrong", "sent the wrong", "got the wrong", "received the wrong", "delivered the wrong", "wrong item", "wrong product",
		"not what i ordered", "isnt what i ordered", "is not what i ordered", "equivocado", "equivocada", "no es lo que pedi", "no es el que pedi", "no es la que pedi"}
	incompleteWords = []string{"came without", "arrived without", "delivered without", "is missing the", "was missing the", "missing a part", "missing parts",
		"llego sin", "ha llegado sin", "vino sin", "le falta", "le faltaba"}
)

// parcelTrouble reads a message about a parcel that arrived damaged or
// never arrived as that ("damaged_item", "missing_parcel"), not as a
// question about where the order is: the intent model reads "my order
// A-1002 arrived damaged" as order tracking and "it says delivered but I
// never got it" as nothing. A request for a refund, a return or a person
// keeps its own intent.
//
// named finds an order by its item's name: "the lamp broke after two
// days" and the Spanglish "la lamp está broken" name what they bought
// (QA13 G5, G54).
func parcelTrouble(named func(customerID, locale, text string) string) parley.Middleware {
	return func(next parley.Handler) parley.Handler { return parcelTroubleOf(named, next) }
}

// parcelTroubleOf is parcelTrouble around next.
func parcelTroubleOf(named func(customerID, locale, text string) string, next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		u, ok := parley.Value(t, nlu.UnderstandingKey)
		if !ok || keepsIntent[u.Intent.Name] && u.Status == nlu.Understood {
			return next.HandleTurn(ctx, w, t)
		}
		// An answer to a value question ("How much should I refund?":
		// "all of it, it arrived torn") or within a refund is the form's.
		if q, open := dialog.OpenQuestion(t); open && (len(q.Options) == 0 || strings.HasPrefix(q.ID, "refund/")) {
			return next.HandleTurn(ctx, w, t)
		}
		name := ""
		text := unpunctuated(strings.ReplaceAll(t.Text(), "'", ""))
		bought := func() bool { return saysAny(text, arrivalWords) || named(t.CustomerID, t.Locale, text) != "" }
		switch {
		case saysAny(text, missingWords):
			name = "missing_parcel"
		case saysAny(text, damageWords) && bought():
			name = "damaged_item"
		case saysAny(text, stillWords) && hasEntity(u, "order_id") && u.Status != nlu.Understood:
			// "a week and still no shirt": where the shirt is.
			name = "track_order"
		case (saysAny(text, wrongWords) || strings.HasSuffix(strings.TrimSpace(foldAccents.Replace(strings.ToLower(text))), " que no es")) && bought():
			name = "wrong_item"
		case saysAny(text, incompleteWords) && bought():
			name = "incomplete_item"
		case saysAny(text, feedbackWords):
			name = "leave_feedback"
		case saysAny(text, praiseWords) && !saysAny(text, stillWords) && (u.Status != nlu.Understood || chitchat[u.Intent.Name]):
			name = "praise"
		default:
			return next.HandleTurn(ctx, w, t)
		}
		u.Status, u.Intent = nlu.Understood, nlu.Intent{Name: name, Confidence: 1}
		return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
	})
}

// parcelInContext gives a damaged or missing parcel that names no order
// and no item the one order the conversation just talked about: "it says
// delivered but I never got it", right after the bot told where A-1001
// is, is about A-1001 (QA9 F44: "Which order is it?"). named finds an
// order by its item's name ("my shirt arrived torn"), which wins.
func parcelInContext(named func(customerID, locale, text string) string) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			u, ok := parley.Value(t, nlu.UnderstandingKey)
			if !ok || u.Status != nlu.Understood || u.Intent.Name != "missing_parcel" && u.Intent.Name != "damaged_item" ||
				hasEntity(u, "order_id") || named(t.CustomerID, t.Locale, t.Text()) != "" {
				return next.HandleTurn(ctx, w, t)
			}
			if q, open := dialog.OpenQuestion(t); open && len(q.Options) == 0 {
				return next.HandleTurn(ctx, w, t) // a form's answer
			}
			id := recentOrder(t)
			if id == "" {
				return next.HandleTurn(ctx, w, t)
			}
			u.Entities = append(slices.Clone(u.Entities), nlu.Entity{Type: "order_id", Text: id, Value: id, Start: -1, End: -1})
			return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
		})
	}
}

// hasEntity reports whether u holds an entity of type typ.
func hasEntity(u nlu.Understanding, typ string) bool {
	return slices.ContainsFunc(u.Entities, func(e nlu.Entity) bool { return e.Type == typ })
}

// orderNumber finds the shop's order numbers in a message.
var orderNumber = regexp.MustCompile(`\bA-\d{4}\b`)

// recentOrder returns the one order number the last eight messages of the
// conversation (the customer's and the bot's) since the customer's last
// global command ("menu", "cancel") name, or "" when they name none or
// more than one.
func recentOrder(t *parley.Turn) string {
	s := t.Session()
	if s == nil {
		return ""
	}
	found := ""
	recent := s.History[max(0, len(s.History)-8):]
	for i := len(recent) - 2; i >= 0; i-- { // the last entry is this turn's
		if _, cmd := intent.ParseCommand(recent[i].Text); cmd && recent[i].Role == memory.RoleUser {
			recent = recent[i+1:] // "menu", "cancel": what came before is over
			break
		}
	}
	for _, e := range recent {
		if strings.Contains(e.Text, "[1] A-") {
			continue // the customer's orders listed to choose from (followup.go), none of them discussed
		}
		for _, id := range orderNumber.FindAllString(e.Text, -1) {
			if id == "A-1234" {
				continue // the example in "It starts with A-, like A-1234"
			}
			if found != "" && id != found {
				return ""
			}
			found = id
		}
	}
	return found
}

// keepsIntent are the intents a damaged or missing parcel does not
// override: the customer already said what they want done.
var keepsIntent = map[string]bool{"refund": true, "return_item": true, "human": true, "refund_status": true, "callback": true}

// botQuestions are the ways customers ask whether they are talking to a
// bot or a person, lower-case without accents or punctuation.
var botQuestions = []string{
	"is this a bot", "are you a bot", "are you a robot", "is this a robot", "is this a real person", "are you a real person", "are you a person",
	"are you human", "are you a human", "are you real", "am i talking to a bot", "am i talking to a human", "am i talking to a real person",
	"am i talking to a person", "am i chatting with a bot", "is this ai", "are you ai", "are you an ai", "is this automated", "is this a human",
	"es esto un bot", "esto es un bot", "eres un bot", "eres un robot", "eres una persona", "eres una persona real", "eres humano", "eres humana",
	"eres real", "hablo con un bot", "hablo con una persona", "estoy hablando con un bot", "estoy hablando con una persona", "es un bot",
}

// botDisclosure answers "is this a bot?" honestly.
const botDisclosure = `I'm ShopCo's automated assistant, not a person. I can track orders, sort out returns and refunds, change an address or renew your plan. If you'd rather talk to a person from our team, type "human" at any time.`

// disclose answers a customer who asks whether they are talking to a
// bot (F43): honestly, with how to reach a person, and without queueing
// a hand-off they did not ask for ("are you a real person?" read as
// "human"). A longer message that also asks for something goes on as
// usual, and so does a conversation a person owns or waits for (the
// question is for them). An open question stays open for the next answer.
func disclose(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		text := unpunctuated(t.Text())
		if len(strings.Fields(text)) > 8 || !saysAny(text, botQuestions) || escalation.HumanOwns(t) {
			return next.HandleTurn(ctx, w, t)
		}
		return w.Reply(ctx, parley.Text(botDisclosure))
	})
}

// feedbackWords ask to leave feedback; praiseWords are a happy
// customer's (F20), lower-case without accents.
var (
	feedbackWords = []string{"leave feedback", "give feedback", "leave some feedback", "give some feedback", "give you feedback", "leave a review", "have some feedback",
		"have feedback", "i have a suggestion", "make a suggestion", "dejar mi opinion", "dar mi opinion", "dejar una opinion", "dejar un comentario", "tengo una sugerencia", "quiero opinar"}
	praiseWords = []string{"love your shop", "love your store", "love this shop", "love you guys", "love the lamp", "love my order", "love it", "you are great", "youre great",
		"you guys are great", "great service", "amazing service", "excellent service", "best shop", "me encanta", "me encantan", "sois geniales", "muy buen servicio", "excelente servicio"}
)

// stillWords turn praise into sarcasm: "wow, amazing service, a week and
// still no shirt" was thanked for and passed on as praise (QA13 G9).
var stillWords = []string{"still no", "still not", "still nothing", "still hasnt", "still havent", "still waiting", "and still", "yet to",
	"not even", "no sign", "where is", "wheres", "todavia no", "aun no", "sigo esperando", "ni rastro", "donde esta"}

// chitchat are the intents praise may be read as ("thanks", a greeting):
// a task request that also praises keeps its task.
var chitchat = map[string]bool{"thanks": true, "greeting": true, "goodbye": true, "oos": true}

// praiseFlow thanks a happy customer and records what they said for the
// team (a ticket: praise is worth passing on).
func praiseFlow(d deps) *flow.Builder {
	return flow.New("praise").Add(
		&flow.Action{ID: "note", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			_, err := d.act.call(ctx, s, actTicket, ticketArgs{Subject: "Praise from a customer", Body: "The customer wrote: " + s.Turn.Text()}, false)
			return "", err
		}, Next: "thanks", OnError: "glad"},
		&flow.End{ID: "thanks", Status: flow.Resolved, Text: []string{"Thank you, that's lovely to hear! I've passed it on to the team. Anything else I can help with?"}},
		&flow.End{ID: "glad", Status: flow.Resolved, Text: []string{"Thank you, that's lovely to hear! Anything else I can help with?"}},
	)
}

// noteFlow takes the feedback a customer asks to leave and records it
// for the team.
func noteFlow(d deps) *flow.Builder {
	return flow.New("leave_feedback").Add(
		&flow.Ask{ID: "what", Slot: "note", Type: flow.TextSlot, Prompt: []string{"Thank you! What would you like to tell us? It goes straight to the team."}, Next: "note"},
		&flow.Action{ID: "note", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			_, err := d.act.call(ctx, s, actTicket, ticketArgs{Subject: "Feedback from a customer", Body: "The customer wrote: " + s.Slot("note")}, false)
			return "", err
		}, Next: "thanks", OnError: "failed", ErrorText: []string{"Sorry, I couldn't save that just now."}},
		&flow.End{ID: "thanks", Status: flow.Resolved, Text: []string{"Thank you: I've passed it on to the team."}},
		&flow.End{ID: "failed", Status: flow.Unresolved, Text: []string{`Please try again in a little while, or type "human" to tell a person.`}},
	)
}

// unpunctuated is text with question and exclamation marks and full
// stops as spaces, for saysAny ("¡me encanta!", "is this a bot?").
func unpunctuated(text string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune("?¿!¡.", r) {
			return ' '
		}
		return r
	}, text)
}
