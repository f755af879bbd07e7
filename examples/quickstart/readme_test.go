package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADME keeps the README's Quickstart and this program the same, so
// the README's code always compiles.
func TestREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```go\npackage main\n")
	if !ok {
		t.Fatal("README has no Quickstart block starting with package main")
	}
	block, _, _ = strings.Cut(block, "```")
	prog, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(prog), "\npackage main\n")
	if body != block {
		t.Errorf("examples/quickstart/main.go and the README's Quickstart differ:\n--- README\n%s\n--- main.go\n%s", block, body)
	}
}
