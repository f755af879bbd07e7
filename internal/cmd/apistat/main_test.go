package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/repo"
)

const sample = `package p

import "context"

type Key[T any] struct{ name string }

func (k Key[T]) Name() string       { return k.name }
func (k *Key[T]) Set(name string)  { k.name = name }
func (k Key[T]) hidden()            {}

type Pair[K comparable, V any] struct{}

func (Pair[K, V]) Swap() {}

type Handler interface {
	HandleTurn(ctx context.Context) error
}

type unexported struct{}

func (unexported) Exported() {}

const (
	A = iota
	b
	C, D = 1, 2
)

var E, f = 1, 2

func New() *Key[int] { return nil }
func helper()        {}

type (
	G int
	h int
)
`

func parse(t *testing.T, srcs ...string) []*ast.File {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	for i, src := range srcs {
		f, err := parser.ParseFile(fset, filepath.Join("x", string(rune('a'+i))+".go"), src, parser.ParseComments)
		require.NoError(t, err)
		files = append(files, f)
	}
	return files
}

func TestCount(t *testing.T) {
	// Key, Key.Name, Key.Set, Pair, Pair.Swap, Handler, A, C, D, E, New, G.
	assert.Equal(t, 12, count(parse(t, sample)))
}

func TestCountDeduplicatesAcrossFiles(t *testing.T) {
	// The same names in files for two platforms count once.
	linux := "//go:build linux\n\npackage p\n\nfunc Open() {}\n\ntype T int\n\nfunc (T) M() {}\n"
	other := "//go:build !linux\n\npackage p\n\nfunc Open() {}\n\ntype T int\n\nfunc (T) M() {}\n"
	assert.Equal(t, 3, count(parse(t, linux, other)))
}

func TestLimit(t *testing.T) {
	tests := []struct {
		give string
		want int
	}{
		{".", 90},
		{"channel", 90},
		{"channel/whatsapp", 8},
		{"channel/web", 8},
		{"channel/channeltest", 90},
		{"channel/web/e2e", 90},
		{"memory/redis", 90},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			assert.Equal(t, tt.want, limit(tt.give))
		})
	}
}

// writeTree writes files (slash-separated paths relative to dir).
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	}
}

func TestScanAndReport(t *testing.T) {
	dir := t.TempDir()
	many := "package chat\n\n"
	for _, n := range []string{"A", "B", "C", "D", "E", "F", "G", "H", "I"} {
		many += "func " + n + "() {}\n"
	}
	writeTree(t, dir, map[string]string{
		"go.mod":                     "module github.com/parleyhq/parley\n",
		"doc.go":                     "package parley\n\nfunc Run() {}\n",
		"root_test.go":               "package parley\n\nfunc TestX() {}\n",
		"memory/map.go":              "package memory\n\ntype Map struct{}\n\nfunc (*Map) Get() {}\n",
		"memory/redis/go.mod":        "module github.com/parleyhq/parley/memory/redis\n",
		"memory/redis/redis.go":      "package redis\n\nfunc New() {}\n",
		"channel/chat/chat.go":       many,
		"internal/x/x.go":            "package x\n\nfunc Hidden() {}\n",
		"cmd/tool/main.go":           "package main\n\nfunc Exported() {}\n",
		"examples/demo/shop/shop.go": "package shop\n\nfunc Buy() {}\n",
		"kb/testdata/t.go":           "package t\n\nfunc T() {}\n",
		"empty/README.md":            "nothing here\n",
	})
	stats, err := scan(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"package", "Run"}, stats[0].Undocumented)
	for i := range stats {
		stats[i].Undocumented, stats[i].NoExample = nil, nil
	}
	assert.Equal(t, []pkgStat{
		{Dir: ".", Name: "parley", Count: 1, Limit: 90},
		{Dir: "channel/chat", Name: "chat", Count: 9, Limit: 8},
		{Dir: "memory", Name: "memory", Count: 2, Limit: 90},
		{Dir: "memory/redis", Name: "redis", Count: 1, Limit: 90},
	}, stats)

	var out bytes.Buffer
	code, err := run([]string{"-root", dir}, &out)
	assert.NotContains(t, out.String(), "undocumented", "only -docs and -check list documentation misses")
	require.NoError(t, err)
	assert.Equal(t, 0, code)
	assert.Contains(t, out.String(), "total: 13 exported identifiers in 4 packages; 1 over the limit\n")
	assert.Contains(t, out.String(), "over: channel/chat has 9 (limit 8)\n")

	out.Reset()
	code, err = run([]string{"-check", "-root", dir}, &out)
	require.NoError(t, err)
	assert.Equal(t, 1, code, "-check fails when a package is over")
}

func TestScanRepository(t *testing.T) {
	stats := scanRepository(t)
	dirs := make(map[string]int)
	for _, s := range stats {
		dirs[s.Dir] = s.Count
	}
	for _, want := range []string{".", "memory", "memory/redis", "memory/postgres", "memory/sqlite", "intent"} {
		assert.Contains(t, dirs, want)
		assert.Positive(t, dirs[want], want)
	}
	assert.NotContains(t, dirs, "internal/cmd/apistat", "commands are not API")
}

// scanRepository scans the repository this test runs in.
func scanRepository(t *testing.T) []pkgStat {
	t.Helper()
	root, err := repo.Root()
	require.NoError(t, err)
	stats, err := scan(root)
	require.NoError(t, err)
	return stats
}

// TestRepositoryWithinLimits is issue 11's API size target, checked by the
// test command: no package over its limit (what -check reports).
func TestRepositoryWithinLimits(t *testing.T) {
	stats := scanRepository(t)
	for _, s := range stats {
		assert.LessOrEqual(t, s.Count, s.Limit, "%s has %d exported identifiers (limit %d): see go run ./internal/cmd/apistat", s.Dir, s.Count, s.Limit)
	}
}

const documented = `// Package p is documented.
package p

// A Key names a value.
type Key[T any] struct{}

// Name returns the key's name.
func (Key[T]) Name() string { return "" }

// The Store keeps values.
type Store struct{}

// Get returns nothing.
func (*Store) Get() {}

// Returns something: does not start with its name.
func (*Store) Put() {}

func (*Store) Delete() {}

// unexported's methods are not on pkg.go.dev.
type unexported struct{}

func (unexported) Exported() {}

// Limits on sizes.
const (
	Small = 1
	Large = 2
)

var Naked = 1

var Trailing = 2 // Trailing is documented at the end of the line.

type (
	// Grouped is documented inside its group.
	Grouped int
	Bare    int
)

// New returns a Store.
func New() *Store { return nil }

// Newer: starts with a longer name than its own.
func Ne() {}
`

func TestUndocumented(t *testing.T) {
	got := undocumented(parse(t, documented))
	assert.Equal(t, []string{"Store.Put", "Store.Delete", "Naked", "Bare", "Ne"}, got)
	assert.Equal(t, []string{"package", "F"}, undocumented(parse(t, "package p\n\nfunc F() {}\n")))
}

func TestCheckFailsOnUndocumented(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"go.mod": "module github.com/parleyhq/parley\n",
		"doc.go": "// Package parley is documented.\npackage parley\n\n// Run runs.\nfunc Run() {}\n\nfunc Stop() {}\n",
	})
	var out bytes.Buffer
	code, err := run([]string{"-check", "-root", dir}, &out)
	require.NoError(t, err)
	assert.Equal(t, 1, code)
	assert.Contains(t, out.String(), "undocumented: . Stop\n")
	assert.Contains(t, out.String(), "undocumented: 1\n")
}

// TestRepositoryDocumented is the brief's documentation rule, checked by
// the test command: every public package has a package comment and every
// exported identifier a doc comment starting with its name (what -docs
// lists and -check fails on).
func TestRepositoryDocumented(t *testing.T) {
	stats := scanRepository(t)
	for _, s := range stats {
		assert.Empty(t, s.Undocumented, "%s: see go run ./internal/cmd/apistat -docs", s.Dir)
	}
}

func TestWithoutExamples(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"go.mod":            "module github.com/parleyhq/parley\n",
		"p/p.go":            "// Package p has three entry points.\npackage p\n\n// New makes.\nfunc New() {}\n\n// Open opens.\nfunc Open() {}\n\n// Middleware wraps.\nfunc Middleware() {}\n\n// Helper is no entry point.\nfunc Helper() {}\n",
		"p/example_test.go": "package p_test\n\nimport \"github.com/parleyhq/parley/p\"\n\nfunc ExampleNew() { p.New() }\n\nfunc TestOpen(t *testing.T) { p.Open() }\n",
		"q/q.go":            "// Package q has one.\npackage q\n\n// Run runs.\nfunc Run() {}\n",
		// A whole-file example: its helper counts.
		"q/example_test.go": "package q_test\n\nimport \"github.com/parleyhq/parley/q\"\n\nfunc helper() { q.Run() }\n\nfunc Example() {}\n",
	})
	var out bytes.Buffer
	code, err := run([]string{"-examples", "-root", dir}, &out)
	require.NoError(t, err)
	assert.Equal(t, 0, code, "-examples only lists")
	assert.Contains(t, out.String(), "no example: p Open\nno example: p Middleware\nno example: 2\n")
}
