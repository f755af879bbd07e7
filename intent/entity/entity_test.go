package entity

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/parleyhq/parley/nlu"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Wednesday 2025-06-11 10:00 in New York.
func input(text string) Input {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		ny = time.FixedZone("EDT", -4*3600)
	}
	return Input{Text: text, Time: time.Date(2025, 6, 11, 14, 0, 0, 0, time.UTC), Location: ny}
}

func values(es []nlu.Entity) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Type+"="+e.Value)
	}
	return out
}

func TestBuiltins(t *testing.T) {
	tests := []struct {
		give string
		want []string
	}{
		{"mail me at Jane.Doe@Example.com", []string{"email=jane.doe@example.com"}},
		{"call +1 (415) 555-0100 please", []string{"phone=+14155550100"}},
		{"it cost $49.99", []string{"money=49.99 USD"}},
		{"me cobraron 20 euros", []string{"money=20 EUR"}},
		{"order #123456 is late", []string{"order_id=123456"}},
		{"I want three shirts", []string{"number=3"}},
		{"deliver it next Friday", []string{"date=2025-06-13"}},
		{"I bought it last week", []string{"daterange=2025-06-02/2025-06-08"}},
		{"in 3 days", []string{"date=2025-06-14"}},
		{"2 weeks ago", []string{"date=2025-05-28"}},
		{"tomorrow", []string{"date=2025-06-12"}},
		{"el viernes próximo", []string{"date=2025-06-13"}},
		{"hace 3 días", []string{"date=2025-06-08"}},
		{"la semana pasada", []string{"daterange=2025-06-02/2025-06-08"}},
		{"on 2025-07-04", []string{"date=2025-07-04"}},
		{"from May 1 to May 5", []string{"daterange=2025-05-01/2025-05-05"}},
		{"3 de mayo", []string{"date=2025-05-03"}},
		{"", nil},
		{"😀😀", nil},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			es, err := Extract(context.Background(), input(tt.give), Builtins()...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, values(es))
			for _, e := range es {
				assert.Equal(t, e.Text, tt.give[e.Start:e.End])
			}
		})
	}
}

func TestDateUsesTimeZone(t *testing.T) {
	// 02:00 UTC on Thursday is still Wednesday evening in New York.
	in := input("today")
	in.Time = time.Date(2025, 6, 12, 2, 0, 0, 0, time.UTC)
	es, err := Date().Extract(context.Background(), in)
	require.NoError(t, err)
	assert.Equal(t, []string{"date=2025-06-11"}, values(es))
}

func TestLookup(t *testing.T) {
	cities := Lookup("city", map[string][]string{"Paris": {"paree"}, "New York": {"NYC", "big apple"}})
	tests := []struct {
		give string
		want []string
	}{
		{"Book a flight to Paris next Friday", []string{"city=Paris", "date=2025-06-13"}},
		{"fly me to new yrok", []string{"city=New York"}},
		{"the big apple", []string{"city=New York"}},
	}
	for _, tt := range tests[:3] {
		t.Run(tt.give, func(t *testing.T) {
			es, err := Extract(context.Background(), input(tt.give), cities, Date())
			require.NoError(t, err)
			assert.Equal(t, tt.want, values(es))
		})
	}
	es, err := cities.Extract(context.Background(), input("to Parsi"))
	require.NoError(t, err)
	require.Len(t, es, 1)
	assert.Less(t, es[0].Confidence, 1.0)
}

func TestRegexAndOrderID(t *testing.T) {
	_, err := RegexFromString("x", "(")
	require.Error(t, err)
	tk := OrderID("ticket", regexp.MustCompile(`(?i)\bTK-?(\d{4})\b`))
	es, err := tk.Extract(context.Background(), input("ticket tk-1234 please"))
	require.NoError(t, err)
	assert.Equal(t, []string{"ticket=1234"}, values(es))
}

func FuzzBuiltins(f *testing.F) {
	f.Add("from May 1 to May 5, call +1 415 555 0100 about $12,50")
	f.Add("hace 3 días el viernes próximo 31/02/2025")
	f.Fuzz(func(t *testing.T, s string) {
		es, err := Extract(context.Background(), input(s), Builtins()...)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Start < 0 || e.End > len(s) || e.Start > e.End {
				t.Fatalf("bad span %+v", e)
			}
		}
	})
}
