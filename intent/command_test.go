package intent_test

import (
	"context"
	"fmt"
	"slices"
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

// commandsConv is one conversation through intent.Commands: say sends
// turns, ask opens a question as a handler would, and got and texts
// record what the next handler saw of each turn.
type commandsConv struct {
	t     *testing.T
	sess  *memory.Session
	h     parley.Handler
	got   []dialog.Command // each turn's command, "" for none
	texts []string         // each turn's text
}

func newCommandsConv(t *testing.T, opts ...intent.CommandOption) *commandsConv {
	c := &commandsConv{t: t, sess: &memory.Session{ID: "c1"}}
	c.h = intent.Commands(opts...)(parley.HandlerFunc(func(_ context.Context, _ parley.ReplyWriter, t *parley.Turn) error {
		cmd, _ := parley.Value(t, dialog.CommandKey)
		c.got, c.texts = append(c.got, cmd), append(c.texts, t.Text())
		return nil
	}))
	return c
}

// turn is the conversation's next turn, saying text.
func (c *commandsConv) turn(text string) *parley.Turn {
	c.sess.Turns++
	return (&parley.Turn{ConversationID: "c1", Message: parley.Text(text)}).WithSession(c.sess)
}

// say sends each text as the next turn.
func (c *commandsConv) say(texts ...string) {
	c.t.Helper()
	for _, text := range texts {
		require.NoError(c.t, c.h.HandleTurn(c.t.Context(), nil, c.turn(text)))
	}
}

// ask opens q, as the handler of a turn before the next would.
func (c *commandsConv) ask(q dialog.Question) {
	c.t.Helper()
	require.NoError(c.t, dialog.Ask(c.turn(""), q))
}

func TestCommandsMiddleware(t *testing.T) {
	c := newCommandsConv(t,
		intent.WithCommandPhrases(dialog.CommandHuman, "operator"),
		intent.WithoutCommand(dialog.CommandStop),
	)
	c.say("Operator!", "stop", "menu", "where is my order")
	assert.Equal(t, []dialog.Command{dialog.CommandHuman, "", dialog.CommandMenu, ""}, c.got)
}

// Typing the title of an option the open question offers chooses it:
// "No, cancel" at a win-back offer is not the global "cancel", which
// would drop the offer and leave the plan as it was. Other commands, and
// the same words with no such option open, are commands.
func TestCommandsLeaveTypedOptionsAlone(t *testing.T) {
	c := newCommandsConv(t)
	c.say("no, cancel")
	c.ask(dialog.Question{ID: "winback", Owner: "flow", Options: []parley.QuickReply{
		{Title: "Yes, I'll stay", Payload: "stay"}, {Title: "No, cancel", Payload: "cancel_anyway"}}})
	c.say("no, cancel", "No, cancel!", "menu")
	assert.Equal(t, []dialog.Command{dialog.CommandCancel, "", "", dialog.CommandMenu}, c.got)
}

// "I want to cancel" / "quiero cancelar" stops what the bot is asking
// about, but with nothing going on it is a request (to cancel a plan).
func TestWantToCancelIsACommandOnlyWhileAsked(t *testing.T) {
	c := newCommandsConv(t)
	c.say("I want to cancel", "quiero cancelar")
	c.ask(dialog.Question{ID: "menu", Owner: "flow", Policy: dialog.Resume,
		Options: []parley.QuickReply{{Title: "Track my order"}, {Title: "Renew my plan"}}})
	c.say("I want to cancel")
	c.ask(dialog.Question{ID: "amount", Owner: "flow", Policy: dialog.Resume})
	c.say("I want to cancel")
	c.ask(dialog.Question{ID: "confirm", Owner: "flow", Policy: dialog.Resume,
		Options: []parley.QuickReply{{Title: "Yes"}, {Title: "No"}}})
	c.say("Quiero cancelar.")
	assert.Equal(t, []dialog.Command{"", "", "", dialog.CommandCancel, dialog.CommandCancel}, c.got,
		"a request at the start and at a menu; a cancel at a form's question and at a confirmation")
}

// Leaving words leave whatever question is open, a choice too (QA13
// G50), and are requests for the understanding when nothing is asked.
func TestLeavingWordsCancelAnyOpenQuestion(t *testing.T) {
	words := []string{"nvm", "quit", "exit", "stop it", "I don't want to do this anymore", "i dont want to do this",
		"ok let's stop here", "salir", "no quiero seguir", "ya no quiero"}
	c := newCommandsConv(t)
	c.say(words[1:]...)
	c.ask(dialog.Question{ID: "pick_order", Owner: "flow", Policy: dialog.Resume,
		Options: []parley.QuickReply{{Title: "A-1001 Blue linen shirt"}, {Title: "A-1002 Walnut desk lamp"}}})
	c.say(words...)
	want := slices.Repeat([]dialog.Command{""}, len(words)-1)
	want = append(want, slices.Repeat([]dialog.Command{dialog.CommandCancel}, len(words))...)
	assert.Equal(t, want, c.got)
	// "ya no" and "paso" leave a value question; at a yes or no
	// question they are its answer.
	c = newCommandsConv(t)
	c.ask(dialog.Question{ID: "amount", Owner: "flow", Policy: dialog.Resume})
	c.say("ya no", "paso")
	c.ask(dialog.Question{ID: "confirm", Owner: "flow", Policy: dialog.Resume,
		Options: []parley.QuickReply{{Title: "Sí"}, {Title: "No"}}})
	c.say("ya no")
	assert.Equal(t, []dialog.Command{dialog.CommandCancel, dialog.CommandCancel, ""}, c.got)
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
	c := newCommandsConv(t)
	c.ask(dialog.Question{ID: "winback", Owner: "flow", Options: []parley.QuickReply{
		{Title: "Yes, I'll stay", Payload: "stay"}, {Title: "No, cancel", Payload: "cancel_anyway"}}})
	c.say("cancel", "just cancel", "Cancel it.", "I want to cancel", "cancel my plan", "cancela", "never mind", "human")
	assert.Equal(t, []string{"No, cancel", "No, cancel", "No, cancel", "No, cancel", "No, cancel", "No, cancel", "never mind", "human"}, c.texts)
	assert.Equal(t, []dialog.Command{"", "", "", "", "", "", dialog.CommandCancel, dialog.CommandHuman}, c.got)
}

// "cancel it" names no option where none holds the word: it stays what it
// was (not a command), and "cancel" stays the global cancel.
func TestCommandWordWithoutSuchOption(t *testing.T) {
	c := newCommandsConv(t)
	c.ask(dialog.Question{ID: "menu", Owner: "flow", Options: []parley.QuickReply{
		{Title: "Track my order"}, {Title: "Renew my plan"}}})
	c.say("cancel it", "cancel")
	assert.Equal(t, []dialog.Command{"", dialog.CommandCancel}, c.got)
}

// A change of mind stops a form: "no I changed my mind" anywhere a form
// asks, "actually no" where it asks for a value (at a yes or no question
// it is the answer "no"). Marketing opt-outs said in plain words are
// STOP.
func TestChangeOfMindAndPlainOptOuts(t *testing.T) {
	c := newCommandsConv(t)
	c.ask(dialog.Question{ID: "order", Owner: "flow", Policy: dialog.Resume})
	c.say("actually no", "no I changed my mind", "No more marketing please", "stop sending me offers", "no más ofertas")
	c.ask(dialog.Question{ID: "confirm", Owner: "flow", Policy: dialog.Resume,
		Options: []parley.QuickReply{{Title: "Yes"}, {Title: "No"}}})
	c.say("actually no")
	assert.Equal(t, []dialog.Command{dialog.CommandCancel, dialog.CommandCancel, dialog.CommandStop, dialog.CommandStop, dialog.CommandStop, ""}, c.got)
}

// A one-word command word with one slip of the finger ("cancle", "mneu",
// "humna") is that command, at a question asking for an amount as with
// nothing asked. A word of its own one slip away ("cancer"), a short or
// longer message, and any misspelt STOP are not: an opt-out must be said
// as it is.
func TestCommandTypos(t *testing.T) {
	tests := []struct {
		give string
		want dialog.Command
	}{
		{"cancle", dialog.CommandCancel},
		{"cancl", dialog.CommandCancel},
		{"Cancle!", dialog.CommandCancel},
		{"mneu", dialog.CommandMenu},
		{"meun", dialog.CommandMenu},
		{"humna", dialog.CommandHuman},
		{"hmuan", dialog.CommandHuman},
		{"agnet", dialog.CommandHuman},
		{"cancer", ""},
		{"men", ""},
		{"mend", ""},
		{"Manu", ""},
		{"humane", ""},
		{"human being", ""},
		{"cancle my plan", ""},
		{"stpo", ""},
		{"sotp", ""},
		{"stopp", ""},
		{"unsubscibe", ""},
		{"12.50", ""},
		// Spanish (es13): the command words, and a word split by a
		// stray space; "gente" is a word, BAJA is an opt-out.
		{"cancelra", dialog.CommandCancel},
		{"canelar", dialog.CommandCancel},
		{"cancela r", dialog.CommandCancel},
		{"can celar", dialog.CommandCancel},
		{"humnao", dialog.CommandHuman},
		{"agnete", dialog.CommandHuman},
		{"ménu", dialog.CommandMenu},
		{"gente", ""},
		{"a gente", ""},
		{"la gente", ""},
		{"bjaa", ""},
		{"ba ja", ""},
		{"st op", ""},
		{"cancela rapido", ""},
		{"me nu", ""},
	}
	for _, open := range []bool{false, true} {
		for _, tt := range tests {
			c := newCommandsConv(t)
			if open {
				c.ask(dialog.Question{ID: "amount", Owner: "flow", Policy: dialog.Resume})
			}
			c.say(tt.give)
			assert.Equal(t, []dialog.Command{tt.want}, c.got, "%q (question open: %v)", tt.give, open)
			assert.Equal(t, []string{tt.give}, c.texts, "the turn keeps its text")
		}
	}
}

// A misspelt command word that names an option chooses it, as the word
// would; one that is an option's title is that option; a command the bot
// does without is not recognised misspelt either.
func TestCommandTyposAndOptions(t *testing.T) {
	c := newCommandsConv(t)
	c.ask(dialog.Question{ID: "winback", Owner: "flow", Options: []parley.QuickReply{
		{Title: "Yes, I'll stay", Payload: "stay"}, {Title: "No, cancel", Payload: "cancel_anyway"}}})
	c.say("cancle")
	c.ask(dialog.Question{ID: "pick", Owner: "flow", Options: []parley.QuickReply{{Title: "Agnes"}, {Title: "Agnet"}}})
	c.say("agnet")
	assert.Equal(t, []string{"No, cancel", "agnet"}, c.texts)
	assert.Equal(t, []dialog.Command{"", ""}, c.got)

	c = newCommandsConv(t, intent.WithoutCommand(dialog.CommandMenu))
	c.say("mneu", "humna")
	assert.Equal(t, []dialog.Command{"", dialog.CommandHuman}, c.got)
}

// ParseCommand, which other packages use to spot a command in a past
// message, stays exact.
func TestParseCommandNoTypos(t *testing.T) {
	_, ok := intent.ParseCommand("cancle")
	assert.False(t, ok)
}
