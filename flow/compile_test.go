package flow_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/parleytest"
)

func problems(t *testing.T, b *flow.Builder) []string {
	t.Helper()
	f, err := b.Compile()
	require.Error(t, err)
	require.Nil(t, f)
	var ce *flow.CompileError
	require.True(t, errors.As(err, &ce), "want *CompileError, got %T", err)
	var out []string
	for _, p := range ce.Problems {
		out = append(out, p.String())
	}
	return out
}

func TestCompileReportsEveryProblem(t *testing.T) {
	b := flow.New("broken").Add(
		&flow.Say{ID: "a", Text: []string{"Hi {{customer.nickname}} {{slots.nope}}"}, Next: "missing"},
		&flow.Say{ID: "a", Text: []string{"dup"}, Next: "a"},
		&flow.Ask{ID: "q", Slot: "email", Type: flow.EmailSlot, Prompt: []string{"Email?"}},
		&flow.Branch{ID: "loop1", Cases: []flow.Case{{Expr: "slots.x == 'y'", Next: "loop2"}}, Else: "loop2"},
		&flow.Say{ID: "loop2", Text: []string{"again"}, Next: "loop1"},
		&flow.Branch{ID: "badexpr", Cases: []flow.Case{{Expr: "slots.x ==", Next: "q"}}, Else: "q"},
		&flow.Action{ID: "act", Next: "q"},
		&flow.Say{ID: "tmpl", Text: []string{"{{ unclosed"}, Next: "q"},
	)
	got := strings.Join(problems(t, b), "\n")
	for _, want := range []string{
		`node "a": unknown target "missing"`,
		`node "a": duplicate ID`,
		`unknown variable {{customer.nickname}}`,
		`unknown variable {{slots.nope}}`,
		`node "q": dead end: Next is empty`,
		`cycle that never waits for the user: loop1 -> loop2 -> loop1`,
		`node "badexpr": case #1: expression`,
		`node "act": action has no Do function`,
		`node "act": dead end: OnError is empty`,
		`node "tmpl": text: template "{{ unclosed" at byte 0: "{{" is not closed`,
		`node "q": unreachable`,
		`node "loop1": unreachable`,
	} {
		assert.Contains(t, got, want)
	}
}

func TestCompileNoStartNode(t *testing.T) {
	assert.Contains(t, problems(t, flow.New("empty")), "no start node (the flow has no nodes)")
	assert.Contains(t, problems(t, flow.New("x").Start("nope").Add(&flow.End{ID: "e", Status: flow.Resolved})),
		`start node "nope" does not exist`)
}

func TestCompileNodeFields(t *testing.T) {
	tests := []struct {
		name string
		give flow.Node
		want string
	}{
		{"ask without slot", &flow.Ask{ID: "n", Prompt: []string{"?"}, Next: "end"}, "ask has no slot"},
		{"ask bad type", &flow.Ask{ID: "n", Slot: "s", Type: "colour", Prompt: []string{"?"}, Next: "end"}, `unknown slot type "colour"`},
		{"ask no prompt", &flow.Ask{ID: "n", Slot: "s", Next: "end"}, "ask has no prompt"},
		{"choice no options", &flow.Choice{ID: "n", Prompt: []string{"?"}}, "choice has no options"},
		{"choice duplicate options", &flow.Choice{ID: "n", Prompt: []string{"?"}, Options: []flow.Option{{Title: "A", Next: "end"}, {Title: "a", Next: "end"}}}, `two options answer to "a"`},
		{"branch case without condition", &flow.Branch{ID: "n", Cases: []flow.Case{{Next: "end"}}, Else: "end"}, "neither If nor Expr"},
		{"branch no else", &flow.Branch{ID: "n", Cases: []flow.Case{{Expr: "true", Next: "end"}}}, "dead end: Else is empty"},
		{"call no flow", &flow.Call{ID: "n", Next: "end"}, "call names no flow"},
		{"handoff no reason", &flow.Handoff{ID: "n"}, "hand-off has no reason"},
		{"feedback kind", &flow.Feedback{ID: "n", Kind: "stars", Next: "end"}, `unknown feedback kind "stars"`},
		{"wait nothing", &flow.Wait{ID: "n"}, "neither a signal nor a timeout"},
		{"wait timeout without route", &flow.Wait{ID: "n", Signal: "s", Next: "end", Timeout: 5}, "dead end: OnTimeout is empty"},
		{"end status", &flow.End{ID: "n", Status: "done"}, `unknown resolution "done"`},
		{"say nothing", &flow.Say{ID: "n", Next: "end"}, "say has nothing to say"},
		{"nil node", (*flow.Say)(nil), "node #1 is nil"},
		{"no id", &flow.Say{Text: []string{"x"}, Next: "end"}, "has no ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := flow.New("f").Add(tt.give, &flow.End{ID: "end", Status: flow.Resolved})
			assert.Contains(t, strings.Join(problems(t, b), "\n"), tt.want)
		})
	}
}

func TestCompileAcceptsDeclaredVariables(t *testing.T) {
	f, err := flow.New("ok").Slots("total").CustomerFields("nickname").Add(
		&flow.Say{ID: "hi", Text: []string{`Hi {{customer.nickname | "there"}}, {{customer.name}}`}, Next: "act"},
		&flow.Action{ID: "act", Do: func(context.Context, *flow.Scope) (string, error) { return "", nil }, Next: "sum", OnError: "end"},
		&flow.Say{ID: "sum", Text: []string{"Total {{slots.total}}"}, Next: "end"},
		&flow.End{ID: "end", Status: flow.Resolved},
	).Compile()
	require.NoError(t, err)
	assert.Equal(t, "ok", f.Name())
	assert.Contains(t, f.Mermaid(), `"sum (say)"`, "every node is in the graph")
}

func TestCycleThroughInputIsFine(t *testing.T) {
	_, err := flow.New("menu").Add(
		&flow.Choice{ID: "menu", Prompt: []string{"Pick"}, Options: []flow.Option{{Title: "Again", Next: "say"}, {Title: "Done", Next: "end"}}},
		&flow.Say{ID: "say", Text: []string{"ok"}, Next: "menu"},
		&flow.End{ID: "end", Status: flow.Resolved},
	).Compile()
	require.NoError(t, err)
}

func TestExport(t *testing.T) {
	f := flow.New("mini").Add(
		&flow.Ask{ID: "email", Slot: "email", Type: flow.EmailSlot, Prompt: []string{"Email?"}, Next: "bye", OnFail: "bye"},
		&flow.End{ID: "bye", Status: flow.Resolved, Text: []string{"Bye"}},
	).MustCompile()
	assert.Equal(t, `flowchart TD
    n0("email (ask)")
    n1(["bye (end)"])
    n0 --> n1
    n0 -->|"fail"| n1
`, f.Mermaid())
}

func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"Hi {{customer.name}}", `{{slots.a | "x"}}`, "{{", "}}", "{{}}", "{{a.b.c}}", "plain"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Compile must either accept or report problems; never panic.
		fl, err := flow.New("f").Slots("a").Add(
			&flow.Say{ID: "s", Text: []string{s}, Next: "e"},
			&flow.End{ID: "e", Status: flow.Resolved},
		).Compile()
		var ce *flow.CompileError
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		if err == nil && fl == nil {
			t.Fatal("nil flow without error")
		}
	})
}

func TestCompileFreezes(t *testing.T) {
	say := &flow.Say{ID: "hi", Text: []string{"Hello."}, Next: "end"}
	b := flow.New("f").Add(say, &flow.End{ID: "end", Status: flow.Resolved})
	f, err := b.Compile()
	require.NoError(t, err)
	e, err := flow.NewEngine([]*flow.Builder{b})
	require.NoError(t, err)

	// The compiled flows own copies: editing a node changes nothing.
	say.Text[0] = "Changed."
	assert.Contains(t, f.Mermaid(), `"hi (say)"`)
	parleytest.NewTester(t, e.Starter("f")).Send("go").Expect(parleytest.Exact("Hello."))

	// Compiling again is fine; changing the builder first is an error,
	// from Compile and from NewEngine.
	_, err = b.Compile()
	require.NoError(t, err)
	b.Add(&flow.End{ID: "late", Status: flow.Resolved})
	_, err = b.Compile()
	require.ErrorIs(t, err, flow.ErrCompiled)
	_, err = flow.NewEngine([]*flow.Builder{b})
	require.ErrorIs(t, err, flow.ErrCompiled)
}
