// Package i18n answers each customer in their language.
//
// A bot's flows, router, escalation policy and help-centre answers are
// written in one language. [Middleware] sits outside all of them: it
// decides the turn's locale (the channel's, or the language detected in
// the text, or the conversation's earlier one, kept in the session) and
// sets [parley.Turn.Locale] for everything it wraps, so that intent
// classifiers and sentiment read the same locale; then it translates every
// reply on its way out with a [Catalog]:
//
//	es:
//	  "Which order is it?": "¿Qué pedido es?"
//	  "I couldn't find order {order} on your account.": "No encuentro el pedido {order} en tu cuenta."
//
// A catalog entry is the message as the bot sends it; {name} stands for a
// part that changes. A message the catalog lacks goes out as written and
// is reported as an [EventMissing] event, so a test that replays the
// bot's conversations in Spanish can insist that nothing is left in
// English.
//
// Translating at the edge keeps the rest of the bot in one language: a
// quick reply keeps its payload, so a tap on "Sí" still sends "Yes", and
// typing the translated title of an offered option counts as tapping it.
package i18n
