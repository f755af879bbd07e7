package e2e

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/channel/web"
)

// A message the server refuses is explained to the customer in a
// sentence in the conversation's language, never with the server's error
// ("web: rate limited: too many messages; wait a moment", QA10), and
// goes back into the box so that nothing typed is lost.
func TestWidgetExplainsARefusalAndKeepsTheMessage(t *testing.T) {
	ctx := browser(t)
	// One message, then one every 100 s: the second is refused.
	url, _ := serverWith(t, nil, nil, func(c *web.Config) { c.RateLimit, c.RateBurst = 0.01, 1 })
	run(t, ctx, "load", chromedp.Navigate(url+"/"), waitFor(`R && R.querySelector('.launcher')`), click(".launcher"),
		waitFor(`R.querySelector('.notice').textContent.length > 0`))
	run(t, ctx, "the first message goes out", say("hello", "10% off"))
	run(t, ctx, "the second is refused",
		typeText("where is my order A-1001?\r"),
		waitFor(`R.querySelector('.status').textContent === 'You’re sending messages quickly — please wait a moment and try again.'`),
		waitFor(`R.querySelector('.input').value === 'where is my order A-1001?'`),
		waitFor(`Array.from(R.querySelectorAll('.msg.user .meta')).some(m => m.textContent === 'Not sent')`))
	var status string
	run(t, ctx, "read the status", eval(`R.querySelector('.status').textContent`, &status))
	if status == "" || containsAny(status, "web:", "rate limited") {
		t.Errorf("the status shows %q; want a sentence for the customer", status)
	}
}

// The same refusal in a Spanish conversation is said in Spanish.
func TestWidgetExplainsARefusalInTheConversationsLanguage(t *testing.T) {
	ctx := browser(t)
	var mu sync.Mutex
	var got []string
	const es = "Estás enviando mensajes muy seguidos: espera un momento y vuelve a intentarlo."
	chat, err := web.New(web.Config{Secret: []byte("e2e-secret-e2e-secret-e2e-secret-e2e"), Title: "Parley Shop",
		RateLimit: 0.01, RateBurst: 1,
		Translations: map[string]web.Labels{"es": {Placeholder: "Escribe un mensaje…", RateLimited: es, NotSent: "No enviado"}}})
	if err != nil {
		t.Fatal(err)
	}
	bot := chromeBot(chat, &mu, &got)
	mux := http.NewServeMux()
	mux.Handle("/chat/", http.StripPrefix("/chat", chat.Handler(bot)))
	url := start(t, bot, chat, mux)
	run(t, ctx, "open the chat", chromedp.Navigate(url+"/chat/demo"), waitFor(`R && R.querySelector('.launcher')`), click(".launcher"),
		waitFor(`R.querySelector('.notice').textContent.length > 0`))
	run(t, ctx, "a Spanish answer", say("hola", "En qué te ayudo"),
		waitFor(`R.querySelector('.input').placeholder === 'Escribe un mensaje…'`))
	run(t, ctx, "refused, in Spanish", typeText("quiero un reembolso\r"),
		waitFor(`R.querySelector('.status').textContent === `+jsString(es)),
		waitFor(`R.querySelector('.input').value === 'quiero un reembolso'`),
		waitFor(`Array.from(R.querySelectorAll('.msg.user .meta')).some(m => m.textContent === 'No enviado')`))
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
