package crm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/parleyhq/parley/memory/customer/crm"
)

func ExampleNewHTTP() {
	// A stand-in for the shop's customer API.
	api := http.NewServeMux()
	api.HandleFunc("GET /api/customers/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer k" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if r.PathValue("id") != "cus_1" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `{"id":"cus_1","name":"Ada","tier":"gold","total_spent":42000}`)
	})
	srv := httptest.NewServer(api)
	defer srv.Close()

	lookup, err := crm.NewHTTP(crm.HTTPConfig{BaseURL: srv.URL + "/api/",
		Header: http.Header{"Authorization": {"Bearer k"}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := lookup.Customer(context.Background(), "cus_1")
	fmt.Println(c.Name, c.Tier, c.TotalSpent, err)
	_, err = lookup.Customer(context.Background(), "cus_2")
	fmt.Println(errors.Is(err, crm.ErrNotFound))
	// Output:
	// Ada gold 42000 <nil>
	// true
}
