package main

import (
	"testing"

	"github.com/parleyhq/parley/parleytest"
)

// "Welcome back" is for a customer who talked to us in an earlier
// conversation: a first-timer is introduced, and greeted again later in
// that same conversation (they said "Welcome back, Ben!" to Ben's second
// message ever).
func TestGreetingWelcomesBackOnlyFromAnEarlierConversation(t *testing.T) {
	first, a := newTester(t, parleytest.WithCustomer("cus_ben"), parleytest.WithConversation("web-1"))
	first.Send("where is my order?").Expect(parleytest.Contains("order number"))
	first.Send("cancel")
	first.Send("hi").Expect(parleytest.Exact("Hi again, Ben!"), parleytest.Contains("What"))

	later := parleytest.NewTester(t, a.handler, parleytest.WithCustomer("cus_ben"), parleytest.WithStore(a.store), parleytest.WithConversation("web-2"))
	later.Send("hi").Expect(parleytest.Exact("Welcome back, Ben!"), parleytest.Contains("What"))

	spanish := parleytest.NewTester(t, a.handler, parleytest.WithCustomer("cus_ada"), parleytest.WithStore(a.store), parleytest.WithConversation("web-3"))
	spanish.Send("hola").Expect(parleytest.Exact("¡Hola, Ada! Soy el asistente de ShopCo."), parleytest.Contains("¿"))
	spanish.Send("hola").Expect(parleytest.Exact("¡Hola otra vez, Ada!"), parleytest.Contains("¿"))
	again := parleytest.NewTester(t, a.handler, parleytest.WithCustomer("cus_ada"), parleytest.WithStore(a.store), parleytest.WithConversation("web-4"))
	again.Send("hola").Expect(parleytest.Exact("¡Hola de nuevo, Ada!"), parleytest.Contains("¿"))
}
