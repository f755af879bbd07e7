// Package idkey turns personal identifiers (phone numbers, e-mail
// addresses, platform user IDs) into store key segments that do not show
// them, so that a key listing, a slow-query log or a Redis MONITOR does
// not print a customer's e-mail address.
//
// The hash is unkeyed SHA-256: it hides identifiers from casual view; it
// does not make them anonymous (a phone number can be found again by
// trying every number). Erasure deletes the keys themselves.
package idkey

import (
	"crypto/sha256"
	"encoding/hex"
)

// Segment returns the key segment for the identifier id of the given
// kind (a channel name, "email", "phone"): 32 hex digits (128 bits of
// SHA-256 over kind, a zero byte and id).
func Segment(kind, id string) string {
	h := sha256.New()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(id))
	return hex.EncodeToString(h.Sum(nil)[:16])
}
