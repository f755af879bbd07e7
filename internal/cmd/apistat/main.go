// Command apistat measures the size of Parley's public API: for every
// package of the core module and of the nested modules (memory/redis,
// memory/postgres, memory/sqlite, channel/web/e2e), the number of exported
// identifiers: exported top-level funcs, types, vars and consts plus the
// exported methods declared on exported types. Struct fields and the
// methods listed inside interface types are not counted (this is how
// issue 11 counted 1,366 identifiers at 2513a9b).
//
// From the repository root:
//
//	go run ./internal/cmd/apistat          # table, flagged packages, total
//	go run ./internal/cmd/apistat -docs    # also list documentation misses
//	go run ./internal/cmd/apistat -examples  # also list entry points no Example uses
//	go run ./internal/cmd/apistat -check   # list misses; exit 1 on a package over its limit or a miss
//
// A documentation miss is a package without a package comment or an
// exported identifier (top-level func, type, var or const, or a method of
// an exported type) without a doc comment starting with its name, as
// pkg.go.dev would show it; a const or var may share its group's comment.
//
// A package is flagged when it is over its limit: 90 identifiers, or 8 for
// a platform package (a package directly under channel/, other than the
// channeltest kit). Commands (package main), internal packages, examples
// and testdata are not public API and are not counted. Build constraints
// are those of the running platform.
package main

import (
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/parleyhq/parley/internal/repo"
)

// Limits on exported identifiers per package.
const (
	packageLimit  = 90
	platformLimit = 8
)

// A pkgStat is the measured API size of one package.
type pkgStat struct {
	Dir   string // slash-separated, relative to the repository root
	Name  string // package name
	Count int
	Limit int

	Undocumented []string // documentation misses, see undocumented
	NoExample    []string // entry points no Example uses, see withoutExamples
}

func (p pkgStat) over() bool { return p.Count > p.Limit }

func main() {
	code, err := run(os.Args[1:], os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "apistat:", err)
	}
	os.Exit(code)
}

func run(args []string, stdout io.Writer) (int, error) {
	fs := flag.NewFlagSet("apistat", flag.ContinueOnError)
	fs.SetOutput(stdout)
	check := fs.Bool("check", false, "exit with status 1 if a package is over its limit or an exported identifier is undocumented")
	examples := fs.Bool("examples", false, "list entry points (New..., Open, Middleware, Handler, Run, Train) that no Example uses")
	docs := fs.Bool("docs", false, "list packages without a package comment and exported identifiers without a doc comment starting with their name")
	rootFlag := fs.String("root", "", "repository root (default: found upwards from the working directory)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, nil
		}
		return 2, err
	}
	root := *rootFlag
	if root == "" {
		var err error
		if root, err = repo.Root(); err != nil {
			return 2, err
		}
	}
	stats, err := scan(root)
	if err != nil {
		return 2, err
	}
	over := report(stdout, stats)
	if *docs || *check {
		over += reportDocs(stdout, stats)
	}
	if *examples {
		reportExamples(stdout, stats)
	}
	if *check && over > 0 {
		return 1, nil
	}
	return 0, nil
}

// report prints the table, the packages over their limits and the total,
// and returns how many packages are over.
func report(w io.Writer, stats []pkgStat) int {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "exported\tlimit\t\tpackage")
	total, over := 0, 0
	for _, s := range stats {
		mark := ""
		if s.over() {
			mark = "OVER"
			over++
		}
		total += s.Count
		fmt.Fprintf(tw, "%8d\t%5d\t%s\t%s\n", s.Count, s.Limit, mark, s.Dir)
	}
	tw.Flush()
	fmt.Fprintf(w, "total: %d exported identifiers in %d packages; %d over the limit\n", total, len(stats), over)
	for _, s := range stats {
		if s.over() {
			fmt.Fprintf(w, "over: %s has %d (limit %d)\n", s.Dir, s.Count, s.Limit)
		}
	}
	return over
}

// scan measures every public package under root, sorted by directory.
func scan(root string) ([]pkgStat, error) {
	var stats []pkgStat
	err := filepath.WalkDir(root, func(path string, d iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if path != root && skipDir(rel, d.Name()) {
			return filepath.SkipDir
		}
		s, ok, err := measure(path)
		if err != nil || !ok {
			return err
		}
		s.Dir = rel
		s.Limit = limit(rel)
		stats = append(stats, s)
		return nil
	})
	slices.SortFunc(stats, func(a, b pkgStat) int { return strings.Compare(a.Dir, b.Dir) })
	return stats, err
}

// skipDir reports whether a directory holds no public API.
func skipDir(rel, name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
		return true
	}
	switch name {
	case "testdata", "vendor", "internal":
		return true
	}
	return rel == "examples"
}

// limit returns the limit for the package in directory rel.
func limit(rel string) int {
	parent, name := filepath.Split(rel)
	if parent == "channel/" && !strings.HasSuffix(name, "test") {
		return platformLimit
	}
	return packageLimit
}

// measure counts the exported identifiers of the package in dir. ok is
// false when dir holds no Go package or a command.
func measure(dir string) (s pkgStat, ok bool, err error) {
	bp, err := build.Default.ImportDir(dir, 0)
	if err != nil {
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			return pkgStat{}, false, nil
		}
		return pkgStat{}, false, err
	}
	if bp.Name == "main" {
		return pkgStat{}, false, nil
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range append(slices.Clone(bp.GoFiles), bp.CgoFiles...) {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution|parser.ParseComments)
		if err != nil {
			return pkgStat{}, false, err
		}
		files = append(files, f)
	}
	noExample, err := withoutExamples(dir, files, append(slices.Clone(bp.TestGoFiles), bp.XTestGoFiles...))
	if err != nil {
		return pkgStat{}, false, err
	}
	return pkgStat{Name: bp.Name, Count: count(files), Undocumented: undocumented(files), NoExample: noExample}, true, nil
}

// count returns the number of exported identifiers declared in the files
// of one package.
func count(files []*ast.File) int {
	names := make(map[string]bool) // "Name" or "Type.Method"
	for _, f := range files {
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if name, ok := funcName(d); ok {
					names[name] = true
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch sp := spec.(type) {
					case *ast.TypeSpec:
						if sp.Name.IsExported() {
							names[sp.Name.Name] = true
						}
					case *ast.ValueSpec:
						for _, n := range sp.Names {
							if n.IsExported() {
								names[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	return len(names)
}

// funcName returns the name of an exported func ("Name") or of an
// exported method of an exported type ("Type.Method"); ok is false for
// anything else.
func funcName(d *ast.FuncDecl) (name string, ok bool) {
	if !d.Name.IsExported() {
		return "", false
	}
	if d.Recv == nil {
		return d.Name.Name, true
	}
	recv := receiverName(d.Recv.List[0].Type)
	return recv + "." + d.Name.Name, ast.IsExported(recv)
}

// receiverName returns the base type name of a method receiver: T for
// T, *T, T[K] and *T[K, V].
func receiverName(expr ast.Expr) string {
	for {
		switch e := expr.(type) {
		case *ast.StarExpr:
			expr = e.X
		case *ast.ParenExpr:
			expr = e.X
		case *ast.IndexExpr:
			expr = e.X
		case *ast.IndexListExpr:
			expr = e.X
		case *ast.Ident:
			return e.Name
		default:
			return ""
		}
	}
}
