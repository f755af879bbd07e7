package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeFile writes body to the file name in dir and returns its path.
func writeFile(t testing.TB, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

// runCmd runs the parley command line args and returns what it wrote to
// stdout and stderr.
func runCmd(args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// runOK runs the command line args, which must succeed (stderr says why
// when it does not), and returns its stdout.
func runOK(t testing.TB, args ...string) string {
	t.Helper()
	out, errOut, err := runCmd(args...)
	require.NoError(t, err, errOut)
	return out
}

// runFails runs the command line args, which must fail.
func runFails(t testing.TB, args ...string) {
	t.Helper()
	_, _, err := runCmd(args...)
	require.Error(t, err, "%q", args)
}

// runJSON runs the command line args, which must succeed, and decodes
// its stdout into rep.
func runJSON(t testing.TB, rep any, args ...string) {
	t.Helper()
	require.NoError(t, json.Unmarshal([]byte(runOK(t, args...)), rep))
}
