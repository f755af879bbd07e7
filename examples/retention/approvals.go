package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"

	"github.com/parleyhq/parley/action"
)

// The approvals page: refunds over the automatic limit wait here (and as a
// ticket on the agents' desk) until a person approves or rejects them.
// The decision runs through the action registry, which executes the call
// once, within its budgets, and audits who approved it; the customer is
// told on their ticket.

var approvalsTmpl = template.Must(template.New("approvals").Funcs(template.FuncMap{"esc": url.PathEscape}).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Parley example: approvals</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left}form{display:inline}</style></head><body>
<p><a href="/console/">&larr; agents' console</a></p><h1>Waiting for approval</h1>
{{if .}}<table><tr><th>Request</th><th>Customer</th><th>Action</th><th>Arguments</th><th>Amount</th><th>Limit</th><th></th></tr>
{{range .}}{{with .Request}}<tr><td>{{.ID}}</td><td>{{.Customer}}</td><td>{{.Action}}</td><td><code>{{printf "%s" .Args}}</code></td>
<td>{{printf "%.2f" .Amount}}</td><td>{{printf "%.2f" .Limit}}</td><td>
<form method="post" action="{{esc .ID}}/approve"><input name="agent" placeholder="your name" required> <button>Approve</button></form>
<form method="post" action="{{esc .ID}}/reject"><input type="hidden" name="agent" value="agent"><button>Reject</button></form></td></tr>
{{end}}{{end}}</table>{{else}}<p>Nothing is waiting.</p>{{end}}</body></html>`))

// approvalsHandler serves the approvals page, mounted at prefix with
// http.StripPrefix.
func (a *app) approvalsHandler(prefix string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		pending, err := a.actions.awaiting(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var b bytes.Buffer
		if err := approvalsTmpl.Execute(&b, pending); err != nil {
			http.Error(w, "template error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(b.Bytes())
	})
	decide := func(approve bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			agent := r.FormValue("agent")
			if agent == "" {
				http.Error(w, "who is deciding? (agent)", http.StatusBadRequest)
				return
			}
			if err := a.decide(r, r.PathValue("id"), agent, approve); err != nil {
				code := http.StatusInternalServerError
				if errors.Is(err, action.ErrRejected) {
					code = http.StatusNotFound // unknown or already decided
				}
				http.Error(w, err.Error(), code)
				return
			}
			http.Redirect(w, r, prefix+"/", http.StatusSeeOther)
		}
	}
	mux.HandleFunc("POST /{id}/approve", decide(true))
	mux.HandleFunc("POST /{id}/reject", decide(false))
	return http.NewCrossOriginProtection().Handler(mux)
}

// decide approves or rejects approval id and tells the customer on the
// ticket that carries it.
func (a *app) decide(r *http.Request, id, agent string, approve bool) error {
	ctx := r.Context()
	p, _, err := a.actions.decide(ctx, id, agent, approve)
	if p.ID == "" {
		return err // unknown or already decided: nobody to tell
	}
	text := approvalText(p, approve, err)
	for _, t := range a.desk.Queue() {
		if t.Data["approval_id"] == id {
			if rerr := a.desk.Reply(ctx, t.ID, agent, text); rerr != nil {
				return errors.Join(err, rerr)
			}
			break
		}
	}
	return err
}

// approvalText tells the customer what was decided.
func approvalText(p action.ApprovalRequest, approved bool, err error) string {
	what := p.Action
	if p.Action == actRefund {
		var args refundArgs
		if json.Unmarshal(p.Args, &args) == nil {
			what = fmt.Sprintf("refund of $%.2f on order %s", args.Amount, args.OrderID)
		}
	}
	switch {
	case !approved:
		return fmt.Sprintf("I'm sorry: we can't approve the %s. I'm here to talk through other options.", what)
	case err != nil:
		return fmt.Sprintf("Your %s was approved, but it didn't go through on our side. I'll sort it out and get back to you here.", what)
	}
	return fmt.Sprintf("Good news: your %s is approved and on its way. It takes 5-10 business days to show.", what)
}
