package idkey

import (
	"strings"
	"testing"
)

func TestSegment(t *testing.T) {
	a := Segment("email", "ada@example.com")
	if len(a) != 32 || strings.Contains(a, "ada") {
		t.Fatalf("Segment = %q, want 32 hex digits without the address", a)
	}
	if a != Segment("email", "ada@example.com") {
		t.Fatal("Segment is not deterministic")
	}
	for _, other := range []string{Segment("phone", "ada@example.com"), Segment("email", "bob@example.com"), Segment("emai", "lada@example.com")} {
		if other == a {
			t.Fatalf("two identifiers share the segment %q", a)
		}
	}
}
