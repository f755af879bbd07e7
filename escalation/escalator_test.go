package escalation_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/escalation/desk"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// harness wires a Bot, an Escalator and a desk the way an application
// does in main. Its bot echoes what it understands, falls back on what it
// does not, and asks a question (quick replies) when told "ask".
type harness struct {
	t       *testing.T
	bot     *parley.Bot
	desk    *desk.Memory
	esc     *escalation.Escalator
	store   *memory.Map
	profile map[string]string

	mu      sync.Mutex
	replies []parley.Message
	events  []parley.Event
	seq     int
}

func (h *harness) Reply(_ context.Context, m parley.Message) error {
	h.mu.Lock()
	h.replies = append(h.replies, m)
	h.mu.Unlock()
	return nil
}

func (h *harness) Observe(_ context.Context, e parley.Event) {
	h.mu.Lock()
	h.events = append(h.events, e)
	h.mu.Unlock()
}

// annotate stands in for the intent and sentiment middleware: "?"
// starts text the bot cannot place, "!!" makes it angry, STOP reads
// as negative, as a lexicon that sees capitals might, "call me" is a
// neutral request that scores a little low, as the trained model's
// may, and text in brackets is not measured, as a command the
// middleware skips.
func annotate(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		text := t.Text()
		u := nlu.Understanding{Status: nlu.Understood, Intent: nlu.Intent{Name: "chat", Confidence: 0.9}}
		if strings.HasPrefix(text, "?") {
			u = nlu.Understanding{Status: nlu.OutOfScope}
		}
		if strings.Contains(text, "$150") {
			u = nlu.Understanding{Status: nlu.Understood, Intent: nlu.Intent{Name: "refund", Confidence: 0.9},
				Entities: []nlu.Entity{{Type: "money", Value: "150 USD"}}}
		}
		mood := nlu.Mood{Score: 0.55, Label: "neutral"}
		if strings.Contains(text, "!!") || text == "STOP" {
			mood = nlu.Mood{Score: 0.15, Label: "negative", Frustration: 0.8}
		}
		if strings.Contains(text, "call me") {
			mood = nlu.Mood{Score: 0.44, Label: "neutral", Frustration: 0.38}
		}
		switch {
		case t.Signal != nil:
		case strings.HasPrefix(text, "["):
			t = parley.With(t, nlu.UnderstandingKey, u)
		default:
			t = parley.With(parley.With(t, nlu.UnderstandingKey, u), nlu.MoodKey, mood)
		}
		return next.HandleTurn(ctx, w, t)
	})
}

// newHarness builds a harness whose desk has agents free (unlimited when
// negative).
func newHarness(t *testing.T, agents int, opts ...escalation.Option) *harness {
	t.Helper()
	h := &harness{t: t, store: memory.NewMap(), profile: map[string]string{"first_name": "Ada", "timezone": "America/New_York"}}
	deliver := escalation.DeliverFunc(func(ctx context.Context, turn *parley.Turn) error { return h.bot.HandleTurn(ctx, h, turn) })
	var dopts []desk.Option
	if agents >= 0 {
		dopts = append(dopts, desk.WithAgents(agents))
	}
	h.desk = desk.NewMemory(deliver, dopts...)
	profiles := escalation.ProfileFunc(func(context.Context, string) (map[string]string, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		return h.profile, nil
	})
	esc, err := escalation.New(h.desk, append([]escalation.Option{escalation.WithWaker(h.store, deliver, time.Second),
		escalation.WithProfiles(profiles)}, opts...)...)
	require.NoError(t, err)
	h.esc = esc
	app := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, turn *parley.Turn) error {
		switch u, _ := parley.Value(turn, nlu.UnderstandingKey); {
		case turn.Signal != nil:
			if q, ok := dialog.Unpause(turn); ok && turn.Signal.Name == dialog.SignalResume && q.Owner == "form" {
				// What a router does: the paused form asks again.
				return w.Reply(ctx, parley.Text("bot: how much?"))
			}
			return nil
		case turn.Text() == "refund form" || formAsked(turn):
			// A form's value question (policy Resume): a number answers
			// it; anything else is not understood and asked again.
			if _, err := strconv.Atoi(turn.Text()); err == nil {
				dialog.CloseQuestion(turn)
				return w.Reply(ctx, parley.Text("bot: refunded"))
			}
			if turn.Text() != "refund form" {
				if err := dialog.Report(turn, dialog.NotUnderstood); err != nil {
					return err
				}
			}
			if err := dialog.Ask(turn, dialog.Question{ID: "amount", Owner: "form", Text: "bot: how much?", Policy: dialog.Resume}); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text("bot: how much?"))
		case strings.HasPrefix(turn.Text(), "empathized?"):
			return w.Reply(ctx, parley.Text(fmt.Sprint("bot: empathized=", escalation.Empathized(turn))))
		case strings.HasPrefix(turn.Text(), "ask"):
			return w.Reply(ctx, parley.Message{Text: "bot: which one?", QuickReplies: []parley.QuickReply{{Title: "A"}, {Title: "B"}}})
		case turn.Text() == "2" && appAsked(turn):
			// The person among the choices: the handler asks for one.
			dialog.CloseQuestion(turn)
			return esc.HandOff(ctx, w, turn, dialog.HandoffRequest{Reason: "picked a person"})
		case turn.Text() == "no" && appAsked(turn):
			// A no closes the application's own question.
			dialog.CloseQuestion(turn)
			return w.Reply(ctx, parley.Text("bot: no problem"))
		case turn.Text() == "my plan":
			return appAsk(ctx, w, turn, "bot: what would you like to do?",
				parley.QuickReply{Title: "Keep it", Payload: "keep"}, parley.QuickReply{Title: "Cancel my plan", Payload: "cancel_plan"})
		case strings.HasPrefix(turn.Text(), "choose"):
			// A choice with a person among its options.
			return appAsk(ctx, w, turn, "bot: how shall we fix it?",
				parley.QuickReply{Title: "Replace it", Payload: "replace"}, parley.QuickReply{Title: "Talk to a person", Payload: "human"})
		case strings.HasPrefix(turn.Text(), "find "):
			// A lookup that finds nothing: understood, not done.
			if err := dialog.Report(turn, dialog.Unresolved); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text("bot: I couldn't find that"))
		case strings.HasPrefix(turn.Text(), "answer "):
			// The help centre answered a question with confidence.
			if err := dialog.Report(turn, dialog.Answered); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text("bot: the answer"))
		case turn.Text() == "done":
			if err := dialog.Report(turn, dialog.Resolved); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text("bot: done"))
		case strings.Contains(turn.Text(), "somebody"):
			return esc.HandleTurn(ctx, w, turn)
		case strings.HasSuffix(turn.Text(), "for approval"):
			// The flow passed the request to a teammate itself.
			if err := dialog.Report(turn, dialog.HandedOff); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text("bot: a teammate will approve it"))
		case strings.HasPrefix(turn.Text(), "unsure "):
			// The help centre has no answer, says so, and wants a person.
			if err := w.Reply(ctx, parley.Text("bot: not sure")); err != nil {
				return err
			}
			return esc.HandOff(ctx, w, turn, dialog.HandoffRequest{Reason: "no answer"})
		case turn.Text() == "hand me over":
			return esc.HandOff(ctx, w, turn, dialog.HandoffRequest{Reason: "the flow gave up"})
		case turn.Text() == "?no":
			// Unclear to the language understanding, but the bot reads
			// it: "no" to the menu declines it.
			if err := dialog.Report(turn, dialog.Served); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text("bot: no problem"))
		case u.Status == nlu.OutOfScope:
			// What a router does with a turn it cannot place.
			if err := dialog.Report(turn, dialog.NotUnderstood); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text("bot: sorry, I didn't get that"))
		}
		return w.Reply(ctx, parley.Text("bot: "+turn.Text()))
	})
	h.bot = parley.NewBot(parley.Chain(app, intent.Commands(), annotate, escalation.Middleware(esc)), parley.WithStore(h.store), parley.WithObserver(h))
	return h
}

// say sends a customer's message and returns the texts of the replies.
func (h *harness) say(text string) []string {
	h.t.Helper()
	h.mu.Lock()
	h.seq++
	id := fmt.Sprint("m", h.seq)
	start := len(h.replies)
	h.mu.Unlock()
	require.NoError(h.t, h.bot.HandleTurn(context.Background(), h, &parley.Turn{ConversationID: "c1", CustomerID: "cu1",
		Channel: "web", MessageID: id, Message: parley.Text(text)}))
	return h.since(start)
}

func (h *harness) mark() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.replies)
}

func (h *harness) since(start int) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, m := range h.replies[start:] {
		out = append(out, m.Text)
	}
	return out
}

func (h *harness) last() parley.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.replies[len(h.replies)-1]
}

func (h *harness) ticket() desk.Case {
	h.t.Helper()
	cs, ok := h.desk.Get("c1-1")
	require.True(h.t, ok, "ticket c1-1")
	return cs
}

var (
	msgs      = escalation.DefaultMessages()
	offerText = msgs.Offer
)

func TestHumanHandsOffAndCancelGoesBackToTheBot(t *testing.T) {
	h := newHarness(t, -1)
	assert.Equal(t, []string{msgs.Connecting}, h.say("human"))
	assert.Contains(t, msgs.Connecting, `type "cancel" to leave the queue`, "the wait message says what the customer can do")
	assert.Equal(t, escalation.StatusQueued, h.ticket().Status)

	assert.Equal(t, []string{msgs.Left}, h.say("cancel"))
	cs := h.ticket()
	assert.Equal(t, escalation.StatusCancelled, cs.Status, "the ticket is withdrawn")
	assert.Contains(t, cs.CloseReason, "went back to the assistant")
	assert.Equal(t, []string{"bot: where is A-1001?"}, h.say("where is A-1001?"), "the bot answers again")
}

func TestMenuLeavesTheQueueAndTheBotShowsIt(t *testing.T) {
	h := newHarness(t, -1)
	h.say("I want to talk to a human")
	assert.Equal(t, []string{msgs.Left, "bot: menu"}, h.say("menu"))
	assert.Equal(t, escalation.StatusCancelled, h.ticket().Status)
}

func TestWaitingCustomerKeepsChattingWithTheBot(t *testing.T) {
	h := newHarness(t, -1)
	h.say("agent")
	assert.Equal(t, []string{"bot: where is my other order A-1002?"}, h.say("where is my other order A-1002?"),
		"the bot answers what it understands while the customer keeps their place")
	assert.Equal(t, []string{msgs.StillWaiting}, h.say("?hmm"), "what it cannot answer gets the wait message")
	cs := h.ticket()
	assert.Equal(t, escalation.StatusQueued, cs.Status)
	require.Len(t, cs.Thread, 2, "both reach the agent")
	assert.Equal(t, "where is my other order A-1002?", cs.Thread[0].Text)
}

// While the customer waits, the escalator's answers to messages the bot
// cannot help with never repeat the sentence it said last (issue 17;
// q1, session 12: "asdfgh" got StillWaiting verbatim three times).
func TestWaitingCustomerIsNotToldTheSameSentenceTwice(t *testing.T) {
	h := newHarness(t, -1)
	h.say("agent")
	assert.Equal(t, []string{msgs.StillWaiting}, h.say("?asdfgh"))
	assert.Equal(t, []string{msgs.Noted}, h.say("?asdfgh"), "the second in a row gets the short phrasing")
	assert.Equal(t, []string{msgs.StillWaiting}, h.say("?qwerty"), "and the third what the customer can do again")
	assert.Equal(t, []string{msgs.WaitStatus}, h.say("how long will it take?"))
	assert.Equal(t, []string{msgs.StillWaiting}, h.say("how much longer?"), "a second question about the wait in a row")
	assert.Equal(t, []string{msgs.Noted}, h.say("human"), "asking again for a person")
	assert.Equal(t, []string{"bot: where is A-1001?"}, h.say("where is A-1001?"))
	assert.Equal(t, []string{msgs.StillWaiting}, h.say("?zzz"), "after the bot's answer the wait message is new again")
	assert.NotEqual(t, msgs.StillWaiting, msgs.Noted)
	assert.Len(t, h.ticket().Thread, 7, "every message but \"human\" reached the ticket")
}

// An upset message in the queue gets empathy, once per wait, and where
// the customer stands and what they can do, not the wait message it
// would get otherwise (q1, session 12: "this is ridiculous!!").
func TestUpsetWhileWaitingGetsEmpathyOnce(t *testing.T) {
	h := newHarness(t, -1)
	h.say("agent")
	assert.Equal(t, []string{msgs.Empathy, msgs.WaitStatus}, h.say("?this is ridiculous!!"))
	assert.Equal(t, []string{msgs.StillWaiting}, h.say("?still ridiculous!!"), "empathy once, not every turn")
	assert.Equal(t, []string{msgs.Noted}, h.say("?asdf"))
	assert.Equal(t, []string{msgs.WaitStatus}, h.say("?so ridiculous!!"), "upset again: where they stand")
	assert.Equal(t, []string{"bot: where is A-1001, this is ridiculous!!"}, h.say("where is A-1001, this is ridiculous!!"))

	h = newHarness(t, -1)
	h.say("agent")
	assert.Equal(t, []string{msgs.Empathy, "bot: where is A-1001, this is ridiculous!!"}, h.say("where is A-1001, this is ridiculous!!"),
		"a request said in anger is still answered, after the empathy")
	assert.Equal(t, escalation.StatusQueued, h.ticket().Status)
	h.say("cancel")
	h.say("human")
	assert.Equal(t, []string{msgs.Empathy, msgs.WaitStatus}, h.say("?this is ridiculous!!"), "a new wait, new empathy")
}

// Frustration at a form's value question ("it arrived broken" to "How
// much should I refund?") gets empathy, the question asked again and a
// line on how to reach a person, not an offer in the question's place:
// the request is still served, and there is one question on the screen
// (q3, session 12). An urgent rule still offers a person.
func TestFrustrationAtAFormKeepsItsQuestion(t *testing.T) {
	h := newHarness(t, -1)
	assert.Equal(t, []string{"bot: how much?"}, h.say("refund form"))
	assert.Equal(t, []string{msgs.Empathy, "bot: how much?", msgs.Remind}, h.say("?it arrived broken!!"))
	assert.Equal(t, []string{"bot: refunded"}, h.say("12"), "the form reads the answer")
	h.say("done")
	h.say("refund form")
	assert.Equal(t, []string{msgs.Empathy, "bot: how much?", msgs.Remind}, h.say("?it arrived broken!!"))
	assert.Equal(t, []string{msgs.Declined, "bot: how much?"}, h.say("no thanks"), "a no to the line declines a person; the form asks again")
	assert.Equal(t, []string{"bot: how much?"}, h.say("no"), "only right after the line")
	assert.Equal(t, []string{"bot: how much?"}, h.say("refund form"))
	assert.Equal(t, []string{"bot: how much?"}, h.say("?so annoying!!"), "once: the line counts as the offer")

	h = newHarness(t, -1)
	h.say("refund form")
	assert.Equal(t, []string{msgs.Empathy, offerText}, h.say("?I will call my lawyer"), "urgent: the offer, the form paused")
	assert.Equal(t, []string{msgs.Declined, "bot: how much?"}, h.say("no"))
}

// A rule with its own word of empathy (Sorry) says it in place of the
// general one: "it arrived broken" at a refund's amount question is
// acknowledged for what happened, and the form keeps its question.
func TestARuleSaysItsOwnWordOfEmpathy(t *testing.T) {
	const sorry = "I'm sorry it arrived damaged."
	damaged := escalation.Rule{Name: "damaged", When: escalation.Keywords("broken"), Empathy: true, Sorry: sorry, Priority: dialog.PriorityHigh}
	h := newHarness(t, -1, escalation.WithRules(append([]escalation.Rule{damaged}, escalation.DefaultRules()...)...))
	h.say("refund form")
	assert.Equal(t, []string{sorry, "bot: how much?", msgs.Remind}, h.say("?it arrived broken!!"))
	assert.Equal(t, []string{"bot: refunded"}, h.say("12"))
	h.say("done")
	assert.Equal(t, []string{msgs.Empathy, "bot: where is my order!!", offerText}, h.say("where is my order!!"), "other rules: the general word")
}

// A handler that answers a complaint knows whether the escalator said a
// word of empathy this turn, to say no second one (q3, session 12).
func TestEmpathizedTellsTheHandlerEmpathyWasSaid(t *testing.T) {
	h := newHarness(t, -1)
	assert.Equal(t, []string{"bot: empathized=false"}, h.say("empathized? fine"))
	assert.Equal(t, []string{msgs.Empathy, "bot: empathized=true", offerText}, h.say("empathized? this is useless!!"))
	assert.Equal(t, []string{"bot: empathized=false"}, h.say("empathized? ok"), "only in the turn it was said")
	h.say("agent")
	assert.Equal(t, []string{msgs.Empathy, "bot: empathized=true"}, h.say("empathized? this is useless!!"), "while waiting too")
	assert.False(t, escalation.Empathized(&parley.Turn{Message: parley.Text("no session")}))
}

// A waiting customer leaves the queue in their own words, and a question
// about the wait ("how long will it take?", "hello??") gets where they
// stand, not a help-centre miss or a greeting with the main menu (QA9
// F9, F10, F22). Both still reach the ticket's thread while queued.
func TestWaitingCustomerLeavesAndAsksInTheirWords(t *testing.T) {
	for _, text := range []string{"leave the queue", "I dont need a person anymore", "I don't need a human any more", "exit",
		"stop waiting", "ok I don't want to wait anymore", "ya no quiero esperar", "salir de la cola",
		// Several ways in one message, and the family of "never mind"
		// (q1, session 12).
		"actually never mind, I will stay with the bot", "forget it, I don't need a person anymore", "never mind",
		"I'll stay with the bot", "I'll just use the bot", "forget it", "no need anymore", "me quedo con el bot",
		"olvídalo", "déjalo", "ya no hace falta, gracias", "ok never mind, thanks", "Nah, I'll carry on with you"} {
		t.Run(text, func(t *testing.T) {
			h := newHarness(t, -1)
			h.say("human")
			assert.Equal(t, []string{msgs.Left}, h.say(text))
			assert.Equal(t, escalation.StatusCancelled, h.ticket().Status)
		})
	}
	h := newHarness(t, -1)
	h.say("human")
	for i, text := range []string{"how long will it take?", "hello??", "anyone there?", "Is anybody there", "how much longer?",
		"¿cuánto tardan?", "¿hay alguien?", "still waiting..."} {
		// Asked twice in a row, the second answer is in other words.
		want := msgs.WaitStatus
		if i%2 == 1 {
			want = msgs.StillWaiting
		}
		assert.Equal(t, []string{want}, h.say(text), text)
	}
	assert.Equal(t, escalation.StatusQueued, h.ticket().Status, "still in the queue")
	assert.Equal(t, []string{"bot: how long does shipping take?"}, h.say("how long does shipping take?"),
		"a question about something else is the bot's")
	assert.Equal(t, []string{"bot: I don't need a refund, where is A-1001?"}, h.say("I don't need a refund, where is A-1001?"))
	assert.Equal(t, []string{"bot: never mind the lamp, where is my shirt?"}, h.say("never mind the lamp, where is my shirt?"),
		"a new request after \"never mind\" is served while the customer keeps their place")
	assert.Equal(t, []string{"bot: forget it, where is A-1001?"}, h.say("forget it, where is A-1001?"))
	assert.Equal(t, escalation.StatusQueued, h.ticket().Status, "still in the queue")
}

func TestAgentOwnsTheConversation(t *testing.T) {
	h := newHarness(t, -1)
	h.say("human")
	require.NoError(t, h.desk.Assign(context.Background(), "c1-1", "Sam"))
	assert.Equal(t, "Sam has joined the conversation.", h.last().Text)
	assert.Empty(t, h.say("it arrived broken"), "the bot is silent")
	assert.Empty(t, h.say("cancel"), "a word to the agent, who decides")
	cs := h.ticket()
	assert.Equal(t, escalation.StatusAssigned, cs.Status)
	require.Len(t, cs.Thread, 2)
	assert.Equal(t, "cancel", cs.Thread[1].Text)

	require.NoError(t, h.desk.Reply(context.Background(), "c1-1", "Sam", "Sorted: a new one is on its way."))
	assert.Equal(t, parley.Message{Text: "Sorted: a new one is on its way.", Agent: "Sam"}, h.last())
	require.NoError(t, h.desk.Resolve(context.Background(), "c1-1", "", ""))
	assert.Equal(t, msgs.Resolved, h.last().Text)
	assert.Equal(t, []string{msgs.FeedbackThanks}, h.say("5"))
	assert.Equal(t, []string{"bot: thanks"}, h.say("thanks"))
}

// TestStopGoesToTheBotWhoeverOwnsTheConversation: STOP is not a word to
// the agent only (qa13 G48): the bot records the opt-out and confirms it,
// in the queue and with a person, and the ticket has the message.
func TestStopGoesToTheBotWhoeverOwnsTheConversation(t *testing.T) {
	for _, assigned := range []bool{false, true} {
		h := newHarness(t, -1)
		h.say("human")
		if assigned {
			require.NoError(t, h.desk.Assign(context.Background(), "c1-1", "Sam"))
		}
		assert.Equal(t, []string{"bot: STOP"}, h.say("STOP"), "assigned: %v", assigned)
		cs := h.ticket()
		require.NotEmpty(t, cs.Thread, "assigned: %v", assigned)
		assert.Equal(t, "STOP", cs.Thread[len(cs.Thread)-1].Text, "the agent reads it; assigned: %v", assigned)
		if assigned {
			assert.Empty(t, h.say("thanks"), "the agent keeps the conversation")
			assert.Equal(t, escalation.StatusAssigned, h.ticket().Status)
		}
	}
}

// TestLowRatingAsksWhatWentWrong: a 1 or 2 out of 5 after a person
// handed back is not answered with a bare thank-you: the customer hears
// sorry, how to reach a person again, and that the bot still listens; a
// 3 is thanked.
func TestLowRatingAsksWhatWentWrong(t *testing.T) {
	for rating, want := range map[string]string{"1": msgs.FeedbackLow, "⭐⭐": msgs.FeedbackLow, "3": msgs.FeedbackThanks} {
		h := newHarness(t, -1)
		h.say("human")
		require.NoError(t, h.desk.Assign(context.Background(), "c1-1", "Sam"))
		require.NoError(t, h.desk.Resolve(context.Background(), "c1-1", "", ""))
		require.Equal(t, msgs.Resolved, h.last().Text)
		assert.Equal(t, []string{want}, h.say(rating), rating)
	}
	assert.Contains(t, msgs.FeedbackLow, "sorry we let you down")
	assert.Contains(t, msgs.FeedbackLow, `type "human"`)
}

func TestAngryCustomerGetsEmpathyTheAnswerAndOneOffer(t *testing.T) {
	h := newHarness(t, -1)
	assert.Equal(t, []string{msgs.Empathy, "bot: where is my order!!", offerText}, h.say("where is my order!!"),
		"empathy, the request served, then one offer")
	assert.Equal(t, []parley.QuickReply{{Title: msgs.Yes, Payload: "handoff:yes"}, {Title: msgs.No, Payload: "handoff:no"}}, h.last().QuickReplies)
	s, err := h.bot.Sessions().Load(context.Background(), "c1")
	require.NoError(t, err)
	q, ok := dialog.OpenQuestion((&parley.Turn{ConversationID: "c1"}).WithSession(s))
	require.True(t, ok, "the offer is the conversation's open question")
	assert.Equal(t, "escalation", q.Owner)
	assert.Equal(t, []string{"bot: still nothing!!"}, h.say("still nothing!!"), "moving on drops the offer; no second one, and no empathy every turn")
	assert.Equal(t, []string{"bot: really!!"}, h.say("really!!"))
	assert.Empty(t, h.desk.Queue(), "nobody was handed over unasked")
}

func TestANewSubjectOffersEvenAfterADecline(t *testing.T) {
	// Declining a person for one reason (the mood) says nothing about a
	// billing dispute raised two messages later.
	h := newHarness(t, -1)
	assert.Equal(t, []string{msgs.Empathy, "bot: where is my order!!", offerText}, h.say("where is my order!!"))
	h.say("no")
	assert.Equal(t, []string{msgs.Empathy, "bot: and the other one!!"}, h.say("and the other one!!"), "quiet after the decline: no offer")
	assert.Equal(t, []string{"bot: you charged me twice for it", billingSay, offerText}, h.say("you charged me twice for it"))
	assert.Empty(t, h.desk.Queue(), "an offer, nobody handed over unasked")
}

func TestAChoiceWithAPersonIsTheOffer(t *testing.T) {
	// An upset customer given a choice that includes a person was offered
	// one: declining the choice is not followed by another offer.
	h := newHarness(t, -1)
	assert.Equal(t, []string{msgs.Empathy, "bot: how shall we fix it?"}, h.say("choose, this is ridiculous!!"))
	assert.Equal(t, []string{"bot: no problem"}, h.say("no"), "no offer stacked after the choice was declined")
	assert.NotContains(t, h.say("and this is ridiculous too!!"), offerText, "the mood's offer was made once")
	assert.Empty(t, h.desk.Queue())

	// Picking the person among the choices hands off at once: no second
	// question "would you like a person?".
	h = newHarness(t, -1)
	h.say("choose, this is ridiculous!!")
	assert.Equal(t, []string{msgs.Connecting}, h.say("2"))
	assert.Len(t, h.desk.Queue(), 1)
}

func TestAHandOffDropsTheChoiceItPassedBy(t *testing.T) {
	// "human" at a menu whose options hold "cancel": waiting, "cancel"
	// leaves the queue as the wait message says, and cancels no plan.
	h := newHarness(t, -1)
	h.say("my plan")
	assert.Equal(t, []string{msgs.Connecting}, h.say("human"))
	assert.Equal(t, []string{msgs.Left}, h.say("cancel"))
	assert.Empty(t, h.desk.Queue())
}

func TestANewSubjectHeldBackByAQuestionIsOfferedAfterItsAnswer(t *testing.T) {
	h := newHarness(t, -1)
	assert.Equal(t, []string{"bot: which one?"}, h.say("ask about the order, you charged me twice"), "one question per turn")
	assert.Equal(t, []string{"bot: done", billingSay, offerText}, h.say("done"), "the answer resolved the question, not the dispute")
}

// appAsk asks the application's own question, text with options.
func appAsk(ctx context.Context, w parley.ReplyWriter, t *parley.Turn, text string, options ...parley.QuickReply) error {
	if err := dialog.Ask(t, dialog.Question{ID: "app", Owner: "app", Text: text, Options: options}); err != nil {
		return err
	}
	return w.Reply(ctx, parley.Message{Text: text, QuickReplies: options})
}

// formAsked reports whether the form's value question is open.
func formAsked(t *parley.Turn) bool {
	q, ok := dialog.OpenQuestion(t)
	return ok && q.Owner == "form"
}

// appAsked reports whether the application's own question is open.
func appAsked(t *parley.Turn) bool {
	q, ok := dialog.OpenQuestion(t)
	return ok && q.Owner == "app"
}

// billingSay is what the default "billing dispute" rule says before its
// offer: why a person is offered.
var billingSay = func() string {
	for _, r := range escalation.DefaultRules() {
		if r.Name == "billing dispute" {
			return r.Say
		}
	}
	return ""
}()

// longSay is what the default "long without resolution" rule says
// before its offer.
var longSay = func() string {
	for _, r := range escalation.DefaultRules() {
		if r.Name == "long without resolution" {
			return r.Say
		}
	}
	return ""
}()

func TestAnOfferSaysWhyWhenItsRuleDoes(t *testing.T) {
	require.NotEmpty(t, billingSay)
	h := newHarness(t, -1)
	assert.Equal(t, []string{"bot: I was charged twice", billingSay, offerText}, h.say("I was charged twice"),
		"the reason, then the offer")
	assert.Equal(t, []string{"bot: where is A-1001"}, h.say("where is A-1001"), "moving on drops the offer: no reason said again")
}

func TestNoOfferWhenTheRequestWentToAPersonAlready(t *testing.T) {
	h := newHarness(t, -1)
	assert.Equal(t, []string{"bot: a teammate will approve it"}, h.say("refund $150 on A-1002 for approval"),
		"the refund over $100 is with a teammate: no offer of a person on top")
	assert.Equal(t, []string{"bot: refund $150 on A-1002", offerText}, h.say("refund $150 on A-1002"))
}

func TestAnUpsetCustomerHearsEmpathyWhileOffersAreQuiet(t *testing.T) {
	h := newHarness(t, -1)
	assert.Equal(t, []string{msgs.Empathy, "bot: where is my order!!", offerText}, h.say("where is my order!!"))
	assert.Equal(t, []string{"bot: this is ridiculous!!"}, h.say("this is ridiculous!!"), "not every message opens with an apology")
	assert.Equal(t, []string{msgs.Empathy, "bot: still waiting, this is ridiculous!!"}, h.say("still waiting, this is ridiculous!!"),
		"empathy again a message later, without another offer")
}

func TestMovingOnPastAnOfferQuietsOtherRulesOnTheSameMood(t *testing.T) {
	// An application rule that reads the same mood as "frustrated" (the
	// example's VIP rule): passing the first offer by must not make the
	// second rule offer a person on the next message.
	rules := append(escalation.DefaultRules(), escalation.Rule{Name: "upset", When: escalation.ScoreBelow(0.3),
		Action: escalation.Offer, Priority: dialog.PriorityHigh})
	h := newHarness(t, -1, escalation.WithRules(rules...))
	assert.Equal(t, []string{msgs.Empathy, "bot: where is my order!!", offerText}, h.say("where is my order!!"))
	assert.Equal(t, []string{"bot: and the other one!!"}, h.say("and the other one!!"), "one offer, not one per rule")
	assert.Equal(t, []string{"bot: any news!!"}, h.say("any news!!"))
	got := h.say("my lawyer will hear about this")
	assert.Equal(t, []string{msgs.Empathy, "bot: my lawyer will hear about this", offerText}, got, "an urgent rule still offers")
	assert.Empty(t, h.desk.Queue(), "nobody was handed over unasked")
}

func TestOfferReplacesAFallbackNotAnAnswer(t *testing.T) {
	h := newHarness(t, -1)
	assert.Equal(t, []string{msgs.Empathy, offerText}, h.say("?this is useless!!"),
		"the bot did not understand: the offer takes the fallback's place")
	h2 := newHarness(t, -1)
	assert.Equal(t, []string{msgs.Empathy, "bot: this is useless!!", offerText}, h2.say("this is useless!!"),
		"the bot answered: the answer goes out first")
}

func TestOfferAcceptedAndDeclined(t *testing.T) {
	h := newHarness(t, -1)
	h.say("this is useless!!")
	assert.Equal(t, []string{msgs.Connecting}, h.say("yes"))
	tk := h.ticket().Ticket
	assert.Equal(t, "frustrated", tk.Reason)
	assert.Equal(t, dialog.PriorityHigh, tk.Priority)

	h2 := newHarness(t, -1)
	h2.say("this is useless!!")
	assert.Equal(t, []string{msgs.Declined}, h2.say("no thanks"))
	assert.Empty(t, h2.desk.Queue())
}

// The offer of a person reads yes and no as internal/parse.YesNo does,
// in English and Spanish (and the plain yes and no of a few other
// languages); a longer message that merely starts with one is a new
// request for the bot, never an answer.
func TestOfferAnsweredInEitherLanguage(t *testing.T) {
	for _, yes := range []string{"yes", "Yes please!", "ok", "sí", "Sí, por favor", "claro", "vale", "oui", "sim"} {
		h := newHarness(t, -1)
		h.say("this is useless!!")
		assert.Equal(t, []string{msgs.Connecting}, h.say(yes), yes)
		assert.Len(t, h.desk.Queue(), 1, yes)
	}
	for _, no := range []string{"no", "No, thanks", "not now", "I'm fine", "no gracias", "ahora no", "no hace falta", "nein", "não"} {
		h := newHarness(t, -1)
		h.say("this is useless!!")
		assert.Equal(t, []string{msgs.Declined}, h.say(no), no)
		assert.Empty(t, h.desk.Queue(), no)
	}
	for _, other := range []string{"ok where is my order", "no I want a refund", "si alguien me ayuda con el pedido"} {
		h := newHarness(t, -1)
		h.say("this is useless!!")
		assert.Equal(t, []string{"bot: " + other}, h.say(other), "a new request goes to the bot: %s", other)
		assert.Empty(t, h.desk.Queue(), other)
	}
}

func TestOfferIsNeverStackedOnAnotherQuestion(t *testing.T) {
	h := newHarness(t, -1)
	got := h.say("ask")
	assert.Equal(t, []string{"bot: which one?"}, got)
	got = h.say("I'm fed up with this")
	assert.Equal(t, []string{msgs.Empathy, "bot: I'm fed up with this", offerText}, got)
	// The bot asks a question on the turn a rule fires: the offer waits
	// for the answer, and for one more question of the same request
	// (the order number, then "Was this helpful?"), not longer.
	h2 := newHarness(t, -1)
	assert.Equal(t, []string{msgs.Empathy, "bot: which one?"}, h2.say("ask me something, it is urgent!!"))
	assert.Equal(t, []string{"bot: A", offerText}, h2.say("A"))
	h3 := newHarness(t, -1)
	h3.say("ask me something, it is urgent!!")
	assert.Equal(t, []string{"bot: which one?"}, h3.say("ask again"), "asked again: the offer still waits")
	assert.Equal(t, []string{"bot: fine", offerText}, h3.say("fine"))
	h5 := newHarness(t, -1)
	h5.say("ask me something, it is urgent!!")
	h5.say("ask again")
	assert.Equal(t, []string{"bot: which one?"}, h5.say("ask again"))
	assert.Equal(t, []string{"bot: fine"}, h5.say("fine"), "held back three times: the offer is dropped")
	h4 := newHarness(t, -1)
	h4.say("ask me something, it is urgent!!")
	assert.Equal(t, []string{"bot: done"}, h4.say("done"), "the request was resolved: no offer")
}

func TestStopIsNeverFrustration(t *testing.T) {
	h := newHarness(t, -1)
	assert.Equal(t, []string{"bot: STOP"}, h.say("STOP"), "no empathy, no offer: STOP is an instruction")
}

func TestEscalatorIsTheHandlerOfARequestForAPerson(t *testing.T) {
	h := newHarness(t, -1)
	// The router runs the escalator for a "human" intent the keywords
	// miss: the customer asked, so it hands off.
	assert.Equal(t, []string{msgs.Connecting}, h.say("could somebody help me with my bill"))
	tk := h.ticket().Ticket
	assert.Equal(t, "asked for a person", tk.Reason)
	assert.Equal(t, dialog.PriorityHigh, tk.Priority)
}

func TestHandOffFromAHandlerOffersUnlessTheCustomerAsked(t *testing.T) {
	h := newHarness(t, -1)
	assert.Equal(t, []string{offerText}, h.say("hand me over"), "a flow giving up offers a person; the customer chooses")
	assert.Empty(t, h.desk.Queue())
	assert.Equal(t, []string{msgs.Connecting}, h.say("yes please"))
	assert.Equal(t, "the flow gave up", h.ticket().Ticket.Reason)
}

func TestNotUnderstoodThreeTimesOffersAPerson(t *testing.T) {
	h := newHarness(t, -1)
	assert.Equal(t, []string{"bot: sorry, I didn't get that"}, h.say("?blorf"))
	assert.Equal(t, []string{"bot: sorry, I didn't get that"}, h.say("?qwerty"))
	assert.Empty(t, h.desk.Queue(), "two unclear messages hand nobody over")
	assert.Equal(t, []string{offerText}, h.say("?zzz"), "the third gets an offer instead of another fallback")
	assert.Empty(t, h.desk.Queue())
}

// A third message in a row the language understanding cannot place,
// which the bot reads all the same ("no" declining the menu), is no
// reason to offer a person: the rule fired before the bot answered, on a
// count the answer ended.
func TestNotUnderstoodRuleRecheckedAfterTheBotAnswers(t *testing.T) {
	h := newHarness(t, -1)
	h.say("?blorf")
	h.say("?qwerty")
	assert.Equal(t, []string{"bot: no problem"}, h.say("?no"))
	assert.Equal(t, []string{"bot: sorry, I didn't get that"}, h.say("?zzz"), "counted afresh")
}

func TestTwoFailuresOfferAPerson(t *testing.T) {
	h := newHarness(t, -1)
	assert.Equal(t, []string{"bot: I couldn't find that"}, h.say("find order A-9999"))
	assert.Equal(t, []string{"bot: thanks"}, h.say("thanks"))
	assert.Equal(t, []string{"bot: I couldn't find that", offerText}, h.say("find order A-9998"),
		"the offer follows the second failure's answer")
	h2 := newHarness(t, -1)
	h2.say("find order A-9999")
	h2.say("done")
	assert.Equal(t, []string{"bot: I couldn't find that"}, h2.say("find order A-9998"), "a resolution in between starts afresh")
}

func TestLongConversationWithoutResolutionOffers(t *testing.T) {
	h := newHarness(t, -1)
	for i := range 8 {
		assert.NotContains(t, h.say(fmt.Sprint("question ", i+1)), offerText)
	}
	assert.Equal(t, []string{"bot: question 9", longSay, offerText}, h.say("question 9"), "why, then the offer")
}

// One early offer, declined or passed by, does not silence the "long
// without resolution" rule for good (QA12 F14, F34, F44: nine turns
// going nowhere and no second offer): once the quiet turns after a
// decline are over and five turns have passed since the offer, it offers
// once more, with no line on how to ask for a person stacked on it. It
// never offers twice in a row, and never again until the conversation is
// resolved.
func TestLongConversationOffersOnceMoreAfterAnEarlyOffer(t *testing.T) {
	h := newHarness(t, -1)
	assert.Equal(t, []string{offerText}, h.say("hand me over"), "turn 1: an early offer")
	assert.Equal(t, []string{msgs.Declined}, h.say("no"))
	for i := 3; i <= 8; i++ {
		assert.NotContains(t, h.say(fmt.Sprint("question ", i)), offerText, "turn %d", i)
	}
	assert.Equal(t, []string{longSay, offerText}, h.say("hand me over"),
		"turn 9: the long rule's offer, made by the handler's HandOff, saying why; no reminder of how to ask stacked on it")
	assert.Equal(t, []string{msgs.Declined}, h.say("no"))
	for i := 11; i <= 30; i++ {
		got := h.say(fmt.Sprint("question ", i))
		assert.NotContains(t, got, offerText, "turn %d: once", i)
	}
	assert.Equal(t, []string{msgs.Remind}, h.say("hand me over"), "a handler hears how to ask")
	assert.Empty(t, h.desk.Queue())

	// An offer passed by late in the count: the long rule waits five
	// turns after it.
	h = newHarness(t, -1)
	for i := 1; i <= 5; i++ {
		h.say(fmt.Sprint("question ", i))
	}
	assert.Equal(t, []string{offerText}, h.say("hand me over"), "turn 6")
	for i := 7; i <= 10; i++ {
		assert.Equal(t, []string{fmt.Sprint("bot: question ", i)}, h.say(fmt.Sprint("question ", i)), "turn %d: too soon after the offer", i)
	}
	assert.Equal(t, []string{"bot: question 11", longSay, offerText}, h.say("question 11"))
	assert.Equal(t, []string{"bot: question 12"}, h.say("question 12"), "never twice in a row")

	// Declined late: the quiet turns after the decline come first.
	h = newHarness(t, -1)
	for i := 1; i <= 6; i++ {
		h.say(fmt.Sprint("question ", i))
	}
	assert.Equal(t, []string{offerText}, h.say("hand me over"), "turn 7")
	assert.Equal(t, []string{msgs.Declined}, h.say("no"), "turn 8: quiet until turn 13")
	for i := 9; i <= 12; i++ {
		assert.Equal(t, []string{fmt.Sprint("bot: question ", i)}, h.say(fmt.Sprint("question ", i)), "turn %d: quiet", i)
	}
	assert.Equal(t, []string{"bot: question 13", longSay, offerText}, h.say("question 13"))

	// Upset on the turn of the second offer, after the mood's own offer:
	// the word of empathy the quiet turns say, then why, then the offer.
	h = newHarness(t, -1)
	assert.Equal(t, []string{msgs.Empathy, "bot: where is my order!!", offerText}, h.say("where is my order!!"))
	for i := 2; i <= 8; i++ {
		h.say(fmt.Sprint("question ", i))
	}
	assert.Equal(t, []string{msgs.Empathy, "bot: still nothing at all!!", longSay, offerText}, h.say("still nothing at all!!"))
}

// An answered question is a resolution so far: it starts the count of
// turns without resolution afresh, also in the turn the rule would have
// fired, but it does not close the request: the offer of a rule about
// what the customer said (here frustration) still follows it.
func TestAnsweredQuestionsResolve(t *testing.T) {
	h := newHarness(t, -1)
	for i := range 12 {
		assert.Equal(t, []string{"bot: the answer"}, h.say(fmt.Sprint("answer ", i+1)))
	}
	for i := range 8 {
		assert.NotContains(t, h.say(fmt.Sprint("question ", i+1)), offerText, "counted from the last answer")
	}
	assert.Equal(t, []string{"bot: the answer"}, h.say("answer 9"), "the ninth turn is answered: no offer")
	for i := range 8 {
		assert.NotContains(t, h.say(fmt.Sprint("more ", i+1)), offerText)
	}
	assert.Equal(t, []string{"bot: more 9", longSay, offerText}, h.say("more 9"))

	upset := newHarness(t, -1)
	assert.Equal(t, []string{msgs.Empathy, "bot: the answer", offerText}, upset.say("answer this, it is urgent!!"))
}

func TestRefundOverOneHundredOffers(t *testing.T) {
	h := newHarness(t, -1)
	assert.Equal(t, []string{"bot: refund $150 on A-1002", offerText}, h.say("refund $150 on A-1002"))
}

func TestTicketSaysWhatTheCustomerWants(t *testing.T) {
	h := newHarness(t, -1)
	h.say("My lamp from order A-1002 arrived broken!!")
	h.say("no")
	h.say("speak to someone")
	tk := h.ticket().Ticket
	assert.Equal(t, "asked for a person", tk.Reason)
	assert.Contains(t, tk.Summary, `Ada says: "My lamp from order A-1002 arrived broken!!"`)
	assert.NotContains(t, tk.Summary, "speak to someone")
	assert.Contains(t, tk.Summary, "\nMood: Frustrated (0.80).", "frustration as measured")
	assert.Equal(t, 0.8, tk.Frustration)
}

// A hand-off on a turn the sentiment middleware did not measure reports
// the latest measured mood with the analyzer's own label (QA12 F53: "can
// someone call me", then "speak to someone", showed "Mood: Negative
// (0.44)", the score worded by a fixed band, for a request the model
// called neutral).
func TestTicketMoodOfAnUnmeasuredTurnKeepsItsLabel(t *testing.T) {
	h := newHarness(t, -1)
	h.say("can someone call me")
	h.say("[speak to someone]")
	tk := h.ticket().Ticket
	assert.Equal(t, "asked for a person", tk.Reason)
	assert.Contains(t, tk.Summary, "\nMood: Neutral (0.44); frustration 0.38.")
	assert.Equal(t, "neutral", tk.Mood.Label)
}

func TestQueueTimeoutOffersCallbackAndAsksForThePhone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		h := newHarness(t, -1)
		var wg sync.WaitGroup
		wg.Go(func() {
			assert.ErrorIs(t, h.esc.Run(ctx, func(err error) { t.Error(err) }), context.Canceled)
		})
		defer wg.Wait()
		defer cancel()

		h.say("human")
		start := h.mark()
		time.Sleep(5*time.Minute + 2*time.Second)
		synctest.Wait()
		require.Equal(t, []string{msgs.Busy}, h.since(start), "a customer waiting in silence is offered a call-back")
		qr := h.last().QuickReplies
		require.Len(t, qr, 5)
		// Always open, but the customer in New York is called in their
		// day (8am-9pm): not at 9pm, 10pm and 11pm (QA9 F51).
		assert.Equal(t, []string{"1999-12-31 20:00 America/New_York", "2000-01-01 08:00 America/New_York", "2000-01-01 09:00 America/New_York"},
			[]string{qr[0].Title, qr[1].Title, qr[2].Title}, "times in the customer's time zone, for i18n.WithDates to write out")
		assert.Equal(t, msgs.KeepWaiting, qr[3].Title)

		assert.Equal(t, []string{msgs.AskPhone}, h.say(qr[0].Payload), "no phone known: ask for it")
		assert.Equal(t, []string{msgs.BadPhone}, h.say("tomorrow"))
		got := h.say("+1 212 555 0100")
		require.Len(t, got, 1)
		assert.Contains(t, got[0], "we'll call you on +1 212 555 0100")
		assert.Equal(t, escalation.StatusCancelled, h.ticket().Status, "the queued ticket was replaced")
		cb, ok := h.desk.Get("c1-2-callback")
		require.True(t, ok)
		assert.Equal(t, "+1 212 555 0100", cb.Ticket.Phone)
		require.NotNil(t, cb.Ticket.Callback)
		assert.Equal(t, []string{"bot: thanks"}, h.say("thanks"), "back with the bot")
	})
}

func TestCallbackWithAKnownPhoneBooksAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 0)
		h.profile["phone"] = "+44 20 7946 0000"
		h.profile["timezone"] = ""
		assert.Equal(t, []string{msgs.Busy}, h.say("human"), "no agent: a call-back instead of a queue")
		got := h.say(h.last().QuickReplies[0].Payload)
		require.Len(t, got, 1)
		assert.Contains(t, got[0], "+44 20 7946 0000")
	})
}

func TestDeskDownIsRetriedAndTheCustomerTold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		h := newHarness(t, -1)
		var wg sync.WaitGroup
		wg.Go(func() { _ = h.esc.Run(ctx, func(err error) { t.Error(err) }) })
		defer wg.Wait()
		defer cancel()

		h.desk.SetFault(fmt.Errorf("maintenance"))
		assert.Equal(t, []string{msgs.Delayed}, h.say("human"))
		assert.Empty(t, h.desk.Queue())
		h.desk.SetFault(nil)
		start := h.mark()
		time.Sleep(6 * time.Second)
		synctest.Wait()
		assert.Equal(t, []string{msgs.Queued}, h.since(start))
		assert.Len(t, h.desk.Queue(), 1)
	})
}

func TestLocaleMessages(t *testing.T) {
	h := newHarness(t, -1, escalation.WithLocaleMessages(map[string]escalation.Messages{"es": {Left: "Vale, has salido de la cola."}}))
	h.say("human")
	start := h.mark()
	require.NoError(t, h.bot.HandleTurn(context.Background(), h, &parley.Turn{ConversationID: "c1", Locale: "es-MX", MessageID: "es1", Message: parley.Text("cancel")}))
	assert.Equal(t, []string{"Vale, has salido de la cola."}, h.since(start))
}

func TestNewRejectsBadOptions(t *testing.T) {
	noop := escalation.DeliverFunc(func(context.Context, *parley.Turn) error { return nil })
	tests := []struct {
		name string
		give escalation.Option
	}{
		{"rule that does not compile", escalation.WithRules(escalation.Rule{Name: "typo", Expr: "score <"})},
		{"rule without a name", escalation.WithRules(escalation.Rule{When: escalation.Keywords("x")})},
		{"queue timeout", escalation.WithQueueTimeout(0)},
		{"hours", escalation.WithHours(escalation.Hours{Open: 17, Close: 9, Days: []time.Weekday{time.Monday}})},
		{"hours on a day", escalation.WithHours(escalation.Hours{Open: 8, Close: 20, Days: []time.Weekday{time.Monday},
			Except: map[time.Weekday][2]int{time.Saturday: {16, 10}}})},
		{"waker without store", escalation.WithWaker(nil, noop, time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			esc, err := escalation.New(desk.NewMemory(noop), tt.give)
			require.Error(t, err)
			assert.Nil(t, esc)
		})
	}
	_, err := escalation.New(desk.NewMemory(noop), escalation.WithRules(escalation.Rule{Name: "typo", Expr: "score <"}))
	var re *escalation.RuleError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "typo", re.Rule)
}

// Nonsense at the offer of a person asks it again, once: a "yes" after
// it still answers the offer. A second piece of nonsense drops it.
// Nonsense at the offer of a person asks it again, once, in other words
// with the same choices (q3, session 12: the offer was repeated verbatim);
// nonsense again drops it, and no rule offers a person again until the
// conversation is resolved: the misses do not loop through offers.
func TestOfferAskedAgainAfterNonsense(t *testing.T) {
	h := newHarness(t, -1)
	h.say("this is useless!!")
	assert.Equal(t, []string{msgs.OfferAgain}, h.say("?mmm ppp"))
	assert.Equal(t, []string{msgs.Yes, msgs.No}, []string{h.last().QuickReplies[0].Title, h.last().QuickReplies[1].Title})
	assert.NotEqual(t, offerText, msgs.OfferAgain)
	assert.Equal(t, []string{msgs.Connecting}, h.say("yes"))

	h2 := newHarness(t, -1)
	h2.say("this is useless!!")
	assert.Equal(t, []string{msgs.OfferAgain}, h2.say("?zzz"))
	assert.Equal(t, []string{"bot: sorry, I didn't get that"}, h2.say("?qqq"), "asked again once, then dropped")
	for _, text := range []string{"?www", "?eee", "?rrr", "?ttt", "?yyy"} {
		assert.Equal(t, []string{"bot: sorry, I didn't get that"}, h2.say(text), "%s: no second offer (not understood)", text)
	}
	assert.Equal(t, []string{longSay, offerText}, h2.say("?uuu"),
		"the ninth turn without resolution, seven after the offer was asked again: the long rule offers once more")
	assert.Equal(t, []string{msgs.Declined}, h2.say("no"))
	for _, text := range []string{"?iii", "?ooo", "?ppp", "?aaa", "?sss", "?ddd", "?fff", "?ggg", "?hhh", "?jjj"} {
		assert.Equal(t, []string{"bot: sorry, I didn't get that"}, h2.say(text), "%s: no third offer: nothing loops", text)
	}
	assert.Equal(t, []string{"bot: done"}, h2.say("done"))
	h2.say("?a")
	h2.say("?b")
	assert.Equal(t, []string{offerText}, h2.say("?c"), "resolved since: the third miss offers again")

	h3 := newHarness(t, -1)
	h3.say("this is useless!!")
	assert.Equal(t, []string{"bot: sorry, I didn't get that"}, h3.say("?what about gift cards"),
		"words of a language are a new request, not nonsense: the offer is dropped")
}

// The words that leave the queue decline an offer of a person too.
func TestOfferDeclinedInTheQueuesWords(t *testing.T) {
	for _, text := range []string{"forget it, I don't need a person anymore", "never mind", "ya no hace falta, gracias"} {
		h := newHarness(t, -1)
		h.say("this is useless!!")
		assert.Equal(t, []string{msgs.Declined}, h.say(text), text)
	}
}

// A handler that wants a person again after an offer the customer let
// pass hears how to ask for one: one offer until the conversation is
// resolved, and never silence.
func TestHandOffOffersOnce(t *testing.T) {
	h := newHarness(t, -1)
	assert.Equal(t, []string{offerText}, h.say("hand me over"))
	assert.Equal(t, []string{"bot: where is my order"}, h.say("where is my order"))
	assert.Equal(t, []string{msgs.Remind}, h.say("hand me over"), "no second offer")
	assert.Equal(t, []string{"bot: done"}, h.say("done"))
	assert.Equal(t, []string{offerText}, h.say("hand me over"), "resolved since: a new offer")
	assert.Equal(t, []string{msgs.Declined}, h.say("no"))
	assert.Equal(t, []string{msgs.Remind}, h.say("hand me over"), "declined: no offer while offers are quiet")
}

// A handler that answers and wants a person again and again ("I'm not
// sure I have the right answer", question after question) is followed by
// the line on how to ask for one once since the offer, not every time
// (QA12 F14); a handler that said nothing itself still gets the line.
func TestTheLineOnHowToAskIsSaidOnce(t *testing.T) {
	h := newHarness(t, -1)
	assert.Equal(t, []string{"bot: not sure", offerText}, h.say("unsure 1"))
	assert.Equal(t, []string{"bot: not sure", msgs.Remind}, h.say("unsure 2"))
	assert.Equal(t, []string{"bot: not sure"}, h.say("unsure 3"), "said once")
	assert.Equal(t, []string{"bot: not sure"}, h.say("unsure 4"))
	assert.Equal(t, []string{msgs.Remind}, h.say("hand me over"), "never silence")
}

// Outside the team's hours a hand-off says when the team is back and
// offers call-backs only within the hours, each written in the
// customer's zone, which i18n.WithDates names by its city (QA9 F19, F51:
// "soon" on a Sunday, and slots at 10pm, 11pm and midnight labelled
// "GMT"). A short Saturday (Except) counts; a time typed instead of
// tapped picks its slot.
func TestClosedSaysWhenTheTeamIsBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ny, err := time.LoadLocation("America/New_York")
		require.NoError(t, err)
		weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
		hours := escalation.Hours{Location: ny, Open: 8, Close: 20, Days: weekdays, Except: map[time.Weekday][2]int{time.Saturday: {10, 16}}}
		// The bubble starts on Saturday 1 January 2000 00:00 UTC: Friday
		// 19:00 in New York, open. Wait until Saturday 17:00 New York.
		time.Sleep(22 * time.Hour)
		h := newHarness(t, -1, escalation.WithHours(hours))
		h.profile["timezone"] = "Europe/London"
		got := h.say("human")
		require.Len(t, got, 1)
		assert.Equal(t, "Our team is offline right now and back 2000-01-03 13:00 Europe/London. Would you like a call back? Pick a time.", got[0])
		qr := h.last().QuickReplies
		require.Len(t, qr, 4)
		assert.Equal(t, []string{"2000-01-03 13:00 Europe/London", "2000-01-03 14:00 Europe/London", "2000-01-03 15:00 Europe/London", msgs.OtherChannel},
			[]string{qr[0].Title, qr[1].Title, qr[2].Title, qr[3].Title})
		// A time typed rather than tapped picks its slot: "2pm", "a las 2".
		h.profile["phone"] = "+44 20 7946 0000"
		got = h.say("the 2pm one please")
		require.Len(t, got, 1)
		assert.Equal(t, fmt.Sprintf(msgs.CallbackBooked, "2000-01-03 14:00 Europe/London", "+44 20 7946 0000"), got[0])

		sat := time.Date(2000, 1, 8, 0, 0, 0, 0, ny)
		assert.False(t, hours.IsOpen(sat.Add(9*time.Hour)))
		assert.True(t, hours.IsOpen(sat.Add(10*time.Hour)))
		assert.False(t, hours.IsOpen(sat.Add(16*time.Hour)))
		assert.False(t, hours.IsOpen(sat.Add(24*time.Hour+12*time.Hour)), "Sunday")
		assert.True(t, hours.IsOpen(sat.Add(48*time.Hour+8*time.Hour)), "Monday")
	})
}

// "Email me instead" says where the reply goes when the profile has an
// address (QA9 F51: "which address?"), and the ticket carries it.
func TestEmailInsteadNamesTheAddress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ny, err := time.LoadLocation("America/New_York")
		require.NoError(t, err)
		// The bubble starts on Friday 19:00 in New York: closed at 18:00.
		hours := escalation.Hours{Location: ny, Open: 8, Close: 18, Days: []time.Weekday{time.Monday, time.Friday}}
		h := newHarness(t, -1, escalation.WithHours(hours))
		h.profile["email"] = "ada@example.com"
		h.say("human")
		require.Equal(t, msgs.OtherChannel, h.last().QuickReplies[3].Title)
		assert.Equal(t, []string{"Of course: our team will reply to ada@example.com with everything from this conversation."},
			h.say(h.last().QuickReplies[3].Payload))
		q := h.desk.Queue()
		require.Len(t, q, 1)
		assert.Equal(t, "ada@example.com", q[0].Ticket.Data["email"])
	})
}
