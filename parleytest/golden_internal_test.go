package parleytest

import (
	"bytes"
	"testing"
)

func FuzzTxtar(f *testing.F) {
	f.Add([]byte("comment\n-- transcript --\n> hi\n< hello\n"))
	f.Add([]byte("-- a --\n-- b --\nx"))
	f.Add([]byte("-- --\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := parseTxtar(data)
		if err != nil {
			return
		}
		// Formatting and parsing again keeps the files.
		b, err := parseTxtar(a.format())
		if err != nil {
			t.Fatalf("reparse: %v", err)
		}
		if len(a.names) != len(b.names) {
			t.Fatalf("files: %q then %q", a.names, b.names)
		}
		for i := range a.names {
			if a.names[i] != b.names[i] {
				t.Fatalf("name %q then %q", a.names[i], b.names[i])
			}
			want := a.data[i]
			if len(want) > 0 && want[len(want)-1] != '\n' {
				want = append(bytes.Clone(want), '\n')
			}
			if !bytes.Equal(want, b.data[i]) {
				t.Fatalf("file %q: %q then %q", a.names[i], want, b.data[i])
			}
		}
	})
}

func TestLineDiff(t *testing.T) {
	got := lineDiff("> hi\n< Hello\n> bye\n", "> hi\n< Hi!\n> bye\n")
	want := "  > hi\n- < Hello\n+ < Hi!\n  > bye\n"
	if got != want {
		t.Errorf("lineDiff = %q, want %q", got, want)
	}
}
