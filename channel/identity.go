package channel

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/internal/idkey"
	"github.com/parleyhq/parley/memory"
)

// ErrNotLinked is returned by [Linker.Resolve] for an identity that is not
// linked to a customer.
var ErrNotLinked = errors.New("channel: identity not linked")

// An Identity is a user as one platform knows them: the channel name and
// the platform's user ID (a WhatsApp phone number, a Messenger PSID, a
// Telegram user ID, an e-mail address).
type Identity struct {
	Channel string
	UserID  string
}

// A Contact is a verified means of reaching a customer. Only verified
// values may be given: a phone number the platform vouches for (WhatsApp,
// SMS), an e-mail address confirmed by a code.
type Contact struct {
	Email string
	Phone string
}

// A Linker maps platform identities to one customer ID, so that the same
// customer on web chat and WhatsApp shares memory and flows. Adapters call
// Resolve for every inbound turn to fill [parley.Turn.CustomerID], and Link
// when the platform itself verifies a contact (WhatsApp and SMS phone
// numbers). The memory or profile layer implements it; [StoreLinker] is a
// simple implementation over a [memory.Store].
//
// Implementations must be safe for concurrent use.
type Linker interface {
	// Resolve returns the customer ID linked to id, or [ErrNotLinked].
	Resolve(ctx context.Context, id Identity) (string, error)
	// Link links id to the customer who owns the verified contact c,
	// creating the customer if the contact is new, and returns its ID.
	Link(ctx context.Context, id Identity, c Contact) (string, error)
}

// StoreLinker is a [Linker] over a [memory.Store]: it keeps
// "identity/<channel>/<hash>" and "contact/<kind>/<hash>" records that
// point at a customer ID (the user ID, e-mail address or phone number is
// hashed, so that keys never show it; the identity keys are those of
// memory/customer's Profiles, and erasing a customer's profile deletes
// both kinds). Contacts are normalised (e-mail lower-cased,
// phone reduced to "+" and digits), so a phone verified on WhatsApp and the
// same phone verified on the web link to one customer.
type StoreLinker struct {
	store memory.Store
}

// NewStoreLinker returns a StoreLinker over s; it writes nothing until
// [StoreLinker.Link]. A StoreLinker is safe for concurrent use, and
// several replicas may share s: links are written with the store's
// conditional writes. Store failures are returned wrapped, and an
// identity with no link is [ErrNotLinked].
func NewStoreLinker(s memory.Store) *StoreLinker { return &StoreLinker{store: s} }

// Resolve implements [Linker].
func (l *StoreLinker) Resolve(ctx context.Context, id Identity) (string, error) {
	rec, err := l.store.Get(ctx, identityKey(id))
	if errors.Is(err, memory.ErrNotFound) {
		// A link written before keys were hashed.
		rec, err = l.store.Get(ctx, "identity/"+id.Channel+"/"+id.UserID)
	}
	if errors.Is(err, memory.ErrNotFound) {
		return "", ErrNotLinked
	}
	if err != nil {
		return "", fmt.Errorf("channel: resolve %s/%s: %w", id.Channel, id.UserID, err)
	}
	return string(rec.Value), nil
}

// Link implements [Linker]. It returns an error if c holds no contact.
func (l *StoreLinker) Link(ctx context.Context, id Identity, c Contact) (string, error) {
	var keys []string
	if e := strings.ToLower(strings.TrimSpace(c.Email)); e != "" {
		keys = append(keys, "contact/email/"+idkey.Segment("email", e))
	}
	if p := NormalizePhone(c.Phone); p != "" {
		keys = append(keys, "contact/phone/"+idkey.Segment("phone", p))
	}
	if len(keys) == 0 {
		return "", errors.New("channel: link: no verified contact")
	}
	customer := ""
	for _, k := range keys {
		rec, err := l.store.Get(ctx, k)
		if err == nil {
			customer = string(rec.Value)
			break
		}
		if !errors.Is(err, memory.ErrNotFound) {
			return "", fmt.Errorf("channel: link: %w", err)
		}
	}
	if customer == "" {
		var b [12]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("channel: link: %w", err)
		}
		customer = "cus_" + hex.EncodeToString(b[:])
	}
	for _, k := range keys {
		_, err := l.store.Set(ctx, memory.Put{Key: k, Value: []byte(customer), IfVersion: memory.Absent})
		if errors.Is(err, memory.ErrConflict) {
			// Another request linked this contact first: follow it.
			rec, gerr := l.store.Get(ctx, k)
			if gerr != nil {
				return "", fmt.Errorf("channel: link: %w", gerr)
			}
			customer = string(rec.Value)
			continue
		}
		if err != nil {
			return "", fmt.Errorf("channel: link: %w", err)
		}
	}
	if _, err := l.store.Set(ctx, memory.Put{Key: identityKey(id), Value: []byte(customer), IfVersion: memory.AnyVersion}); err != nil {
		return "", fmt.Errorf("channel: link: %w", err)
	}
	return customer, nil
}

// identityKey is memory/customer's IdentityKey for the same identity.
func identityKey(id Identity) string {
	return "identity/" + id.Channel + "/" + idkey.Segment(id.Channel, id.UserID)
}

// NormalizePhone reduces a phone number to "+" and its digits ("+1 (555)
// 010-0000" becomes "+15550100000"); it returns "" if there are no digits.
// Numbers are assumed to be in international form, as WhatsApp and Twilio
// give them.
func NormalizePhone(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "+" + b.String()
}
