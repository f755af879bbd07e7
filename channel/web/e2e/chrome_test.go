package e2e

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/web"
)

// chromeBot answers in the language and with the hand-off state the
// widget's own texts must follow, and records the text of every turn.
func chromeBot(chat *web.Chat, mu *sync.Mutex, got *[]string) *parley.Bot {
	human := func(state string) map[string]any { return map[string]any{"web": map[string]any{"human": state}} }
	return parley.NewBot(parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Signal != nil {
			return nil // the page's events
		}
		mu.Lock()
		*got = append(*got, t.Text())
		mu.Unlock()
		switch t.Text() {
		case "hello":
			return w.Reply(ctx, parley.Message{Text: "Did you mean one of these?", Locale: "en",
				QuickReplies: []parley.QuickReply{{Title: "Shipping", Payload: "shipping"}, {Title: "Returns", Payload: "returns"}}})
		case "hola":
			return w.Reply(ctx, parley.Message{Text: "¡Hola! ¿En qué te ayudo?", Locale: "es"})
		case "human":
			return w.Reply(ctx, parley.Message{Text: "Te paso con una persona.", Locale: "es", Extras: human("waiting")})
		case "exit":
			return w.Reply(ctx, parley.Message{Text: "Vuelves a estar con el asistente.", Locale: "es", Extras: human("bot")})
		case "agent":
			return w.Reply(ctx, parley.Message{Text: "Hola, soy María.", Agent: "María", Locale: "es", Extras: human("agent")})
		case "done":
			return w.Reply(ctx, parley.Message{Text: "You're back with the assistant.", Locale: "en", Extras: human("bot")})
		}
		return w.Reply(ctx, parley.Message{Text: "you picked " + t.Text(), Locale: "en"})
	}), parley.WithSender("web", chat.Sender()))
}

// TestWidgetFollowsTheConversation: the widget's own texts follow the
// language of the conversation, its header button follows the hand-off
// (leave the queue while waiting, hidden while a person answers), a
// typed option number picks that option, and a message over the limit
// is refused saying the limit, the text kept in the box.
func TestWidgetFollowsTheConversation(t *testing.T) {
	ctx := browser(t)
	var mu sync.Mutex
	var got []string
	chat, err := web.New(web.Config{Secret: []byte("e2e-secret-e2e-secret-e2e-secret-e2e"), Title: "Parley Shop",
		MaxMessageBytes: 100,
		Translations: map[string]web.Labels{"es": {Title: "Tienda Parley", Placeholder: "Escribe un mensaje…", Send: "Enviar",
			Human: "Hablar con una persona", LeaveQueue: "Salir de la cola", TooLong: "Demasiado largo: {n} caracteres, el máximo es {max}."}}})
	if err != nil {
		t.Fatal(err)
	}
	bot := chromeBot(chat, &mu, &got)
	mux := http.NewServeMux()
	mux.Handle("/chat/", http.StripPrefix("/chat", chat.Handler(bot)))
	url := start(t, bot, chat, mux)
	const btn = `R.querySelector('.human')`
	run(t, ctx, "open the chat", chromedp.Navigate(url+"/chat/demo"), launch(),
		waitFor(`R.querySelector('.notice').textContent.length > 0`),
		waitFor(`R.querySelector('.input').placeholder === 'Type a message…' && `+btn+`.textContent === 'Talk to a human'`))
	run(t, ctx, "a typed number picks that option", say("hello", "Did you mean"), waitFor(`R.querySelectorAll('.quick-reply').length === 2`),
		typeText("2\r"), botSaid("you picked returns"))
	run(t, ctx, "a Spanish answer turns the widget Spanish", say("hola", "En qué te ayudo"),
		waitFor(`R.querySelector('.input').placeholder === 'Escribe un mensaje…' && R.querySelector('.send').textContent === 'Enviar'`),
		waitFor(btn+`.textContent === 'Hablar con una persona' && R.querySelector('.title').textContent === 'Tienda Parley'`))
	run(t, ctx, "too long, in Spanish, with the limit",
		chromedp.Evaluate[chromedp.Void](root+`.querySelector('.input').value = 'ñ'.repeat(10) + 'x'.repeat(100)`), typeText("\r"),
		waitFor(`R.querySelector('.status').textContent === 'Demasiado largo: 110 caracteres, el máximo es 90.'`),
		waitFor(`R.querySelector('.input').value.trim().length === 110`),
		chromedp.Evaluate[chromedp.Void](root+`.querySelector('.input').value = ''`))
	run(t, ctx, "the button asks for a person", click(".human"), botSaid("Te paso con una persona"),
		waitFor(`!`+btn+`.hidden && `+btn+`.textContent === 'Salir de la cola'`))
	run(t, ctx, "and then leaves the queue", click(".human"), botSaid("Vuelves a estar con el asistente"),
		waitFor(btn+`.textContent === 'Hablar con una persona'`))
	// The agent's first message hides the button while it has the
	// keyboard: the keyboard goes to the input, not to the page's body.
	run(t, ctx, "no button while a person answers", click(".human"), botSaid("Te paso con una persona"),
		chromedp.Evaluate[chromedp.Void](`(() => { const R = `+root+`; R.querySelector('.input').value = 'agent';
			R.querySelector('.compose').requestSubmit(); R.querySelector('.human').focus(); })()`),
		botSaid("soy María"), waitFor(btn+`.hidden`), waitFor(`R.activeElement === R.querySelector('.input')`))
	run(t, ctx, "back to the bot, in English", say("done", "back with the assistant"),
		waitFor(`!`+btn+`.hidden && `+btn+`.textContent === 'Talk to a human' && R.querySelector('.input').placeholder === 'Type a message…'`))

	mu.Lock()
	defer mu.Unlock()
	want := []string{"hello", "returns", "hola", "human", "exit", "human", "agent", "done"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("the bot saw %q, want %q", got, want)
	}
}
