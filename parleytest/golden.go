package parleytest

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
)

// RunGolden replays every golden transcript file matching pattern (a
// filepath.Glob pattern such as "testdata/*.txtar"), each as a subtest
// named after the file, and compares what the bot says with the file.
//
// A golden file is a txtar archive: its comment describes the case and
// each file in it is one conversation, played in order against one
// handler from newHandler and one in-memory store, so that a later
// conversation sees what an earlier one left (a customer coming back on
// another channel). The conversation ID is the file's name. In a
// conversation, lines starting "> " are what the customer types ("> [Title]"
// taps a quick reply, a lone ">" sends an empty message), "! name" delivers
// a signal, "~ 2h" lets time pass, "# " lines and blank lines are kept as
// they are; RunGolden
// replays those and compares the whole transcript, the bot's lines
// ("< text", "< [a | b]") included.
//
// Each file runs in its own [synctest.Test] bubble, so "~ 48h" costs no
// real time; newHandler runs inside it, and anything it starts must be
// stopped by a t.Cleanup it registers. When the test binary has a flag
// -update set to true (declare it in the test package:
// flag.Bool("update", false, "rewrite golden files")), differing files are
// rewritten instead of failing.
func RunGolden(t *testing.T, pattern string, newHandler func(t *testing.T) parley.Handler, opts ...Option) {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatalf("parleytest: golden pattern %q: %v", pattern, err)
	}
	if len(files) == 0 {
		t.Fatalf("parleytest: no golden files match %q", pattern)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { runGoldenFile(t, file, newHandler, opts) })
		})
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func runGoldenFile(t *testing.T, file string, newHandler func(*testing.T) parley.Handler, opts []Option) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ar, err := parseTxtar(data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if len(ar.names) == 0 {
		t.Fatalf("%s: no conversation in the archive (add a file such as \"-- transcript --\")", file)
	}
	h := newHandler(t)
	store := memory.NewMap()
	changed := false
	for i, name := range ar.names {
		want := string(ar.data[i])
		got, err := play(t, h, append(opts[:len(opts):len(opts)], WithStore(store), WithConversation(name)), want)
		if err != nil {
			t.Fatalf("%s: %s: %v", file, name, err)
		}
		if got == want {
			continue
		}
		if updating() {
			ar.data[i] = []byte(got)
			changed = true
			continue
		}
		t.Errorf("%s: conversation %q differs (-want +got):\n%s\n(run with -update to accept)", file, name, lineDiff(want, got))
	}
	if changed {
		if err := os.WriteFile(file, ar.format(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("parleytest: rewrote %s", file)
	}
}

// play replays the customer's side of one conversation and returns the
// whole transcript, ending in a newline.
func play(t *testing.T, h parley.Handler, opts []Option, want string) (string, error) {
	c := NewTester(t, h, opts...)
	for n, line := range strings.Split(strings.TrimRight(want, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "> [") && strings.HasSuffix(line, "]"):
			c.Tap(line[3 : len(line)-1])
		case strings.HasPrefix(line, "> "):
			c.Send(line[2:])
		case line == ">":
			c.Send("")
		case strings.HasPrefix(line, "! "):
			c.Signal(strings.TrimSpace(line[2:]), nil)
		case strings.HasPrefix(line, "~ "):
			d, err := time.ParseDuration(strings.TrimSpace(line[2:]))
			if err != nil {
				return "", fmt.Errorf("line %d: bad time step %q: %w", n+1, line, err)
			}
			c.Advance(d)
		case strings.HasPrefix(line, "# "), line == "":
			c.lines = append(c.lines, line)
		case strings.HasPrefix(line, "<"):
		default:
			return "", fmt.Errorf("line %d: a line must start with \"> \", \"< \", \"! \", \"~ \" or \"# \": %q", n+1, line)
		}
	}
	return c.Transcript() + "\n", nil
}

// lineDiff is a small line diff: unchanged lines with two spaces, removed
// lines with "-", added with "+".
func lineDiff(a, b string) string {
	x := strings.Split(strings.TrimRight(a, "\n"), "\n")
	y := strings.Split(strings.TrimRight(b, "\n"), "\n")
	// Longest common subsequence table.
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out bytes.Buffer
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] == y[j]:
			fmt.Fprintf(&out, "  %s\n", x[i])
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			fmt.Fprintf(&out, "- %s\n", x[i])
			i++
		default:
			fmt.Fprintf(&out, "+ %s\n", y[j])
			j++
		}
	}
	for ; i < len(x); i++ {
		fmt.Fprintf(&out, "- %s\n", x[i])
	}
	for ; j < len(y); j++ {
		fmt.Fprintf(&out, "+ %s\n", y[j])
	}
	return out.String()
}

// txtar is a minimal reader and writer of the txtar format
// (golang.org/x/tools/txtar), kept here to stay within the core module's
// dependency list.
type txtar struct {
	comment []byte
	names   []string
	data    [][]byte
}

func parseTxtar(b []byte) (*txtar, error) {
	a := &txtar{}
	lines := bytes.SplitAfter(b, []byte("\n"))
	cur := -1
	for _, l := range lines {
		if name, ok := markerName(l); ok {
			if name == "" {
				return nil, fmt.Errorf("txtar: empty file name in %q", bytes.TrimSpace(l))
			}
			a.names = append(a.names, name)
			a.data = append(a.data, nil)
			cur++
			continue
		}
		if cur < 0 {
			a.comment = append(a.comment, l...)
		} else {
			a.data[cur] = append(a.data[cur], l...)
		}
	}
	return a, nil
}

func markerName(l []byte) (string, bool) {
	s := strings.TrimRight(string(l), "\r\n")
	if !strings.HasPrefix(s, "-- ") || !strings.HasSuffix(s, " --") || len(s) < 6 {
		return "", false
	}
	return strings.TrimSpace(s[3 : len(s)-3]), true
}

func (a *txtar) file(name string) ([]byte, bool) {
	for i, n := range a.names {
		if n == name {
			return a.data[i], true
		}
	}
	return nil, false
}

func (a *txtar) set(name string, data []byte) {
	for i, n := range a.names {
		if n == name {
			a.data[i] = data
			return
		}
	}
	a.names = append(a.names, name)
	a.data = append(a.data, data)
}

func (a *txtar) format() []byte {
	var b bytes.Buffer
	b.Write(a.comment)
	for i, n := range a.names {
		fmt.Fprintf(&b, "-- %s --\n", n)
		b.Write(a.data[i])
		if len(a.data[i]) > 0 && a.data[i][len(a.data[i])-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}
