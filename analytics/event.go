package analytics

import (
	"encoding/binary"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/jsonx"
)

// Event kinds for campaigns and experiments. Package proactive emits the
// campaign kinds and package experiment the assignment, each with Attrs
// "campaign" (or "experiment") and "variant"; campaign events also carry
// "goal" ("cart" for abandoned-cart recovery, "renewal" for renewals, or
// the campaign's own goal), and [EventConverted] carries "value", the
// revenue the conversion brought (recovered cart value) as a decimal
// number. They are defined here so that the record and the funnels exist
// before the packages that emit them.
const (
	// EventSent: a proactive message was sent.
	EventSent parley.EventKind = "proactive.sent"
	// EventDelivered: the channel reported the message delivered.
	EventDelivered parley.EventKind = "proactive.delivered"
	// EventRead: the channel reported the message read.
	EventRead parley.EventKind = "proactive.read"
	// EventClicked: the customer followed the message's link or button.
	EventClicked parley.EventKind = "proactive.clicked"
	// EventReplied: the customer answered the message.
	EventReplied parley.EventKind = "proactive.replied"
	// EventConverted: the campaign's goal was reached (cart bought,
	// subscription renewed); Attrs "value".
	EventConverted parley.EventKind = "proactive.converted"
	// EventAssigned: the conversation was assigned to an experiment's
	// variant; Attrs "experiment" and "variant".
	EventAssigned parley.EventKind = "experiment.assigned"
)

// An Event is the serialisable form of a [parley.Event] that sinks
// receive and logs hold: the error becomes its message and the time is
// kept to the nanosecond, so a replayed log folds into the same records.
//
// Events are values; a sink must not modify Attrs.
type Event struct {
	Kind         parley.EventKind  `json:"kind"`
	Time         time.Time         `json:"time"`
	Conversation string            `json:"conversation,omitempty"`
	Customer     string            `json:"customer,omitempty"`
	Channel      string            `json:"channel,omitempty"`
	Message      string            `json:"message,omitempty"`
	Duration     time.Duration     `json:"duration_ns,omitempty"`
	Error        string            `json:"error,omitempty"`
	Attrs        map[string]string `json:"attrs,omitempty"`
}

// FromParley converts a runtime event.
func FromParley(e parley.Event) Event {
	x := Event{Kind: e.Kind, Time: e.Time, Conversation: e.ConversationID, Customer: e.CustomerID,
		Channel: e.Channel, Message: e.MessageID, Duration: e.Duration, Attrs: e.Attrs}
	if e.Err != nil {
		x.Error = e.Err.Error()
	}
	return x
}

// Hash returns a 64-bit digest of every field of e, the identity by
// which aggregators and stores drop an event seen twice (a replayed log,
// a retried batch). Two events that differ in any field, attribute or
// nanosecond hash differently (barring a 2^-64 collision); the hash is
// stable across processes and versions of this package.
func (e *Event) Hash() uint64 {
	// FNV-1a, 64-bit: stable, unlike maphash's per-process seed.
	h := uint64(14695981039346656037)
	str := func(s string) {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	var b [8]byte
	num := func(v int64) {
		binary.LittleEndian.PutUint64(b[:], uint64(v))
		for _, c := range b {
			h ^= uint64(c)
			h *= 1099511628211
		}
	}
	str(string(e.Kind))
	num(e.Time.UnixNano())
	str(e.Conversation)
	str(e.Customer)
	str(e.Channel)
	str(e.Message)
	num(int64(e.Duration))
	str(e.Error)
	switch len(e.Attrs) {
	case 0:
	case 1:
		for k, v := range e.Attrs {
			str(k)
			str(v)
		}
	default:
		var buf [8]string
		for _, k := range jsonx.SortedKeys(buf[:0], e.Attrs) {
			str(k)
			str(e.Attrs[k])
		}
	}
	return h
}
