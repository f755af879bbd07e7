package escalation

import (
	"context"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/nlu"
)

// This file reads what a customer waiting for a person says about the
// wait itself: that they want out of the queue ("leave the queue", "I
// don't need a person anymore", "ya no quiero esperar"), or how it is
// going ("how long will it take?", "hello??", "¿hay alguien?"). Neither is
// a request for the bot, nor a greeting to answer with the main menu.

// waitFold lower-cases s, removes accents and apostrophes, and keeps
// letters and digits, words joined by one space.
func waitFold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r), r == '\'', r == '’':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}

// leaveClause is one way of saying the wait is no longer wanted, as
// waitFold writes it: "leave the queue", "never mind", "I'll stay with
// the bot", "me quedo con el bot", "ya no hace falta".
const leaveClause = `(?:` +
	`exit|quit|leave|leave (?:the )?(?:queue|line)|exit (?:the )?(?:queue|line)|get (?:me )?out of (?:the )?(?:queue|line)|` +
	`stop waiting|(?:i )?(?:dont|do not|cant|cannot|wont) (?:want to |wanna )?wait(?: any ?(?:more|longer))?|` +
	`(?:i )?(?:dont|do not|no longer) (?:need|want) (?:a |an |the |to talk to (?:a |an )?|to speak to (?:a |an )?)?(?:person|human|agent|anyone|someone|one|it)(?: any ?more)?|` +
	`never ?mind|forget (?:about )?(?:it|that)|no need(?: for (?:a |an )?(?:person|human|agent|one|it))?(?: any ?more)?|(?:its )?not needed(?: any ?more)?|` +
	`(?:i will |ill |i can |i think ill |id rather |i would rather |let me )?(?:just )?(?:stay|stick|carry on|go on|continue|keep going) with (?:the )?(?:bot|assistant|chatbot|you)|` +
	`(?:i will |ill |i can |i think ill )?(?:just )?(?:use|talk to|chat with|ask) (?:the )?(?:bot|assistant|chatbot|you)(?: instead)?|` +
	`salir|salir de la cola|dejar la cola|quiero salir(?: de la cola)?|` +
	`(?:ya )?no (?:quiero|puedo) esperar(?: mas)?|ya no (?:quiero|necesito) (?:a )?(?:una persona|un agente|nadie|hablar con (?:una persona|nadie))|` +
	`(?:ya )?no hace falta(?: ya)?|olvidalo|olvidelo|dejalo|dejelo|da igual|` +
	`(?:me quedo|sigo|seguire|continuo|continuare) con (?:el )?(?:bot|asistente|chatbot)|(?:me quedo|sigo|seguire) contigo` +
	`)`

// leaveFiller are the words around a leaveClause that say nothing of
// their own ("actually", "ok", "pues", "and").
const leaveFiller = `(?:ok|okay|actually|just|please|pls|no|nah|so|well|oh|um|hmm|sorry|oops|and|then|` +
	`thanks|thank you|pues|bueno|vale|mejor|ah|perdon|en realidad|y|gracias|muchas gracias|por favor|entonces)`

// leaveQueue matches the ways of saying the wait is no longer wanted: one
// leaveClause or several ("actually never mind, I'll stay with the bot";
// "forget it, I don't need a person anymore"), among filler words. A
// clause followed by anything else ("never mind the lamp, where is my
// shirt?") is a new request, not a goodbye to the queue.
var leaveQueue = regexp.MustCompile(`^(?:` + leaveFiller + `\s)*` + leaveClause +
	`(?:\s(?:` + leaveFiller + `|` + leaveClause + `|any ?more|instead|for now))*$`)

// leavesQueue reports whether text asks to leave the queue.
func leavesQueue(text string) bool {
	return len(text) <= 120 && leaveQueue.MatchString(waitFold(text))
}

// waitQuestion matches questions about the wait and calls to see whether
// anyone is there.
var waitQuestion = regexp.MustCompile(`^(?:(?:hello|hi|hey|ok|so|and|um|well|hola|oye|y|bueno)\s)*(?:` +
	`hello+|hi|hey|helo+|anyone|anybody|hola+|alguien|` +
	`(?:is |are )?(?:anyone|anybody|someone|somebody|you|u) (?:there|still there|here)|(?:are )?you still there|still there|` +
	`how long(?: (?:will|does|do|is|until|till|must|should))?(?: (?:it|this|that|i|the wait|someone|somebody|a person|an agent|they))?(?: (?:take|be|have to wait|wait|need to wait|answer|reply|join|come))?(?: for (?:a |an )?(?:person|agent|human|someone))?|` +
	`how much longer(?: (?:will it be|do i have to wait|is it))?|whats taking so long|what is taking so long|why is (?:this|it) taking so long|` +
	`(?:im |i am )?still waiting|any (?:news|update|updates)|when will (?:someone|somebody|a person|an agent|they) (?:answer|reply|join|come|be here)|` +
	`cuanto (?:tardan|tardais|tarda|tardara|tardaran|falta|queda|tiempo(?: tengo que esperar| falta| mas)?)|` +
	`hay alguien(?: ahi)?|(?:sigues|sigue|seguis|siguen) ahi|sigo esperando|alguien ahi|alguna novedad` +
	`)(?:\s(?:please|pls|now|then|already|por favor|ya))*$`)

// asksAboutWait reports whether text asks how the wait is going, or
// whether anybody is there.
func asksAboutWait(t *parley.Turn) bool {
	text := t.Text()
	if len(text) > 120 {
		return false
	}
	if waitQuestion.MatchString(waitFold(text)) {
		return true
	}
	u, ok := parley.Value(t, nlu.UnderstandingKey)
	return ok && u.Status == nlu.Understood && u.Intent.Name == "greeting" && len(strings.Fields(text)) <= 4
}

// The wait lines: what the escalator answers a waiting customer's
// message with when the bot does not answer it.
const (
	waitStill  = "still"  // Messages.StillWaiting
	waitNoted  = "noted"  // Messages.Noted
	waitStatus = "status" // Messages.WaitStatus
)

// waitLine says the first of kinds that is not the line said on the
// customer's previous turn: the same sentence is not said twice in a row
// ("asdfgh" three times gets StillWaiting, Noted, StillWaiting).
func (tc *turnCtx) waitLine(ctx context.Context, kinds ...string) error {
	kind := kinds[0]
	for _, k := range kinds {
		if k != tc.prevSaid {
			kind = k
			break
		}
	}
	tc.st.WaitSaid = kind
	m := tc.msgs()
	text := map[string]string{waitStill: m.StillWaiting, waitNoted: m.Noted, waitStatus: m.WaitStatus}[kind]
	return tc.reply(ctx, parley.Text(text))
}

// empathyWhileWaiting reports whether a waiting customer's message is
// upset ("this is ridiculous!!"), as the policy's rules with Empathy read
// it, and says a word of empathy the first time in a wait.
func (tc *turnCtx) empathyWhileWaiting(ctx context.Context) (bool, error) {
	in := tc.input(ctx, strings.TrimSpace(tc.t.Text()), commandOf(tc.t), false)
	if _, upset, _ := tc.e.policy.evaluate(in, func(r Rule) bool { return !r.Empathy }); !upset {
		return false, nil
	}
	if tc.st.WaitEmpathy || tc.st.EmpathyAt != 0 && tc.st.Seen-tc.st.EmpathyAt < empathyGap {
		return true, nil // said already: once is enough
	}
	tc.st.WaitEmpathy = true
	tc.said()
	return true, tc.reply(ctx, parley.Text(tc.msgs().Empathy))
}
