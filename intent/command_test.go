package intent_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/memory"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		give string
		want dialog.Command
	}{
		{"cancel", dialog.CommandCancel},
		{"Cancel.", dialog.CommandCancel},
		{"never mind!", dialog.CommandCancel},
		{"cancelar, por favor", dialog.CommandCancel},
		{"menu", dialog.CommandMenu},
		{"Menú", dialog.CommandMenu},
		{"start over please", dialog.CommandMenu},
		{"human", dialog.CommandHuman},
		{"Speak to someone", dialog.CommandHuman},
		{"agent please", dialog.CommandHuman},
		{"hablar con una persona", dialog.CommandHuman},
		{"STOP", dialog.CommandStop},
		{"unsubscribe", dialog.CommandStop},
		{"Baja", dialog.CommandStop},
		{"darme de baja", dialog.CommandStop},
		{"para", dialog.CommandStop},
		{"PARA!", dialog.CommandStop},
		// An opt-out that says what the customer wants no more of.
		{"STOP sending me these stupid messages", dialog.CommandStop},
		{"Stop texting me about renewals, I'm sick of it!!", dialog.CommandStop},
		{"deja de mandarme ofertas, por favor", dialog.CommandStop},
		{"No me envíes más mensajes de promociones", dialog.CommandStop},
		{"UNSTOP", dialog.CommandStart},
		{"unstop", dialog.CommandStart},
		{"darme de alta", dialog.CommandStart},
		// After a word or two that say nothing of their own.
		{"actually never mind", dialog.CommandCancel},
		{"oh well, forget it", dialog.CommandCancel},
		{"ok menu", dialog.CommandMenu},
		{"no, a real person", dialog.CommandHuman},
		{"bueno, déjalo", dialog.CommandCancel},
		{"pues nada, cancelar", dialog.CommandCancel},
		// The same command said twice.
		{"da igual, olvídalo", dialog.CommandCancel},
		{"never mind. cancel", dialog.CommandCancel},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got, ok := intent.ParseCommand(tt.give)
			require.True(t, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseCommandNotACommand(t *testing.T) {
	for _, give := range []string{
		"", "   ", "please", "cancel my plan", "I want to cancel my order A-1001", "don't stop",
		"the menu on your site is broken", "quiero cancelar mi plan", "human resources called me about order A-1001",
		"actually cancel my plan", "ok so what about the menu", "well", "no", "start my return", "start", "cancel, human", "menu, where is A-1001",
		"stopping by to ask about A-1001", "para que sirve el plan anual", "stop sendingx", "no more questions",
		// A request with nothing going on; a cancel while a question is open.
		"I want to cancel", "quiero cancelar", "I changed my mind", "actually no",
	} {
		_, ok := intent.ParseCommand(give)
		assert.False(t, ok, give)
	}
}

func TestCommandsMiddleware(t *testing.T) {
	var got []dialog.Command
	h := parley.HandlerFunc(func(_ context.Context, _ parley.ReplyWriter, t *parley.Turn) error {
		c, ok := parley.Value(t, dialog.CommandKey)
		if ok {
			got = append(got, c)
		}
		return nil
	})
	mw := intent.Commands(
		intent.WithCommandPhrases(dialog.CommandHuman, "operator"),
		intent.WithoutCommand(dialog.CommandStop),
	)
	for _, text := range []string{"Operator!", "stop", "menu", "where is my order"} {
		require.NoError(t, mw(h).HandleTurn(t.Context(), nil, &parley.Turn{Message: parley.Text(text)}))
	}
	assert.Equal(t, []dialog.Command{dialog.CommandHuman, dialog.CommandMenu}, got)
}

// Typing the title of an option the open question offers chooses it:
// "No, cancel" at a win-back offer is not the global "cancel", which
// would drop the offer and leave the plan as it was. Other commands, and
// the same words with no such option open, are commands.
func TestCommandsLeaveTypedOptionsAlone(t *testing.T) {
	var got []dialog.Command
	h := parley.HandlerFunc(func(_ context.Context, _ parley.ReplyWriter, t *parley.Turn) error {
		if c, ok := parley.Value(t, dialog.CommandKey); ok {
			got = append(got, c)
		}
		return nil
	})
	sess := &memory.Session{ID: "c1"}
	turn := func(text string) *parley.Turn {
		return (&parley.Turn{ConversationID: "c1", Message: parley.Text(text)}).WithSession(sess)
	}
	mw := intent.Commands()(h)
	require.NoError(t, mw.HandleTurn(t.Context(), nil, turn("no, cancel")))
	require.NoError(t, dialog.Ask(turn(""), dialog.Question{ID: "winback", Owner: "flow", Options: []parley.QuickReply{
		{Title: "Yes, I'll stay", Payload: "stay"}, {Title: "No, cancel", Payload: "cancel_anyway"}}}))
	for _, text := range []string{"no, cancel", "No, cancel!", "menu"} {
		require.NoError(t, mw.HandleTurn(t.Context(), nil, turn(text)))
	}
	assert.Equal(t, []dialog.Command{dialog.CommandCancel, dialog.CommandMenu}, got)
}

// "I want to cancel" / "quiero cancelar" stops what the bot is asking
// about, but with nothing going on it is a request (to cancel a plan).
func TestWantToCancelIsACommandOnlyWhileAsked(t *testing.T) {
	var got []dialog.Command
	h := parley.HandlerFunc(func(_ context.Context, _ parley.ReplyWriter, t *parley.Turn) error {
		c, _ := parley.Value(t, dialog.CommandKey)
		got = append(got, c)
		return nil
	})
	sess := &memory.Session{ID: "c1"}
	turn := func(text string) *parley.Turn {
		sess.Turns++ // each its own turn
		return (&parley.Turn{ConversationID: "c1", Message: parley.Text(text)}).WithSession(sess)
	}
	mw := intent.Commands()(h)
	require.NoError(t, mw.HandleTurn(t.Context(), nil, turn("I want to cancel")))
	require.NoError(t, mw.HandleTurn(t.Context(), nil, turn("quiero cancelar")))
	require.NoError(t, dialog.Ask(turn(""), dialog.Question{ID: "menu", Owner: "flow", Policy: dialog.Resume,
		Options: []parley.QuickReply{{Title: "Track my order"}, {Title: "Renew my plan"}}}))
	require.NoError(t, mw.HandleTurn(t.Context(), nil, turn("I want to cancel")))
	require.NoError(t, dialog.Ask(turn(""), dialog.Question{ID: "amount", Owner: "flow", Policy: dialog.Resume}))
	require.NoError(t, mw.HandleTurn(t.Context(), nil, turn("I want to cancel")))
	require.NoError(t, dialog.Ask(turn(""), dialog.Question{ID: "confirm", Owner: "flow", Policy: dialog.Resume,
		Options: []parley.QuickReply{{Title: "Yes"}, {Title: "No"}}}))
	require.NoError(t, mw.HandleTurn(t.Context(), nil, turn("Quiero cancelar.")))
	assert.Equal(t, []dialog.Command{"", "", "", dialog.CommandCancel, dialog.CommandCancel}, got,
		"a request at the start and at a menu; a cancel at a form's question and at a confirmation")
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"cancel", "Menú", "STOP", "por favor", "please please", "\u0301\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := intent.ParseCommand(s)
		if ok != (c != "") {
			t.Fatalf("ParseCommand(%q) = %q, %v", s, c, ok)
		}
	})
}

func ExampleCommands() {
	h := parley.HandlerFunc(func(_ context.Context, _ parley.ReplyWriter, t *parley.Turn) error {
		c, _ := parley.Value(t, dialog.CommandKey)
		fmt.Printf("%q\n", c)
		return nil
	})
	bot := intent.Commands()(h)
	for _, text := range []string{"STOP", "menú", "speak to someone", "cancel my plan"} {
		if err := bot.HandleTurn(context.Background(), nil, &parley.Turn{Message: parley.Text(text)}); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// "stop"
	// "menu"
	// "human"
	// ""
}

// A command word that names one option of the open question chooses it:
// "cancel", "just cancel", "cancel it", "I want to cancel" and "cancela"
// at a win-back offer whose options are "Yes, I'll stay" and "No, cancel"
// are "No, cancel", which the question's owner reads; "never mind" is
// still the global cancel, and "human" still asks for a person.
func TestCommandWordChoosesOption(t *testing.T) {
	type seen struct {
		text string
		cmd  dialog.Command
	}
	var got []seen
	h := parley.HandlerFunc(func(_ context.Context, _ parley.ReplyWriter, t *parley.Turn) error {
		c, _ := parley.Value(t, dialog.CommandKey)
		got = append(got, seen{t.Text(), c})
		return nil
	})
	sess := &memory.Session{ID: "c1"}
	turn := func(text string) *parley.Turn {
		return (&parley.Turn{ConversationID: "c1", Message: parley.Text(text)}).WithSession(sess)
	}
	mw := intent.Commands()(h)
	require.NoError(t, dialog.Ask(turn(""), dialog.Question{ID: "winback", Owner: "flow", Options: []parley.QuickReply{
		{Title: "Yes, I'll stay", Payload: "stay"}, {Title: "No, cancel", Payload: "cancel_anyway"}}}))
	for _, text := range []string{"cancel", "just cancel", "Cancel it.", "I want to cancel", "cancel my plan", "cancela", "never mind", "human"} {
		require.NoError(t, mw.HandleTurn(t.Context(), nil, turn(text)))
	}
	assert.Equal(t, []seen{
		{"No, cancel", ""}, {"No, cancel", ""}, {"No, cancel", ""}, {"No, cancel", ""}, {"No, cancel", ""}, {"No, cancel", ""},
		{"never mind", dialog.CommandCancel}, {"human", dialog.CommandHuman},
	}, got)
}

// "cancel it" names no option where none holds the word: it stays what it
// was (not a command), and "cancel" stays the global cancel.
func TestCommandWordWithoutSuchOption(t *testing.T) {
	var got []dialog.Command
	h := parley.HandlerFunc(func(_ context.Context, _ parley.ReplyWriter, t *parley.Turn) error {
		c, _ := parley.Value(t, dialog.CommandKey)
		got = append(got, c)
		return nil
	})
	sess := &memory.Session{ID: "c1"}
	turn := func(text string) *parley.Turn {
		return (&parley.Turn{ConversationID: "c1", Message: parley.Text(text)}).WithSession(sess)
	}
	mw := intent.Commands()(h)
	require.NoError(t, dialog.Ask(turn(""), dialog.Question{ID: "menu", Owner: "flow", Options: []parley.QuickReply{
		{Title: "Track my order"}, {Title: "Renew my plan"}}}))
	for _, text := range []string{"cancel it", "cancel"} {
		require.NoError(t, mw.HandleTurn(t.Context(), nil, turn(text)))
	}
	assert.Equal(t, []dialog.Command{"", dialog.CommandCancel}, got)
}

// A change of mind stops a form: "no I changed my mind" anywhere a form
// asks, "actually no" where it asks for a value (at a yes or no question
// it is the answer "no"). Marketing opt-outs said in plain words are
// STOP.
func TestChangeOfMindAndPlainOptOuts(t *testing.T) {
	var got []dialog.Command
	h := parley.HandlerFunc(func(_ context.Context, _ parley.ReplyWriter, t *parley.Turn) error {
		c, _ := parley.Value(t, dialog.CommandKey)
		got = append(got, c)
		return nil
	})
	sess := &memory.Session{ID: "c1"}
	turn := func(text string) *parley.Turn {
		sess.Turns++
		return (&parley.Turn{ConversationID: "c1", Message: parley.Text(text)}).WithSession(sess)
	}
	mw := intent.Commands()(h)
	require.NoError(t, dialog.Ask(turn(""), dialog.Question{ID: "order", Owner: "flow", Policy: dialog.Resume}))
	for _, text := range []string{"actually no", "no I changed my mind", "No more marketing please", "stop sending me offers", "no más ofertas"} {
		require.NoError(t, mw.HandleTurn(t.Context(), nil, turn(text)))
	}
	require.NoError(t, dialog.Ask(turn(""), dialog.Question{ID: "confirm", Owner: "flow", Policy: dialog.Resume,
		Options: []parley.QuickReply{{Title: "Yes"}, {Title: "No"}}}))
	require.NoError(t, mw.HandleTurn(t.Context(), nil, turn("actually no")))
	assert.Equal(t, []dialog.Command{dialog.CommandCancel, dialog.CommandCancel, dialog.CommandStop, dialog.CommandStop, dialog.CommandStop, ""}, got)
}
