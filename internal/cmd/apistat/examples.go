package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// entryPoint reports whether an exported top-level func is one of a
// package's entry points: a constructor (New...), Open, Middleware,
// Handler, Run or Train.
func entryPoint(name string) bool {
	switch name {
	case "Open", "Middleware", "Handler", "Run", "Train":
		return true
	}
	return strings.HasPrefix(name, "New")
}

// withoutExamples returns the entry points declared in files that no
// Example function of the package's test files (testFiles, relative to
// dir) uses.
func withoutExamples(dir string, files []*ast.File, testFiles []string) ([]string, error) {
	var entries []string
	for _, f := range files {
		for _, decl := range f.Decls {
			if d, ok := decl.(*ast.FuncDecl); ok && d.Recv == nil && d.Name.IsExported() && entryPoint(d.Name.Name) {
				entries = append(entries, d.Name.Name)
			}
		}
	}
	if len(entries) == 0 {
		return nil, nil
	}
	used := make(map[string]bool)
	fset := token.NewFileSet()
	for _, name := range testFiles {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		mark := func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				used[id.Name] = true
			}
			return true
		}
		if wholeFileExample(f) {
			// pkg.go.dev shows the whole file as the example.
			ast.Inspect(f, mark)
			continue
		}
		for _, decl := range f.Decls {
			d, ok := decl.(*ast.FuncDecl)
			if !ok || d.Recv != nil || !strings.HasPrefix(d.Name.Name, "Example") || d.Body == nil {
				continue
			}
			ast.Inspect(d.Body, mark)
		}
	}
	var miss []string
	for _, e := range entries {
		if !used[e] && !slices.Contains(miss, e) {
			miss = append(miss, e)
		}
	}
	return miss, nil
}

// reportExamples prints every entry point without an Example and returns
// how many there are.
func reportExamples(w io.Writer, stats []pkgStat) int {
	return reportList(w, "no example", stats, func(s pkgStat) []string { return s.NoExample })
}

// wholeFileExample reports whether go/doc presents the whole test file as
// its one example: a single Example function, no tests, benchmarks or
// fuzz targets, and at least one other declaration.
func wholeFileExample(f *ast.File) bool {
	examples, others := 0, 0
	for _, decl := range f.Decls {
		d, ok := decl.(*ast.FuncDecl)
		if !ok {
			if g, ok := decl.(*ast.GenDecl); !ok || g.Tok != token.IMPORT {
				others++
			}
			continue
		}
		name := d.Name.Name
		switch {
		case d.Recv != nil:
			others++
		case strings.HasPrefix(name, "Example"):
			examples++
		case strings.HasPrefix(name, "Test"), strings.HasPrefix(name, "Benchmark"), strings.HasPrefix(name, "Fuzz"):
			return false
		default:
			others++
		}
	}
	return examples == 1 && others > 0
}
