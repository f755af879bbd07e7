package desk

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/parleyhq/parley/escalation"
)

// Console is the agents' web console over a [Memory] desk: the queue with
// priority and reason, and per ticket the summary, suggested reply,
// profile, intents and entities, sentiment, transcript and thread, a reply
// box and a resolve button. Mount it under a prefix with
// [http.StripPrefix], behind the application's authentication:
//
//	mux.Handle("/console/", http.StripPrefix("/console", desk.NewConsole(d)))
//
// Forms are protected against cross-site requests
// ([http.CrossOriginProtection]). A Console is safe for concurrent use.
type Console struct {
	desk  *Memory
	agent func(*http.Request) string
	h     http.Handler
}

// A ConsoleOption configures a [Console].
type ConsoleOption func(*Console)

// WithAgentName takes the agent's name from the request (from the
// application's session, say) instead of the form's "agent" field.
func WithAgentName(f func(*http.Request) string) ConsoleOption {
	return func(c *Console) { c.agent = f }
}

// NewConsole returns the console for d. It panics if d is nil.
func NewConsole(d *Memory, opts ...ConsoleOption) *Console {
	if d == nil {
		panic("desk: NewConsole with nil desk")
	}
	c := &Console{desk: d}
	for _, o := range opts {
		o(c)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", c.queue)
	mux.HandleFunc("GET /tickets/{id}", c.ticket)
	mux.HandleFunc("POST /tickets/{id}/assign", c.act)
	mux.HandleFunc("POST /tickets/{id}/reply", c.act)
	mux.HandleFunc("POST /tickets/{id}/resolve", c.act)
	c.h = http.NewCrossOriginProtection().Handler(mux)
	return c
}

// ServeHTTP implements [http.Handler].
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.h.ServeHTTP(w, r) }

var consoleTmpl = template.Must(template.New("console").Funcs(template.FuncMap{
	"ago": func(v any) string {
		var t time.Time
		switch v := v.(type) {
		case time.Time:
			t = v
		case *time.Time:
			if v != nil {
				t = *v
			}
		}
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 MST")
	},
	"esc": url.PathEscape,
}).Parse(`{{define "head"}}<!doctype html><html><head><meta charset="utf-8"><title>{{.}}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left}.urgent{color:#b00;font-weight:bold}.high{color:#d60}
.user{color:#036}.bot{color:#555}.agent{color:#060}pre{white-space:pre-wrap}section{margin:1em 0}</style></head><body>{{end}}
{{define "queue"}}{{template "head" "Parley console: queue"}}<h1>Queue</h1>
{{if .}}<table><tr><th>Priority</th><th>Reason</th><th>Customer</th><th>Channel</th><th>Status</th><th>Since</th></tr>
{{range .}}{{$c := .}}{{with .Ticket}}<tr><td class="{{.Priority}}">{{.Priority}}</td><td><a href="tickets/{{esc .ID}}">{{.Reason}}</a></td>
<td>{{with .Profile.name}}{{.}}{{else}}{{.CustomerID}}{{end}}</td><td>{{.Channel}}</td><td>{{$c.Status}}{{with $c.Agent}} ({{.}}){{end}}</td><td>{{ago .Created}}</td></tr>
{{end}}{{end}}</table>{{else}}<p>No open conversations.</p>{{end}}</body></html>{{end}}
{{define "ticket"}}{{$c := .}}{{with .Ticket}}{{template "head" .Reason}}<p><a href="../">&larr; queue</a></p>
<h1 class="{{.Priority}}">{{.Priority}}: {{.Reason}}</h1>
<p>Ticket {{.ID}} &middot; conversation {{.ConversationID}} on {{.Channel}} &middot; {{$c.Status}}{{with $c.Agent}} with {{.}}{{end}}{{with $c.CloseReason}} ({{.}}){{end}}</p>
{{with .Note}}<p>Note: {{.}}</p>{{end}}
{{with .Callback}}<p><b>Call back</b> {{ago .}}{{with $c.Ticket.Phone}} on {{.}}{{end}}</p>{{end}}
<section><h2>Summary</h2><pre>{{.Summary}}</pre><h3>Suggested reply</h3><pre>{{.SuggestedReply}}</pre></section>
<section><h2>Customer</h2>{{if .Profile}}<table>{{range $k, $v := .Profile}}<tr><th>{{$k}}</th><td>{{$v}}</td></tr>{{end}}</table>{{else}}<p>{{.CustomerID}}</p>{{end}}
{{if .Data}}<h3>Data</h3><table>{{range $k, $v := .Data}}<tr><th>{{$k}}</th><td>{{$v}}</td></tr>{{end}}</table>{{end}}</section>
<section><h2>Understanding</h2><p>Intents: {{range .Intents}}{{.Name}} {{end}}</p><p>Entities: {{range .Entities}}{{.Type}}={{.Value}} {{end}}</p>
{{if .Mood.Label}}<p>Mood as measured: sentiment {{printf "%.2f" .Mood.Score}} ({{.Mood.Label}}) on the last message; frustration {{printf "%.2f" .Frustration}} at its highest</p>{{end}}</section>
<section><h2>Transcript</h2>{{range .Transcript}}<p class="{{.Role}}"><b>{{.Role}}</b> {{.Text}}</p>{{end}}
{{range $c.Thread}}<p class="{{if eq .From "customer"}}user{{else}}agent{{end}}"><b>{{.From}}</b> {{.Text}}</p>{{end}}</section>
{{if $c.Open}}<section><form method="post" action="{{esc .ID}}/reply"><input name="agent" placeholder="your name" value="{{$c.Agent}}" required>
<textarea name="text" rows="3" cols="60" required>{{if not $c.Thread}}{{.SuggestedReply}}{{end}}</textarea><button>Send</button></form>
<form method="post" action="{{esc .ID}}/resolve"><button>Resolve and hand back to the bot</button></form></section>{{end}}{{end}}
</body></html>{{end}}`))

func (c *Console) queue(w http.ResponseWriter, r *http.Request) {
	c.render(w, "queue", c.desk.Queue())
}

type ticketView struct {
	Case
	Open bool
}

func (c *Console) ticket(w http.ResponseWriter, r *http.Request) {
	t, ok := c.desk.Get(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	c.render(w, "ticket", ticketView{Case: t, Open: t.Status == escalation.StatusQueued || t.Status == escalation.StatusAssigned})
}

func (c *Console) render(w http.ResponseWriter, name string, data any) {
	var b strings.Builder
	if err := consoleTmpl.ExecuteTemplate(&b, name, data); err != nil {
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'")
	_, _ = w.Write([]byte(b.String())) // the client went away: nothing to do
}

func (c *Console) act(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	agent := strings.TrimSpace(r.PostForm.Get("agent"))
	if c.agent != nil {
		agent = c.agent(r)
	}
	var err error
	switch {
	case strings.HasSuffix(r.URL.Path, "/assign"):
		if agent == "" {
			http.Error(w, "agent name required", http.StatusBadRequest)
			return
		}
		err = c.desk.Assign(r.Context(), id, agent)
	case strings.HasSuffix(r.URL.Path, "/reply"):
		text := strings.TrimSpace(r.PostForm.Get("text"))
		if agent == "" || text == "" {
			http.Error(w, "agent name and text required", http.StatusBadRequest)
			return
		}
		err = c.desk.Reply(r.Context(), id, agent, text)
	default:
		err = c.desk.Resolve(r.Context(), id)
	}
	switch {
	case errors.Is(err, escalation.ErrUnknownTicket):
		http.NotFound(w, r)
		return
	case errors.Is(err, escalation.ErrClosedTicket):
		http.Error(w, "ticket is closed", http.StatusConflict)
		return
	case err != nil:
		http.Error(w, "could not deliver to the conversation: "+err.Error(), http.StatusBadGateway)
		return
	}
	// A relative Location resolves against the URL the browser used, so
	// it works under any mount prefix (http.Redirect would resolve it
	// against the stripped path).
	w.Header().Set("Location", "../"+url.PathEscape(id))
	w.WriteHeader(http.StatusSeeOther)
}
