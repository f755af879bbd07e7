package e2e

import (
	"net/http"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/channel/web"
)

// TestWidgetSignedInFollowsTheConversation: the page's "Signed in as"
// text, given with its translations, follows the conversation's language
// as the widget's own labels do. The example's demo page set it in
// English only, so a Spanish conversation had a Spanish header over
// "Signed in as Ada Lovelace (demo)" (QA12 q2).
func TestWidgetSignedInFollowsTheConversation(t *testing.T) {
	ctx := browser(t)
	var mu sync.Mutex
	var got []string
	chat, err := web.New(web.Config{Secret: []byte("e2e-secret-e2e-secret-e2e-secret-e2e"), Title: "Parley Shop",
		Translations: map[string]web.Labels{"es": {Send: "Enviar", SignedIn: "Sesión iniciada (servidor)"}}})
	if err != nil {
		t.Fatal(err)
	}
	bot := chromeBot(chat, &mu, &got)
	mux := http.NewServeMux()
	mux.Handle("/chat/", http.StripPrefix("/chat", chat.Handler(bot)))
	mux.HandleFunc("/account", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if _, err := w.Write([]byte(`<!doctype html><html><head><title>Account</title></head><body>
<script>window.parley = window.parley || {q: []}; window.parley.signedIn = function () { window.parley.q.push(["signedIn", arguments]); };
parley.signedIn("Signed in as Ada", {es: "Sesión iniciada como Ada"});</script>
<script src="/chat/widget.js" data-open="true" async></script></body></html>`)); err != nil {
			return
		}
	})
	url := start(t, bot, chat, mux)
	const who = `R.querySelector('.who').textContent`
	run(t, ctx, "English first", chromedp.Navigate(url+"/account"),
		waitFor(`R && !R.querySelector('.panel').hidden`), waitFor(`R.querySelector('.notice').textContent.length > 0`),
		waitFor(who+` === 'Signed in as Ada'`))
	run(t, ctx, "a Spanish answer turns it Spanish", say("hola", "En qué te ayudo"),
		waitFor(`R.querySelector('.send').textContent === 'Enviar'`), waitFor(who+` === 'Sesión iniciada como Ada'`))
	run(t, ctx, "signing in as someone else keeps the language", chromedp.Evaluate[chromedp.Void](
		`parley.signedIn("Signed in as Ben", {es: "Sesión iniciada como Ben"})`),
		waitFor(who+` === 'Sesión iniciada como Ben'`))
	run(t, ctx, "without a translation, the page's text", chromedp.Evaluate[chromedp.Void](`parley.signedIn("Signed in as Cleo")`),
		waitFor(who+` === 'Signed in as Cleo'`))
	run(t, ctx, "back to English", chromedp.Evaluate[chromedp.Void](`parley.signedIn("Signed in as Ada", {es: "Sesión iniciada como Ada"})`),
		say("done", "back with the assistant"), waitFor(who+` === 'Signed in as Ada'`))
}
