package proactive

import (
	"testing"
	"time"
)

// FuzzTemplate checks that any template either fails to parse or renders
// without panicking, and that a parsed template with every field present
// renders them all.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"", "Hi {{profile.first_name}}", `{{event.x | "d"}} and {{offer.code}}`, "{{", "{{a}}", `{{a.b | "}}`, "}} {{ x.y }}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		tp, err := parseTemplate(src)
		if err != nil {
			return
		}
		if err := tp.check(true); err != nil {
			return
		}
		if _, err := tp.render(func(ns, name string) (string, bool) { return ns + "." + name, true }); err != nil {
			t.Fatalf("render %q with every field: %v", src, err)
		}
	})
}

// FuzzLedger checks that the send record decoder never panics, and that
// what it decodes encodes back to records it reads the same.
func FuzzLedger(f *testing.F) {
	f.Add(encodeLedger(ledger{Sends: []ledgerEntry{{ID: sendHash("a"), Campaign: "cart", Purpose: Marketing, Unix: time.Unix(1, 0).UnixMilli()}}}))
	f.Add([]byte(ledgerHeader + "12\tm\tc\tid\n"))
	f.Add([]byte("proactive-ledger 1\n\t\t\t\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		l, err := decodeLedger(raw)
		if err != nil {
			return
		}
		again, err := decodeLedger(encodeLedger(l))
		if err != nil {
			t.Fatalf("re-encoded record unreadable: %v", err)
		}
		if len(again.Sends) != len(l.Sends) {
			t.Fatalf("%d sends became %d", len(l.Sends), len(again.Sends))
		}
	})
}
