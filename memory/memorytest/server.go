package memorytest

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
)

// ServerURL returns the URL of a store server for integration tests from
// the environment variable env, or skips t when env is unset, naming an
// example value.
func ServerURL(t testing.TB, env, example string) string {
	t.Helper()
	url := os.Getenv(env)
	if url == "" {
		t.Skipf("%s not set (e.g. %s): skipping the integration tests", env, example)
	}
	return url
}

// Namespace returns prefix followed by 12 random hex digits: a fresh name
// for a schema, table or key prefix, so that tests sharing one server do
// not see each other's records.
func Namespace(t testing.TB, prefix string) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b)
}
