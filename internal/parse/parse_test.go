package parse

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNumbers(t *testing.T) {
	tests := []struct {
		give string
		want []float64
	}{
		{"thirteen", []float64{13}},
		{"quince", []float64{15}},
		{"thirty", []float64{30}},
		{"thirty-five", []float64{35}},
		{"thirty five shirts", []float64{35}},
		{"treinta y cinco", []float64{35}},
		{"veintidós", []float64{22}},
		{"a hundred and five", []float64{105}},
		{"two thousand three hundred", []float64{2300}},
		{"doscientos cincuenta", []float64{250}},
		{"mil quinientos", []float64{1500}},
		{"one two", []float64{1, 2}},
		{"3 or four", []float64{3, 4}},
		{"2.5 kg", []float64{2.5}},
		{"1,000", []float64{1000}},
		{"2,5", []float64{2.5}},
		{"1.234,56", []float64{1234.56}},
		{"1,234.56", []float64{1234.56}},
		{"-4 degrees", []float64{-4}},
		{"order A-1001 and a1002", nil},
		{"at 5pm", nil},
		{"I once ordered a shirt", nil},
		// "one" standing for a thing is no amount ("how about a refund
		// for this one" got "refund $1.00").
		{"how about a refund for this one", nil},
		{"the other one please", nil},
		{"no one answered", nil},
		{"just one", []float64{1}},
		{"one", []float64{1}},
		{"the one hundred dollars", []float64{100}},
		{"that one, 20 dollars", []float64{20}},
		{"the blanket one", nil},
		{"that blue one please", nil},
		{"refund me one", []float64{1}},
		{"the twenty one", []float64{21}},
		{"and y", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			var got []float64
			for _, n := range Numbers(tt.give) {
				got = append(got, n.Value)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestNumberSpans(t *testing.T) {
	s := "give me thirty-five or 40"
	ns := Numbers(s)
	require.Len(t, ns, 2)
	assert.Equal(t, "thirty-five", s[ns[0].Start:ns[0].End])
	assert.Equal(t, "40", s[ns[1].Start:ns[1].End])
}

func TestMoneys(t *testing.T) {
	tests := []struct {
		give string
		want []string
	}{
		{"it cost $49.99", []string{"$49.99=49.99 USD"}},
		{"me cobraron 20 euros", []string{"20 euros=20 EUR"}},
		{"twenty dollars", []string{"twenty dollars=20 USD"}},
		{"quince dólares", []string{"quince dólares=15 USD"}},
		{"20€ and £5", []string{"20€=20 EUR", "£5=5 GBP"}},
		{"US$ 12", []string{"US$ 12=12 USD"}},
		{"20usd", []string{"20usd=20 USD"}},
		{"30 EUR", []string{"30 EUR=30 EUR"}},
		{"1.234,50 €", []string{"1.234,50 €=1234.5 EUR"}},
		{"3 shirts", nil},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			var got []string
			for _, m := range Moneys(tt.give) {
				got = append(got, tt.give[m.Start:m.End]+"="+m.String())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMoneyIn(t *testing.T) {
	m, ok := MoneyIn("about thirty", "USD")
	require.True(t, ok)
	assert.Equal(t, "30 USD", m.String())
	m, ok = MoneyIn("2 items, 15 euros", "USD")
	require.True(t, ok)
	assert.Equal(t, "15 EUR", m.String(), "an amount with a currency beats a bare number")
	_, ok = MoneyIn("not sure", "USD")
	assert.False(t, ok)
}

// Wednesday 2025-06-11.
var now = time.Date(2025, 6, 11, 10, 0, 0, 0, time.UTC)

func TestDates(t *testing.T) {
	tests := []struct {
		give string
		want []string
	}{
		{"tomorrow", []string{"2025-06-12"}},
		{"next Friday", []string{"2025-06-13"}},
		{"in thirteen days", []string{"2025-06-24"}},
		{"in 3 weeks", []string{"2025-07-02"}},
		{"dentro de quince días", []string{"2025-06-26"}},
		{"hace tres días", []string{"2025-06-08"}},
		{"last week", []string{"2025-06-02/2025-06-08"}},
		{"from May 1 to May 5", []string{"2025-05-01/2025-05-05", "2025-05-01", "2025-05-05"}}, // ranges first; callers resolve overlaps
		{"3 de mayo", []string{"2025-05-03"}},
		{"2025-02-30", nil},
		{"nothing here", nil},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			var got []string
			for _, d := range Dates(tt.give, now) {
				got = append(got, d.Value())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestFirstDate(t *testing.T) {
	d, ok := FirstDate("next week, say thursday", now)
	require.True(t, ok)
	assert.Equal(t, "2025-06-12", d.Format(Layout), "a single date beats a range")
	d, ok = FirstDate("next week", now)
	require.True(t, ok)
	assert.Equal(t, "2025-06-16", d.Format(Layout), "a range gives its first day")
	_, ok = FirstDate("whenever", now)
	assert.False(t, ok)
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"thirty-five", "treinta y cinco", "$1,234.56", "1.234,56 €", "a hundred and five", "in thirteen days",
		"from May 1 to May 5", "20usd", "US$", "-", "-1", "1..2", ",5", "mil mil mil", "y y y", "ñ9",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1024 {
			return
		}
		prev := -1
		for _, n := range Numbers(s) {
			if n.Start < 0 || n.End > len(s) || n.Start >= n.End || n.Start < prev {
				t.Fatalf("Numbers(%q): bad span %+v", s, n)
			}
			if !utf8.ValidString(s) {
				continue
			}
			if !utf8.ValidString(s[n.Start:n.End]) {
				t.Fatalf("Numbers(%q): span %+v splits a character", s, n)
			}
			prev = n.Start
		}
		for _, m := range Moneys(s) {
			if m.Start < 0 || m.End > len(s) || m.Start >= m.End || m.Amount < 0 || m.Currency == "" {
				t.Fatalf("Moneys(%q): bad %+v", s, m)
			}
			if strings.Count(m.String(), " ") != 1 {
				t.Fatalf("Moneys(%q): %q is not \"AMOUNT CODE\"", s, m.String())
			}
		}
		for _, d := range Dates(s, now) {
			if d.Start < 0 || d.End > len(s) || d.Start > d.End || d.To.Before(d.From) || (!d.Range && !d.To.Equal(d.From)) {
				t.Fatalf("Dates(%q): bad %+v", s, d)
			}
		}
		if v, ok := Amount(s); ok && FormatNumber(v) == "" {
			t.Fatalf("Amount(%q) = %v", s, v)
		}
	})
}

func TestYesNo(t *testing.T) {
	for give, want := range map[string]string{
		"yes": "yes", "Yes please!": "yes", "sí": "yes", "Sí, por favor": "yes", "ok.": "yes",
		"no": "no", "No, thanks": "no", "no thank you!": "no", "nope": "no", "No gracias": "no",
		"no, make it 20": "", "yes but later": "", "": "", "noo": "",
		"👍": "yes", "👍🏽": "yes", "✔️": "yes", "👎": "no", "👎🏻": "no", "😡": "", "👍👎": "",
		"Not now.": "no", "No, I'm fine": "no", "I’m good": "no", "Ahora no": "no", "no hace falta": "no", "no, estoy bien": "no",
		"sí, gracias": "yes", "vale": "yes", "Oui": "yes", "ja": "yes", "sim": "yes", "non": "no", "Nein!": "no", "não": "no",
		"ok where is my order": "", "no I want a refund": "", "im": "",
		// Hesitations first, and a yes or no said again in other words.
		"hmm actually no": "no", "Wait, no": "no", "wait no don't": "no", "nah, leave it": "no", "No, forget it.": "no",
		"no, I changed my mind": "no", "please don't": "no", "Um, yes": "yes", "yes, go ahead": "yes", "Yes that's right": "yes",
		"go ahead": "yes", "sounds good": "yes", "pues no": "no", "sí, adelante": "yes", "no, déjalo": "no", "mejor no": "no",
		"wait": "", "actually": "", "hmm": "", "actually I want a refund": "", "no, keep it": "", "no don't cancel": "",
		"yes, cancel it": "", "wait what": "", "no leave it and refund me": "",
	} {
		got, ok := YesNo(give)
		assert.Equal(t, want, got, give)
		assert.Equal(t, want != "", ok, give)
	}
}

func TestQuestion(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"how much is annual", true},
		{"How much is the annual plan?", true},
		{"what’s the difference", true},
		{"where's my order", true},
		{"annual?", true},
		{"¿puedo cancelar", true},
		{"cuánto cuesta el anual", true},
		{"por qué me cobráis dos veces", true},
		{"do you sell shoes", true},
		{"is there a student discount", true},
		{"can I pay with bitcoin", true},
		{"does it come in blue", true},
		{"do it", false},
		{"is broken", false},
		{"can't find my order", false},
		{"switch to annual", false},
		{"que sea anual", false},
		{"como siempre", false},
		{"keep it", false},
		{"", false},
		{"...", false},
	} {
		if got := Question(tc.text); got != tc.want {
			t.Errorf("Question(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestWhole(t *testing.T) {
	for _, s := range []string{
		"all of it", "All of it, please", "everything", "the full amount", "the whole thing", "all", "ALL!",
		"what's left", "the rest", "a full refund", "no, all of it", "yes, the full amount please", "I'd like all of it",
		"make it all", "todo", "Todo el importe", "el total", "lo que queda", "todo lo que queda", "no, mejor todo",
		"¡todo!", "pues todo", "todo, por favor", "el importe completo", "the full amount please, it arrived torn",
		"todo, llegó roto", "esto es una vergüenza, quiero todo mi dinero YA", "I want all my money back now",
	} {
		assert.True(t, Whole(s), s)
	}
	for _, s := range []string{
		"", "no", "not all of it", "no todo", "that's all", "that's all, bye", "eso es todo, gracias", "todo bien",
		"all good", "$20", "half", "everything is broken", "all of it was damaged and I want to talk to someone now please ok",
		"la mitad", "it", "please", "all of it, except the belt", "todo, menos el envío", "all of it, no wait, half",
		"everything, but only $10", "the whole thing, actually no", "it was two items, refund all of it", "my money",
	} {
		assert.False(t, Whole(s), s)
	}
}
