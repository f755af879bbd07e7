package whatsapp

import (
	"encoding/json"
	"fmt"

	"github.com/parleyhq/parley/channel"
)

// A Notification is the body of a WhatsApp Business Account webhook.
type Notification struct {
	Object string  `json:"object"`
	Entry  []Entry `json:"entry"`
}

// An Entry groups the changes for one business account.
type Entry struct {
	ID      string   `json:"id"`
	Changes []Change `json:"changes"`
}

// A Change is one webhook field's update ("messages").
type Change struct {
	Field string `json:"field"`
	Value Value  `json:"value"`
}

// Value holds inbound messages and status callbacks.
type Value struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID string `json:"wa_id"`
	} `json:"contacts,omitempty"`
	Messages []InMessage `json:"messages,omitempty"`
	Statuses []Status    `json:"statuses,omitempty"`
}

// An InMessage is one message from a user.
type InMessage struct {
	From      string `json:"from"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Text      struct {
		Body string `json:"body"`
	} `json:"text"`
	Interactive struct {
		Type        string `json:"type"`
		ButtonReply *Reply `json:"button_reply,omitempty"`
		ListReply   *Reply `json:"list_reply,omitempty"`
	} `json:"interactive"`
	Button struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Image    *Media `json:"image,omitempty"`
	Document *Media `json:"document,omitempty"`
	Audio    *Media `json:"audio,omitempty"`
	Video    *Media `json:"video,omitempty"`
}

func (m InMessage) media() Media {
	for _, p := range []*Media{m.Image, m.Document, m.Audio, m.Video} {
		if p != nil {
			return *p
		}
	}
	return Media{}
}

// A Reply is the button or list row a user tapped.
type Reply struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Media describes an inbound media item; fetch it with its ID.
type Media struct {
	ID       string `json:"id"`
	MIMEType string `json:"mime_type"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

// A Status is a delivery status callback for a message the business sent.
type Status struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Timestamp   string `json:"timestamp"`
	RecipientID string `json:"recipient_id"`
	Errors      []struct {
		Code      int    `json:"code"`
		Title     string `json:"title"`
		Message   string `json:"message"`
		ErrorData struct {
			Details string `json:"details"`
		} `json:"error_data"`
	} `json:"errors,omitempty"`
}

// Parse decodes a webhook body. It returns an error wrapping
// [channel.ErrMalformed] for anything that is not a WhatsApp Business
// Account notification.
func Parse(body []byte) (*Notification, error) {
	var n Notification
	if err := json.Unmarshal(body, &n); err != nil {
		return nil, fmt.Errorf("%w: %w", channel.ErrMalformed, err)
	}
	if n.Object != "whatsapp_business_account" {
		return nil, fmt.Errorf("%w: object %q", channel.ErrMalformed, n.Object)
	}
	for _, e := range n.Entry {
		for _, c := range e.Changes {
			for _, m := range c.Value.Messages {
				if m.ID == "" || m.From == "" {
					return nil, fmt.Errorf("%w: message without id or sender", channel.ErrMalformed)
				}
			}
		}
	}
	return &n, nil
}
