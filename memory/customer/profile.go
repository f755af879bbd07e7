package customer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/internal/idkey"
	"github.com/parleyhq/parley/memory"
)

// An Identity is one way to reach a customer: a channel and the channel's
// ID for them (a phone number on WhatsApp, an address on email, a visitor
// ID on web chat).
type Identity struct {
	Channel string `json:"channel"`
	ID      string `json:"id"`
}

// String implements fmt.Stringer.
func (id Identity) String() string { return id.Channel + ":" + id.ID }

// A Consent records one decision of the customer about one purpose
// ("memory", "marketing", "analytics"). The latest record for a purpose
// wins; older ones are kept as the audit trail.
type Consent struct {
	Purpose string    `json:"purpose"`
	Granted bool      `json:"granted"`
	Time    time.Time `json:"time"`
	// Channel the decision was made on, and Source (a notice version, a
	// form) for the audit trail.
	Channel string `json:"channel,omitempty"`
	Source  string `json:"source,omitempty"`
	// Channels limits the decision to these channels ("sms",
	// "whatsapp"); empty means every channel. An opt-out typed on SMS may
	// stop that channel's service messages while the customer still wants
	// order updates by e-mail. See [Profile.ConsentOn].
	Channels []string `json:"channels,omitempty"`
}

// Covers reports whether the decision applies to channel.
func (c Consent) Covers(channel string) bool {
	return len(c.Channels) == 0 || slices.Contains(c.Channels, channel)
}

// A Fact is one piece of zero-party data the customer told the bot
// ("preferred contact time: evenings"), with when and where.
type Fact struct {
	Value   string    `json:"value"`
	Time    time.Time `json:"time"`
	Channel string    `json:"channel,omitempty"`
}

// A Profile is what Parley remembers about a customer across channels and
// conversations. Flow templates read its fields with [Profile.Field]
// ({{customer.name}}, {{customer.last_order_date}}).
//
// A Profile is not safe for concurrent use: one goroutine owns it between
// [Profiles.Load] and [Profiles.Save].
type Profile struct {
	// CustomerID is the application's ID for the customer.
	CustomerID string `json:"customer"`
	// Identities link channel IDs to this customer; see [Profiles.Link].
	Identities []Identity `json:"identities,omitempty"`

	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	Language string `json:"language,omitempty"`
	TimeZone string `json:"tz,omitempty"`
	Tier     string `json:"tier,omitempty"`
	// TotalSpent is in the shop's currency, in minor units (cents).
	TotalSpent    int64     `json:"total_spent,omitempty"`
	LastOrderDate time.Time `json:"last_order_date,omitzero"`
	// Preferences are the customer's settings ("contact": "email").
	Preferences map[string]string `json:"prefs,omitempty"`
	// Segments are tags for targeting ("vip", "churn-risk").
	Segments []string `json:"segments,omitempty"`
	// Custom holds the application's own fields.
	Custom map[string]string `json:"custom,omitempty"`
	// Facts holds zero-party data collected in conversation.
	Facts map[string]Fact `json:"facts,omitempty"`
	// Consents is the customer's consent history, oldest first.
	Consents []Consent `json:"consents,omitempty"`

	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Version is the store version the profile was loaded at; 0 for a new
	// profile.
	Version int64 `json:"-"`
	// Format is the record format version; see [ProfileFormat].
	Format int `json:"v"`
}

// ProfileFormat is the profile record format this package writes; a
// larger one was written by a newer Parley and is refused with a
// [*memory.CorruptError].
const ProfileFormat = 1

// Consented reports whether the customer's latest decision for purpose
// was to grant it. With no decision it reports false.
func (p *Profile) Consented(purpose string) bool {
	c, ok := p.ConsentFor(purpose)
	return ok && c.Granted
}

// ConsentFor returns the customer's latest decision for purpose.
func (p *Profile) ConsentFor(purpose string) (Consent, bool) {
	for _, c := range slices.Backward(p.Consents) {
		if c.Purpose == purpose {
			return c, true
		}
	}
	return Consent{}, false
}

// ConsentOn returns the customer's latest decision for purpose that
// covers channel (see [Consent.Channels]): a decision for every channel
// and one for this channel alone count alike, the later one winning.
func (p *Profile) ConsentOn(purpose, channel string) (Consent, bool) {
	for _, c := range slices.Backward(p.Consents) {
		if c.Purpose == purpose && c.Covers(channel) {
			return c, true
		}
	}
	return Consent{}, false
}

// RecordConsent appends a consent decision.
func (p *Profile) RecordConsent(c Consent) { p.Consents = append(p.Consents, c) }

// SetFact records a piece of zero-party data under name.
func (p *Profile) SetFact(name string, f Fact) {
	if p.Facts == nil {
		p.Facts = make(map[string]Fact)
	}
	p.Facts[name] = f
}

// Field returns a profile field by the name templates use: name, email,
// language, time_zone, tier, total_spent (as a decimal with two places),
// last_order_date (YYYY-MM-DD), customer_id, segments (comma-separated),
// or pref.X, custom.X, fact.X. It reports false for an unknown or empty
// field.
func (p *Profile) Field(name string) (string, bool) {
	var v string
	switch name {
	case "customer_id", "id":
		v = p.CustomerID
	case "name":
		v = p.Name
	case "first_name":
		v, _, _ = strings.Cut(strings.TrimSpace(p.Name), " ")
	case "email":
		v = p.Email
	case "language":
		v = p.Language
	case "time_zone":
		v = p.TimeZone
	case "tier":
		v = p.Tier
	case "total_spent":
		sign := ""
		n := p.TotalSpent
		if n < 0 {
			sign, n = "-", -n
		}
		v = fmt.Sprintf("%s%d.%02d", sign, n/100, n%100)
	case "last_order_date":
		if !p.LastOrderDate.IsZero() {
			v = p.LastOrderDate.Format(time.DateOnly)
		}
	case "segments":
		v = strings.Join(p.Segments, ",")
	default:
		kind, key, ok := strings.Cut(name, ".")
		if !ok {
			return "", false
		}
		switch kind {
		case "pref":
			v = p.Preferences[key]
		case "custom":
			v = p.Custom[key]
		case "fact":
			v = p.Facts[key].Value
		}
	}
	return v, v != ""
}

// Fields returns every non-empty field by its template name.
func (p *Profile) Fields() map[string]string {
	m := make(map[string]string)
	for _, k := range []string{"customer_id", "name", "first_name", "email", "language", "time_zone", "tier", "last_order_date", "segments"} {
		if v, ok := p.Field(k); ok {
			m[k] = v
		}
	}
	if p.TotalSpent != 0 {
		m["total_spent"], _ = p.Field("total_spent")
	}
	for k, v := range p.Preferences {
		m["pref."+k] = v
	}
	for k, v := range p.Custom {
		m["custom."+k] = v
	}
	for k, f := range p.Facts {
		m["fact."+k] = f.Value
	}
	return m
}

// Clone returns a deep copy of p.
func (p *Profile) Clone() *Profile {
	c := *p
	c.Identities = slices.Clone(p.Identities)
	c.Preferences = maps.Clone(p.Preferences)
	c.Segments = slices.Clone(p.Segments)
	c.Custom = maps.Clone(p.Custom)
	c.Facts = maps.Clone(p.Facts)
	c.Consents = slices.Clone(p.Consents)
	for i := range c.Consents {
		c.Consents[i].Channels = slices.Clone(c.Consents[i].Channels)
	}
	return &c
}

// A LinkError reports an identity already linked to another customer.
type LinkError struct {
	Identity Identity
	// Owner is the customer the identity belongs to.
	Owner string
}

// Error implements the error interface.
func (e *LinkError) Error() string {
	return fmt.Sprintf("customer: identity %s is linked to customer %q", e.Identity, e.Owner)
}

// Profiles is a typed front over a [memory.Store] for customer profiles: JSON
// records under "profile/<customer>", an index "identity/<channel>/<id>"
// from channel identities to customers, optimistic concurrency on save.
//
// Profiles is safe for concurrent use.
type Profiles struct {
	store   memory.Store
	maxSize int
}

// A ProfilesOption configures [Profiles].
type ProfilesOption func(*Profiles)

// WithMaxProfileSize makes Save refuse, and Load report, a profile record
// larger than n bytes with a [*memory.ValueTooLargeError] (default 256 KiB): a
// profile that large is a bug or an attack, and loading it on every turn
// would slow every conversation of the customer.
func WithMaxProfileSize(n int) ProfilesOption {
	return func(p *Profiles) { p.maxSize = n }
}

// NewProfiles returns a profile front over store. It panics if store is
// nil.
func NewProfiles(store memory.Store, opts ...ProfilesOption) *Profiles {
	if store == nil {
		panic("customer: NewProfiles with nil store")
	}
	p := &Profiles{store: store, maxSize: 256 << 10}
	for _, o := range opts {
		o(p)
	}
	return p
}

// ProfileKey returns the store key of a customer's profile.
func ProfileKey(customerID string) string { return "profile/" + customerID }

// IdentityKey returns the store key of an identity's link to its
// customer: "identity/<channel>/<hash of the ID>", so that keys never show
// a phone number or an e-mail address. The record holds the customer ID.
func IdentityKey(id Identity) string {
	return "identity/" + id.Channel + "/" + idkey.Segment(id.Channel, id.ID)
}

// legacyIdentityKey is where versions before the hashed keys kept a link
// (the ID in clear). Resolve still reads it; erasure deletes it.
func legacyIdentityKey(id Identity) string { return "identity/" + id.Channel + "/" + id.ID }

// Load returns the stored profile of customerID, or [memory.ErrNotFound].
func (ps *Profiles) Load(ctx context.Context, customerID string) (*Profile, error) {
	key := ProfileKey(customerID)
	rec, err := ps.store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	if len(rec.Value) > ps.maxSize {
		return nil, &memory.ValueTooLargeError{Key: key, Size: len(rec.Value), Max: ps.maxSize}
	}
	p := new(Profile)
	if err := json.Unmarshal(rec.Value, p); err != nil {
		return nil, &memory.CorruptError{Key: key, Err: err}
	}
	if p.Format > ProfileFormat {
		return nil, &memory.CorruptError{Key: key, Err: fmt.Errorf("format %d written by a newer version (this one reads up to %d)", p.Format, ProfileFormat)}
	}
	if p.CustomerID != customerID {
		return nil, &memory.CorruptError{Key: key, Err: fmt.Errorf("holds customer %q", p.CustomerID)}
	}
	p.Version = rec.Version
	return p, nil
}

// LoadOrNew loads the profile of customerID or returns a new, unsaved one.
func (ps *Profiles) LoadOrNew(ctx context.Context, customerID string) (*Profile, error) {
	p, err := ps.Load(ctx, customerID)
	if errors.Is(err, memory.ErrNotFound) {
		return &Profile{CustomerID: customerID, Format: ProfileFormat}, nil
	}
	return p, err
}

// Save writes p if nobody saved the profile since it was loaded, or
// returns [memory.ErrConflict]. On success p.Version is the new version. Save
// does not maintain the identity index: use [Profiles.Link].
func (ps *Profiles) Save(ctx context.Context, p *Profile) error {
	if p.CustomerID == "" {
		return &memory.KeyError{Key: "", Reason: "profile without customer ID"}
	}
	now := time.Now()
	saved := p.Clone()
	if saved.Created.IsZero() {
		saved.Created = now
	}
	saved.Updated = now
	saved.Format = ProfileFormat
	b, err := json.Marshal(saved)
	if err != nil {
		return fmt.Errorf("customer: encode profile %q: %w", p.CustomerID, err)
	}
	key := ProfileKey(p.CustomerID)
	if len(b) > ps.maxSize {
		return &memory.ValueTooLargeError{Key: key, Size: len(b), Max: ps.maxSize}
	}
	v, err := ps.store.Set(ctx, memory.Put{Key: key, Value: b, IfVersion: p.Version})
	if err != nil {
		return err
	}
	p.Created, p.Updated, p.Format, p.Version = saved.Created, saved.Updated, saved.Format, v
	return nil
}

// Update loads the profile of customerID (a new one if there is none),
// calls fn on it and saves it, retrying from the load when another writer
// saved in between. An error from fn aborts the update and is returned.
func (ps *Profiles) Update(ctx context.Context, customerID string, fn func(*Profile) error) (*Profile, error) {
	for attempt := 0; ; attempt++ {
		p, err := ps.LoadOrNew(ctx, customerID)
		if err != nil {
			return nil, err
		}
		if err := fn(p); err != nil {
			return nil, err
		}
		err = ps.Save(ctx, p)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, memory.ErrConflict) || attempt >= 20 {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// Link records that id belongs to customerID, in the identity index and
// in the profile. Linking an identity to the customer it already belongs
// to does nothing; linking one that belongs to another customer returns a
// [*LinkError] (unlink it first, after checking it really changed hands).
func (ps *Profiles) Link(ctx context.Context, customerID string, id Identity) error {
	if id.Channel == "" || id.ID == "" {
		return &memory.KeyError{Key: IdentityKey(id), Reason: "identity needs a channel and an ID"}
	}
	key := IdentityKey(id)
	_, err := ps.store.Set(ctx, memory.Put{Key: key, Value: []byte(customerID), IfVersion: memory.Absent})
	if errors.Is(err, memory.ErrConflict) {
		owner, rerr := ps.Resolve(ctx, id)
		if rerr != nil {
			return rerr
		}
		if owner != customerID {
			return &LinkError{Identity: id, Owner: owner}
		}
	} else if err != nil {
		return err
	}
	_, err = ps.Update(ctx, customerID, func(p *Profile) error {
		if !slices.Contains(p.Identities, id) {
			p.Identities = append(p.Identities, id)
		}
		return nil
	})
	return err
}

// Unlink removes id from the identity index and from its customer's
// profile.
func (ps *Profiles) Unlink(ctx context.Context, id Identity) error {
	owner, err := ps.Resolve(ctx, id)
	if errors.Is(err, memory.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, k := range []string{IdentityKey(id), legacyIdentityKey(id)} {
		if err := ps.store.Delete(ctx, k, memory.AnyVersion); err != nil {
			return err
		}
	}
	if _, err := ps.Load(ctx, owner); errors.Is(err, memory.ErrNotFound) {
		return nil
	}
	_, err = ps.Update(ctx, owner, func(p *Profile) error {
		p.Identities = slices.DeleteFunc(p.Identities, func(x Identity) bool { return x == id })
		return nil
	})
	return err
}

// Resolve returns the customer an identity is linked to, or
// [memory.ErrNotFound].
func (ps *Profiles) Resolve(ctx context.Context, id Identity) (string, error) {
	rec, err := ps.store.Get(ctx, IdentityKey(id))
	if errors.Is(err, memory.ErrNotFound) {
		rec, err = ps.store.Get(ctx, legacyIdentityKey(id))
	}
	if err != nil {
		return "", err
	}
	return string(rec.Value), nil
}

// Delete removes a customer's profile and every identity linked to it:
// the identity index ("identity/") and the verified contacts the
// channel package's StoreLinker keeps ("contact/") are searched for records pointing at
// the customer, so links whose profile update was lost go too. It is
// idempotent.
func (ps *Profiles) Delete(ctx context.Context, customerID string) error {
	p, err := ps.Load(ctx, customerID)
	var errs []error
	switch {
	case errors.Is(err, memory.ErrNotFound):
	case err != nil:
		// Unreadable: delete it anyway; the index scan below finds its
		// identities.
	default:
		for _, id := range p.Identities {
			if err := ps.deleteIdentity(ctx, id, customerID); err != nil {
				errs = append(errs, err)
			}
		}
	}
	// Identities whose profile update was lost, links in the old clear
	// form and verified contacts still point here.
	for _, prefix := range []string{"identity/", "contact/"} {
		var keys []string
		if err := ps.store.Keys(ctx, prefix, func(k string) bool { keys = append(keys, k); return true }); err != nil {
			errs = append(errs, err)
		}
		for _, k := range keys {
			rec, err := ps.store.Get(ctx, k)
			if err == nil && string(rec.Value) == customerID {
				if err := ps.store.Delete(ctx, k, rec.Version); err != nil && !errors.Is(err, memory.ErrConflict) {
					errs = append(errs, err)
				}
			}
		}
	}
	if err := ps.store.Delete(ctx, ProfileKey(customerID), memory.AnyVersion); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (ps *Profiles) deleteIdentity(ctx context.Context, id Identity, customerID string) error {
	rec, err := ps.store.Get(ctx, IdentityKey(id))
	if errors.Is(err, memory.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if string(rec.Value) != customerID {
		return nil
	}
	if err := ps.store.Delete(ctx, IdentityKey(id), rec.Version); err != nil && !errors.Is(err, memory.ErrConflict) {
		return err
	}
	return nil
}
