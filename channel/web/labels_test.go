package web

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// Every label the server can send has an English default in the widget,
// the one its comment gives (a label without one showed nothing, or the
// server's error text, until the server set it).
func TestEveryLabelHasTheWidgetsDefault(t *testing.T) {
	js, err := static.ReadFile("static/widget.js")
	if err != nil {
		t.Fatal(err)
	}
	block := string(js)
	start := strings.Index(block, "var L = {")
	end := strings.Index(block[start:], "};")
	if start < 0 || end < 0 {
		t.Fatal("widget.js: no label block")
	}
	block = block[start : start+end]
	// Used in Config.Translations only, or empty by default.
	skip := map[string]bool{"title": true, "notice": true, "question": true, "signed_in": true}
	typ := reflect.TypeFor[Labels]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if skip[name] {
			continue
		}
		if !regexp.MustCompile(`\n\s+` + name + `: "[^"]+"`).MatchString(block) {
			t.Errorf("Labels.%s (%q) has no default in widget.js", typ.Field(i).Name, name)
		}
	}
}
