package flow

import (
	"strconv"

	"github.com/parleyhq/parley/internal/jsonx"
)

func itoa(i int) string { return strconv.Itoa(i) }

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	return jsonx.SortedKeys(make([]string, 0, len(m)), m)
}
