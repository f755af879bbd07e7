package main

import "testing"

// A refund request that asks for everything left ("refund A-1002 in
// full") fills the amount; a negated one does not (QA form12, F26a).
func TestWholeInRequest(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"refund A-1002 in full", true},
		{"refund the whole thing on A-1002", true},
		{"I want all of it back for A-1002", true},
		{"refund the full amount on A-1002, it arrived broken", true},
		{"refund A-1002 but not in full", false},
		{"refund A-1002", false},
		{"refund 20 on A-1002", false},
		{"the fuller amount", false},
	} {
		if got := wholeInRequest(c.text); got != c.want {
			t.Errorf("wholeInRequest(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}
