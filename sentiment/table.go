package sentiment

// table is a read-only open-addressing hash table from words to entry
// indexes, faster than a map for the analyzer's one lookup per token
// because the hash is computed while the token is lower-cased.
type table struct {
	mask  uint64
	slots []slot
	keys  []string
}

type slot struct {
	tag uint32 // high hash bits; 0 marks an empty slot
	idx int32
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashString(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

func hashBytes(b []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

func tagOf(h uint64) uint32 { return uint32(h>>32) | 1 }

// newTable indexes keys[i] -> i.
func newTable(index map[string]int32) *table {
	n := uint64(1)
	for n < uint64(len(index))*3 {
		n <<= 1
	}
	t := &table{mask: n - 1, slots: make([]slot, n), keys: make([]string, len(index))}
	for k, i := range index {
		t.keys[i] = k
		h := hashString(k)
		for p := h & t.mask; ; p = (p + 1) & t.mask {
			if t.slots[p].tag == 0 {
				t.slots[p] = slot{tag: tagOf(h), idx: i}
				break
			}
		}
	}
	return t
}

// find returns the index of word b, whose hash is h.
func (t *table) find(b []byte, h uint64) (int32, bool) {
	tag := tagOf(h)
	for p := h & t.mask; ; p = (p + 1) & t.mask {
		s := t.slots[p]
		if s.tag == 0 {
			return 0, false
		}
		if s.tag == tag && t.keys[s.idx] == string(b) {
			return s.idx, true
		}
	}
}
