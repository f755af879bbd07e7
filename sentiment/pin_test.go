package sentiment

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// This test pins the inference outputs bit for bit: every field of every
// Result of the Model and of the Lexical analyzer (both modes), and the
// featurizer's hashes, buckets and counts, for a set of awkward strings
// and (with PARLEY_TEST_DATA) every row of GoEmotions dev and the VADER
// gold sets. Speed work on the inference code must leave it green;
// testdata/inference.golden was written by the code at bd139ca. A change
// meant to alter outputs (a retrained model, a new rule) regenerates it
// with
//
//	go test ./sentiment -run TestInferencePinned -update-inference
//
// (with PARLEY_TEST_DATA set) and says so in its commit.
//
// Awkward strings are stored whole, one line per string and analyzer;
// data sets as a SHA-256 (first 16 hex digits) per chunk of
// pinChunk rows, so that a failure names the rows to look at.

var updateInference = flag.Bool("update-inference", false, "rewrite testdata/inference.golden from the current code")

const (
	pinGolden = "testdata/inference.golden"
	pinChunk  = 100
)

// pinAwkward are inputs the issue calls out (empty, emoji only, a 10 KB
// paste, mixed scripts, Spanish) and others that reach the rarer paths of
// the tokenisers: URLs, mentions, numbers, shouting, code, elongation,
// curly apostrophes, idioms, "but" clauses, punctuation runs, invalid
// UTF-8, a paste just under MaxText (the 256-token cap).
var pinAwkward = []string{
	"",
	" ",
	"\t\n",
	"😡😡😡",
	"😀🎉👍",
	"👍🏽❤️👨‍👩‍👧",
	strings.Repeat("ERROR 2024-05-01 12:00:01 connection refused at db.go:118 ", 180),
	strings.Repeat("I am so frustrated, the app keeps crashing!!! ", 87),
	strings.Repeat("ok ", 1365),
	"Mi pedido no ha llegado y nadie me responde, ¡es una vergüenza!",
	"Gracias, todo perfecto 😊",
	"¿Dónde está mi reembolso? Llevo tres semanas esperando.",
	"My order 荷物がまだ届きません and I'm ANGRY",
	"Привет, my refund never arrived :(",
	"مرحبا thanks a lot!!",
	"The app is NOT working. Third time I'm writing!!! Fix it ASAP",
	"THIS IS RIDICULOUS",
	"my PDF invoice from UPS is wrong",
	"Robert'); DROP TABLE orders;--",
	"sooo goooood, loooove it",
	"I don’t want to cancel, what are my options?",
	"no",
	"No.",
	"no thanks",
	"cancel",
	"no wait 20",
	"It was good but the delivery was kind of late, yeah right",
	"not bad at all, however the fee is a scam",
	"what?!?! why??",
	"?!",
	"great:) and :D XD <3",
	"email me at bob@example.com or see https://example.com/help?id=3 www.example.org",
	"@united flight UA123 delayed 4 hours, bag lost",
	"never so happy, without doubt the best",
	"kind of bad, sort of good, at least not the worst",
	"the shit! the bomb! broken heart, to die for",
	"\xff\xfe invalid \xc3 utf8",
	"İstanbul ΣΊΣΥΦΟΣ ǅemal",
	"I can't even... how many times do I have to ask?",
	"thank you so much, you rock",
	"Is it any good?",
	"dont like it, doesnt work, isnt fixed",
	"a-b_c.d/e:f test_case http://x.y/z",
	"123 456 7890",
	"'''''",
	"it's O'Brien's",
	strings.Repeat("a", 300),
	strings.Repeat("x", MaxText+1),
}

// pinLine encodes every field of v (a struct, recursively) exactly.
func pinLine(t testing.TB, v any) string {
	t.Helper()
	var b strings.Builder
	var walk func(rv reflect.Value)
	walk = func(rv reflect.Value) {
		switch rv.Kind() {
		case reflect.Struct:
			for i := range rv.NumField() {
				walk(rv.Field(i))
			}
		case reflect.Float64, reflect.Float32:
			b.WriteString(strconv.FormatFloat(rv.Float(), 'g', -1, 64))
			if math.Signbit(rv.Float()) && rv.Float() == 0 {
				b.WriteString("(-)")
			}
			b.WriteByte(' ')
		case reflect.String:
			b.WriteString(strconv.Quote(rv.String()))
			b.WriteByte(' ')
		default:
			t.Fatalf("pinLine: unexpected kind %s", rv.Kind())
		}
	}
	walk(reflect.ValueOf(v))
	return strings.TrimSpace(b.String())
}

// pinFeatures encodes everything the featurizer produces for text with
// the shipped model's configuration: the counts, and a checksum of the
// word hashes and the buckets, in order.
func pinFeatures(m *Model, text string) string {
	var f featurizer
	f.extract(text, m.featureConfig())
	h := sha256.New()
	fmt.Fprint(h, f.hashes, f.feats, f.chars)
	return fmt.Sprintf("%d %d %d %d %t %d %d %d %s", f.words, f.shout, f.excl, f.quest, f.ask,
		len(f.hashes), len(f.feats), len(f.chars), hex.EncodeToString(h.Sum(nil))[:16])
}

type pinAnalyzer struct {
	name string
	out  func(text string) string
}

func pinAnalyzers(t *testing.T) []pinAnalyzer {
	m := newTestModel(t)
	lex, err := NewLexical()
	require.NoError(t, err)
	vader, err := NewLexical(WithMode(ModeVADER))
	require.NoError(t, err)
	return []pinAnalyzer{
		{"model", func(s string) string { return pinLine(t, m.Polarity(s)) }},
		{"parley", func(s string) string { return pinLine(t, lex.Polarity(s)) }},
		{"vader", func(s string) string { return pinLine(t, vader.Polarity(s)) }},
		{"features", func(s string) string { return pinFeatures(m, s) }},
	}
}

// pinSet returns the golden lines of a data set: one checksum per chunk
// of rows and analyzer.
func pinSet(set string, texts []string, as []pinAnalyzer) []string {
	var lines []string
	for _, a := range as {
		for c := 0; c*pinChunk < len(texts); c++ {
			h := sha256.New()
			for _, s := range texts[c*pinChunk : min(len(texts), (c+1)*pinChunk)] {
				fmt.Fprintf(h, "%s\n", a.out(s))
			}
			lines = append(lines, fmt.Sprintf("%s %s rows%d-%d %s", set, a.name, c*pinChunk, min(len(texts), (c+1)*pinChunk)-1, hex.EncodeToString(h.Sum(nil))[:16]))
		}
	}
	return lines
}

func TestInferencePinned(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		// The goldens are amd64's floating point (other architectures
		// fuse multiply-adds; math.Exp has assembly here).
		t.Skip("inference goldens are recorded on amd64")
	}
	as := pinAnalyzers(t)
	got := map[string][]string{}
	for _, a := range as {
		for i, s := range pinAwkward {
			got["awkward"] = append(got["awkward"], fmt.Sprintf("awkward %s %d %s", a.name, i, a.out(s)))
		}
	}
	haveData := false
	if dir := os.Getenv("PARLEY_TEST_DATA"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "sentiment", "goemotions", "dev.tsv")); err == nil {
			haveData = true
		}
	}
	if haveData {
		var dev []string
		for _, r := range readGoEmotions(t, "dev") {
			dev = append(dev, r.text)
		}
		require.Greater(t, len(dev), 5000)
		got["goemotions-dev"] = pinSet("goemotions-dev", dev, as)
		var gold []string
		for _, set := range goldSets {
			for _, r := range readGold(t, set) {
				gold = append(gold, r.text)
			}
		}
		require.Greater(t, len(gold), 10000)
		got["vader-gold"] = pinSet("vader-gold", gold, as)
	}
	sets := []string{"awkward", "goemotions-dev", "vader-gold"}
	if *updateInference {
		require.True(t, haveData, "-update-inference needs PARLEY_TEST_DATA")
		var b strings.Builder
		b.WriteString("# Inference outputs pinned by TestInferencePinned (pin_test.go); regenerate only for a change meant to alter them.\n")
		for _, set := range sets {
			for _, l := range got[set] {
				b.WriteString(l + "\n")
			}
		}
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(pinGolden, []byte(b.String()), 0o644))
		return
	}
	want := map[string][]string{}
	f, err := os.Open(pinGolden)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || l[0] == '#' {
			continue
		}
		set, _, _ := strings.Cut(l, " ")
		want[set] = append(want[set], l)
	}
	require.NoError(t, sc.Err())
	for _, set := range sets {
		t.Run(set, func(t *testing.T) {
			if set != "awkward" && !haveData {
				t.Skip("set PARLEY_TEST_DATA to pin the data sets")
			}
			require.NotEmpty(t, want[set], "golden lines of %s", set)
			require.Equal(t, len(want[set]), len(got[set]), "lines of %s", set)
			bad := 0
			for i := range want[set] {
				if want[set][i] != got[set][i] {
					bad++
					if bad <= 10 {
						t.Errorf("changed:\nwant %s\n got %s", want[set][i], got[set][i])
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d lines changed", bad, len(want[set]))
			}
		})
	}
}

// TestWordScans checks the word-at-a-time scans against byte-wise
// definitions: every byte value in every lane, among neighbours of every
// kind, and random words.
func TestWordScans(t *testing.T) {
	plain := func(b byte) bool { return b >= 0x21 && b < 0x80 }
	lower := func(b byte) bool { return 'a' <= b && b <= 'z' }
	check := func(s string) {
		x := load64(s, 0)
		first := 8
		for k := range 8 {
			if !plain(s[k]) {
				first = k
				break
			}
		}
		if m := plainBytes(x); first == 8 && m != 0 || first < 8 && (m == 0 || bits.TrailingZeros64(m)>>3 != first) {
			t.Fatalf("plainBytes(%q) = %#x, first non-plain byte %d", s, m, first)
		}
		m := notLowerBytes(x)
		for k := range 8 {
			if got := m>>(8*k+7)&1 == 1; got == lower(s[k]) {
				t.Fatalf("notLowerBytes(%q): byte %d (%#x) flagged %v", s, k, s[k], got)
			}
		}
	}
	fills := []byte{'a', 'z', 'A', ' ', 0x00, 0x20, 0x21, 0x60, 0x7b, 0x7f, 0x80, 0xff}
	for lane := range 8 {
		for _, fill := range fills {
			for v := range 256 {
				b := bytes.Repeat([]byte{fill}, 8)
				b[lane] = byte(v)
				check(string(b))
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		var b [8]byte
		for k := range b {
			b[k] = fills[rng.IntN(len(fills))] + byte(rng.IntN(3))
		}
		check(string(b[:]))
	}
}
