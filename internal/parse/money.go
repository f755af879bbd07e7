package parse

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Money is an amount with its currency found in a text.
type Money struct {
	Start, End int
	Amount     float64
	// Currency is an ISO 4217 code such as "USD".
	Currency string
}

// String writes m as the entities and slots store it: "49.99 USD".
func (m Money) String() string { return FormatNumber(m.Amount) + " " + m.Currency }

// currencySymbols are tried in order: longest first.
var currencySymbols = []struct{ sym, code string }{
	{"US$", "USD"}, {"$", "USD"}, {"€", "EUR"}, {"£", "GBP"}, {"¥", "JPY"},
}

// currencyWords are currency codes and names, English and Spanish,
// lower-case without accents.
var currencyWords = map[string]string{
	"usd": "USD", "dollar": "USD", "dollars": "USD", "buck": "USD", "bucks": "USD", "dolar": "USD", "dolares": "USD",
	"eur": "EUR", "euro": "EUR", "euros": "EUR",
	"gbp": "GBP", "pound": "GBP", "pounds": "GBP", "libra": "GBP", "libras": "GBP",
	"jpy": "JPY", "yen": "JPY", "cad": "CAD", "aud": "AUD", "chf": "CHF",
	"mxn": "MXN", "peso": "MXN", "pesos": "MXN",
}

// currencyAt reports whether s starts with a currency word or symbol.
func currencyAt(s string) bool { _, n := currencyPrefix(s); return n > 0 }

// currencyPrefix returns the currency named by the word or symbol at the
// start of s and its length in bytes.
func currencyPrefix(s string) (string, int) {
	for _, c := range currencySymbols {
		if strings.HasPrefix(s, c.sym) {
			return c.code, len(c.sym)
		}
	}
	n := 0
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		if !unicode.IsLetter(r) {
			break
		}
		n += size
	}
	if n == 0 {
		return "", 0
	}
	if code, ok := currencyWords[stripAccents.Replace(strings.ToLower(s[:n]))]; ok {
		return code, n
	}
	return "", 0
}

// currencySuffix returns the currency symbol ending s and its length.
func currencySuffix(s string) (string, int) {
	for _, c := range currencySymbols {
		if strings.HasSuffix(s, c.sym) {
			return c.code, len(c.sym)
		}
	}
	return "", 0
}

// Moneys finds amounts with a currency in s: a symbol before or after the
// number ("$49.99", "20€"), or a code or currency word after it ("20
// EUR", "twenty dollars", "quince dólares", "20usd"). Negative amounts
// are not money.
func Moneys(s string) []Money {
	var out []Money
	for _, n := range Numbers(s) {
		if n.Value < 0 {
			continue
		}
		before := strings.TrimRight(s[:n.Start], " ")
		if code, size := currencySuffix(before); size > 0 {
			out = append(out, Money{len(before) - size, n.End, n.Value, code})
			continue
		}
		rest := s[n.End:]
		after := strings.TrimLeft(rest, " ")
		if code, size := currencyPrefix(after); size > 0 {
			out = append(out, Money{n.Start, n.End + len(rest) - len(after) + size, n.Value, code})
		}
	}
	return out
}

// MoneyIn reads an answer to "how much?": the first amount with a
// currency, or else the first non-negative number, in currency def.
func MoneyIn(s, def string) (Money, bool) {
	if ms := Moneys(s); len(ms) > 0 {
		return ms[0], true
	}
	for _, n := range Numbers(s) {
		if n.Value >= 0 {
			return Money{n.Start, n.End, n.Value, def}, true
		}
	}
	return Money{}, false
}
