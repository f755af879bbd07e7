package sentiment

// table is a read-only open-addressing hash table from words to entry
// indexes, faster than a map for the analyzer's one lookup per token
// because the hash is computed while the token is lower-cased. A slot
// holds where its key's bytes are in one arena, so that a lookup reads
// one slot and one run of bytes, not a string header and then the
// string's bytes elsewhere.
type table struct {
	mask  uint64
	slots []slot
	arena []byte // the keys' bytes, back to back
}

type slot struct {
	tag uint32 // high hash bits; 0 marks an empty slot
	idx int32
	off uint32 // the key is arena[off : off+n]
	n   uint32
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
	for n < uint64(len(index))*2 {
		n <<= 1
	}
	keys := make([]string, len(index))
	size := 0
	for k, i := range index {
		keys[i] = k
		size += len(k)
	}
	t := &table{mask: n - 1, slots: make([]slot, n), arena: make([]byte, 0, size)}
	for i, k := range keys {
		h := hashString(k)
		for p := h & t.mask; ; p = (p + 1) & t.mask {
			if t.slots[p].tag == 0 {
				t.slots[p] = slot{tag: tagOf(h), idx: int32(i), off: uint32(len(t.arena)), n: uint32(len(k))}
				break
			}
		}
		t.arena = append(t.arena, k...)
	}
	return t
}

// find returns the index of word b, whose hash is h.
func (t *table) find(b []byte, h uint64) (int32, bool) {
	tag := tagOf(h)
	for p := h & t.mask; ; p = (p + 1) & t.mask {
		s := &t.slots[p]
		if s.tag == 0 {
			return 0, false
		}
		if s.tag == tag && int(s.n) == len(b) && string(t.arena[s.off:s.off+s.n]) == string(b) {
			return s.idx, true
		}
	}
}
