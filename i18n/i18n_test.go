package i18n_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/i18n"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/parleytest"
)

const catalogYAML = `
es:
  "What's your order number?": "¿Cuál es tu número de pedido?"
  "Your {item} ({order}) has {status}.": "Tu {item} ({order}) {status}."
  "shipped": "ya ha salido"
  "Was this helpful?": "¿Te ha servido?"
  "Yes": "Sí"
  "No": "No"
  "Source: {title} ({url})": "Fuente: {title} ({url})"
`

func newCatalog(t *testing.T) *i18n.Catalog {
	t.Helper()
	c, err := i18n.ReadCatalog(strings.NewReader(catalogYAML))
	require.NoError(t, err)
	return c
}

// translation is one Translate call and what it returns.
type translation struct {
	locale, give, want string
	ok                 bool
}

// checkTranslations checks each of tests against c.
func checkTranslations(t *testing.T, c *i18n.Catalog, tests []translation) {
	t.Helper()
	for _, tt := range tests {
		got, ok := c.Translate(tt.locale, tt.give)
		assert.Equal(t, tt.want, got, tt.give)
		assert.Equal(t, tt.ok, ok, tt.give)
	}
}

func TestTranslate(t *testing.T) {
	c := newCatalog(t)
	checkTranslations(t, c, []translation{
		{"es", "What's your order number?", "¿Cuál es tu número de pedido?", true},
		{"es-MX", "What's your order number?", "¿Cuál es tu número de pedido?", true},
		{"es", "Your Walnut lamp (A-1002) has shipped.", "Tu Walnut lamp (A-1002) ya ha salido.", true},
		{"es", "Shipping is free.\n\nSource: Shipping (https://x.example)", "Shipping is free.\n\nFuente: Shipping (https://x.example)", false},
		{"es", "Something new", "Something new", false},
		{"fr", "Was this helpful?", "Was this helpful?", false},
		{"not a tag!", "Was this helpful?", "Was this helpful?", false},
		{"es", "", "", true},
	})
	assert.Equal(t, []string{"es"}, c.Locales())
}

func TestCatalogReportsEveryProblem(t *testing.T) {
	_, err := i18n.ReadCatalog(strings.NewReader(`
es:
  "Order {order} is late": "El pedido {pedido} llega tarde"
  "": "vacío"
  "Hello": ""
  "{only}": "{only}"
"not a tag!":
  "Hi": "Hola"
`))
	require.Error(t, err)
	for _, want := range []string{"placeholders [order]", "empty source", `"Hello": empty translation`, "besides its placeholders", `locale "not a tag!"`} {
		assert.ErrorContains(t, err, want)
	}
	_, err = i18n.ReadCatalog(strings.NewReader("es: [1, 2]"))
	assert.Error(t, err)

	c := i18n.NewCatalog()
	require.Error(t, c.Add("es", map[string]string{"A {x}": "B", "Fine": "Bien"}))
	got, ok := c.Translate("es", "Fine")
	assert.Equal(t, "Fine", got, "a failed Add adds nothing")
	assert.False(t, ok)
}

// order asks for an order number, then answers with a status and a
// feedback question.
var order = parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	if strings.HasPrefix(t.Text(), "A-") {
		return w.Reply(ctx, parley.Message{Text: "Your lamp (" + t.Text() + ") has shipped.\nWas this helpful?",
			QuickReplies: []parley.QuickReply{{Title: "Yes"}, {Title: "No", Payload: "no"}}})
	}
	return w.Reply(ctx, parley.Text("What's your order number?"))
})

func TestMiddlewareAnswersInTheConversationsLanguage(t *testing.T) {
	var locales []string
	spy := func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			locales = append(locales, t.Locale)
			return next.HandleTurn(ctx, w, t)
		})
	}
	h := parley.Chain(order, i18n.Middleware(newCatalog(t), i18n.WithDetector(intent.DetectLanguage)), spy)
	c := parleytest.NewTester(t, h)
	c.Send("¿dónde está mi pedido?").Expect(parleytest.Exact("¿Cuál es tu número de pedido?"))
	// An order number has no language: the conversation's is kept.
	c.Send("A-1001").Expect(parleytest.Exact("Tu lamp (A-1001) ya ha salido.\n¿Te ha servido?")).ExpectQuickReplies("Sí", "No")
	// Tapping the translated button sends what the bot understands.
	c.Tap("Sí")
	assert.Equal(t, "Yes", c.Session().History[len(c.Session().History)-2].Text, "the tap sends the original title")
	c.Send("where is my order").Expect(parleytest.Exact("What's your order number?"))
	assert.Equal(t, []string{"es", "es", "es", "en"}, locales, "handlers see the turn's locale")
}

func TestMiddlewareReportsMissingTranslations(t *testing.T) {
	h := parley.Chain(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("Something we never translated"))
	}), i18n.Middleware(newCatalog(t)))
	c := parleytest.NewTester(t, h, parleytest.WithLocale("es-ES"))
	c.Send("hola").Expect(parleytest.Exact("Something we never translated")).
		ExpectEvent(i18n.EventMissing, map[string]string{"locale": "es-ES", "text": "Something we never translated"})
}

func TestMiddlewareKeepsCapabilities(t *testing.T) {
	h := parley.Chain(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if err := parley.Typing(ctx, w); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Text("Yes"))
	}), i18n.Middleware(newCatalog(t)))
	rec := parleytest.NewRecorder()
	require.NoError(t, h.HandleTurn(context.Background(), rec, parleytest.NewTurn("hola", parleytest.WithLocale("es"))))
	assert.Equal(t, 1, rec.Typed())
	assert.Equal(t, []string{"Sí"}, rec.Texts())
	assert.Equal(t, "es", rec.Messages()[0].Locale)
}

func TestTranslateSentenceBySentence(t *testing.T) {
	c := i18n.NewCatalog()
	require.NoError(t, c.Add("es", map[string]string{
		"Order numbers look like A-1234.": "Los números de pedido son como A-1234.",
		"Which order is it?":              "¿Qué pedido es?",
		"Your {item} has shipped.":        "Tu {item} ya ha salido.",
	}))
	checkTranslations(t, c, []translation{
		{"es", "Order numbers look like A-1234. Which order is it?", "Los números de pedido son como A-1234. ¿Qué pedido es?", true},
		{"es", "Your lamp has shipped. Something else.", "Tu lamp ya ha salido. Something else.", false},
	})
}

func TestSentencesOfALongerMessage(t *testing.T) {
	c := i18n.NewCatalog()
	require.NoError(t, c.Add("es", map[string]string{
		"What's your order number? It starts with A-, like A-1234.": "¿Cuál es tu número de pedido? Empieza por A-, como A-1234.",
		"Order numbers look like A-1234.":                           "Los números de pedido son como A-1234.",
		// Two messages that translate a sentence differently: neither is used.
		"Sorry. Try again.": "Lo siento. Inténtalo otra vez.",
		"Sorry. Hold on.":   "Perdona. Un momento.",
		// A sentence the catalog holds itself wins over one derived.
		"Thanks. Bye.": "Gracias. Adiós.",
		"Thanks.":      "¡Gracias!",
	}))
	checkTranslations(t, c, []translation{
		// A re-prompt repeats the prompt's first sentence after the error.
		{"es", "Order numbers look like A-1234. What's your order number?", "Los números de pedido son como A-1234. ¿Cuál es tu número de pedido?", true},
		{"es", "It starts with A-, like A-1234.", "Empieza por A-, como A-1234.", true},
		{"es", "Sorry.", "Sorry.", false},
		{"es", "Thanks.", "¡Gracias!", true},
		{"es", "Bye.", "Adiós.", true},
	})
}

func TestTypingATranslatedTitleIsTappingIt(t *testing.T) {
	c := i18n.NewCatalog()
	require.NoError(t, c.Add("es", map[string]string{
		"Keep it": "Mantenerlo", "Which plan?": "¿Qué plan?", "Cancel it": "Cancelarlo",
		"Talk to a human": "Hablar con una persona", "Talk to a person": "Hablar con una persona",
	}))
	var got []string
	h := parley.Chain(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		got = append(got, t.Text())
		opts := []parley.QuickReply{{Title: "Keep it"}, {Title: "Talk to a human"}}
		if err := dialog.Ask(t, dialog.Question{ID: "plan", Owner: "test", Options: opts}); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Message{Text: "Which plan?", QuickReplies: opts})
	}), i18n.Middleware(c))
	tc := parleytest.NewTester(t, h, parleytest.WithLocale("es"))
	tc.Send("hola").Send("mantenerlo.").Send("Hablar con una persona").Send("quiero mantenerlo").Send("Cancelarlo")
	assert.Equal(t, []string{"hola", "Keep it", "Hablar con una persona", "quiero mantenerlo", "Cancelarlo"}, got,
		"a title shared by two messages, a longer text, or a title the question does not offer is left as typed")
}

// The language the customer writes in beats the channel's locale (the
// widget sends the browser's language with every message): a Spanish
// speaker with an English browser is answered in Spanish, short answers
// included.
func TestMiddlewareWrittenLanguageBeatsChannelLocale(t *testing.T) {
	h := parley.Chain(order, i18n.Middleware(newCatalog(t), i18n.WithDetector(intent.DetectLanguage)))
	c := parleytest.NewTester(t, h, parleytest.WithLocale("en-US"))
	c.Send("¿dónde está mi pedido?").Expect(parleytest.Exact("¿Cuál es tu número de pedido?"))
	c.Send("A-1001").Expect(parleytest.Exact("Tu lamp (A-1001) ya ha salido.\n¿Te ha servido?"))
	c.Send("where is my order").Expect(parleytest.Exact("What's your order number?"))
}

// A one-word Spanish greeting as the customer's first message switches a
// conversation from a browser set to English to Spanish, even after a page
// view (a turn without words) came first; a lone word later does not.
func TestFirstWordsBeatChannelLocale(t *testing.T) {
	h := parley.Chain(order, i18n.Middleware(newCatalog(t), i18n.WithDetector(intent.DetectLanguage)))
	c := parleytest.NewTester(t, h, parleytest.WithLocale("en-US"))
	c.Signal("page_view", nil).Expect(parleytest.Exact("What's your order number?"))
	c.Send("hola").Expect(parleytest.Exact("¿Cuál es tu número de pedido?"))
	c.Send("hello").Expect(parleytest.Exact("¿Cuál es tu número de pedido?"))

	en := parleytest.NewTester(t, h, parleytest.WithLocale("en-US"))
	en.Send("hi").Expect(parleytest.Exact("What's your order number?"))
	en.Send("hola").Expect(parleytest.Exact("What's your order number?"))
}

// A single word that tells one offered option from the others in the
// customer's language ("reembolso" for "Devolución o reembolso") taps it;
// a word of two titles, a short word or a longer text is left as typed.
func TestTypingAWordOfOneTranslatedTitleIsTappingIt(t *testing.T) {
	c := i18n.NewCatalog()
	require.NoError(t, c.Add("es", map[string]string{
		"Track my order": "Seguir mi pedido", "Return or refund": "Devolución o reembolso",
		"Order history": "Historial del pedido", "Renew my plan": "Renovar mi plan", "What can I help you with?": "¿En qué te puedo ayudar?",
	}))
	var got []string
	h := parley.Chain(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		got = append(got, t.Text())
		opts := []parley.QuickReply{{Title: "Track my order"}, {Title: "Return or refund"}, {Title: "Order history"}, {Title: "Renew my plan"}}
		if err := dialog.Ask(t, dialog.Question{ID: "menu", Owner: "test", Options: opts}); err != nil {
			return err
		}
		return w.Reply(ctx, parley.Message{Text: "What can I help you with?", QuickReplies: opts})
	}), i18n.Middleware(c))
	tc := parleytest.NewTester(t, h, parleytest.WithLocale("es"))
	tc.Send("hola").Send("Reembolso!").Send("historial").Send("pedido").Send("plan").Send("quiero un reembolso")
	assert.Equal(t, []string{"hola", "Return or refund", "Order history", "pedido", "plan", "quiero un reembolso"}, got)
}

// With WithDates, an ISO date in a reply is written the reply's
// language's way, in the bot's own language too; a string that is not a
// calendar date is left alone.
func TestDatesAreWrittenOut(t *testing.T) {
	synctest.Test(t, datesAreWrittenOut) // today is 2000-01-01: the dates are not near
}

func datesAreWrittenOut(t *testing.T) {
	c := i18n.NewCatalog()
	require.NoError(t, c.Add("es", map[string]string{"Your plan renews on {date}.": "Tu plan se renueva el {date}."}))
	h := parley.Chain(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("Your plan renews on 2026-12-13."))
	}), i18n.Middleware(c, i18n.WithDates()))
	en := parleytest.NewTester(t, h, parleytest.WithLocale("en"))
	en.Send("when").Expect(parleytest.Exact("Your plan renews on December 13, 2026."))
	es := parleytest.NewTester(t, h, parleytest.WithLocale("es"))
	es.Send("cuándo").Expect(parleytest.Exact("Tu plan se renueva el 13 de diciembre de 2026."))

	odd := parley.Chain(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("Ticket 2026-13-45 of 2026-02-01."))
	}), i18n.Middleware(c, i18n.WithDates()))
	parleytest.NewTester(t, odd, parleytest.WithLocale("en")).Send("x").Expect(parleytest.Exact("Ticket 2026-13-45 of February 1, 2026."))
	parleytest.NewTester(t, odd, parleytest.WithLocale("de")).Send("x").Expect(parleytest.Exact("Ticket 2026-13-45 of 1. Februar 2026."))

	plain := parley.Chain(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("Your plan renews on 2026-12-13."))
	}), i18n.Middleware(c))
	parleytest.NewTester(t, plain, parleytest.WithLocale("en")).Send("when").Expect(parleytest.Exact("Your plan renews on 2026-12-13."))
}

// With WithDates, a date at most a week from today is written with its
// weekday and without the year, as people say a near date ("el sábado 8
// de enero"; the demo's renewal reminder said "Saturday, January 8" in
// Spanish replies, QA12 q2); one further away, in full. In the bubble,
// today is Saturday 2000-01-01.
func TestNearDatesHaveTheirWeekday(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := i18n.ReadCatalog(strings.NewReader(`es:
  "Your plan renews on {date}.": "Tu plan se renueva el {date}."
  "Valid until {date}.": "Válido hasta {date}."
  "Sent {date}.": "Enviado {date}."
`))
		require.NoError(t, err)
		say := func(text string) parley.Handler {
			return i18n.Middleware(c, i18n.WithDates())(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
				return w.Reply(ctx, parley.Text(text))
			}))
		}
		for _, tc := range []struct{ locale, text, want string }{
			{"en", "Your plan renews on 2000-01-08.", "Your plan renews on Saturday, January 8."},
			{"es", "Your plan renews on 2000-01-08.", "Tu plan se renueva el sábado 8 de enero."},
			{"es", "Valid until 2000-01-03.", "Válido hasta el lunes 3 de enero."},
			{"es", "Sent 1999-12-27.", "Enviado el lunes 27 de diciembre."},
			{"de", "Your plan renews on 2000-01-08.", "Your plan renews on Samstag, 8. Januar."},
			{"en", "Your plan renews on 2000-01-09.", "Your plan renews on January 9, 2000."},
			{"es", "Your plan renews on 2000-01-09.", "Tu plan se renueva el 9 de enero de 2000."},
			{"es", "Your plan renews on 1999-12-24.", "Tu plan se renueva el 24 de diciembre de 1999."},
		} {
			parleytest.NewTester(t, say(tc.text), parleytest.WithLocale(tc.locale)).Send("x").Expect(parleytest.Exact(tc.want))
		}
		time.Sleep(24 * time.Hour) // Sunday: the 9th is near now
		parleytest.NewTester(t, say("Your plan renews on 2000-01-09."), parleytest.WithLocale("es")).Send("x").
			Expect(parleytest.Exact("Tu plan se renueva el domingo 9 de enero."))
	})
}

// With WithDates, a date with a time and a zone is written with its
// weekday and the zone's city in the reply's language, short in a
// button; a button that is nothing but such a time needs no
// translation.
func TestTimesAreWrittenOut(t *testing.T) {
	c, err := i18n.ReadCatalog(strings.NewReader(`es:
  "We'll call you {when}.": "Te llamaremos el {when}."
  "Keep waiting": "Seguir esperando"
`))
	require.NoError(t, err)
	h := i18n.Middleware(c, i18n.WithDates())(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
		return w.Reply(ctx, parley.Message{Text: "We'll call you 2026-12-11 14:00 America/New_York.",
			QuickReplies: []parley.QuickReply{{Title: "2026-12-07 09:30 Europe/London", Payload: "slot"}, {Title: "2026-12-07 10:00 UTC+05:30"}, {Title: "Keep waiting"}}})
	}))
	en := parleytest.NewTester(t, h, parleytest.WithLocale("en"))
	en.Send("x").Expect(parleytest.Exact("We'll call you Friday, December 11, 2:00 pm New York time.")).
		ExpectQuickReplies("Mon, Dec 7, 9:30 am London time", "Mon, Dec 7, 10:00 am UTC+5:30", "Keep waiting")
	es := parleytest.NewTester(t, h, parleytest.WithLocale("es"))
	es.Send("x").Expect(parleytest.Exact("Te llamaremos el viernes 11 de diciembre, 14:00 hora de Nueva York.")).
		ExpectQuickReplies("lun 7 de dic, 09:30 hora de Londres", "lun 7 de dic, 10:00 UTC+5:30", "Seguir esperando")
	// A city the Spanish table lacks is named by its offset, never in
	// English inside a Spanish sentence.
	kt := i18n.Middleware(c, i18n.WithDates())(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
		return w.Reply(ctx, parley.Text("We'll call you 2026-12-11 14:00 Asia/Kathmandu."))
	}))
	parleytest.NewTester(t, kt, parleytest.WithLocale("es")).Send("x").Expect(parleytest.Exact("Te llamaremos el viernes 11 de diciembre, 14:00 UTC+5:45."))
	for _, e := range es.Events() {
		require.NotEqual(t, i18n.EventMissing, e.Kind, e.Attrs["text"])
	}
}

// With WithMoney, a dollar amount kept as "${amount}" in a translation
// is written with the language's symbol and separators; English is left
// alone.
func TestMoneyIsWrittenOut(t *testing.T) {
	c, err := i18n.ReadCatalog(strings.NewReader(`es:
  "There's ${paid} left to refund on it.": "Quedan ${paid} por reembolsar."
  "Refunds over ${limit} need an OK.": "Los reembolsos de más de ${limit} necesitan un visto bueno."
fr:
  "There's ${paid} left to refund on it.": "Il reste ${paid} à rembourser."
pt:
  "There's ${paid} left to refund on it.": "Faltam ${paid} para reembolsar."
`))
	require.NoError(t, err)
	say := func(text string) parley.Handler {
		return i18n.Middleware(c, i18n.WithMoney())(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
			return w.Reply(ctx, parley.Text(text))
		}))
	}
	left := say("There's $1,039.50 left to refund on it.")
	for locale, want := range map[string]string{
		"en":    "There's $1,039.50 left to refund on it.",
		"es":    "Quedan 1.039,50 US$ por reembolsar.",
		"es-MX": "Quedan 1,039.50 USD por reembolsar.",
		"fr":    "Il reste 1\u00a0039,50 $US à rembourser.",
		"pt":    "Faltam US$ 1.039,50 para reembolsar.",
	} {
		parleytest.NewTester(t, left, parleytest.WithLocale(locale)).Send("x").Expect(parleytest.Exact(want))
	}
	parleytest.NewTester(t, say("Refunds over $50 need an OK."), parleytest.WithLocale("es")).Send("x").
		Expect(parleytest.Exact("Los reembolsos de más de 50 US$ necesitan un visto bueno."))
}

// The conversation's language can be read and set outside a turn: a
// session set to Spanish is answered in Spanish even for a message with
// no language of its own, and reads back what the middleware kept.
func TestSessionLocale(t *testing.T) {
	h := parley.Chain(order, i18n.Middleware(newCatalog(t), i18n.WithDetector(intent.DetectLanguage)))
	turn := parleytest.NewTurn("A-1001")
	s := turn.Session()
	assert.Empty(t, i18n.SessionLocale(s), "none kept yet")
	require.Error(t, i18n.SetSessionLocale(s, "not a tag!"))
	assert.Empty(t, i18n.SessionLocale(s), "a bad tag is not kept")
	require.NoError(t, i18n.SetSessionLocale(s, "es-MX"))
	rec := parleytest.NewRecorder()
	require.NoError(t, h.HandleTurn(context.Background(), rec, turn))
	assert.Equal(t, []string{"Tu lamp (A-1001) ya ha salido.\n¿Te ha servido?"}, rec.Texts())

	require.NoError(t, h.HandleTurn(context.Background(), rec, parleytest.NewTurn("where is my order please", parleytest.WithSession(s))))
	assert.Equal(t, "en", i18n.SessionLocale(s), "the customer's own language is kept")
}

// A Spanish day in a sentence takes its article ("¿Te llamamos al 600 123
// 456, el jueves 10 de diciembre...?", QA10): not twice after a template's
// own "el" or "al", not at the start of a line, not in a button.
func TestSpanishTimesTakeTheArticle(t *testing.T) {
	c, err := i18n.ReadCatalog(strings.NewReader(`es:
  "Shall we call you on {phone}, {when}?": "¿Te llamamos al {phone}, {when}?"
  "Our team is back {when}.": "Nuestro equipo vuelve el {when}."
  "Valid until {when}.": "Válido hasta {when}."
`))
	require.NoError(t, err)
	for _, tc := range []struct{ in, want string }{
		{"Shall we call you on 600 123 456, 2026-12-10 15:00 Europe/Madrid?", "¿Te llamamos al 600 123 456, el jueves 10 de diciembre, 15:00 hora de Madrid?"},
		{"Our team is back 2026-12-14 08:00 America/New_York.", "Nuestro equipo vuelve el lunes 14 de diciembre, 08:00 hora de Nueva York."},
		{"Valid until 2026-12-14 08:00 America/New_York.", "Válido hasta el lunes 14 de diciembre, 08:00 hora de Nueva York."},
		{"2026-12-14 08:00 America/New_York", "lunes 14 de diciembre, 08:00 hora de Nueva York"},
	} {
		h := i18n.Middleware(c, i18n.WithDates())(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, _ *parley.Turn) error {
			return w.Reply(ctx, parley.Message{Text: tc.in, QuickReplies: []parley.QuickReply{{Title: "2026-12-10 15:00 Europe/Madrid"}}})
		}))
		parleytest.NewTester(t, h, parleytest.WithLocale("es")).Send("x").Expect(parleytest.Exact(tc.want)).
			ExpectQuickReplies("jue 10 de dic, 15:00 hora de Madrid")
	}
}

// Tapping a translated quick reply sends the bot's own (English) words,
// which must not turn a Spanish conversation English (QA10: a Spanish
// help-centre suggestion answered in English, the conversation English
// from then on), whether or not a question is open; typed English still
// does.
func TestATapKeepsTheConversationsLanguage(t *testing.T) {
	c, err := i18n.ReadCatalog(strings.NewReader(`es:
  "Did you mean one of these?": "¿Te refieres a una de estas?"
  "How much does shipping cost?": "¿Cuánto cuesta el envío?"
  "How long does shipping take?": "¿Cuánto tarda el envío?"
  "Shipping is free over $50.": "El envío es gratis a partir de 50 $."
  "What can I help you with?": "¿En qué te ayudo?"
`))
	require.NoError(t, err)
	var locales []string
	h := i18n.Middleware(c, i18n.WithDetector(intent.DetectLanguage))(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		locales = append(locales, t.Locale)
		switch t.Text() {
		case "How much does shipping cost?":
			return w.Reply(ctx, parley.Text("Shipping is free over $50."))
		case "envío", "shipping please":
			return w.Reply(ctx, parley.Message{Text: "Did you mean one of these?",
				QuickReplies: []parley.QuickReply{{Title: "How much does shipping cost?"}, {Title: "How long does shipping take?"}}})
		}
		return w.Reply(ctx, parley.Text("What can I help you with?"))
	}))
	// The browser is English; the customer writes Spanish.
	tc := parleytest.NewTester(t, h, parleytest.WithLocale("en-US"), parleytest.WithChannel("web"))
	tc.Send("hola").Expect(parleytest.Exact("¿En qué te ayudo?"))
	tc.Send("envío").ExpectQuickReplies("¿Cuánto cuesta el envío?", "¿Cuánto tarda el envío?")
	tc.Tap("¿Cuánto cuesta el envío?").Expect(parleytest.Exact("El envío es gratis a partir de 50 $."))
	// The next reply has no quick replies: the taps are forgotten, and
	// the title typed in English, three words and more, is English.
	tc.Send("How much does shipping cost?").Expect(parleytest.Exact("Shipping is free over $50."))
	assert.Equal(t, []string{"es", "es", "es", "en"}, locales)
}
