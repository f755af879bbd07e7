package web

import (
	"bytes"
	"html/template"
	"net/http"
)

// demoPage is a small product page that embeds the widget and reports a
// product view on load. The widget itself lives in static/.
var demoPage = template.Must(template.New("demo").ParseFS(static, "static/demo.html"))

// demoHandler returns a handler serving a demo product page that embeds the
// widget from scriptSrc (for example "/chat/widget.js"), reports a
// "product_view" event on load with parley.track, and an idle event after
// 45 seconds without input. A Chat also serves it at /demo.
func demoHandler(scriptSrc string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		if err := demoPage.ExecuteTemplate(&b, "demo.html", map[string]string{"Script": scriptSrc}); err != nil {
			http.Error(w, "web: demo page: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if _, err := w.Write(b.Bytes()); err != nil {
			return
		}
	})
}
