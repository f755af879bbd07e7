package main

import (
	"context"
	"slices"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/nlu"
)

// refundWord reads the Spanish word "reembolso" as the English "refund"
// is read. The Spanish classifier splits a bare "reembolso" between
// asking for a refund and asking how one is going, and leans to the
// second: "reembolso A-1001" and "reembolso de la lámpara" got "Perdona,
// no lo he entendido", and "reembolso" alone "No veo ningún reembolso
// pendiente", where "refund A-1001" starts the refund and "refund" alone
// asks which of the two is meant. So, in Spanish, when those two intents
// lead: with an order named (its number, or its item, as orderRefs
// found it) and no word asking how a refund is going, it is the refund,
// with one, its status; the word alone asks which. It goes after
// orderRefs.
func refundWord(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		u, ok := parley.Value(t, nlu.UnderstandingKey)
		if !ok || t.Signal != nil || baseLanguage(u.Locale) != "es" || !refundOrStatus(u) {
			return next.HandleTurn(ctx, w, t)
		}
		text := strings.Trim(foldAccents.Replace(strings.ToLower(strings.TrimSpace(t.Text()))), " .!?¿¡")
		_, named := u.Entity("order_id")
		switch {
		case bareRefund[text]:
			refund, status := rankedIntent(u, "refund"), rankedIntent(u, "refund_status")
			u.Status, u.Intent, u.Ranked = nlu.Ambiguous, refund, []nlu.Intent{refund, status}
		case named && !saysAny(questionMarks.Replace(text), refundStatusWords):
			u.Status, u.Intent = nlu.Understood, nlu.Intent{Name: "refund", Confidence: 0.9}
		case named:
			// "estado del reembolso de A-1001"
			u.Status, u.Intent = nlu.Understood, nlu.Intent{Name: "refund_status", Confidence: 0.9}
		default:
			return next.HandleTurn(ctx, w, t)
		}
		u.Then = nil
		return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
	})
}

// bareRefund are the messages that are the word and nothing more.
var bareRefund = map[string]bool{"reembolso": true, "reembolsos": true, "un reembolso": true, "reembolsar": true}

// refundStatusWords ask how a refund is going rather than for one.
var refundStatusWords = []string{"estado", "como va", "novedad", "novedades", "cuando", "ya", "aprobado", "aprobaron",
	"aprobais", "recibire", "llega", "llegara", "hecho", "pendiente", "donde", "sigue", "tarda"}

// refundOrStatus reports whether the classifier's two best intents are
// the refund and its status, whichever first.
func refundOrStatus(u nlu.Understanding) bool {
	if len(u.Ranked) < 2 {
		return false
	}
	two := []string{u.Ranked[0].Name, u.Ranked[1].Name}
	return slices.Contains(two, "refund") && slices.Contains(two, "refund_status")
}

// rankedIntent returns the intent named name among u's ranked ones.
func rankedIntent(u nlu.Understanding, name string) nlu.Intent {
	for _, in := range u.Ranked {
		if in.Name == name {
			return in
		}
	}
	return nlu.Intent{Name: name}
}
