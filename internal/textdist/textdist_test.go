package textdist

import "testing"

func TestOSA(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"order", "order", 2, 0},
		{"ordr", "order", 2, 1},
		{"oredr", "order", 2, 1},
		{"trak ordr", "track order", 2, 2},
		{"refund", "track order", 2, 3},
		{"", "abc", 5, 3},
		{"héllo", "hello", 1, 1},
	}
	for _, tt := range tests {
		if got := OSA(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("OSA(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}

func FuzzOSA(f *testing.F) {
	f.Add("kitten", "sitting", 3)
	f.Fuzz(func(t *testing.T, a, b string, limit int) {
		limit = limit % 8
		if limit < 0 {
			limit = -limit
		}
		d := OSA(a, b, limit)
		if d < 0 || d > limit+1 {
			t.Fatalf("OSA(%q, %q, %d) = %d", a, b, limit, d)
		}
		if a == b && d != 0 {
			t.Fatalf("equal strings at distance %d", d)
		}
	})
}
