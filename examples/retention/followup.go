package main

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// lastOrderKey keeps, for the conversation, the order the bot last
// looked up: "when will it arrive?" right after its status is about it.
var lastOrderKey = memory.NewStateKey[string]("example.last_order")

// listedKey keeps the orders listed at "Which order is it?", in the order
// shown, so that "2" picks the second.
var listedKey = memory.NewStateKey[[]string]("example.listed_orders")

// rememberOrder notes id as the order this conversation is about.
func rememberOrder(t *parley.Turn, id string) {
	if s := t.Session(); s != nil && id != "" {
		_ = lastOrderKey.Set(s, id) // a string always encodes
	}
}

// orderRefs finds the order a message means when it gives no number:
// one of the customer's orders listed at "Which order is it?" by its
// place in the list ("2"), by its item ("the blanket"), by the day it was
// placed ("the order I placed yesterday"), or, for a message that
// points back ("when will it arrive?", "and the refund?", "refund it"),
// the order the conversation was just about. The order is added to the
// turn's understanding as an order_id entity, which fills the flows'
// order question as a typed number would.
func orderRefs(s *shop) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			u, ok := parley.Value(t, nlu.UnderstandingKey)
			if !ok || s == nil || t.CustomerID == "" {
				return next.HandleTurn(ctx, w, t)
			}
			if _, named := u.Entity("order_id"); named {
				return next.HandleTurn(ctx, w, t)
			}
			id := s.orderMeant(t, u)
			if id != "" && asksWhereInstead(t) {
				// "no wait, tell me where the blanket is" at the refund's
				// "Which order is it?": the blanket is the order meant,
				// and what is wanted of it is its status, not the refund
				// (it was read as the refund's answer).
				u.Status, u.Intent, u.Then = nlu.Understood, nlu.Intent{Name: "track_order", Confidence: 0.9}, nil
			}
			if id == "" {
				id = arrivalFollowUp(t, u)
				if id == "" {
					return next.HandleTurn(ctx, w, t)
				}
				// "how long until it arrives?" right after an order's
				// status asks about that order, whatever the classifier
				// made of it (the help centre's refund times, QA12 F19).
				u.Status, u.Intent = nlu.Understood, nlu.Intent{Name: "track_order", Confidence: 0.9}
			}
			u.Entities = append(slices.Clone(u.Entities), nlu.Entity{Type: "order_id", Value: id, Confidence: 0.9})
			return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, u))
		})
	}
}

// orderMeant returns the order of the turn's customer that the turn
// means without naming its number, or "".
func (s *shop) orderMeant(t *parley.Turn, u nlu.Understanding) string {
	text := strings.TrimSpace(t.Text())
	q, open := dialog.OpenQuestion(t)
	asked := open && q.Owner == flow.DefaultOwner && strings.HasSuffix(q.ID, "order") // "refund/order", "refund/pick_order"
	form := open && !asked && q.Policy == dialog.Resume
	if form && len(q.Options) == 0 {
		return "" // a form's value question: "make it 20" is its answer
	}
	if asked {
		listed, _, _ := listedKey.Get(t.Session())
		if n, err := strconv.Atoi(strings.Trim(text, " .#")); err == nil && n >= 1 && n <= len(listed) {
			return listed[n-1]
		}
		if len(listed) == 1 && strings.HasSuffix(q.ID, "pick_order") && yesWords[foldAck(text)] {
			return listed[0] // "yes" to the one order listed
		}
	}
	if id := s.orderNamed(t.CustomerID, t.Locale, text); id != "" { // itemname.go
		return id
	}
	if form {
		return "" // a form's choice: "refund" picks "Refund it", of the order in hand
	}
	if d, ok := u.Entity("date"); ok && saysOrdered(text) {
		if id := s.orderPlaced(t.CustomerID, d.Value); id != "" {
			return id
		}
	}
	last, _, _ := lastOrderKey.Get(t.Session())
	if last == "" || u.Status != nlu.Understood && !asked {
		return ""
	}
	if asked && pointsBack(text, false) && !remarks(text) || orderIntents[u.Intent.Name] && pointsBack(text, questionIntents[u.Intent.Name]) {
		return last
	}
	return ""
}

// whereWords ask where an order is; sendBackWords are about returning it
// ("where do I send the lamp back?" is the return's question).
var (
	whereWords    = []string{"where", "wheres", "where's", "status", "tracking", "track", "donde", "estado", "seguimiento"}
	sendBackWords = []string{"send", "return", "refund", "back", "devolver", "devuelvo", "devolucion", "reembolso", "envio", "mando"}
)

// asksWhereInstead reports whether the turn, at another flow's "Which
// order is it?" (the refund's, the address change's), asks where an order
// is: the order it names is the one meant, and its status what is wanted.
func asksWhereInstead(t *parley.Turn) bool {
	q, open := dialog.OpenQuestion(t)
	if !open || q.Owner != flow.DefaultOwner || !strings.HasSuffix(q.ID, "order") || strings.HasPrefix(q.ID, "order_status/") {
		return false
	}
	text := strings.NewReplacer("?", " ", "¿", " ", "!", " ", "¡", " ").Replace(t.Text())
	return saysAny(text, whereWords) && !saysAny(text, sendBackWords)
}

// comingWords ask when a parcel comes, rather than how long shipping
// takes in general.
var comingWords = []string{"arrive", "arrives", "arriving", "get here", "gets here", "come", "comes", "ship", "ships", "shipped",
	"deliver", "delivered", "llegar", "llega", "llegara", "llegue", "llego", "sale", "saldra", "enviais", "enviaran"}

// arrivalFollowUp returns the order the conversation was just about
// when the turn, outside a form, asks when "it" comes ("how long
// until it arrives?", "¿y cuándo llegará?"), or "".
func arrivalFollowUp(t *parley.Turn, u nlu.Understanding) string {
	text := t.Text()
	if q, open := dialog.OpenQuestion(t); open && q.Policy != dialog.Drop && !isMenu(q) || len(strings.Fields(text)) > 8 {
		return "" // a form's answer, or more than a follow-up
	}
	if !asksWhen(text) || !saysAny(questionMarks.Replace(text), comingWords) || !pointsBack(text, true) {
		return ""
	}
	last, _, _ := lastOrderKey.Get(t.Session())
	return last
}

// questionIntents ask about an order rather than ask to change it: a
// short one ("which carrier?", "and the refund?") is about the order
// just discussed.
var questionIntents = map[string]bool{"track_order": true, "refund_status": true}

// orderIntents are the requests about one order.
var orderIntents = map[string]bool{
	"track_order": true, "refund": true, "return_item": true, "refund_status": true,
	"change_address": true, "cancel_order": true,
}

// backWords point back to something said before; otherWords to a
// different order than the one just discussed.
var (
	backWords  = []string{"it", "its", "it's", "that", "this", "same", "them", "they", "eso", "ese", "esa", "ella", "lo"}
	otherWords = []string{"other", "another", "different", "new", "second", "first", "orders", "my", "otro", "otra", "nuevo", "nueva", "pedidos", "mi", "mis"}
)

// remarkVerbs follow "that", "this" or "it" in a remark about what was
// said ("that was useless", "this is a joke"), not in a pointer to an
// order ("that one", "the same as before").
var remarkVerbs = []string{"was", "is", "isn't", "wasn't", "are", "were", "sucks", "doesn't", "didn't", "does", "did", "makes", "fue", "es", "era", "no"}

// remarks reports whether a message is a remark on what was just said
// rather than an answer that points back to an order: a back word
// followed by a verb ("that was useless" at "Which order is it?" is
// frustration, not a choice of the order just discussed).
func remarks(text string) bool {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	})
	for i, w := range words[:max(len(words)-1, 0)] {
		next := words[i+1]
		if slices.Contains(backWords, w) && slices.Contains(remarkVerbs, next) {
			return true
		}
		if w == "it's" && !slices.Contains([]string{"the", "that", "this", "one", "same"}, next) {
			return true // "it's useless"; "it's the same one" still points back
		}
	}
	return false
}

// pointsBack reports whether a message points back to what was just
// discussed ("when will it arrive?", "refund that"), or, for a short
// question (short), is too short to be about anything else ("and the
// refund?", "which carrier?"), and names no other order ("my order",
// "the other one": the customer is asked which).
func pointsBack(text string, short bool) bool {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	})
	for _, w := range words {
		if slices.Contains(otherWords, w) {
			return false
		}
	}
	if short && len(words) <= 3 {
		return true
	}
	if short && len(words) <= 6 && (words[0] == "and" || words[0] == "y") {
		return true // "¿y cuánto tardará en llegar?": the order just discussed
	}
	for _, w := range words {
		if slices.Contains(backWords, w) {
			return true
		}
	}
	return false
}

// saysOrdered reports whether text is about placing an order ("the order
// I placed yesterday", "what I bought on Monday").
func saysOrdered(text string) bool {
	return saysAny(text, []string{"order", "ordered", "placed", "bought", "purchase", "purchased", "pedido", "compre", "pedi"})
}

// orderPlaced returns the one order of customerID placed on day
// (2006-01-02), or "" when none or several were.
func (s *shop) orderPlaced(customerID, day string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	found := ""
	for id, o := range s.orders {
		if o.Customer != customerID || o.Placed.Format(time.DateOnly) != day {
			continue
		}
		if found != "" {
			return ""
		}
		found = id
	}
	return found
}

// recentOrders returns the customer's orders, newest first, at most n.
func (s *shop) recentOrders(customerID string, n int) []order {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []order
	for _, o := range s.orders {
		if o.Customer == customerID && customerID != "" {
			out = append(out, *o)
		}
	}
	slices.SortFunc(out, func(a, b order) int {
		if c := b.Placed.Compare(a.Placed); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out[:min(n, len(out))]
}

// maxListed is how many recent orders "Which order is it?" lists.
const maxListed = 3

// listOrders is a form's step before it asks for the order: a customer
// with orders on file sees them listed with the question, to pick by
// number, item or order number, rather than dig the number out of an
// email. The list goes in slot "orders" and routes to "pick".
func listOrders(d deps, next string) *flow.Action {
	return &flow.Action{ID: "list", Do: func(_ context.Context, s *flow.Scope) (string, error) {
		if s.Slot("order") != "" || d.shop == nil {
			return "", nil
		}
		// One order is listed too (QA13 G53: Ben was asked for the number
		// of his only order at every question); "yes" picks it.
		orders := d.shop.recentOrders(s.Turn.CustomerID, maxListed)
		if len(orders) < 1 {
			return "", nil
		}
		ids := make([]string, len(orders))
		lines := make([]string, len(orders))
		for i, o := range orders {
			ids[i] = o.ID
			lines[i] = o.ID + "\t" + upperFirst(o.itemIn(s.Turn.Locale)) + " (" + statusWord(o.Status, s.Turn.Locale) + ")" // orderlist.go
		}
		if sess := s.Turn.Session(); sess != nil {
			if err := listedKey.Set(sess, ids); err != nil {
				return "", err
			}
		}
		s.SetSlot("orders", strings.Join(lines, "\n")) // pickOrder's quick replies
		return "pick", nil
	}, Routes: map[string]string{"pick": "pick_order"}, Next: next, OnError: next}
}

// pickOrder asks which of the listed orders the request is about; it
// fills the same slot as the form's own order question. Its answer is
// read as that question's: the number, or an order named by its item or
// its place in the list (orderRefs). ask is the question ("Which order
// is it?"); resume introduces it when it is asked again after another
// request ("Back to your refund.").
func pickOrder(ask, resume, next, onFail string) *flow.Ask {
	return &flow.Ask{ID: "pick_order", Slot: "order", Entity: "order_id",
		Prompt:     []string{ask + " Pick one of your recent orders, or type the item or the order number."},
		ResumeText: resume, Validate: validPick, MaxAttempts: 3, OnFail: onFail, Next: next,
		// The orders are buttons in the widget (QA10 F5: they were a
		// line of text); a tap sends the order number.
		OptionsFrom: listedChoices}
}

// listedChoices are the orders listOrders put in slot "orders", as quick
// replies ("A-1010 Wool throw blanket (processing)") that send the order
// number.
func listedChoices(s *flow.Scope) []parley.QuickReply {
	var qs []parley.QuickReply
	for _, line := range strings.Split(s.Slot("orders"), "\n") {
		id, item, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		qs = append(qs, parley.QuickReply{Title: id + " " + item, Payload: id})
	}
	return qs
}

// pickWhichText answers a "yes" to the list of orders: it asks which.
const pickWhichText = "Sure, I just need to know which one."

// validPick reads an answer to the list of orders as validOrder does; a
// customer who does not have the number is pointed to the list rather
// than to the confirmation email.
func validPick(ctx context.Context, v string) (string, error) {
	id, err := validOrder(ctx, v)
	switch {
	case err == nil:
		return id, nil
	case saysNoOrderNumber(v):
		return "", &flow.InputError{Slot: "order", Message: "No problem, you don't need it: type its number in the list or name the item."}
	case yesWords[foldAck(v)]:
		// "yes" to "Which order ...?": what is wanted is the order.
		return "", &flow.InputError{Slot: "order", Message: pickWhichText}
	}
	return "", &flow.InputError{Slot: "order", Message: "Please pick one of the orders listed: type its number in the list, the item, or the order number."}
}

// asksWhen reports whether a request about an order asks when it comes
// or who brings it ("when will it arrive?", "which carrier?").
func asksWhen(text string) bool {
	text = strings.NewReplacer("?", " ", "¿", " ", "!", " ").Replace(text)
	return saysAny(text, []string{"when", "arrive", "arriving", "eta", "carrier", "courier", "delivered by", "how long", "cuando", "llega", "llegara", "llegar", "tarda", "tardara"})
}

// dueText says when an order should arrive, for "when will it arrive?".
func dueText(o orderView, locale string) string {
	due, err := time.Parse(time.DateOnly, o.Due)
	if err != nil {
		return ""
	}
	day := due.Format(time.DateOnly) // written out in the reply's language (i18n.WithDates)
	switch o.Status {
	case "shipped":
		s := "Your " + o.itemIn(locale) + " (" + o.ID + ") is on its way"
		if o.Carrier != "" {
			s += " with " + o.Carrier
		}
		if o.Tracking != "" {
			s += " (tracking number " + o.Tracking + ")"
		}
		return s + " and should arrive by " + day + "."
	case "processing":
		return "Your " + o.itemIn(locale) + " (" + o.ID + ") hasn't left our warehouse yet; it should arrive by " + day + "."
	}
	return ""
}

// moreRequests reports whether the message that started this turn's work
// asked for something more, still to come.
func moreRequests(s *flow.Scope) bool {
	if more, _ := parley.Value(s.Turn, moreComingKey); more { // onerequest.go
		return true
	}
	u, ok := parley.Value(s.Turn, nlu.UnderstandingKey)
	return ok && len(u.Then) > 0
}

// amountWords may follow the amount in a refund request ("refund twenty
// on A-1001", "refund A-1001 10", "20 back please").
var amountWords = []string{"", "on", "for", "back", "please", "pls", "to", "of", "en", "por", "de"}

// amountInRequest reads the amount of a refund request that gives it as
// a bare number ("can I get a refund of twenty on order A-1001", "refund
// A-1001 10") as the amount question would read "20": in dollars. An
// amount with a currency ("fifty dollars") fills the slot as an entity
// already; a number that counts things ("2 shirts") or is part of the
// order number is not an amount.
func amountInRequest(_ context.Context, s *flow.Scope) (string, error) {
	u, ok := parley.Value(s.Turn, nlu.UnderstandingKey)
	text := s.Turn.Text()
	if !ok || s.Slot("amount") != "" || u.Status != nlu.Understood || u.Intent.Name != "refund" && u.Intent.Name != "return_item" ||
		len(strings.Fields(text)) < 2 {
		return "", nil // "2" picking "Refund it" from a list is no amount
	}
	for _, e := range u.Entities {
		if e.Type != "number" || e.Start < 0 || e.End > len(text) || e.End <= e.Start || partOfOrder(u.Entities, e) {
			continue
		}
		v, err := strconv.ParseFloat(e.Value, 64)
		if err != nil || v <= 0 {
			continue
		}
		next, _, _ := strings.Cut(strings.TrimLeft(strings.ToLower(text[e.End:]), " "), " ")
		if !slices.Contains(amountWords, strings.Trim(next, ".,!?")) {
			continue
		}
		s.SetSlot("amount", e.Value+" USD")
		return "", nil
	}
	if wholeInRequest(text) {
		s.SetSlot("whole", "yes") // the lookup fills the amount: what is left to refund
	}
	return "", nil
}

// wholePhrases, in a refund request, ask for everything left to refund
// ("refund A-1002 in full"), as "all of it" does at the amount question.
var wholePhrases = []string{"in full", "the whole thing", "all of it", "the full amount", "the whole amount", "full refund", "all my money"}

// wholeInRequest reports whether a refund request asks for the whole
// amount and does not negate it ("not all of it", "not in full").
func wholeInRequest(text string) bool {
	t := " " + strings.Join(strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return r != '-' && r != '\'' && !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ") + " "
	for _, p := range wholePhrases {
		if i := strings.Index(t, " "+p+" "); i >= 0 {
			before := strings.Fields(t[:i])
			return len(before) == 0 || before[len(before)-1] != "not" && before[len(before)-1] != "no"
		}
	}
	return false
}

// partOfOrder reports whether entity e lies inside an order number.
func partOfOrder(es []nlu.Entity, e nlu.Entity) bool {
	for _, o := range es {
		if o.Type == "order_id" && o.End > o.Start && e.Start < o.End && e.End > o.Start {
			return true
		}
	}
	return false
}

// lastOrderUnrefunded returns the order the turn names, or else the one
// the conversation was just about, when it is the customer's and nothing
// was refunded on it ("status of the refund for A-1001" right after the
// blanket's status is about the shirt).
func lastOrderUnrefunded(ctx context.Context, s *shop, t *parley.Turn) (order, bool) {
	if s == nil || t.Session() == nil {
		return order{}, false
	}
	id, _, _ := lastOrderKey.Get(t.Session())
	if u, ok := parley.Value(t, nlu.UnderstandingKey); ok {
		if e, named := u.Entity("order_id"); named {
			id = e.Value
		}
	}
	if id == "" {
		return order{}, false
	}
	o, err := s.Order(ctx, id)
	if err != nil || o.Customer != t.CustomerID || o.Refunded > 0 {
		return order{}, false
	}
	return o, true
}
