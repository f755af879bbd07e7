package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/memory"
)

// The staff side: the agents' workspace (package desk's Console) at
// /console/, with the refunds waiting for approval shown beside their
// conversations, behind the staff sign-in (staff.go). /approvals/ is the
// workspace too.

// staffMux serves the staff pages: sign-in, the workspace and the
// approvals.
func (a *app) staffMux() *http.ServeMux {
	mux := http.NewServeMux()
	a.staffPages(mux)
	console := desk.NewConsole(a.desk, desk.WithAgentName(agentOf), desk.WithApprovals(workspaceApprovals{a}),
		desk.WithCannedReplies(cannedReplies...))
	mux.Handle("/console/", a.staffOnly(http.StripPrefix("/console", console)))
	mux.Handle("/approvals/", a.staffOnly(http.RedirectHandler("/console/", http.StatusSeeOther)))
	a.dash.routes(mux, a.staffOnly)
	a.learn.routes(mux, a.staffOnly)
	a.privacyRoutes(mux) // export or erase a customer's data (privacy.go)
	// Browsers ask every page's origin for an icon: no content, rather
	// than a 404 in every page's console (browser QA, session 12).
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	return mux
}

// cannedReplies are ShopCo's ready-made answers.
var cannedReplies = []desk.CannedReply{
	{Title: "Greeting", Text: "Hi {name}, I'm {agent} from ShopCo support. I've read your conversation so far, so there's no need to repeat anything."},
	{Title: "Looking into it", Text: "Thanks for your patience, {name}. I'm checking this now and will be back with you in a couple of minutes."},
	{Title: "Apology", Text: "I'm really sorry about this, {name}. That's not the experience we want you to have, and I'll put it right."},
	{Title: "Refund sent", Text: "I've sent the refund to your original payment method. It usually shows within 5-10 business days."},
	{Title: "Replacement", Text: "I've arranged a replacement at no cost to you. You'll get a shipping confirmation by email today."},
	{Title: "Address changed", Text: "Done: your order will go to the new address. You'll get an updated confirmation by email."},
	{Title: "Anything else", Text: "Is there anything else I can help you with today?"},
	{Title: "Closing", Text: "Thanks for chatting with us, {name}. I'll hand you back to our assistant now; you can ask for a person again any time."},
	// For conversations in Spanish.
	{Locale: "es", Title: "Saludo", Text: "Hola {name}, soy {agent}, del equipo de ShopCo. He leído la conversación, así que no hace falta que repitas nada."},
	{Locale: "es", Title: "Lo estoy revisando", Text: "Gracias por tu paciencia, {name}. Lo estoy revisando y te digo algo en un par de minutos."},
	{Locale: "es", Title: "Disculpa", Text: "Lo siento mucho, {name}. No es la experiencia que queremos darte, y lo voy a solucionar."},
	{Locale: "es", Title: "Reembolso enviado", Text: "He enviado el reembolso a tu método de pago original. Suele aparecer en 5-10 días hábiles."},
	{Locale: "es", Title: "Reposición", Text: "He pedido una reposición sin coste para ti. Hoy recibirás la confirmación de envío por correo."},
	{Locale: "es", Title: "Dirección cambiada", Text: "Hecho: tu pedido irá a la nueva dirección. Recibirás la confirmación actualizada por correo."},
	{Locale: "es", Title: "Algo más", Text: "¿Puedo ayudarte con algo más?"},
	{Locale: "es", Title: "Despedida", Text: "Gracias por escribirnos, {name}. Te dejo otra vez con nuestro asistente; puedes pedir hablar con una persona cuando quieras."},
}

// workspaceApprovals shows the registry's pending approvals in the
// workspace.
type workspaceApprovals struct{ a *app }

// Pending implements desk.Approvals.
func (w workspaceApprovals) Pending(ctx context.Context) ([]desk.Approval, error) {
	pending, err := w.a.actions.awaiting(ctx)
	if err != nil {
		return nil, err
	}
	sessions := w.a.bot.Sessions()
	out := make([]desk.Approval, 0, len(pending))
	for _, p := range pending {
		r := p.Request
		da := desk.Approval{ID: r.ID, ConversationID: r.Conversation, CustomerID: r.Customer, What: approvalWhat(r),
			Amount: r.Amount, Limit: r.Limit, Created: p.Created, Status: "pending"}
		if p, err := w.a.shop.Profile(ctx, r.Customer); err == nil && r.Customer != "" {
			da.CustomerName = cmp.Or(p["name"], p["first_name"]) // the approval list shows names, not cus_ada
		}
		s, err := sessions.Load(ctx, r.Conversation)
		switch {
		case err == nil:
			da.Transcript = s.History
		case !errors.Is(err, memory.ErrNotFound):
			return nil, err
		}
		out = append(out, da)
	}
	return out, nil
}

// Decide implements desk.Approvals.
func (w workspaceApprovals) Decide(ctx context.Context, id, agent string, approve bool) error {
	err := w.a.decide(ctx, id, agent, approve)
	switch {
	case errors.Is(err, errSelfApproval):
		return errors.New("a customer cannot approve their own request")
	case errors.Is(err, action.ErrNoApproval), errors.Is(err, action.ErrRejected):
		return errors.New("no such request waiting (unknown, or already decided)")
	case errors.Is(err, errNotTold):
		return err
	case err != nil:
		return fmt.Errorf("the decision was recorded but the action failed: %w", err)
	}
	return nil
}

// approvalWhat says what approving does.
func approvalWhat(r action.ApprovalRequest) string {
	if r.Action == actRefund {
		var args refundArgs
		if json.Unmarshal(r.Args, &args) == nil {
			return fmt.Sprintf("Refund $%.2f on order %s", args.Amount, args.OrderID)
		}
	}
	what := strings.ReplaceAll(r.Action, "_", " ")
	if r.Amount > 0 {
		what += fmt.Sprintf(" ($%.2f)", r.Amount)
	}
	return what
}
