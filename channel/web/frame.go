package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley"
)

// Inbound frame types (client to server).
const (
	frameHello   = "hello"   // WebSocket only: {"type":"hello","token":"..."}
	frameMessage = "message" // {"type":"message","id":"<uuid>","text":"...","payload":"..."}
	frameTrack   = "track"   // {"type":"track","id":"<uuid>","name":"product_view","data":{...}}
	frameConsent = "consent" // {"type":"consent","granted":true}
	framePing    = "ping"
)

// inFrame is any frame a client sends. Unknown fields are rejected so that
// a typo is an error, not a silently ignored field.
type inFrame struct {
	Type    string            `json:"type"`
	Token   string            `json:"token,omitempty"`
	ID      string            `json:"id,omitempty"`
	Text    string            `json:"text,omitempty"`
	Payload string            `json:"payload,omitempty"`
	Locale  string            `json:"locale,omitempty"`
	Name    string            `json:"name,omitempty"`
	Data    map[string]string `json:"data,omitempty"`
	Granted *bool             `json:"granted,omitempty"`
}

// Limits on the fields of a frame, beyond Config.MaxMessageBytes.
const (
	maxIDLen        = 64
	maxSignalName   = 64
	maxSignalFields = 16
	maxSignalValue  = 256
	maxLocaleLen    = 35
)

// decodeFrame parses and validates one inbound frame. It returns a
// *rejectError for anything that is not a well-formed frame within limits.
func decodeFrame(b []byte, maxText int) (inFrame, error) {
	var f inFrame
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, reject(errBadFrame, "not a JSON frame: "+shorten(err.Error()))
	}
	if dec.More() {
		return f, reject(errBadFrame, "trailing data after the frame")
	}
	if err := f.validate(maxText); err != nil {
		err.MessageID = printableID(f.ID)
		return f, err
	}
	return f, nil
}

func (f *inFrame) validate(maxText int) *rejectError {
	switch f.Type {
	case frameHello, framePing:
		return nil
	case frameConsent:
		if f.Granted == nil {
			return reject(errBadFrame, "consent frame without granted")
		}
		return nil
	case frameMessage:
		if err := checkID(f.ID); err != nil {
			return err
		}
		if n := len(f.Text) + len(f.Payload); n > maxText {
			return reject(errTooLarge, fmt.Sprintf("message of %d bytes is over the limit of %d", n, maxText))
		}
		if strings.TrimSpace(f.Text) == "" {
			return reject(errBadFrame, "empty message")
		}
		if !utf8.ValidString(f.Text) || !utf8.ValidString(f.Payload) {
			return reject(errBadFrame, "message is not valid UTF-8")
		}
		if len(f.Locale) > maxLocaleLen {
			return reject(errBadFrame, "locale too long")
		}
		return nil
	case frameTrack:
		if err := checkID(f.ID); err != nil {
			return err
		}
		if !validSignalName(f.Name) {
			return reject(errBadFrame, "event name must be 1-64 characters of a-z, 0-9, '_', '.', '-'")
		}
		if len(f.Data) > maxSignalFields {
			return reject(errTooLarge, fmt.Sprintf("event has %d fields, over the limit of %d", len(f.Data), maxSignalFields))
		}
		for k, v := range f.Data {
			if len(k) > maxSignalName || len(v) > maxSignalValue || !utf8.ValidString(k) || !utf8.ValidString(v) {
				return reject(errTooLarge, "event field too long or not UTF-8")
			}
		}
		return nil
	case "":
		return reject(errBadFrame, "frame without type")
	}
	return reject(errBadFrame, fmt.Sprintf("unknown frame type %q", shorten(f.Type)))
}

func checkID(id string) *rejectError {
	if id == "" || len(id) > maxIDLen {
		return reject(errBadFrame, "id must be 1-64 characters")
	}
	for _, r := range id {
		if r > unicode.MaxASCII || !(r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return reject(errBadFrame, "id may hold only letters, digits, '-' and '_'")
		}
	}
	return nil
}

func printableID(id string) string {
	if checkID(id) != nil {
		return ""
	}
	return id
}

func validSignalName(s string) bool {
	if s == "" || len(s) > maxSignalName {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

func shorten(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return strings.ToValidUTF8(s, "?")
}

// Outbound frames (server to client).

// role says who wrote an [entry].
type role string

// Roles of transcript entries.
const (
	roleUser role = "user"
	roleBot  role = "bot"
)

// An entry is one message of a conversation's transcript: what the visitor
// typed or tapped, or what the bot sent.
type entry struct {
	// ID is the client's message ID for a user entry, a server-generated
	// one for a bot entry.
	ID      string         `json:"id"`
	Role    role           `json:"role"`
	Message parley.Message `json:"message"`
	Time    time.Time      `json:"time"`
	// Read reports that a visitor's message shows as read: a reload
	// shows it so, from the kept history.
	Read bool `json:"read,omitempty"`
	// Human is who answers from this bot message on: "bot", "waiting"
	// (for a person) or "agent", from the message's Extras["web"]["human"];
	// empty says nothing. The widget changes its "Talk to a human"
	// button by the latest one.
	Human string `json:"human,omitempty"`
}

// humanOf reads Extras["web"]["human"] of an outbound message.
func humanOf(m parley.Message) string {
	var v any
	switch x := m.Extras[extrasKey].(type) {
	case map[string]any:
		v = x["human"]
	case map[string]string:
		v = x["human"]
	}
	switch s, _ := v.(string); s {
	case "bot", "waiting", "agent":
		return s
	}
	return ""
}

// Consent states.
const (
	consentUnknown  = "unknown"
	consentGranted  = "granted"
	consentDeclined = "declined"
)

type outFrame struct {
	Type string `json:"type"`
	// ready, consent
	Conversation string  `json:"conversation,omitempty"`
	Consent      string  `json:"consent,omitempty"`
	History      []entry `json:"history,omitempty"`
	// message
	Entry *entry `json:"entry,omitempty"`
	// ack, read, error
	ID      string `json:"id,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// encode marshals f. Entries hold no Extras (they are stripped when the
// entry is made), so marshalling cannot fail in practice; if it does, the
// client gets an internal-error frame instead.
func encode(f outFrame) []byte {
	b, err := json.Marshal(f)
	if err != nil {
		return []byte(`{"type":"error","code":"internal","message":"web: cannot encode frame"}`)
	}
	return b
}

func errorFrame(e *rejectError) []byte {
	return encode(outFrame{Type: "error", ID: e.MessageID, Code: e.Code, Message: e.clientText()})
}
