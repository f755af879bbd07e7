package channeltest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/channel/telegram"
)

// testTelegram is how a platform package runs the suite, here for the
// Telegram driver (its own tests do the same):
//
//	func TestConformance(t *testing.T) { testTelegram(t) }
//
// NewServer plays the Bot API in memory: Decode reads a sendMessage,
// Success and Failure write the API's answers.
func testTelegram(t *testing.T) {
	const token, secret = "123456:ABC-DEF", "s3cret"
	channeltest.Run(t, channeltest.Harness{
		Channel: "telegram",
		New: func(t *testing.T) *channeltest.Env {
			srv := channeltest.NewServer(t, channeltest.ServerConfig{
				Decode: func(r *http.Request, body []byte) (channeltest.Outbound, bool) {
					// The quick replies are an inline keyboard's buttons.
					var m struct {
						ChatID int64  `json:"chat_id"`
						Text   string `json:"text"`
						Markup struct {
							Rows [][]struct{ Text string } `json:"inline_keyboard"`
						} `json:"reply_markup"`
					}
					if r.URL.Path != "/bot"+token+"/sendMessage" || json.Unmarshal(body, &m) != nil {
						return channeltest.Outbound{}, false
					}
					o := channeltest.Outbound{To: fmt.Sprint(m.ChatID), Text: m.Text}
					for _, b := range slices.Concat(m.Markup.Rows...) {
						o.Choices = append(o.Choices, b.Text)
					}
					return o, true
				},
				Success: func(w http.ResponseWriter, _ *http.Request, seq int) {
					fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"chat":{"id":1,"type":"private"},"date":1700000000}}`, seq)
				},
				Failure: func(w http.ResponseWriter, _ *http.Request, f channeltest.Failure) {
					w.WriteHeader(f.Status)
					fmt.Fprintf(w, `{"ok":false,"error_code":%d,"description":%q,"parameters":{"retry_after":%d}}`,
						f.Status, f.Reason, int(f.RetryAfter.Seconds()))
				},
			})
			a, err := telegram.New(telegram.Config{Token: token, SecretToken: secret, BaseURL: srv.URL, HTTPClient: srv.Client(),
				Adapter: channel.Config{MaxBody: 32 << 10}})
			if err != nil {
				t.Fatal(err)
			}
			return &channeltest.Env{Adapter: a, Platform: srv, MaxBody: 32 << 10,
				Encode: func(in channeltest.Inbound) []byte {
					b, _ := json.Marshal(map[string]any{"update_id": num(in.ID), "message": map[string]any{
						"message_id": num(in.ID), "date": 1700000000, "text": in.Text,
						"from": map[string]any{"id": num(in.From), "first_name": "Ann"}, "chat": map[string]any{"id": num(in.From), "type": "private"}}})
					return b
				},
				Request: func(body []byte, s channeltest.Signing) *http.Request {
					r := httptest.NewRequest(http.MethodPost, "/webhooks/telegram", bytes.NewReader(body))
					r.Header.Set("Content-Type", "application/json")
					switch s {
					case channeltest.Signed:
						r.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
					case channeltest.Forged:
						r.Header.Set("X-Telegram-Bot-Api-Secret-Token", "forged")
					}
					return r
				},
			}
		},
	})
}

// num turns the suite's IDs ("m1", "alice") into Telegram's numeric ones.
func num(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()>>1 + 1
}

// The suite's Queue stands in for the Bot's Enqueue: a platform's
// redelivery of a message it already accepted is a duplicate, which the
// adapter acknowledges without a second turn.
func Example() {
	q := &channeltest.Queue{}
	ctx := context.Background()
	turn := &parley.Turn{Channel: "telegram", ConversationID: "telegram:42", MessageID: "1204", Message: parley.Text("where is my parcel?")}
	fmt.Println(q.Enqueue(ctx, turn))
	fmt.Println(errors.Is(q.Enqueue(ctx, turn), parley.ErrDuplicate))
	fmt.Println(len(q.Turns()), "turn:", q.Turns()[0].Text())
	// Output:
	// <nil>
	// true
	// 1 turn: where is my parcel?
}
