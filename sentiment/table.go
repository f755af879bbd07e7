package sentiment

import "encoding/binary"

// table is a read-only open-addressing hash table from words to entry
// indexes, faster than a map for the analyzer's one lookup per token
// because the hash is computed while the token is lower-cased. A slot is
// eight bytes (128 KB for the lexicon, at load factor 1/2) and points
// into one arena of records, each a key's entry index and length (four
// bytes each, little-endian) followed by its bytes: a lookup reads one
// slot and one record, not a string header and then the bytes elsewhere.
type table struct {
	mask  uint64
	slots []slot
	arena []byte
}

type slot struct {
	tag uint32 // high hash bits; 0 marks an empty slot
	rec uint32 // offset of the key's record in arena
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
		size += 8 + len(k)
	}
	t := &table{mask: n - 1, slots: make([]slot, n), arena: make([]byte, 0, size)}
	for i, k := range keys {
		h := hashString(k)
		for p := h & t.mask; ; p = (p + 1) & t.mask {
			if t.slots[p].tag == 0 {
				t.slots[p] = slot{tag: tagOf(h), rec: uint32(len(t.arena))}
				break
			}
		}
		t.arena = binary.LittleEndian.AppendUint32(t.arena, uint32(i))
		t.arena = binary.LittleEndian.AppendUint32(t.arena, uint32(len(k)))
		t.arena = append(t.arena, k...)
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
		if s.tag != tag {
			continue
		}
		r := t.arena[s.rec:]
		if len(r) >= 8 && int(binary.LittleEndian.Uint32(r[4:])) == len(b) && string(r[8:8+len(b)]) == string(b) {
			return int32(binary.LittleEndian.Uint32(r)), true
		}
	}
}

// load64 returns s[i:i+8] as a little-endian word (one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// Byte lanes for word-at-a-time scans.
const (
	lanes01 = 0x0101010101010101
	lanes80 = 0x8080808080808080
)

// plainBytes returns the high bit of the lowest byte of x that is not
// printable non-space ASCII (0x21-0x7F) set, or 0 if all eight are;
// bits above that byte may be set too (a borrow), the lowest set one is
// exact.
func plainBytes(x uint64) uint64 { return ((x - 0x21*lanes01) | x) & lanes80 }

// notLowerBytes returns the high bit of every byte of x that is not a
// lower-case ASCII letter set (exact for each byte: no carry crosses
// lanes).
func notLowerBytes(x uint64) uint64 {
	low := x & (0x7F * lanes01)
	between := ((lanes01*(127+'z'+1) - low) & ^x & (low + lanes01*(127-('a'-1)))) & lanes80
	return ^between & lanes80
}
