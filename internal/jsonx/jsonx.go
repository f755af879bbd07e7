package jsonx

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// AppendString appends s as a JSON string, escaping exactly as
// encoding/json does (including <, > and & for HTML safety, U+2028 and
// U+2029) and replacing invalid UTF-8 with U+FFFD.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendTime appends t as encoding/json does (RFC 3339 with nanoseconds).
func AppendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// AppendStringMap appends m as a JSON object with sorted keys.
func AppendStringMap(b []byte, m map[string]string) []byte {
	return appendMap(b, m, AppendString)
}

// AppendIntMap appends m as a JSON object with sorted keys.
func AppendIntMap(b []byte, m map[string]int) []byte {
	return appendMap(b, m, func(b []byte, v int) []byte { return strconv.AppendInt(b, int64(v), 10) })
}

// appendMap appends m as a JSON object with sorted keys, each value
// appended by value.
func appendMap[V any](b []byte, m map[string]V, value func([]byte, V) []byte) []byte {
	b = append(b, '{')
	// Most maps written per turn (slots, visit counts) are small: sort
	// their keys on the stack.
	var arr [8]string
	for i, k := range SortedKeys(arr[:0], m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, k)
		b = append(b, ':')
		b = value(b, m[k])
	}
	return append(b, '}')
}

// SortedKeys appends m's keys to ks and sorts them: the order encoding/json
// writes a map in. Pass a slice of a local array (var arr [8]string;
// arr[:0]) to sort a small map's keys without allocating.
func SortedKeys[V any](ks []string, m map[string]V) []string {
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
