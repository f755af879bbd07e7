package main

import (
	"fmt"
	"go/ast"
	"io"
	"strings"
)

// A docMiss is one piece of public API that pkg.go.dev would show
// without documentation: a package without a package comment, or an
// exported identifier whose doc comment is missing or does not start with
// its name.
type docMiss struct {
	Dir  string // slash-separated, relative to the repository root
	Name string // "package", "Name" or "Type.Method"
}

// undocumented returns the documentation misses of one package's files,
// in declaration order. A func, method or type needs a doc comment whose
// first word is its name (after an optional "A", "An" or "The"); a const
// or var needs a doc comment of its own or one on its parenthesized group
// (as go/doc shows it). Methods of unexported types are not checked: they
// are not listed on pkg.go.dev.
func undocumented(files []*ast.File) []string {
	var miss []string
	hasPkgDoc := false
	for _, f := range files {
		if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
			hasPkgDoc = true
		}
	}
	if !hasPkgDoc {
		miss = append(miss, "package")
	}
	seen := make(map[string]bool)
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			miss = append(miss, name)
		}
	}
	for _, f := range files {
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if name, ok := funcName(d); ok && !startsWith(d.Doc, d.Name.Name) {
					add(name)
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch sp := spec.(type) {
					case *ast.TypeSpec:
						if !sp.Name.IsExported() {
							continue
						}
						doc := sp.Doc
						if doc == nil && !d.Lparen.IsValid() {
							doc = d.Doc
						}
						if !startsWith(doc, sp.Name.Name) {
							add(sp.Name.Name)
						}
					case *ast.ValueSpec:
						documented := hasText(sp.Doc) || hasText(d.Doc) || hasText(sp.Comment)
						for _, n := range sp.Names {
							if n.IsExported() && !documented {
								add(n.Name)
							}
						}
					}
				}
			}
		}
	}
	return miss
}

// hasText reports whether a comment group holds any text.
func hasText(g *ast.CommentGroup) bool {
	return g != nil && strings.TrimSpace(g.Text()) != ""
}

// startsWith reports whether the doc comment's first word, after an
// optional article, is name.
func startsWith(g *ast.CommentGroup, name string) bool {
	if g == nil {
		return false
	}
	words := strings.Fields(g.Text())
	if len(words) > 1 {
		switch words[0] {
		case "A", "An", "The":
			words = words[1:]
		}
	}
	if len(words) == 0 {
		return false
	}
	w := strings.TrimRight(words[0], ".,:;")
	return w == name || strings.HasPrefix(w, name+"[") || strings.HasPrefix(w, name+"'")
}

// reportDocs prints every documentation miss and returns how many there
// are.
func reportDocs(w io.Writer, stats []pkgStat) int {
	return reportList(w, "undocumented", stats, func(s pkgStat) []string { return s.Undocumented })
}

// reportList prints one "label: dir item" line for each item list(s)
// gives of each package, then "label: N", and returns N.
func reportList(w io.Writer, label string, stats []pkgStat, list func(pkgStat) []string) int {
	n := 0
	for _, s := range stats {
		for _, m := range list(s) {
			fmt.Fprintf(w, "%s: %s %s\n", label, s.Dir, m)
			n++
		}
	}
	fmt.Fprintf(w, "%s: %d\n", label, n)
	return n
}
