package sink_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/parleyhq/parley/analytics"
	"github.com/parleyhq/parley/analytics/sink"
)

func ExampleReadJSONL() {
	log := `{"kind":"turn","time":"2026-03-02T09:00:00Z","conversation":"c1","duration_ns":1000000000}
not json
{"kind":"flow.end","time":"2026-03-02T09:00:05Z","conversation":"c1","attrs":{"flow":"f","status":"resolved"}}
`
	agg := analytics.NewAggregator()
	for e, err := range sink.ReadJSONL(strings.NewReader(log)) {
		if err != nil {
			fmt.Fprintln(os.Stdout, "skipped:", err)
			continue
		}
		agg.Add(e)
	}
	r, _ := agg.Record("c1")
	fmt.Println(r.Resolution)
	// Output:
	// skipped: line 2: invalid character 'o' in literal null (expecting 'u')
	// resolved
}
