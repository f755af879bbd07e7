package desk

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// What the workspace shows, as JSON: a summary of each case for the
// queue and, for the open one, everything an agent reads before
// answering, with the measurements put into words.

// caseSummary is one line of the queue.
type caseSummary struct {
	ID           string `json:"id"`
	Conversation string `json:"conversation"`
	Customer     string `json:"customer"`
	Channel      string `json:"channel,omitempty"`
	Priority     string `json:"priority"`
	Reason       string `json:"reason"`
	Status       string `json:"status"`
	Agent        string `json:"agent,omitempty"`
	Mood         string `json:"mood,omitempty"`
	Last         string `json:"last,omitempty"`
	Language     string `json:"language,omitempty"` // "Spanish": the customer's language, when not English
	Locale       string `json:"locale,omitempty"`   // the conversation's locale ("es-ES")
	Created      int64  `json:"created"`            // Unix milliseconds
	Updated      int64  `json:"updated"`            // Unix milliseconds of the last message
	// Unanswered is when the customer's oldest message since an agent
	// last wrote was sent (Unix milliseconds), while an agent owns the
	// case: how long they have waited for an answer. 0 when answered.
	Unanswered int64 `json:"unanswered,omitempty"`
	// Conversations counts the customer's conversations joined in this
	// case (two devices: 2); 0 for one.
	Conversations int `json:"conversations,omitempty"`
	// Named says Customer is a name from the profile, not an ID.
	Named bool `json:"-"`
	// Version changes whenever the case does, so the workspace knows
	// when to fetch the open case again.
	Version string `json:"version"`
}

// caseDetail is the open case.
type caseDetail struct {
	caseSummary
	ReasonText     string      `json:"reason_text"`
	Summary        string      `json:"summary"`
	SuggestedReply string      `json:"suggested_reply"`
	Note           string      `json:"note,omitempty"`
	MoodText       string      `json:"mood_text,omitempty"`
	Moods          []float64   `json:"moods,omitempty"`
	Facts          [][2]string `json:"facts,omitempty"`
	Profile        [][2]string `json:"profile,omitempty"`
	Transcript     []line      `json:"transcript"`
	Callback       string      `json:"callback,omitempty"`
	CloseReason    string      `json:"close_reason,omitempty"`
	Open           bool        `json:"open"`
}

// line is one message of the transcript as the agent reads it.
type line struct {
	From     string `json:"from"` // "customer", "bot" or the agent's name
	Role     string `json:"role"` // customer, bot, agent, note
	Text     string `json:"text"`
	Time     int64  `json:"time"`
	Internal bool   `json:"internal,omitempty"`
	For      string `json:"for,omitempty"` // the agent a bot message was sent for (an approval's decision)
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// customerName is the customer's name, and whether it is one: without
// a name in the profile, the ID (the agent needs something to refer to).
func customerName(t escalation.Ticket) (string, bool) {
	for _, k := range []string{"name", "first_name"} {
		if v := t.Profile[k]; v != "" {
			return v, true
		}
	}
	if t.CustomerID != "" {
		return t.CustomerID, false
	}
	return "Visitor", false
}

// languages names the customer's language for the agent, by the
// conversation's locale; English, the workspace's own, goes unsaid.
var languages = map[string]string{"es": "Spanish", "fr": "French", "de": "German", "it": "Italian", "pt": "Portuguese",
	"nl": "Dutch", "ca": "Catalan", "pl": "Polish", "sv": "Swedish", "da": "Danish", "ja": "Japanese", "zh": "Chinese"}

func language(locale string) string {
	base, _, _ := strings.Cut(strings.ToLower(strings.ReplaceAll(locale, "_", "-")), "-")
	if base == "" || base == "en" {
		return ""
	}
	if l := languages[base]; l != "" {
		return l
	}
	return locale
}

func summarize(c Case) caseSummary {
	t := c.Ticket
	name, named := customerName(t)
	s := caseSummary{ID: t.ID, Conversation: t.ConversationID, Customer: name, Named: named, Channel: t.Channel,
		Priority: string(cmpOr(t.Priority, dialog.PriorityNormal)), Reason: t.Reason, Status: string(c.Status),
		Agent: c.Agent, Mood: moodWord(t), Language: language(t.Locale), Locale: t.Locale, Created: ms(t.Created), Updated: ms(t.Created)}
	if (s.Mood == "calm" || s.Mood == "happy") && impatient(customerThread(c)) {
		s.Mood = "impatient" // "hello? you didnt answer my question" to the agent
	}
	if c.Status == escalation.StatusAssigned {
		for _, m := range slices.Backward(c.Thread) {
			if m.Internal || m.Bot {
				continue // the assistant's message answers nothing the customer asked the agent
			}
			if m.From != "customer" {
				break
			}
			s.Unanswered = ms(m.Time)
		}
	}
	for _, e := range slices.Backward(t.Transcript) {
		if e.Role == memory.RoleUser && strings.TrimSpace(e.Text) != "" {
			s.Last = clip(shown(e), 120)
			break
		}
	}
	for _, m := range slices.Backward(c.Thread) {
		if !m.Internal {
			s.Last = clip(m.Text, 120)
			switch {
			case m.Bot:
				s.Last = "Assistant: " + s.Last
			case m.From != "customer":
				s.Last = m.From + ": " + s.Last
			}
			break
		}
	}
	if n := len(c.Thread); n > 0 {
		s.Updated = ms(c.Thread[n-1].Time)
	}
	if len(c.Joined) > 0 {
		s.Conversations = 1 + len(c.Joined)
	}
	s.Version = fmt.Sprintf("%s/%s/%d/%d", c.Status, c.Agent, len(c.Thread), len(c.Joined))
	return s
}

// customerThread is what the customer wrote since the hand-off, as
// transcript entries.
func customerThread(c Case) []memory.Entry {
	var out []memory.Entry
	for _, m := range c.Thread {
		if m.From == "customer" {
			out = append(out, memory.Entry{Role: memory.RoleUser, Text: m.Text, Time: m.Time})
		}
	}
	return out
}

// shown is what the customer wrote or tapped in e: the quick reply's
// title the Bot kept (Meta "tapped") rather than its payload ("Yes", not
// "yes"), else the text, a payload made readable.
func shown(e memory.Entry) string {
	if t := e.Meta["tapped"]; t != "" {
		return t
	}
	return readable(e.Text)
}

// readable shows a button's payload that a transcript kept as the
// customer's text ("handoff:yes") as the tap it was.
func readable(text string) string {
	kind, value, ok := strings.Cut(text, ":")
	if !ok || kind == "" || value == "" || strings.ContainsAny(text, " \t\n") {
		return text
	}
	for _, r := range kind {
		if !(r >= 'a' && r <= 'z' || r == '_' || r == '.' || r == '-') {
			return text
		}
	}
	return "(tapped a button: " + strings.ReplaceAll(value, "_", " ") + ")"
}

func cmpOr(p, def dialog.Priority) dialog.Priority {
	if p == "" {
		return def
	}
	return p
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func detail(c Case) caseDetail {
	t := c.Ticket
	d := caseDetail{caseSummary: summarize(c), ReasonText: reasonText(t), Summary: t.Summary,
		SuggestedReply: t.SuggestedReply, Note: t.Note, MoodText: moodText(t), Moods: t.Scores,
		Facts: facts(t), CloseReason: c.CloseReason,
		Open: c.Status == escalation.StatusQueued || c.Status == escalation.StatusAssigned}
	if d.Mood == "impatient" && moodWord(t) != "impatient" {
		d.MoodText = "Impatient: they have been waiting; answer before anything else."
	}
	if len(d.Moods) == 0 && t.Mood.Label != "" {
		d.Moods = []float64{t.Mood.Score}
	}
	if d.Language != "" {
		d.Profile = append(d.Profile, [2]string{"Language", d.Language})
	}
	for _, k := range sortedKeys(t.Profile) {
		d.Profile = append(d.Profile, [2]string{label(k), t.Profile[k]})
	}
	if t.Callback != nil {
		d.Callback = "Call back " + t.Callback.Format("Mon 2 Jan 15:04 MST")
		if t.Phone != "" {
			d.Callback += " on " + t.Phone
		}
	} else if t.Phone == "" && strings.Contains(strings.ToLower(t.Reason), "callback") {
		d.Callback = "Reply by email"
	}
	for _, e := range t.Transcript {
		if strings.TrimSpace(e.Text) == "" {
			continue // a page event (page_view) or a signal: nothing the customer wrote
		}
		l := line{Text: e.Text, Time: ms(e.Time), From: "bot", Role: "bot"}
		if e.Role == memory.RoleUser {
			l.From, l.Role, l.Text = "customer", "customer", shown(e)
		}
		d.Transcript = append(d.Transcript, l)
	}
	for _, m := range c.Thread {
		if strings.TrimSpace(m.Text) == "" {
			continue
		}
		l := line{From: m.From, Role: "agent", Text: m.Text, Time: ms(m.Time), Internal: m.Internal}
		switch {
		case m.Bot:
			l.From, l.Role, l.For = "bot", "bot", m.From
		case m.Internal:
			l.Role = "note"
		case m.From == "customer":
			l.Role = "customer"
		}
		d.Transcript = append(d.Transcript, l)
	}
	return d
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// label turns a key such as "order_id" into "Order id".
func label(k string) string {
	k = strings.ReplaceAll(strings.ReplaceAll(k, "_", " "), ".", " ")
	if k == "" {
		return k
	}
	r := []rune(k)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// facts lists what the conversation established: the flow's slots and
// other data, then the entities the customer gave, without repeats.
func facts(t escalation.Ticket) [][2]string {
	var out [][2]string
	seen := map[string]bool{}
	for _, k := range sortedKeys(t.Data) {
		v := t.Data[k]
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, [2]string{label(k), v})
	}
	for _, e := range t.Entities {
		v := e.Value
		if e.Type == "money" {
			v = money(v)
		}
		if v == "" || seen[e.Value] || seen[v] {
			continue
		}
		seen[e.Value], seen[v] = true, true
		out = append(out, [2]string{label(entityName(e.Type)), v})
	}
	var names []string
	for _, in := range t.Intents {
		if !smallTalk[in.Name] {
			names = append(names, topic(in.Name))
		}
	}
	if len(names) > 0 {
		out = append(out, [2]string{"Asked about", strings.Join(names, ", ")})
	}
	return out
}

func entityName(t string) string {
	switch t {
	case "order_id":
		return "order"
	case "money":
		return "amount"
	}
	return t
}

// money writes an entity value such as "60 USD" as "$60.00".
func money(v string) string {
	var amt float64
	var cur string
	if _, err := fmt.Sscanf(v, "%g %s", &amt, &cur); err != nil {
		return v
	}
	sym := map[string]string{"USD": "$", "EUR": "€", "GBP": "£"}[cur]
	if sym == "" {
		return fmt.Sprintf("%.2f %s", amt, cur)
	}
	return fmt.Sprintf("%s%.2f", sym, amt)
}

// smallTalk are intents that say nothing about what the customer needs.
var smallTalk = map[string]bool{"greeting": true, "greet": true, "goodbye": true, "thanks": true, "human": true,
	"affirm": true, "deny": true, "yes": true, "no": true, "fallback": true, "smalltalk": true, "help": true}

// topic words an intent name for an agent: "track_order" is "track
// order".
func topic(intent string) string {
	return strings.ReplaceAll(intent, "_", " ")
}

// upset reports whether the customer is upset, as measured or as
// written: the lexical analyzers miss anger in capitals and exclamation
// marks ("this is useless... NOW!!!"), which agents must not see as calm.
func upset(t escalation.Ticket) bool {
	m := t.Mood
	if m.Label == "negative" || max(m.Frustration, t.Frustration) >= 0.5 || (m.Label != "" && m.Score < 0.4) {
		return true
	}
	return shouting(t.Transcript)
}

// shouting reports whether one of the customer's last three messages
// shouts: several exclamation marks, or a word of three or more
// capitals that is not an order number.
func shouting(tr []memory.Entry) bool {
	n := 0
	for _, e := range slices.Backward(tr) {
		if e.Role != memory.RoleUser {
			continue
		}
		if n++; n > 3 {
			break
		}
		if strings.Count(e.Text, "!") >= 2 {
			return true
		}
		for _, w := range strings.FieldsFunc(e.Text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			letters, upper, digits := 0, 0, 0
			for _, r := range w {
				switch {
				case unicode.IsDigit(r):
					digits++
				case unicode.IsUpper(r):
					upper++
					letters++
				case unicode.IsLetter(r):
					letters++
				}
			}
			if letters >= 3 && upper == letters && digits == 0 {
				return true
			}
		}
	}
	return false
}

// waitingWords are what a customer who has waited too long writes.
var waitingWords = [...]string{"taking forever", "takes forever", "taking so long", "taking too long", "still waiting",
	"been waiting", "waiting for ages", "how long", "hello?", "anyone there", "anybody there", "is anyone",
	"didnt answer", "didn't answer", "did not answer", "no answer", "no one", "nobody", "hurry", "asap",
	// Spanish.
	"tarda mucho", "tardando", "sigo esperando", "llevo esperando", "cuánto tiempo", "cuanto tiempo", "hola?",
	"hay alguien", "nadie", "no me contest", "no contest"}

// impatient reports whether one of the customer's last two messages
// says they are tired of waiting, which the lexical analyzers measure
// as neutral ("this is taking forever, I want a person").
func impatient(tr []memory.Entry) bool {
	n := 0
	for _, e := range slices.Backward(tr) {
		if e.Role != memory.RoleUser || strings.TrimSpace(e.Text) == "" {
			continue
		}
		if n++; n > 2 {
			break
		}
		text := strings.ToLower(e.Text)
		for _, w := range waitingWords {
			if strings.Contains(text, w) {
				return true
			}
		}
	}
	return false
}

// moodWord is the customer's mood in one word, for the queue.
func moodWord(t escalation.Ticket) string {
	m := t.Mood
	f := max(m.Frustration, t.Frustration)
	switch {
	case f >= 0.5 || (m.Label == "negative" && m.Score < 0.25):
		return "angry"
	case upset(t):
		return "upset"
	case impatient(t.Transcript):
		return "impatient"
	case m.Label == "positive" && m.Delight >= 0.5:
		// Only delight reads as happy: a polite "I need a person
		// please" measures positive, and is no happy customer.
		return "happy"
	case m.Label == "":
		return ""
	}
	return "calm"
}

// moodText is the customer's mood in a sentence, with the measurement
// in brackets for those who want it.
func moodText(t escalation.Ticket) string {
	m := t.Mood
	w := moodWord(t)
	var s string
	switch w {
	case "angry":
		s = "Angry: apologise first and get to the point."
	case "upset":
		s = "Upset: acknowledge the trouble before anything else."
	case "impatient":
		s = "Impatient: they have been waiting; answer before anything else."
	case "happy":
		s = "In a good mood."
	case "calm":
		s = "Calm."
	default:
		return ""
	}
	if shouting(t.Transcript) && m.Label != "negative" {
		s += " Writing in capitals and exclamation marks."
	}
	if m.Label != "" {
		s += fmt.Sprintf(" (Last message measured %s, %.2f on a 0-1 scale", m.Label, m.Score)
		if len(t.Scores) > 1 {
			s += fmt.Sprintf("; lowest %.2f over %d messages", slices.Min(t.Scores), len(t.Scores))
		}
		s += ".)"
	}
	return s
}

// reasonText says in a sentence why the conversation came to a person,
// checked against what the customer actually wrote: a customer who
// never asked for a person in words (they typed something the bot did
// not understand, then accepted the offer) is not described as having
// asked.
func reasonText(t escalation.Ticket) string {
	r := strings.ToLower(strings.TrimSpace(t.Reason))
	who := "The customer"
	if n := t.Profile["first_name"]; n != "" {
		who = n
	}
	switch {
	case r == "":
		return who + " was handed over without a reason."
	case strings.Contains(r, "asked for a") || strings.Contains(r, "human") || strings.Contains(r, "person"):
		switch {
		case askedInWords(t.Transcript):
			return who + " asked to talk to a person."
		case !slices.ContainsFunc(t.Intents, func(in nlu.Intent) bool { return !smallTalk[in.Name] }):
			return "The assistant did not understand " + possessive(who) + " messages; " + mid(who) + " then accepted its offer of a person."
		}
		return who + " accepted the assistant's offer of a person."
	case strings.Contains(r, "not understood"):
		return "The assistant did not understand " + possessive(who) + " messages several times."
	case strings.Contains(r, "frustrat"):
		return who + " is frustrated with the conversation so far."
	case strings.Contains(r, "could not help"):
		return "The assistant tried and failed to do what " + mid(who) + " asked."
	case strings.Contains(r, "legal"):
		return who + " mentioned legal action: handle with care and follow the legal policy."
	case strings.Contains(r, "billing dispute"):
		return who + " disputes a charge."
	case strings.Contains(r, "complaint"):
		return who + " wants to make a complaint."
	case strings.Contains(r, "long without resolution"):
		return "The conversation has gone on a long time without a resolution."
	case strings.Contains(r, "refund over"):
		return who + " wants a refund larger than the assistant may give (" + t.Reason + ")."
	case strings.Contains(r, "vip"):
		return who + " is a valued customer and seems unhappy."
	}
	return "Handed over: " + t.Reason + "."
}

// mid is who in the middle of a sentence.
func mid(who string) string {
	if who == "The customer" {
		return "the customer"
	}
	return who
}

func possessive(who string) string {
	if who == "The customer" {
		return "the customer's"
	}
	return who + "'s"
}

// askedInWords reports whether a customer message asks for a person.
func askedInWords(tr []memory.Entry) bool {
	ask := escalation.AskedForHuman()
	for _, e := range tr {
		if e.Role == memory.RoleUser && ask.Match(&escalation.Input{Text: e.Text}) {
			return true
		}
	}
	return false
}
