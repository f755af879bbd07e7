package channel

import (
	"net/http"
	"net/http/httptrace"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// httptraceFrom returns a function that fires the request's WroteRequest
// hook, as a real transport does after writing it.
func httptraceFrom(r *http.Request) func() {
	tr := httptrace.ContextClientTrace(r.Context())
	if tr == nil || tr.WroteRequest == nil {
		return nil
	}
	return func() { tr.WroteRequest(httptrace.WroteRequestInfo{}) }
}
