package sms

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/channel/channeltest"
	"github.com/parleyhq/parley/channel/internal/adaptertest"
)

const (
	sid       = "AC00000000000000000000000000000000"
	authToken = "auth-token"
	publicURL = "https://bot.example.com/twilio/sms?tenant=acme"
	business  = "+15550001111"
)

func TestSignatureMatchesTwilioDocs(t *testing.T) {
	// The example from Twilio's "Webhooks security" page.
	params := url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+12349013030"}, "Digits": {"1234"},
		"From": {"+12349013030"}, "To": {"+18005551212"}}
	assert.Equal(t, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", Signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params))
}

// api answers like Twilio's Messages resource.
var api = adaptertest.API{
	Send: func(r *http.Request, body []byte) (channeltest.Outbound, bool) {
		form, err := url.ParseQuery(string(body))
		if err != nil || r.URL.Path != "/2010-04-01/Accounts/"+sid+"/Messages.json" {
			return channeltest.Outbound{}, false
		}
		if u, p, ok := r.BasicAuth(); !ok || u != sid || p != authToken {
			return channeltest.Outbound{}, false
		}
		return channeltest.Outbound{To: form.Get("To"), Text: form.Get("Body")}, true
	},
	Sent: func(seq int) string {
		return fmt.Sprintf(`{"sid":"SM%032d","status":"queued","account_sid":%q}`, seq, sid)
	},
	SentStatus: http.StatusCreated,
	Failed: func(f channeltest.Failure) string {
		code := 21211
		if f.Status == 429 {
			code = 20429
		}
		return fmt.Sprintf(`{"code":%d,"message":%q,"more_info":"https://www.twilio.com/docs/errors/%d","status":%d}`, code, f.Reason, code, f.Status)
	},
}

func platform(t testing.TB) *channeltest.Server { return api.Server(t) }

func phone(s string) string { return fmt.Sprintf("+1555%07d", adaptertest.ID(s, 10_000_000)) }

func form(in channeltest.Inbound) []byte {
	return []byte(url.Values{"MessageSid": {"SM" + in.ID}, "SmsSid": {"SM" + in.ID}, "AccountSid": {sid},
		"From": {phone(in.From)}, "To": {business}, "Body": {in.Text}, "NumMedia": {"0"}}.Encode())
}

func request(body []byte, s channeltest.Signing) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/twilio/sms?tenant=acme", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	params, err := url.ParseQuery(string(body))
	if err != nil {
		params = url.Values{}
	}
	switch s {
	case channeltest.Signed:
		r.Header.Set("X-Twilio-Signature", Signature(authToken, publicURL, params))
	case channeltest.Forged:
		r.Header.Set("X-Twilio-Signature", Signature("other-token", publicURL, params))
	}
	return r
}

func newAdapter(t testing.TB, srv *channeltest.Server, c Config) *channel.Adapter {
	c.AccountSID, c.AuthToken, c.From, c.PublicURL, c.BaseURL, c.HTTPClient = sid, authToken, business, publicURL, srv.URL, srv.Client()
	return adaptertest.New(t, New, c)
}

func TestConformance(t *testing.T) {
	adaptertest.Conformance(t, "sms", 16<<10, platform,
		func(t testing.TB, srv *channeltest.Server, ac channel.Config) *channel.Adapter {
			ac.Limits = channel.Limits{Rate: 1000, Burst: 1000}
			return newAdapter(t, srv, Config{Adapter: ac})
		}, form, request,
		func(env *channeltest.Env) { env.Malformed = [][]byte{[]byte("%zz=1"), []byte("Body=hi"), []byte("{")} })
}

func post(t *testing.T, a *channel.Adapter, q channel.Enqueuer, v url.Values) *httptest.ResponseRecorder {
	t.Helper()
	return adaptertest.Post(a, q, request([]byte(v.Encode()), channeltest.Signed))
}

func msg(id, from, body string) url.Values {
	return url.Values{"MessageSid": {id}, "From": {from}, "To": {business}, "Body": {body}}
}

func TestNumberedRepliesMapBack(t *testing.T) {
	srv := platform(t)
	a := newAdapter(t, srv, Config{})
	q := &channeltest.Queue{}
	require.Equal(t, 200, post(t, a, q, msg("SM1", "+15551230000", "cancel my plan")).Code)
	require.NoError(t, a.Send(context.Background(), parley.AddressOf(q.Turns()[0]),
		parley.Message{Text: "Keep your plan?", QuickReplies: []parley.QuickReply{{Title: "Yes", Payload: "keep"}, {Title: "No", Payload: "cancel"}}}))
	require.Equal(t, 200, post(t, a, q, msg("SM2", "+15551230000", "2")).Code)
	turns := q.Turns()
	require.Len(t, turns, 2)
	assert.Equal(t, "cancel", turns[1].Text(), `"2" maps to the second option's payload`)
	assert.Equal(t, "Keep your plan?\n\n1. Yes\n2. No", srv.Sent()[0].Text)
}

func TestStopStartHelp(t *testing.T) {
	srv := platform(t)
	obs := &adaptertest.Events{}
	a := newAdapter(t, srv, Config{HelpText: "Acme support. Reply STOP to opt out. Msg&data rates may apply.", Adapter: channel.Config{Observer: obs}})
	user := "+15559870000"
	to := parley.Address{ConversationID: "sms:" + business + ":" + user, Recipient: user}
	ctx := context.Background()
	q := &channeltest.Queue{}

	require.Equal(t, 200, post(t, a, q, msg("SM1", user, "Stop")).Code)
	require.ErrorIs(t, a.Send(ctx, to, parley.Text("we miss you")), channel.ErrOptedOut)
	require.Equal(t, 200, post(t, a, q, msg("SM2", user, "hello?")).Code)

	rr := post(t, a, q, msg("SM3", user, "HELP"))
	assert.Equal(t, `<?xml version="1.0" encoding="UTF-8"?><Response><Message>Acme support. Reply STOP to opt out. Msg&amp;data rates may apply.</Message></Response>`, rr.Body.String())
	rr = post(t, a, q, msg("SM3", user, "HELP"))
	assert.NotContains(t, rr.Body.String(), "<Message>", "a redelivered HELP is not answered twice")

	require.Equal(t, 200, post(t, a, q, msg("SM4", user, "START")).Code)
	require.NoError(t, a.Send(ctx, to, parley.Text("welcome back")))

	var texts []string
	for _, tn := range q.Turns() {
		texts = append(texts, tn.Text())
	}
	assert.Equal(t, []string{"Stop", "START"}, texts, "STOP and START reach the Bot; HELP and opted-out messages do not")
	assert.Equal(t, []string{"stop", "ignored", "start"}, obs.Attrs(channel.EventOptOut, "action"))
	sent := srv.Sent()
	require.Len(t, sent, 1)
	assert.Equal(t, "welcome back", sent[0].Text)
}

func TestYesIsAnAnswerUnlessOptedOut(t *testing.T) {
	obs := &adaptertest.Events{}
	a := newAdapter(t, platform(t), Config{Adapter: channel.Config{Observer: obs}})
	q := &channeltest.Queue{}
	require.Equal(t, 200, post(t, a, q, msg("SM1", "+15550000001", "yes")).Code)
	require.Len(t, q.Turns(), 1)
	assert.Equal(t, "yes", q.Turns()[0].Text())
	assert.Empty(t, obs.All())
}

func TestStatusCallbackAndMedia(t *testing.T) {
	obs := &adaptertest.Events{}
	a := newAdapter(t, platform(t), Config{Adapter: channel.Config{Observer: obs}})
	q := &channeltest.Queue{}
	require.Equal(t, 200, post(t, a, q, url.Values{"MessageSid": {"SM9"}, "MessageStatus": {"undelivered"}, "ErrorCode": {"30003"},
		"From": {business}, "To": {"+15551112222"}}).Code)
	v := msg("MM1", "+15551112222", "my receipt")
	v.Set("NumMedia", "1")
	v.Set("MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM1/Media/ME1")
	v.Set("MediaContentType0", "image/jpeg")
	require.Equal(t, 200, post(t, a, q, v).Code)

	events := obs.All()
	require.NotEmpty(t, events)
	assert.Equal(t, channel.EventStatus, events[0].Kind)
	assert.Equal(t, "undelivered", events[0].Attrs["status"])
	var pe *channel.PlatformError
	require.ErrorAs(t, events[0].Err, &pe)
	assert.Equal(t, "30003", pe.Code)
	turns := q.Turns()
	require.Len(t, turns, 1)
	assert.Equal(t, []parley.Attachment{{Kind: parley.Image, MIMEType: "image/jpeg", URL: v.Get("MediaUrl0")}}, turns[0].Message.Attachments)
	assert.Equal(t, "sms:+15550001111:+15551112222", turns[0].ConversationID)
	assert.Equal(t, "+15551112222", turns[0].Recipient)
}

func TestTwilioUnsubscribedError(t *testing.T) {
	srv := channeltest.NewServer(t, channeltest.ServerConfig{
		Decode:  func(r *http.Request, body []byte) (channeltest.Outbound, bool) { return channeltest.Outbound{}, true },
		Success: func(w http.ResponseWriter, r *http.Request, seq int) {},
		Failure: func(w http.ResponseWriter, r *http.Request, f channeltest.Failure) {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"code":21610,"message":"Attempt to send to unsubscribed recipient","status":400}`)
		},
	})
	srv.FailNext(channeltest.Failure{Status: 400})
	a := newAdapter(t, srv, Config{})
	err := a.Send(context.Background(), parley.Address{ConversationID: "c", Recipient: "+15550000009"}, parley.Text("hi"))
	require.ErrorIs(t, err, channel.ErrOptedOut)
	var pe *channel.PlatformError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "21610", pe.Code)
}

func FuzzWebhook(f *testing.F) {
	f.Add(form(channeltest.Inbound{ID: "1", From: "u", Text: "hi"}))
	f.Add([]byte("MessageSid=SM1&From=%2B1&Body=STOP"))
	f.Add([]byte("MessageSid=SM1&From=%2B1&MessageStatus=failed"))
	f.Add([]byte("MessageSid=SM1&From=%2B1&NumMedia=99&MediaUrl0=x"))
	f.Add([]byte("MessageSid=SM1&From=whatsapp%3A%2B1&Latitude=37.7843&Longitude=-122.4016&Address=747+Howard+St&Label=Moscone"))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := New(Config{AccountSID: sid, AuthToken: authToken, From: business, PublicURL: publicURL, BaseURL: "http://127.0.0.1:1"})
		require.NoError(t, err)
		rr := httptest.NewRecorder()
		a.Handler(&channeltest.Queue{}).ServeHTTP(rr, request(body, channeltest.Signed))
		if rr.Code != 200 && rr.Code != 400 && rr.Code != 401 {
			t.Fatalf("status %d", rr.Code)
		}
	})
}
