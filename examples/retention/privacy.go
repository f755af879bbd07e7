package main

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/i18n"
	"github.com/parleyhq/parley/intent/learn"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/privacy"
	"github.com/parleyhq/parley/schedule"
)

// Forgetting a customer: one privacy.Eraser over every place the example
// keeps personal data. "/forget" in the terminal erases the customer you
// are chatting as, "/export" prints everything kept about them as JSON;
// staff do the same for any customer at /privacy/ (signed in, with a
// confirmation).
// On a SQLite file the file is compacted after each erasure (VACUUM and
// a truncated write-ahead log), so the erased text is gone from the bytes
// on disk, not only from the tables.

// forgetting is the example's eraser.
type forgetting struct {
	eraser *privacy.Eraser
	// compact rewrites the store's file after an erasure; nil in memory.
	compact  func(context.Context) error
	sessions *memory.Sessions
}

// newForgetting wires the eraser over a's stores, the registry reg (its
// pending approvals and audit) and the campaign jobs.
func newForgetting(a *app, reg *action.Registry, jobs schedule.Store) *forgetting {
	sources := append(privacy.StoreSources(a.store),
		learn.PrivacySource(a.learn.queue), // the turns waiting for review (learn.go)
		// The desk's open tickets are journaled in the store (deskjournal.go).
		privacy.RecordSource("desk_journal", a.store, deskPrefix, "customer_id"),
		a.desk,                             // the tickets, with their threads, in the agents' workspace
		action.PrivacySource(reg),          // pending approvals withdrawn, the audit pseudonymised
		a.gaps,                             // the help centre's unanswered questions
		privacy.ObserverSource(a.dash.rec), // the dashboard's analytics
		privacy.JobsSource(jobs),           // campaign steps waiting for the customer
	)
	f := &forgetting{eraser: privacy.NewEraser(sources...), sessions: memory.NewSessions(a.store)}
	if c, ok := a.store.(interface{ Compact(context.Context) error }); ok {
		f.compact = c.Compact
	}
	return f
}

// erase deletes everything kept about customerID and then compacts the
// store's file.
func (f *forgetting) erase(ctx context.Context, customerID string) error {
	if err := f.eraser.Erase(ctx, customerID); err != nil {
		return err
	}
	if f.compact != nil {
		return f.compact(ctx)
	}
	return nil
}

// export returns everything kept about customerID as indented JSON.
func (f *forgetting) export(ctx context.Context, customerID string) ([]byte, error) {
	return f.eraser.Export(ctx, customerID)
}

// forgotten is what "/forget" answers, by the conversation's language.
var forgotten = map[string]string{
	"en": "(everything ShopCo kept about you is erased: your conversations, profile, requests waiting for approval and tickets. A new message starts afresh.)",
	"es": "(hemos borrado todo lo que ShopCo guardaba sobre ti: tus conversaciones, tu perfil, las solicitudes pendientes de aprobación y los tickets. Un mensaje nuevo empieza de cero.)",
}

// command runs the terminal's "/forget" and "/export" for customerID,
// chatting in conversation conv, and returns what to print; ok is false
// for any other line. "/forget" answers in the conversation's language.
func (f *forgetting) command(ctx context.Context, line, conv, customerID string) (out string, ok bool) {
	switch strings.TrimSpace(line) {
	case "/forget":
		lang := "en"
		if s, err := f.sessions.Load(ctx, conv); err == nil && strings.HasPrefix(i18n.SessionLocale(s), "es") {
			lang = "es"
		}
		if err := f.erase(ctx, customerID); err != nil {
			return fmt.Sprintf("(could not erase everything: %v; /forget again retries)", err), true
		}
		return forgotten[lang], true
	case "/export":
		b, err := f.export(ctx, customerID)
		if err != nil {
			return fmt.Sprintf("(export incomplete: %v)\n%s", err, b), true
		}
		return string(b), true
	}
	return "", false
}

// privacyTmpl is the staff page: find the customer by name, email
// address or ID, then export their data, or, apart and in red, erase it.
var privacyTmpl = template.Must(template.New("privacy").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ShopCo: a customer's data</title><link rel="stylesheet" href="/staff/login.css"></head>
<body><main class="wide"><h1>A customer's data</h1>
{{with .Done}}<p role="status">{{.}}</p>{{end}}
{{with .Error}}<p class="error" role="alert">{{.}}</p>{{end}}
<form method="get" action="/privacy/" role="search">
<label for="q">Find the customer: first, last or full name, email address, phone number or customer ID</label>
<input id="q" name="customer" required maxlength="128" value="{{.Entry}}" placeholder="Ada, Lovelace, ada@example.com, +1 212 555 0147 or cus_ada" autocomplete="off">
<button class="secondary">Find</button></form>
{{with .Matches}}<ul class="matches" aria-label="Matching customers">{{range .}}<li><a href="/privacy/?customer={{.ID}}">{{.Label}}</a></li>{{end}}</ul>{{end}}
{{if .ID}}<section aria-labelledby="who"><h2 id="who">{{.Label}}</h2>
<form method="get" action="/privacy/export">
<input type="hidden" name="customer" value="{{.ID}}">
<p class="hint">Everything ShopCo keeps about this customer, as one JSON file (for a data access request).</p>
<button class="secondary">Export their data (JSON)</button></form>
<form method="post" action="/privacy/" class="danger" aria-labelledby="erase-h">
<h3 id="erase-h">Erase permanently</h3>
<p>Deletes this customer's conversations, profile, tickets and requests waiting for approval, everywhere the bot keeps them. This cannot be undone: export first if you need a copy.</p>
<input type="hidden" name="customer" value="{{.ID}}">
<div class="check"><input type="checkbox" id="confirm" name="confirm" value="yes" required><label for="confirm">I understand: erase {{.Name}}'s data for good.</label></div>
<button class="danger">Erase {{.Name}}'s data</button></form>
</section>{{end}}
<p><a href="/console/">Back to the workspace</a></p></main></body></html>`))

// privacyRoutes adds the staff page that exports or erases a customer's
// data to mux, behind staffOnly; the erasure is a POST that needs the
// confirmation box and is refused from other sites.
func (a *app) privacyRoutes(mux *http.ServeMux) {
	render := func(w http.ResponseWriter, code int, data map[string]any) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", staffCSP)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		_ = privacyTmpl.Execute(w, data) // the client went away: nothing to do
	}
	mux.Handle("GET /privacy/{$}", a.staffOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entry := strings.TrimSpace(r.URL.Query().Get("customer"))
		if entry == "" {
			render(w, http.StatusOK, map[string]any{})
			return
		}
		who, err := a.findSubject(r.Context(), entry)
		if several := (errSeveral{}); errors.As(err, &several) {
			render(w, lookupStatus(err), map[string]any{"Entry": entry, "Error": err.Error(), "Matches": several.matches})
			return
		}
		if err != nil {
			render(w, lookupStatus(err), map[string]any{"Entry": entry, "Error": err.Error()})
			return
		}
		render(w, http.StatusOK, subjectPage(entry, who))
	})))
	mux.Handle("GET /privacy/export", a.staffOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimSpace(r.URL.Query().Get("customer"))
		if id == "" {
			render(w, http.StatusBadRequest, map[string]any{"Error": "Which customer?"})
			return
		}
		who, err := a.findSubject(r.Context(), id)
		if err != nil {
			render(w, lookupStatus(err), map[string]any{"Entry": id, "Error": err.Error()})
			return
		}
		b, err := a.eraser.export(r.Context(), who.ID)
		if err != nil {
			render(w, http.StatusInternalServerError, withError(subjectPage(id, who), "Export incomplete: "+err.Error()))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", `attachment; filename="customer-data.json"`)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(b) // the client went away: nothing to do
	})))
	erase := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
		id := strings.TrimSpace(r.PostFormValue("customer"))
		switch {
		case id == "":
			render(w, http.StatusBadRequest, map[string]any{"Error": "Which customer?"})
			return
		}
		who, err := a.findSubject(r.Context(), id)
		if err != nil {
			render(w, lookupStatus(err), map[string]any{"Entry": id, "Error": err.Error()})
			return
		}
		if r.PostFormValue("confirm") != "yes" {
			render(w, http.StatusBadRequest, withError(subjectPage(id, who), "Tick the box to confirm the erasure."))
			return
		}
		if err := a.eraser.erase(r.Context(), who.ID); err != nil {
			render(w, http.StatusInternalServerError, withError(subjectPage(id, who), "Not everything was erased (erase again to retry): "+err.Error()))
			return
		}
		render(w, http.StatusOK, map[string]any{"Done": fmt.Sprintf("Everything kept about %s is erased (by %s).", who.Label, agentOf(r))})
	})
	mux.Handle("POST /privacy/{$}", a.staffOnly(http.NewCrossOriginProtection().Handler(erase)))
}

// subjectPage is the page's data for the customer found for entry.
func subjectPage(entry string, who subject) map[string]any {
	name, _, _ := strings.Cut(who.Label, " (")
	return map[string]any{"Entry": entry, "ID": who.ID, "Label": who.Label, "Name": name}
}

func withError(m map[string]any, msg string) map[string]any {
	m["Error"] = msg
	return m
}
