package prometheus_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	parleyprom "github.com/parleyhq/parley/analytics/prometheus"
	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Register the Observer with a registry, serve it on /metrics, and pass it
// to the bot as (one of) its observers.
func Example() {
	metrics := parleyprom.New(parleyprom.WithMaxValues(20))
	reg := prom.NewRegistry()
	reg.MustRegister(metrics)

	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// The bot calls Observe for every event; here by hand.
	metrics.Observe(context.Background(), parley.Event{Kind: parley.EventTurn, Channel: "web", Duration: 400 * time.Millisecond})
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "parley_turns_total") {
			fmt.Println(sc.Text())
		}
	}
	// Output: parley_turns_total{channel="web"} 1
}
