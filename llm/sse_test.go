package llm

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadSSE(t *testing.T) {
	in := ": comment\r\nevent: a\r\ndata: one\r\ndata: two\r\n\r\ndata:three\n\nevent: ignored-without-data\n\ndata: last"
	var got []sseEvent
	for ev, err := range readSSE(strings.NewReader(in)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
	}
	want := []sseEvent{{Event: "a", Data: "one\ntwo"}, {Data: "three"}, {Data: "last"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func FuzzReadSSE(f *testing.F) {
	f.Add("event: x\ndata: {}\n\n")
	f.Add("data: [DONE]\r\n\r\n")
	f.Add(":\n\ndata")
	f.Fuzz(func(t *testing.T, s string) {
		n := 0
		for _, err := range readSSE(strings.NewReader(s)) {
			if err != nil {
				return
			}
			n++
			if n > len(s)+1 {
				t.Fatalf("more events than bytes")
			}
		}
	})
}
