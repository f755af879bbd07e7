package dialog

import "github.com/parleyhq/parley"

// A Command is a global command: something the customer can say in any
// state of the conversation (in a form, at a question, waiting for a
// person, while an approval is pending) that always means the same thing.
// A recogniser middleware (intent.Commands) annotates the turn with it
// under [CommandKey]; the router acts on it before anything else, and
// other middleware (sentiment, escalation) leave command turns alone: a
// "STOP" is an instruction, never a sign of frustration.
type Command string

// Commands.
const (
	// CommandCancel stops what the bot is doing (a form, a question)
	// without leaving the conversation.
	CommandCancel Command = "cancel"
	// CommandMenu starts over at the main menu.
	CommandMenu Command = "menu"
	// CommandHuman asks for a person.
	CommandHuman Command = "human"
	// CommandStop opts the customer out of proactive messages
	// (unsubscribe). It is recorded on the customer; the conversation
	// itself goes on: a form asks its question again afterwards.
	CommandStop Command = "stop"
	// CommandStart opts a customer who said STOP back in to proactive
	// messages (UNSTOP, "opt in"; a bare START is left to the
	// application, which may add it as SMS customers expect it). A router
	// with no handler for it shows the menu.
	CommandStart Command = "start"
	// CommandUndo takes back the cancel the customer gave with their
	// previous message ("no wait", "I do want to change it", "sí
	// quiero"): the form it stopped is asked again where it stopped.
	// Only right after a cancel; the flow engine, which keeps the
	// stopped form, recognises it (flow.Engine.UndoCommand), since at
	// any other time the same words mean something else.
	CommandUndo Command = "undo"
)

// CommandKey annotates a [parley.Turn] with the global [Command] it carries.
var CommandKey = parley.NewKey[Command]("command")
