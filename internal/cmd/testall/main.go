// Command testall runs every test in the repository: the core module and
// the nested adapter modules (memory/redis, memory/postgres, memory/sqlite,
// channel/web/e2e, analytics/prometheus, analytics/otel, the example
// examples/retention and any other directory with a go.mod), which `go test ./...` at the root does not reach. Before
// running, it says which integration suites will skip because their
// servers are not configured, so nothing passes silently.
//
// From the repository root:
//
//	go run ./internal/cmd/testall              # every test
//	go run ./internal/cmd/testall -race -vet   # what CI runs
//
// Other flags (-run, -count, -short, -v, ...) are passed to go test. It
// ends with a line "testall: N passed, M failed" counting packages, and
// exits non-zero if any module failed.
package main

import (
	"bufio"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/parleyhq/parley/internal/repo"
)

// integration lists the environment variables that enable integration
// suites, with what they need.
var integration = [][3]string{
	{"PARLEY_TEST_REDIS_URL", "Redis store and multi-replica suites (memory/redis)", "redis://127.0.0.1:6379/0"},
	{"PARLEY_TEST_POSTGRES_URL", "PostgreSQL store and multi-replica suites (memory/postgres)", "postgres://postgres@127.0.0.1:5432/parley_test?sslmode=disable"},
	{"PARLEY_TEST_CHROME", "web chat end-to-end suite in headless Chromium (channel/web/e2e)", "/usr/bin/chromium"},
	{"PARLEY_TEST_AXE", "accessibility checks of the widget with axe-core (channel/web/e2e)", "node_modules/axe-core/axe.min.js (npm install axe-core)"},
}

func main() {
	code, err := run(os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testall:", err)
	}
	os.Exit(code)
}

func run(args []string, stdout, stderr io.Writer) (int, error) {
	// -vet and -race are ours; everything else goes to go test.
	var vet, race bool
	var rest []string
	for _, a := range args {
		switch strings.TrimLeft(a, "-") {
		case "vet":
			vet = true
		case "race":
			race = true
		case "h", "help":
			fmt.Fprintln(stdout, "usage: go run ./internal/cmd/testall [-race] [-vet] [go test flags]")
			return 0, nil
		default:
			rest = append(rest, a)
		}
	}
	root, err := repo.Root()
	if err != nil {
		return 2, err
	}
	mods, err := modules(root)
	if err != nil {
		return 2, err
	}
	var skips []string
	for _, it := range integration {
		if os.Getenv(it[0]) == "" {
			skips = append(skips, fmt.Sprintf("testall: SKIP %s: %s is not set (e.g. %s=%s)", it[1], it[0], it[0], it[2]))
		}
	}
	for _, s := range skips {
		fmt.Fprintln(stdout, s)
	}
	testArgs := []string{"test"}
	if race {
		testArgs = append(testArgs, "-race")
	}
	if !slices.ContainsFunc(rest, func(a string) bool { return strings.HasPrefix(strings.TrimLeft(a, "-"), "timeout") }) {
		// The example's golden transcripts take minutes under -race on
		// a loaded 2-core machine: go test's 10-minute default is too
		// close, and 30 minutes was reached once with eight other builds on
		// the machine. The 90-minute CI limit still bounds the whole run.
		testArgs = append(testArgs, "-timeout", "50m")
	}
	testArgs = append(testArgs, rest...)
	testArgs = append(testArgs, "./...")

	var passed, failed int
	var failedMods []string
	for _, m := range mods {
		rel, err := filepath.Rel(root, m)
		if err != nil {
			return 2, err
		}
		fmt.Fprintf(stdout, "testall: module %s\n", rel)
		ok := true
		if vet {
			if err := gocmd(m, stdout, stderr, nil, "vet", "./..."); err != nil {
				ok = false
			}
		}
		p, f, err := gotest(m, stdout, stderr, testArgs)
		passed, failed = passed+p, failed+f
		if err != nil {
			ok = false
		}
		if !ok {
			failedMods = append(failedMods, rel)
		}
	}
	if len(failedMods) > 0 && failed == 0 {
		failed = len(failedMods) // vet or build failures without a FAIL line
	}
	for _, s := range skips { // again, so they are not lost in the scroll
		fmt.Fprintln(stdout, s)
	}
	fmt.Fprintf(stdout, "testall: %d passed, %d failed\n", passed, failed)
	if len(failedMods) > 0 {
		return 1, fmt.Errorf("failures in %s", strings.Join(failedMods, ", "))
	}
	return 0, nil
}

// modules lists the directories holding a go.mod under root, root first.
func modules(root string) ([]string, error) {
	var mods []string
	err := filepath.WalkDir(root, func(path string, d iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root {
			name := d.Name()
			if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" {
				return filepath.SkipDir
			}
		}
		if !d.IsDir() && d.Name() == "go.mod" {
			mods = append(mods, filepath.Dir(path))
		}
		return nil
	})
	slices.Sort(mods) // root sorts first: it is a prefix of the others
	return mods, err
}

func gocmd(dir string, stdout, stderr io.Writer, out io.Writer, args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if out != nil {
		cmd.Stdout = out
	}
	return cmd.Run()
}

// gotest runs go test in dir, copying its output and counting the
// packages that passed and failed.
func gotest(dir string, stdout, stderr io.Writer, args []string) (passed, failed int, err error) {
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(stdout, line)
			switch {
			case strings.HasPrefix(line, "ok  \t"):
				passed++
			case strings.HasPrefix(line, "FAIL\t"):
				failed++
			}
		}
		// Drain whatever is left so the writer never blocks.
		if _, err := io.Copy(io.Discard, pr); err != nil {
			fmt.Fprintln(stderr, "testall:", err)
		}
	}()
	err = gocmd(dir, pw, stderr, nil, args...)
	pw.Close()
	<-done
	return passed, failed, err
}
