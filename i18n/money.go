package i18n

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// WithMoney writes the US-dollar amounts a reply gives ("$39.00",
// "$1,250", as the bot's messages in English write them) the way the
// reply's language writes them, with the CLDR symbols and separators of
// golang.org/x/text: "39,00 US$" in Spanish, "39,00 $US" in French,
// "39,00 $" in German, "US$ 39,00" in Portuguese; a regional tag's
// symbol and separators count ("39.00 USD" in es-MX). A translation keeps the source's "${amount}" for
// the amount to be written so. English replies are left as they are.
func WithMoney() Option { return func(s *settings) { s.money = true } }

// usd is a dollar amount as English writes it: "$39.00", "$1,250".
var usd = regexp.MustCompile(`(^|[^\pL\pN])\$(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?\b`)

// symbolAfter are the languages that write the currency after the
// amount (CLDR's "#,##0.00 ¤").
var symbolAfter = map[string]bool{"es": true, "fr": true, "de": true, "it": true}

// writeMoney rewrites the dollar amounts in s for locale, whose base
// language is base.
func writeMoney(locale, base, s string) string {
	if base == "en" || !strings.Contains(s, "$") {
		return s
	}
	tag, err := language.Parse(locale)
	if err != nil {
		return s
	}
	p := message.NewPrinter(tag)
	return usd.ReplaceAllStringFunc(s, func(m string) string {
		g := usd.FindStringSubmatch(m)
		v, err := strconv.ParseFloat(strings.ReplaceAll(g[2], ",", ""), 64)
		if err != nil {
			return m
		}
		scale := 0
		if g[3] != "" {
			scale = 2
			c, _ := strconv.Atoi(g[3])
			v += float64(c) / 100
		}
		// The symbol as CLDR gives it for the locale ("US$", "$US",
		// "$"), and the amount with its separators.
		sym, _, _ := strings.Cut(p.Sprint(currency.Symbol(currency.USD.Amount(0))), " ")
		amount := p.Sprint(number.Decimal(v, number.Scale(scale)))
		if symbolAfter[base] {
			return g[1] + amount + " " + sym
		}
		return g[1] + sym + " " + amount
	})
}
