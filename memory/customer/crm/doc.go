// Package crm reads customer data from the application's CRM or customer
// data platform through a small, read-only [Lookup] interface, with an
// HTTP+JSON adapter ([HTTP]) and an in-memory fake ([Fake]). Package
// memory/customer/crm/hubspot is a Lookup over the HubSpot CRM.
//
// # Overview
//
//	lookup, err := crm.NewHTTP(crm.HTTPConfig{
//		BaseURL: "https://crm.internal/api/",
//		Header:  http.Header{"Authorization": {"Bearer " + token}},
//	})
//	if err != nil {
//		return err
//	}
//	orders, err := lookup.Orders(ctx, t.CustomerID)
//	switch {
//	case errors.Is(err, crm.ErrUnavailable):
//		return w.Reply(ctx, parley.Text("I can't see your orders right now. "+
//			"I can text you when I can, or you can check My Orders on the website."))
//	case err != nil:
//		return err
//	}
//
// # Concurrency
//
// A [Lookup] is safe for concurrent use; so are [HTTP] and [Fake].
//
// # Errors
//
// [ErrNotFound] for an unknown customer; an [*UnavailableError], matching
// [ErrUnavailable], when the CRM could not answer (network, timeout,
// non-2xx status, oversized or undecodable body); the context's error when
// ctx ended. The bot must treat "unavailable" as "I don't know", never as
// "you have no orders".
//
// # Implementing Lookup
//
// Wrap your client; map "no such customer" to [ErrNotFound] and every
// failure to reach the system to an [*UnavailableError].
package crm
