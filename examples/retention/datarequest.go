package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/memory"
)

// Data requests in the chat. "Delete my data", "forget me", "borra mis
// datos" get a confirmation question written here, from fixed text,
// never by a model; a yes erases everything the example keeps about the
// customer through its privacy.Eraser (privacy.go), once the turn is
// over (parley.AfterTurn), so that the Bot's save of the turn cannot
// bring the conversation back; a no changes nothing, and anything else
// drops the question and is served as usual. "Export my data", "quiero
// mis datos" get a count of what is kept, by kind, and where to get a
// full copy; no stored value is shown in the chat.

// dataOwner owns the erasure question (dialog.Question.Owner).
const dataOwner = "data_request"

// Replies, in English; dataSpanish translates them.
const (
	eraseQuestion = "This deletes your profile, our conversations, your support tickets and any request waiting for a teammate's OK, for good. Your orders stay on record. Delete everything? (yes/no)"
	eraseDone     = "Done. Everything ShopCo kept about you is being erased now: your profile, our conversations, tickets and waiting requests. Your next message starts afresh."
	eraseKept     = "OK, I haven't deleted anything. Anything else I can help with?"
	// eraseKeptShort goes before the question the erasure question
	// interrupted, asked again.
	eraseKeptShort = "OK, I haven't deleted anything."
	eraseNobody    = `I can't tell who you are in this chat, so I can't erase anything from here. Type "human" and a teammate will help.`
	exportHeader   = "Here's what ShopCo keeps about you:"
	exportNothing  = "ShopCo keeps nothing about you right now."
	exportCLI      = `For a full copy, type "/export" here. To erase it all, say "delete my data".`
	exportOther    = `For a full copy, type "human" and a teammate will send it to you. To erase it all, say "delete my data".`
)

// dataSpanish is the Spanish of the replies above, added to the
// example's catalog.
var dataSpanish = map[string]string{
	eraseQuestion:  "Esto borra para siempre tu perfil, nuestras conversaciones, tus tickets de soporte y las solicitudes pendientes de aprobación. Tus pedidos se conservan. ¿Lo borro todo? (sí/no)",
	eraseDone:      "Hecho. Estamos borrando todo lo que ShopCo guardaba sobre ti: tu perfil, nuestras conversaciones, los tickets y las solicitudes pendientes. Tu próximo mensaje empieza de cero.",
	eraseKept:      "Vale, no he borrado nada. ¿Te ayudo con algo más?",
	eraseKeptShort: "Vale, no he borrado nada.",
	eraseNobody:    `No sé quién eres en este chat, así que no puedo borrar nada desde aquí. Escribe "humano" y te ayudará una persona del equipo.`,
	exportHeader:   "Esto es lo que ShopCo guarda sobre ti:",
	exportNothing:  "Ahora mismo ShopCo no guarda nada sobre ti.",
	exportCLI:      `Para una copia completa, escribe "/export" aquí. Para borrarlo todo, di "borra mis datos".`,
	exportOther:    `Para una copia completa, escribe "humano" y una persona del equipo te la enviará. Para borrarlo todo, di "borra mis datos".`,
	"- your profile (name, contact details, preferences)":               "- tu perfil (nombre, datos de contacto, preferencias)",
	"- messages in our conversations: {n}":                              "- mensajes de nuestras conversaciones: {n}",
	"- requests waiting for a teammate's OK: {n}":                       "- solicitudes pendientes de aprobación: {n}",
	"- records of what I did for you (look-ups, refunds): {n}":          "- registros de lo que he hecho por ti (consultas, reembolsos): {n}",
	"- support tickets: {n}":                                            "- tickets de soporte: {n}",
	"- messages kept to improve my answers (personal data masked): {n}": "- mensajes guardados para mejorar mis respuestas (datos personales ocultos): {n}",
	"- questions I couldn't answer: {n}":                                "- preguntas que no supe responder: {n}",
	"- other records (reminders, offers, hand-off bookkeeping): {n}":    "- otros registros (recordatorios, ofertas, gestión de traspasos): {n}",
}

// A dataKind is what a customer asks about their data.
type dataKind int

const (
	noDataRequest dataKind = iota
	eraseRequest
	exportRequest
)

var (
	eraseRE = regexp.MustCompile(`\b(delete|erase|remove|wipe|destroy|purge)\b.*\b(my (personal )?(data|information|info|account|profile)|everything (you|ShopCo) (know|have|keep|hold|store)s?( about me)?|all (of )?my (data|information|info))\b` +
		`|\bforget (about )?me\b|\bright to (be forgotten|erasure)\b`)
	eraseES = regexp.MustCompile(`\b(borra|borrar|borre|borres|borrad|borren|borrame|elimina|eliminar|elimine|elimines|eliminad|eliminen|eliminame|suprime|suprimir)\b.*\b(mis datos|mi informacion|mi cuenta|mi perfil|todo lo que (sabes|sabeis|saben|tienes|teneis|tienen|guardas|guardais|guardan))\b` +
		`|\bolvidame\b|\bolvidate de mi\b|\bderecho al olvido\b`)
	exportRE = regexp.MustCompile(`\b(export|download|send me|give me|get|see|show me|copy of)\b.*\bmy (personal )?(data|information|info)\b` +
		`|\bwhat (data|information|info) do you (have|keep|hold|store)\b`)
	exportES = regexp.MustCompile(`\b(quiero|dame|enviame|envia|mandame|manda|exporta|exportar|descarga|descargar|ver|copia de)\b.*\bmis datos\b` +
		`|\bque datos (tienes|guardas|teneis|tienen|guardan)\b`)
	// accents and punctuation are dropped before matching
	unaccent = strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ü", "u", "ñ", "n")
)

// dataRequestOf reads what text asks about the customer's data, and in
// which language it asks ("es" for Spanish, else "en").
func dataRequestOf(text string) (dataKind, string) {
	s := unaccent.Replace(strings.ToLower(text))
	switch {
	case eraseES.MatchString(s):
		return eraseRequest, "es"
	case eraseRE.MatchString(s):
		return eraseRequest, "en"
	case exportES.MatchString(s):
		return exportRequest, "es"
	case exportRE.MatchString(s):
		return exportRequest, "en"
	}
	return noDataRequest, "en"
}

// yesNo reads the answer to the erasure question: only a plain yes
// erases.
func yesNo(text string) string {
	s := strings.Trim(unaccent.Replace(strings.ToLower(strings.TrimSpace(text))), ".!¡ ")
	switch s {
	case "yes", "y", "yes please", "yes delete everything", "yes delete it", "yes, delete everything", "delete everything", "si", "si por favor", "si borralo todo", "si, borralo todo", "borralo todo", "vale":
		return "yes"
	case "no", "n", "no thanks", "no, thanks", "nope", "no gracias", "no, gracias", "cancel", "keep it":
		return "no"
	}
	return ""
}

// dataRequests serves the customer's requests about their data; it goes
// after the global commands (a "cancel" or "menu" drops its question)
// and before everything that reads the request as something else.
type dataRequests struct {
	app *app // its eraser is wired after the pipeline
}

func (d dataRequests) middleware(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if _, cmd := parley.Value(t, dialog.CommandKey); cmd || strings.TrimSpace(t.Text()) == "" {
			return next.HandleTurn(ctx, w, t)
		}
		kind, lang := dataRequestOf(t.Text())
		if q, open := dialog.OpenQuestion(t); open && q.Owner == dataOwner && kind == noDataRequest {
			dialog.CloseQuestion(t)
			w = inLanguage(w, t, q.Data["lang"])
			switch yesNo(t.Text()) {
			case "yes":
				return d.erase(ctx, w, t)
			case "no":
				return d.keep(ctx, w, t)
			}
			// Something else: the question is dropped and the turn
			// served as usual.
			return next.HandleTurn(ctx, w, t)
		}
		w = inLanguage(w, t, lang)
		switch kind {
		case eraseRequest:
			if t.CustomerID == "" {
				return d.reply(ctx, w, t, eraseNobody)
			}
			// A form's open question is paused by this one (dialog.Ask)
			// and asked again after a no.
			if err := dialog.Ask(t, dialog.Question{ID: "erase", Owner: dataOwner, Text: eraseQuestion,
				Options: []parley.QuickReply{{Title: "Yes"}, {Title: "No"}}, Data: map[string]string{"lang": lang}}); err != nil {
				return err
			}
			if err := dialog.Report(t, dialog.Served); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Message{Text: eraseQuestion, QuickReplies: []parley.QuickReply{{Title: "Yes"}, {Title: "No"}}})
		case exportRequest:
			return d.export(ctx, w, t)
		}
		return next.HandleTurn(ctx, w, t)
	})
}

func (d dataRequests) reply(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, text string) error {
	if err := dialog.Report(t, dialog.Served); err != nil {
		return err
	}
	return w.Reply(ctx, parley.Text(text))
}

// keep answers a no: nothing is erased, and the question the erasure
// question replaced, if any, is asked again.
func (d dataRequests) keep(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	prev, ok := dialog.Unpause(t)
	if !ok {
		return d.reply(ctx, w, t, eraseKept)
	}
	if err := d.reply(ctx, w, t, eraseKeptShort); err != nil {
		return err
	}
	return w.Reply(ctx, parley.Message{Text: prev.Text, QuickReplies: prev.Options})
}

// erase erases the customer once the turn is committed.
func (d dataRequests) erase(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	id := t.CustomerID
	if id == "" {
		return d.reply(ctx, w, t, eraseNobody)
	}
	conv := t.ConversationID
	if !parley.AfterTurn(t, func(ctx context.Context) error { return d.eraseChat(ctx, conv, id) }) {
		return errors.New("retention: erasure needs the Bot (parley.AfterTurn)")
	}
	if err := dialog.Report(t, dialog.Resolved); err != nil {
		return err
	}
	return w.Reply(ctx, parley.Text(eraseDone))
}

// eraseChat erases the customer and the conversation the request came
// from, which may not name the customer (a web visitor signed in by the
// demo's selector rather than a linked identity): its session and the
// web chat's kept transcript (under "web/transcript/<conversation>", the
// layout channel/web documents). They go first: the eraser compacts
// the file at the end.
func (d dataRequests) eraseChat(ctx context.Context, conv, customerID string) error {
	f := d.app.eraser
	var errs []error
	for _, err := range []error{f.sessions.Delete(ctx, conv), d.app.store.Delete(ctx, "web/transcript/"+conv, memory.AnyVersion)} {
		if err != nil && !errors.Is(err, memory.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(append(errs, f.erase(ctx, customerID))...)
}

// export answers with what is kept about the customer, counted by kind.
func (d dataRequests) export(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
	if t.CustomerID == "" {
		return d.reply(ctx, w, t, eraseNobody)
	}
	raw, err := d.app.eraser.export(ctx, t.CustomerID)
	if err != nil {
		return err
	}
	lines, err := dataSummary(raw)
	if err != nil {
		return err
	}
	if len(lines) == 0 {
		return d.reply(ctx, w, t, exportNothing)
	}
	text := exportHeader + "\n" + strings.Join(lines, "\n")
	if t.Channel == "cli" {
		text += "\n" + exportCLI
	} else {
		text += "\n" + exportOther
	}
	return d.reply(ctx, w, t, text)
}

// dataSummary counts what the export raw holds, one line per kind with
// something in it.
func dataSummary(raw []byte) ([]string, error) {
	var x struct {
		Sources map[string]json.RawMessage `json:"sources"`
	}
	if err := json.Unmarshal(raw, &x); err != nil {
		return nil, fmt.Errorf("retention: read the export: %w", err)
	}
	var actions struct {
		Pending []json.RawMessage `json:"pending_approvals"`
		Audit   []json.RawMessage `json:"audit"`
	}
	if a := x.Sources["actions"]; len(a) > 0 {
		if err := json.Unmarshal(a, &actions); err != nil {
			return nil, fmt.Errorf("retention: read the export's actions: %w", err)
		}
	}
	var sessions []struct {
		History []json.RawMessage `json:"history"`
	}
	if s := x.Sources["sessions"]; len(s) > 0 {
		if err := json.Unmarshal(s, &sessions); err != nil {
			return nil, fmt.Errorf("retention: read the export's sessions: %w", err)
		}
	}
	messages := count(x.Sources["history"])
	for _, s := range sessions {
		messages += len(s.History)
	}
	var lines []string
	add := func(format string, n int) {
		if n > 0 {
			lines = append(lines, strings.Replace(format, "{n}", fmt.Sprint(n), 1))
		}
	}
	if count(x.Sources["profile"]) > 0 {
		lines = append(lines, "- your profile (name, contact details, preferences)")
	}
	add("- messages in our conversations: {n}", messages)
	add("- requests waiting for a teammate's OK: {n}", len(actions.Pending))
	add("- records of what I did for you (look-ups, refunds): {n}", len(actions.Audit))
	add("- support tickets: {n}", count(x.Sources["desk_tickets"]))
	add("- messages kept to improve my answers (personal data masked): {n}", count(x.Sources["review_queue"]))
	add("- questions I couldn't answer: {n}", count(x.Sources["kb_gaps"]))
	other := 0
	for _, name := range []string{"proactive", "web_transcripts", "vault", "escalation_wake"} {
		other += count(x.Sources[name])
	}
	add("- other records (reminders, offers, hand-off bookkeeping): {n}", other)
	return lines, nil
}

// count is the number of elements of a JSON array or members of an
// object; 1 for any other value but null.
func count(raw json.RawMessage) int {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return 0
	}
	switch v := v.(type) {
	case nil:
		return 0
	case []any:
		return len(v)
	case map[string]any:
		return len(v)
	}
	return 1
}

// inLanguage returns w, or for a request made in Spanish in a
// conversation the i18n middleware does not take for Spanish (a first
// message of one word: "olvídame") a writer that says the replies in
// Spanish itself.
func inLanguage(w parley.ReplyWriter, t *parley.Turn, lang string) parley.ReplyWriter {
	if lang != "es" || strings.HasPrefix(t.Locale, "es") {
		return w
	}
	return spanishWriter{w}
}

type spanishWriter struct{ w parley.ReplyWriter }

var digits = regexp.MustCompile(`[0-9]+`)

// Reply implements parley.ReplyWriter.
func (s spanishWriter) Reply(ctx context.Context, m parley.Message) error {
	lines := strings.Split(m.Text, "\n")
	for i, l := range lines {
		if es, ok := dataSpanish[l]; ok {
			lines[i] = es
		} else if n := digits.FindString(l); n != "" {
			if es, ok := dataSpanish[strings.Replace(l, n, "{n}", 1)]; ok {
				lines[i] = strings.Replace(es, "{n}", n, 1)
			}
		}
	}
	m.Text = strings.Join(lines, "\n")
	if len(m.QuickReplies) > 0 {
		qr := make([]parley.QuickReply, len(m.QuickReplies))
		for i, q := range m.QuickReplies {
			q.Payload = cmp.Or(q.Payload, q.Title)
			q.Title = cmp.Or(map[string]string{"Yes": "Sí", "No": "No"}[q.Title], q.Title)
			qr[i] = q
		}
		m.QuickReplies = qr
	}
	m.Locale = "es"
	return s.w.Reply(ctx, m)
}

// Unwrap returns the writer s wraps, for typing indicators.
func (s spanishWriter) Unwrap() parley.ReplyWriter { return s.w }
