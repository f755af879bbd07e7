// Package repo finds the Parley repository for the development commands
// under internal/cmd.
package repo

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// Root returns the directory of the go.mod that declares the parley
// module, searched upwards from the working directory.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/parleyhq/parley\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run it inside the parley repository")
		}
		dir = parent
	}
}
