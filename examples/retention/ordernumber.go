package main

import (
	"context"
	"regexp"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/flow"
)

// Order numbers as customers type them. The shop's are "A-1001"; the
// understander also reads "a1001" and "A1001". Customers type "order
// 1002", "#1001", "A 1001", paste the order page's address, or answer
// "Which order is it?" with "1002" (QA13 G11: the list again, "Please
// pick one of the orders listed", or "didn't quite get that").

// orderDigitsPattern finds four digits that name an order by what comes
// before them: "order", "order number", "pedido", "#" or "A ".
var orderDigitsPattern = regexp.MustCompile(`(?i)((?:\border|\bpedido)(?:\s+(?:number|no\.?|num(?:ero|\.)?|n[º°]))?\s*#?\s*|#\s*|\bA\s*)(\d{4})\b`)

// orderLink is an order page's address ("https://shop.example/orders/A-1002"),
// read as the order number it shows.
var orderLink = regexp.MustCompile(`(?i)\bhttps?://\S*?/orders?/((?:A-?)?\d{4})\b\S*`)

// orderDigits writes the customer's order numbers typed without their
// "A-" as the shop writes them ("order 1002" is "order A-1002"), and a
// link to an order page as its number, before the message is understood.
// Only numbers of the customer's own orders are rewritten ("a 1000 dollar
// refund" stays as it is); four digits alone are an order number only
// as the answer to a question asking which order.
func orderDigits(s *shop) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			text := t.Text()
			if s == nil || t.CustomerID == "" || text == "" || t.Signal != nil {
				return next.HandleTurn(ctx, w, t)
			}
			mine := func(digits string) bool {
				o, err := s.Order(ctx, "A-"+digits)
				return err == nil && o.Customer == t.CustomerID
			}
			out := orderLink.ReplaceAllString(text, "order $1")
			out = orderDigitsPattern.ReplaceAllStringFunc(out, func(m string) string {
				sub := orderDigitsPattern.FindStringSubmatch(m)
				if !mine(sub[2]) {
					return m
				}
				lead := sub[1]
				if strings.HasPrefix(lead, "#") || strings.EqualFold(strings.TrimSpace(lead), "a") {
					return "A-" + sub[2]
				}
				return strings.TrimRight(strings.TrimSuffix(strings.TrimRight(lead, " "), "#"), " ") + " A-" + sub[2]
			})
			if digits := strings.Trim(text, " .#"); len(digits) == 4 && strings.Trim(digits, "0123456789") == "" && asksWhichOrder(t) && mine(digits) {
				out = "A-" + digits
			}
			if out == text {
				return next.HandleTurn(ctx, w, t)
			}
			t2 := *t
			t2.Message.Text = out
			return next.HandleTurn(ctx, w, &t2)
		})
	}
}

// asksWhichOrder reports whether the open question asks which order the
// customer means.
func asksWhichOrder(t *parley.Turn) bool {
	q, open := dialog.OpenQuestion(t)
	return open && q.Owner == flow.DefaultOwner && (strings.HasSuffix(q.ID, "order") || strings.HasSuffix(q.ID, "/other") || strings.HasSuffix(q.ID, "/reask"))
}
