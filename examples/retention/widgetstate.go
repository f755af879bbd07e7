package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/web"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/memory"
)

// widgetTranslations are the widget's own texts in Spanish: the widget
// shows them while the conversation is in Spanish (the bot's latest
// message), so that a Spanish conversation never has an English header,
// placeholder or "Talk to a human" button (which would send English
// words into it).
func widgetTranslations(ctx context.Context, customer string) map[string]web.Labels {
	es := web.Labels{
		Title:         "Soporte de ShopCo",
		Notice:        "Este chat lo atiende el asistente de ShopCo. Nuestro equipo de soporte puede leer los mensajes para ayudarte.",
		Question:      "¿Podemos guardar esta conversación para que la veas de nuevo al recargar la página?",
		Placeholder:   "Escribe un mensaje…",
		Send:          "Enviar",
		Human:         "Hablar con una persona",
		LeaveQueue:    "Salir de la cola",
		ConsentYes:    "Sí, guárdala",
		ConsentNo:     "No, gracias",
		Sending:       "Enviando…",
		Delivered:     "Entregado",
		Read:          "Leído",
		NotSent:       "No enviado",
		Reconnecting:  "Reconectando…",
		Uploading:     "Subiendo",
		TooLarge:      "El archivo es demasiado grande",
		TooLong:       "El mensaje es demasiado largo ({n} caracteres; el máximo es {max}). Acórtalo o envíalo en varias partes.",
		Network:       "Problema de conexión; los mensajes sin enviar se enviarán cuando vuelva la conexión.",
		RateLimited:   "Estás enviando mensajes muy seguidos: espera un momento y vuelve a intentarlo.",
		UploadType:    "Ese tipo de archivo no se puede enviar aquí.",
		Failed:        "No se ha podido enviar el mensaje. Inténtalo de nuevo.",
		Open:          "Abrir el chat",
		Close:         "Cerrar el chat",
		Attach:        "Adjuntar un archivo",
		Record:        "Grabar un mensaje de voz",
		StopRecording: "Parar la grabación y enviar",
		Typing:        "El asistente está escribiendo",
		Message:       "Mensaje",
		Greeting:      "¡Hola! Soy el asistente de ShopCo. Pregúntame por un pedido, una devolución o reembolso, tu plan o los envíos. Puedes hablar con una persona cuando quieras.",
	}
	if p, err := newShop(time.Now()).Profile(ctx, customer); err == nil && p["name"] != "" {
		es.SignedIn = fmt.Sprintf(signedInTexts["es"], p["name"])
	}
	return map[string]web.Labels{"es": es}
}

// personAnswers remembers that a person from the team has joined the
// conversation (until the hand-off ends), which escalation.HumanOwns
// does not tell apart from waiting for one.
var personAnswers = memory.NewStateKey[bool]("widget.person_answers")

// widgetHuman tells the web widget who answers, so that its header button
// says "Talk to a human" with the bot, "Leave the queue" while the
// customer waits for a person, and is gone while a person answers (a
// customer talking to Maria was still offered "Talk to a human"). The
// last reply of each web turn is held until the turn ends, when the
// hand-off's state is known, and goes out marked with it
// (Extras["web"]["human"]); the replies before it go out at once.
func widgetHuman(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Channel != "web" {
			return next.HandleTurn(ctx, w, t)
		}
		hw := &heldWriter{ReplyWriter: w}
		err := next.HandleTurn(ctx, hw, t)
		if hw.last == nil {
			return err
		}
		m := *hw.last
		extras := make(map[string]any, len(m.Extras)+1)
		for k, v := range m.Extras {
			extras[k] = v
		}
		who, serr := whoAnswers(t)
		extras["web"] = map[string]any{"human": who}
		m.Extras = extras
		return errors.Join(err, serr, w.Reply(ctx, m))
	})
}

// whoAnswers is "bot", "waiting" or "agent" after t.
func whoAnswers(t *parley.Turn) (string, error) {
	s := t.Session()
	if s == nil {
		return "bot", nil
	}
	joined, _, err := personAnswers.Get(s)
	if err != nil {
		return "bot", err
	}
	if !escalation.HumanOwns(t) {
		if joined {
			return "bot", personAnswers.Set(s, false)
		}
		return "bot", nil
	}
	if sig := t.Signal; !joined && sig != nil && (sig.Name == escalation.SignalAssigned || sig.Name == dialog.SignalAgentMessage) {
		return "agent", personAnswers.Set(s, true)
	}
	if joined {
		return "agent", nil
	}
	return "waiting", nil
}

// heldWriter sends each reply when the next one comes, keeping the last.
type heldWriter struct {
	parley.ReplyWriter
	last *parley.Message
}

func (w *heldWriter) Reply(ctx context.Context, m parley.Message) error {
	prev := w.last
	w.last = &m
	if prev == nil {
		return nil
	}
	return w.ReplyWriter.Reply(ctx, *prev)
}

// Unwrap returns the writer w wraps, for typing indicators and read
// receipts.
func (w *heldWriter) Unwrap() parley.ReplyWriter { return w.ReplyWriter }
