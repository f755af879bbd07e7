package whatsapp

import (
	"encoding/json"
	"testing"

	"github.com/parleyhq/parley/memory"
)

func memoryMap() *memory.Map { return memory.NewMap() }

// message is the part of a Cloud API message object (the body the
// adapter posts to /{phone-number-id}/messages) that the tests read.
type message struct {
	To     string `json:"to"`
	Type   string `json:"type"`
	Status string `json:"status"`
	Text   struct {
		Body string `json:"body"`
	} `json:"text"`
	Interactive struct {
		Type string `json:"type"`
		Body struct {
			Text string `json:"text"`
		} `json:"body"`
		Action struct {
			Button  string `json:"button"`
			Buttons []struct {
				Reply struct{ ID, Title string } `json:"reply"`
			} `json:"buttons"`
			Sections []struct {
				Rows []struct{ ID, Title string } `json:"rows"`
			} `json:"sections"`
		} `json:"action"`
	} `json:"interactive"`
	Template struct{ Name string } `json:"template"`
}

// decode reads a message object the adapter sent, failing the test if
// it is not one.
func decode(t testing.TB, body []byte) message {
	t.Helper()
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("sent body %s: %v", body, err)
	}
	return m
}
