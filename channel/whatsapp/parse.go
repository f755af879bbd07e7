package whatsapp

import (
	"fmt"

	"github.com/parleyhq/parley/channel/internal/driver"
)

// A webhookNotification is the body of a WhatsApp Business Account webhook.
type webhookNotification struct {
	Object string  `json:"object"`
	Entry  []entry `json:"entry"`
}

// An entry groups the changes for one business account.
type entry struct {
	ID      string   `json:"id"`
	Changes []change `json:"changes"`
}

// A change is one webhook field's update ("messages").
type change struct {
	Field string `json:"field"`
	Value value  `json:"value"`
}

// value holds inbound messages and status callbacks.
type value struct {
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
	Messages []inMessage `json:"messages,omitempty"`
	Statuses []status    `json:"statuses,omitempty"`
}

// An inMessage is one message from a user.
type inMessage struct {
	From      string `json:"from"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Text      struct {
		Body string `json:"body"`
	} `json:"text"`
	Interactive struct {
		Type        string `json:"type"`
		ButtonReply *reply `json:"button_reply,omitempty"`
		ListReply   *reply `json:"list_reply,omitempty"`
	} `json:"interactive"`
	Button struct {
		Payload string `json:"payload"`
		Text    string `json:"text"`
	} `json:"button"`
	Image    *media `json:"image,omitempty"`
	Document *media `json:"document,omitempty"`
	Audio    *media `json:"audio,omitempty"`
	Video    *media `json:"video,omitempty"`
}

func (m inMessage) attachment() media {
	for _, p := range []*media{m.Image, m.Document, m.Audio, m.Video} {
		if p != nil {
			return *p
		}
	}
	return media{}
}

// A reply is the button or list row a user tapped.
type reply struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// media describes an inbound media item; fetch it with its ID.
type media struct {
	ID       string `json:"id"`
	MIMEType string `json:"mime_type"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

// A status is a delivery status callback for a message the business sent.
type status struct {
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

// parse decodes a webhook body. It returns an error wrapping
// [channel.ErrMalformed] for anything that is not a WhatsApp Business
// Account webhookNotification.
func parse(body []byte) (*webhookNotification, error) {
	return driver.ParseJSON(body, func(n *webhookNotification) string {
		if n.Object != "whatsapp_business_account" {
			return fmt.Sprintf("object %q", n.Object)
		}
		for _, e := range n.Entry {
			for _, c := range e.Changes {
				for _, m := range c.Value.Messages {
					if m.ID == "" || m.From == "" {
						return "message without id or sender"
					}
				}
			}
		}
		return ""
	})
}
