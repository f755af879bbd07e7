package flow

import (
	"context"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
)

// A Node is one step of a flow. The node kinds are the struct types of this
// package: [Say], [Ask], [Choice], [Branch], [Action], [Call], [Handoff],
// [Feedback], [Wait] and [End]. Each has an ID unique within its flow.
type Node interface {
	// nodeID returns the node's ID.
	nodeID() string
	// targets lists the IDs the node can route to, labelled for export.
	targets() []edge
	// input reports whether the node waits for the user.
	input() bool
}

type edge struct {
	label string
	to    string
}

// Say sends a message and moves on. Text holds phrasings that rotate per
// conversation so the bot does not repeat itself; Tones holds phrasings by
// tone ("empathetic", "enthusiastic", "professional"), chosen by the
// engine's tone function, and falls back to Text. Templates may use
// {{slots.NAME}} and {{customer.FIELD}} (see the package doc).
type Say struct {
	ID    string
	Text  []string
	Tones map[string][]string
	// QuickReplies are shown with the message; they do not route.
	QuickReplies []parley.QuickReply
	// Cards and Attachments are sent with the text.
	Cards       []parley.Card
	Attachments []parley.Attachment
	Next        string
}

// SlotType says how an [Ask] parses and normalises an answer.
type SlotType string

// Slot types. Values are stored normalised, as text (see [nlu.Entity]).
const (
	TextSlot   SlotType = "text"
	NumberSlot SlotType = "number"
	EmailSlot  SlotType = "email"
	PhoneSlot  SlotType = "phone"
	DateSlot   SlotType = "date"
	MoneySlot  SlotType = "money"
	YesNoSlot  SlotType = "yesno"
	ChoiceSlot SlotType = "choice"
)

// Ask collects one slot: it prompts, parses the answer by Type, runs
// Validate, and re-prompts on failure. After MaxAttempts failures it routes
// to OnFail. An Ask whose slot is already filled (for example by an entity
// in the message that started the flow) is skipped.
type Ask struct {
	ID   string
	Slot string
	Type SlotType
	// Entity names the entity type ([nlu.Entity.Type]) that fills the
	// slot directly when the understanding layer found it; by default the
	// type's natural entity (date, email, money, number, phone).
	Entity string
	// Options are the accepted answers of a ChoiceSlot (matched by value,
	// title, number or close spelling) and are shown as quick replies.
	Options []parley.QuickReply
	// OptionsFrom, if set, returns quick replies to show when the question
	// is asked, after Options: suggestions known only then (the
	// customer's own orders). They are not the question's accepted
	// answers ([dialog.Question.Options]): a tapped one arrives as its
	// payload and is read as a typed answer is, by Type and Validate.
	OptionsFrom func(s *Scope) []parley.QuickReply
	Prompt      []string
	// Reprompt is said after an answer that fails; default: the parse or
	// validation error's message followed by the prompt.
	Reprompt []string
	// Validate checks a parsed value and may normalise it further. Its
	// error message is shown to the user, so write it for them.
	Validate func(ctx context.Context, value string) (string, error)
	// Whole, for a NumberSlot or MoneySlot, answers for the customer who
	// asks for the whole of it ("all of it", "everything", "the full
	// amount", "todo", "lo que queda"): it returns the value the flow
	// supplies, stored as the slot stores it ("39 USD"), or "" when there
	// is none and the answer fails as any other. The value then goes
	// through Validate as a typed answer would.
	Whole func(s *Scope) string
	// MaxAttempts is the number of failed answers allowed (default 3).
	MaxAttempts int
	OnFail      string
	Next        string
	// Always asks even if the slot is already filled.
	Always bool
	// Correctable lets an answer to a later yes/no question of the flow
	// that Validate accepts replace this slot's value, as a number,
	// amount or date always may ("no wait, make it 20"): a new address
	// typed at "Change the address to ...?" is a correction, and the
	// flow goes on from this Ask with it. Set it on a text slot only when
	// Validate refuses anything that is not such a value.
	Correctable bool
	// ResumeText introduces the prompt when it is asked again after a
	// request that interrupted the flow here was served (see [Engine]);
	// default "Back to your NAME." with the flow's name ("order_status":
	// "Back to your order status.").
	ResumeText string
}

// An Option is one answer of a [Choice], shown as a quick-reply button.
type Option struct {
	Title string
	// Payload is what the button sends; default the title.
	Payload string
	// Synonyms are other answers that select this option.
	Synonyms []string
	Next     string
}

// Choice offers options as quick-reply buttons and routes by the answer.
// Unmatched answers re-prompt; after MaxAttempts failures it routes to
// OnFail. The chosen option's payload is stored in Slot, if set.
type Choice struct {
	ID          string
	Prompt      []string
	Options     []Option
	Slot        string
	MaxAttempts int
	OnFail      string
	// ResumeText introduces the prompt as [Ask.ResumeText] does. Only a
	// choice with a Slot is a form's question, held through another
	// request; one without (a menu) is replaced by it.
	ResumeText string
}

// A Case is one arm of a [Branch]: If (a Go predicate) or Expr (an
// expr-lang expression over slots, customer, intent, confidence, mood and
// entities), compiled by [Builder.Compile].
type Case struct {
	If   func(s *Scope) bool
	Expr string
	Next string
}

// Branch routes to the first case that holds, or to Else.
type Branch struct {
	ID    string
	Cases []Case
	Else  string
}

// Action calls application code, typically the backend. Do returns an
// outcome routed by Routes (default Next); an error routes to OnError,
// after saying ErrorText, so an integration failure is told gracefully and
// the flow offers alternatives there. OnError is required.
type Action struct {
	ID        string
	Do        func(ctx context.Context, s *Scope) (outcome string, err error)
	Routes    map[string]string
	Next      string
	OnError   string
	ErrorText []string
}

// Call runs another registered flow as a subflow; when it ends, this flow
// continues at Next. Slots are shared with the subflow.
type Call struct {
	ID   string
	Flow string
	Next string
}

// Handoff hands the conversation to a human through the engine's
// [dialog.HandOffer]. Without Next the flow ends there as Escalated and the
// HandOffer owns the rest of the lifecycle (the escalation package asks
// for feedback itself when the agent is done). With Next the flow waits;
// when the agent resolves the hand-off (a turn carrying
// [dialog.SignalHandoffResolved]) it continues at Next, typically a
// feedback question.
type Handoff struct {
	ID       string
	Reason   string
	Priority dialog.Priority
	Next     string
}

// FeedbackKind selects the question a [Feedback] node asks.
type FeedbackKind string

// Feedback kinds.
const (
	// Helpful asks "Was this helpful?" with Yes / No.
	Helpful FeedbackKind = "helpful"
	// Rating asks for a 1-5 satisfaction rating (CSAT).
	Rating FeedbackKind = "rating"
	// NPS asks how likely, from 0 to 10, the customer is to recommend
	// the business (Net Promoter Score).
	NPS FeedbackKind = "nps"
	// Effort asks how easy, from 1 (very hard) to 5 (very easy), it was
	// to get what the customer needed (Customer Effort Score).
	Effort FeedbackKind = "effort"
)

// Feedback asks for feedback, stores it in Slot (default "feedback") and
// emits an [EventFeedback]. An answer that is not feedback is not
// forced: the node moves on after one re-prompt.
type Feedback struct {
	ID     string
	Kind   FeedbackKind
	Prompt []string
	Slot   string
	Next   string
}

// Wait pauses the flow until a turn carries the named Signal (Next), or
// until Timeout has passed (OnTimeout). With [WithTimers] the timeout
// fires at its time, as a turn carrying [SignalTimer]; without, it is
// noticed on the conversation's next turn. A user message while waiting
// is handled by the global routes and the fallback.
type Wait struct {
	ID        string
	Signal    string
	Timeout   time.Duration
	Next      string
	OnTimeout string
}

// Resolution is how a conversation's flow ended.
type Resolution string

// Resolutions.
const (
	Resolved   Resolution = "resolved"
	Unresolved Resolution = "unresolved"
	Escalated  Resolution = "escalated"
	Abandoned  Resolution = "abandoned"
)

// End ends the flow with a resolution, after saying Text if set. In a
// subflow it returns to the caller instead.
type End struct {
	ID     string
	Status Resolution
	Text   []string
}

func (n *Say) nodeID() string { return n.ID }

func (n *Ask) nodeID() string { return n.ID }

func (n *Choice) nodeID() string { return n.ID }

func (n *Branch) nodeID() string { return n.ID }

func (n *Action) nodeID() string { return n.ID }

func (n *Call) nodeID() string { return n.ID }

func (n *Handoff) nodeID() string { return n.ID }

func (n *Feedback) nodeID() string { return n.ID }

func (n *Wait) nodeID() string { return n.ID }

func (n *End) nodeID() string { return n.ID }

func (n *Say) input() bool      { return false }
func (n *Ask) input() bool      { return true }
func (n *Choice) input() bool   { return true }
func (n *Branch) input() bool   { return false }
func (n *Action) input() bool   { return false }
func (n *Call) input() bool     { return false }
func (n *Handoff) input() bool  { return true }
func (n *Feedback) input() bool { return true }
func (n *Wait) input() bool     { return true }
func (n *End) input() bool      { return false }

func (n *Say) targets() []edge { return []edge{{"", n.Next}} }
func (n *Ask) targets() []edge {
	return []edge{{"", n.Next}, {"fail", n.OnFail}}
}
func (n *Choice) targets() []edge {
	es := []edge{{"fail", n.OnFail}}
	for _, o := range n.Options {
		es = append(es, edge{o.Title, o.Next})
	}
	return es
}
func (n *Branch) targets() []edge {
	var es []edge
	for i, c := range n.Cases {
		label := c.Expr
		if label == "" {
			label = "case " + itoa(i+1)
		}
		es = append(es, edge{label, c.Next})
	}
	return append(es, edge{"else", n.Else})
}
func (n *Action) targets() []edge {
	es := []edge{{"", n.Next}, {"error", n.OnError}}
	for _, k := range sortedKeys(n.Routes) {
		es = append(es, edge{k, n.Routes[k]})
	}
	return es
}
func (n *Call) targets() []edge     { return []edge{{"", n.Next}} }
func (n *Handoff) targets() []edge  { return []edge{{"resolved", n.Next}} }
func (n *Feedback) targets() []edge { return []edge{{"", n.Next}} }
func (n *Wait) targets() []edge {
	return []edge{{n.Signal, n.Next}, {"timeout", n.OnTimeout}}
}
func (n *End) targets() []edge { return nil }
