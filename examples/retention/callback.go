package main

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/dialog"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent/entity"
	"github.com/parleyhq/parley/memory"
)

// callbackHint is a call-back the language model asked to book
// (assistant.go), in its own words: the flow reads them as a customer's,
// through resolveTime, so that "tomorrow afternoon" is a time the team
// can call and "at 3" is asked about, rather than booked as written.
type callbackHint struct {
	Phone string `json:"phone,omitempty"`
	When  string `json:"when,omitempty"`
}

// callbackHintKey passes a callbackHint to the call-back flow's first
// step, which takes it out.
var callbackHintKey = memory.NewStateKey[callbackHint]("example.callback_hint")

// takeHint returns and forgets the conversation's callbackHint.
func takeHint(s *flow.Scope) (callbackHint, bool) {
	sess := s.Turn.Session()
	if sess == nil {
		return callbackHint{}, false
	}
	h, ok, err := callbackHintKey.Get(sess)
	if err != nil || !ok || h == (callbackHint{}) {
		return callbackHint{}, false
	}
	_ = callbackHintKey.Set(sess, callbackHint{}) // a struct of strings always encodes
	return h, true
}

// This file is the typed call-back: "call me back tomorrow at 3pm". The
// customer's words are read as a date and a time in their own time zone
// and the call is confirmed with both ("Monday, December 7, 3:00 pm
// London time", written out by i18n.WithDates): a time that could be am
// or pm is asked about, and one in the past or outside the team's hours
// is refused with the nearest times the team can call.

// callTimeLayout writes a call-back time as i18n.WithDates reads it: the
// date, the time and the IANA zone, written out in the reply's language.
const callTimeLayout = "2006-01-02 15:04"

// callTime writes t for a reply: "2026-12-07 15:00 Europe/London".
func callTime(t time.Time) string {
	name := t.Location().String()
	if !strings.Contains(name, "/") {
		name = "UTC" // a zone without a city: the time in UTC
		t = t.UTC()
	}
	return t.Format(callTimeLayout) + " " + name
}

// callLead is how far ahead a call-back can be booked.
const callLead = 30 * time.Minute

// Customers are called between 8am and 9pm their time, whatever hours
// the team keeps (with -always-open, not at midnight).
const dayStart, dayEnd = 8, 21

// callSlots returns up to n whole hours at or after from (and at least
// callLead from now) when the team works and it is day for the
// customer in loc: the times a call-back can be offered.
func callSlots(h escalation.Hours, from, now time.Time, loc *time.Location, n int) []time.Time {
	if earliest := now.Add(callLead); from.Before(earliest) {
		from = earliest
	}
	s := from.In(loc).Truncate(time.Hour)
	if s.Before(from) {
		s = s.Add(time.Hour)
	}
	var out []time.Time
	for i := 0; len(out) < n && i < 24*14; i, s = i+1, s.Add(time.Hour) {
		if hr := s.Hour(); hr >= dayStart && hr < dayEnd && h.IsOpen(s) {
			out = append(out, s)
		}
	}
	return out
}

// customerZone is the customer's time zone: their profile's, else the
// team's.
func customerZone(c map[string]string, h escalation.Hours) *time.Location {
	if loc, err := time.LoadLocation(c["timezone"]); c["timezone"] != "" && err == nil {
		return loc
	}
	if h.Location != nil {
		return h.Location
	}
	return time.UTC
}

// callbackTime takes the customer's own words for a call-back time
// ("tomorrow morning", "el lunes a las 5"), but not a bare yes or no,
// which answers nothing here: the flow reads them next (resolveTime).
func callbackTime(_ context.Context, v string) (string, error) {
	v = strings.TrimSpace(v)
	bare := strings.ToLower(strings.Trim(v, " .,!¡"))
	if slices.Contains([]string{"", "yes", "no", "ok", "okay", "sure", "yeah", "nope", "sí", "si", "vale", "claro"}, bare) {
		return "", &flow.InputError{Slot: "when", Message: `Please tell me a day and a time, for example "tomorrow morning".`}
	}
	return v, nil
}

// mentionsTime reports whether text names a day or a time ("tomorrow at
// 3pm" typed where the phone number was asked for).
func mentionsTime(ctx context.Context, text string) bool {
	in := entity.Input{Text: text, Time: time.Now()}
	for _, x := range []entity.Extractor{entity.DateTime(), entity.Date()} {
		if es, err := x.Extract(ctx, in); err == nil && len(es) > 0 {
			return true
		}
	}
	return false
}

// validPhone accepts a phone number: 7 to 15 digits.
func validPhone(_ context.Context, v string) (string, error) {
	digits := 0
	for _, r := range v {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits < 7 || digits > 15 {
		return "", &flow.InputError{Slot: "phone", Message: "That doesn't look like a phone number: please type it with the area code."}
	}
	return strings.TrimSpace(v), nil
}

// phoneCandidate finds a phone number written in a sentence: digits
// with spaces, dots, dashes or brackets between them, "+" before.
var phoneCandidate = regexp.MustCompile(`\+?\(?\d[\d ().-]{5,20}\d`)

// phoneIn returns the phone number in text ("can you call me back on
// 07700 900123"), or "": 7 to 15 digits, not a date.
func phoneIn(text string) string {
	for _, c := range phoneCandidate.FindAllString(text, -1) {
		c = strings.TrimSpace(c)
		if isoDate.MatchString(c) {
			continue
		}
		if p, err := validPhone(context.Background(), c); err == nil {
			return p
		}
	}
	return ""
}

// isoDate is a date as YYYY-MM-DD, which is not a phone number.
var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// refusesNumber finds a customer who would rather not give a phone
// number ("I'd rather not give my number", "prefiero no darlo").
var refusesNumber = regexp.MustCompile(`(?i)(\b(rather not|prefer not|would not like to|don'?t want to (give|share|say)|do not want to (give|share)|won'?t (give|share)|not (giving|sharing)|no phone|don'?t have a (phone|number)|do not have a (phone|number)|without (a |my )?(phone|number)|no thanks|never mind)\b|\bno (quiero|prefiero) (dar|darte|daros|decir|compartir)|\bprefiero no|\bsin (tel[eé]fono|n[uú]mero)|\bno tengo (tel[eé]fono|m[oó]vil|n[uú]mero))`)

// noNumber is the phone slot's value when the customer would rather not
// give one: the flow drops the call.
const noNumber = "(no number)"

// orRefusal lets validate's question take a refusal to give a number.
func orRefusal(validate func(context.Context, string) (string, error)) func(context.Context, string) (string, error) {
	return func(ctx context.Context, v string) (string, error) {
		if p, err := validate(ctx, v); err == nil || !refusesNumber.MatchString(v) {
			return p, err
		}
		return noNumber, nil
	}
}

// phoneOrTime accepts a phone number, or a time or "now" said before it
// (the flow keeps the time and asks for the number again).
func phoneOrTime(ctx context.Context, v string) (string, error) {
	if p, err := validPhone(ctx, v); err == nil {
		return p, nil
	} else if asapTime(v) != "" || nowAlone(v) != "" || mentionsTime(ctx, v) {
		return strings.TrimSpace(v), nil
	} else {
		return "", err
	}
}

// resolveTime reads the slot "when" as a time to call in the customer's
// zone and says what comes next: "ok" (slots "at" and "when_text" hold
// it), "ampm" (slots "am" and "pm" hold the two readings), "again" (slot
// "why" says what is wrong and offers the earliest time the team can
// call, in slot "nearest"), or "no" (that time is not wanted).
func resolveTime(ctx context.Context, s *flow.Scope, h escalation.Hours) string {
	if s.Slot("at") == "asap" {
		return "ok"
	}
	loc := customerZone(s.Customer(), h)
	now := time.Now().In(loc)
	switch s.Slot("when") {
	case "yes": // the earliest time offered
		t, err := time.Parse(time.RFC3339, s.Slot("nearest"))
		if err != nil {
			return again(s, `Please tell me a day and a time, for example "tomorrow morning".`)
		}
		return check(s, h, t.In(loc), now)
	case "no":
		return "no"
	}
	in := entity.Input{Text: s.Slot("when"), Time: now, Location: loc}
	es, err := entity.DateTime().Extract(ctx, in)
	if err != nil || len(es) == 0 {
		if es, err = entity.Date().Extract(ctx, in); err != nil || len(es) == 0 || es[0].Type != "date" {
			return again(s, `Please tell me a day and a time, for example "tomorrow morning".`)
		}
		// A day alone: the first time that day the team can call.
		day, err := time.ParseInLocation(time.DateOnly, es[0].Value, loc)
		if err != nil {
			return again(s, `Please tell me a day and a time, for example "tomorrow morning".`)
		}
		return within(s, h, day, day.AddDate(0, 0, 1), now)
	}
	e := es[0]
	if e.Role == "ampm" {
		am, pm, _ := strings.Cut(e.Value, "|")
		s.SetSlot("am", am)
		s.SetSlot("pm", pm)
		t, err := time.Parse(time.RFC3339, am)
		if err != nil {
			return again(s, `Please tell me a day and a time, for example "tomorrow morning".`)
		}
		s.SetSlot("hour", t.Format("3"))
		if t.Minute() != 0 {
			s.SetSlot("hour", t.Format("3:04"))
		}
		return "ampm"
	}
	if from, to, ok := strings.Cut(e.Value, "/"); ok {
		f, err1 := time.Parse(time.RFC3339, from)
		u, err2 := time.Parse(time.RFC3339, to)
		if err1 != nil || err2 != nil {
			return again(s, `Please tell me a day and a time, for example "tomorrow morning".`)
		}
		return within(s, h, f.In(loc), u.In(loc), now)
	}
	t, err := time.Parse(time.RFC3339, e.Value)
	if err != nil {
		return again(s, `Please tell me a day and a time, for example "tomorrow morning".`)
	}
	return check(s, h, t.In(loc), now)
}

// check books t if the team can call then, or says why not.
func check(s *flow.Scope, h escalation.Hours, t, now time.Time) string {
	switch {
	case t.Before(now):
		return again(s, "That time has already passed.", callSlots(h, now, now, t.Location(), 1)...)
	case !h.IsOpen(t):
		return again(s, "Our team can't call at that time.", callSlots(h, t, now, t.Location(), 1)...)
	}
	s.SetSlot("at", t.Format(time.RFC3339))
	s.SetSlot("when_text", callTime(t))
	return "ok"
}

// within books the first time in [from, to) the team can call, or says
// there is none.
func within(s *flow.Scope, h escalation.Hours, from, to, now time.Time) string {
	if !to.After(now) {
		return again(s, "That time has already passed.", callSlots(h, now, now, from.Location(), 1)...)
	}
	if first := callSlots(h, from, now, from.Location(), 1); len(first) > 0 && first[0].Before(to) {
		return check(s, h, first[0], now)
	}
	return again(s, "Our team can't call at that time.", callSlots(h, from, now, from.Location(), 1)...)
}

// again forgets the time asked for and says why, offering the earliest
// time the team can call instead, if any.
func again(s *flow.Scope, why string, earliest ...time.Time) string {
	s.SetSlot("when", "")
	s.SetSlot("nearest", "")
	if len(earliest) > 0 {
		s.SetSlot("nearest", earliest[0].Format(time.RFC3339))
		why += " The earliest time they can call is " + callTime(earliest[0]) + ": shall I book that, or would another time suit you better?"
	} else {
		why += " When suits you" + s.Slot("zone_hint") + "?"
	}
	s.SetSlot("why", why)
	return "again"
}

// bookYes and bookNo answer "shall I book that?".
var bookYes, bookNo = []string{"yes", "yeah", "yep", "ok", "okay", "sure", "fine", "that's fine", "yes please", "sí", "si", "vale", "claro", "sí por favor", "perfecto"},
	[]string{"no", "nope", "no thanks", "no gracias", "never mind"}

// retryTime reads the answer to "the earliest time they can call is ...:
// shall I book that?": "yes", "no", or another time.
func retryTime(ctx context.Context, v string) (string, error) {
	bare := strings.ToLower(strings.Trim(v, " .,!¡"))
	switch {
	case slices.Contains(bookYes, bare):
		return "yes", nil
	case slices.Contains(bookNo, bare):
		return "no", nil
	}
	return callbackTime(ctx, v)
}

// pickHalf reads the answer to "2 am or 2 pm?".
func pickHalf(_ context.Context, v string) (string, error) {
	w := " " + strings.Join(strings.FieldsFunc(strings.ToLower(v), func(r rune) bool {
		return r == ' ' || r == '.' || r == ',' || r == '!' || r == '?'
	}), " ") + " "
	for _, p := range []struct{ half, words string }{
		{"pm", "pm p m afternoon evening night tonight tarde noche"},
		{"am", "am a m morning mañana manana madrugada"},
	} {
		for _, word := range strings.Fields(p.words) {
			if strings.Contains(w, " "+word+" ") || strings.HasSuffix(strings.TrimSpace(w), word) && (word == "pm" || word == "am") {
				return p.half, nil
			}
		}
	}
	return "", &flow.InputError{Slot: "half", Message: `Please say "am" or "pm".`}
}

// nowAlone reads a lone "now" (at "What number should we call?") as a
// call as soon as possible, in the customer's language.
func nowAlone(text string) string {
	switch strings.ToLower(strings.Trim(text, " .!¡?¿")) {
	case "now", "now please", "right now":
		return "as soon as possible"
	case "ahora", "ya", "ahora por favor":
		return "lo antes posible"
	}
	return ""
}

func callbackFlow(d deps) *flow.Builder {
	book := func(confirmed bool) func(ctx context.Context, s *flow.Scope) (string, error) {
		return func(ctx context.Context, s *flow.Scope) (string, error) {
			return d.run(ctx, s, actCallback, callbackArgs{Phone: s.Slot("phone"), When: s.Slot("when_text")}, confirmed)
		}
	}
	return flow.New("callback").Slots("prompt", "why", "zone", "zone_hint", "at", "when_text", "am", "pm", "hour", "half", "nearest").Add(
		// A number on file is not asked for again; a time in the request
		// ("call me back tomorrow at 3pm") is not asked for either.
		&flow.Action{ID: "known", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			c := s.Customer()
			if s.Slot("phone") == "" && c["phone"] != "" {
				s.SetSlot("phone", c["phone"])
			}
			said := s.Turn.Text()
			if p := phoneIn(said); p != "" { // "call me back on 07700 900123" (qa12 F6)
				s.SetSlot("phone", p)
				said = strings.Replace(said, p, " ", 1)
			}
			if h, ok := takeHint(s); ok { // the model's call (assistant.go)
				if p, err := validPhone(ctx, h.Phone); err == nil {
					s.SetSlot("phone", p)
				}
				said = h.When
				if strings.TrimSpace(said) == "" {
					said = s.Turn.Text()
				} else if asapTime(said) == "" {
					s.SetSlot("when", said) // read, or asked about, by resolveTime
				}
			}
			if when := asapTime(said); when != "" { // asap.go: "call me back now"
				s.SetSlot("at", "asap")
				s.SetSlot("when_text", when)
			} else if s.Slot("when") == "" && mentionsTime(ctx, said) {
				s.SetSlot("when", said)
			}
			if zone := zoneLabel(c["timezone"], time.Now()); zone != "" { // zones.go
				s.SetSlot("zone", zone)
				s.SetSlot("zone_hint", " ("+zone+")")
			}
			return "", nil
		}, Next: "phone", OnError: "phone"},
		&flow.Ask{ID: "phone", Slot: "phone", Prompt: []string{"Sure. What number should we call?"},
			Validate: orRefusal(phoneOrTime), MaxAttempts: 3, OnFail: "gaveup", Next: "heard"},
		// A time (or "now") typed where the number was asked for is kept:
		// the number is asked for again, the time is not.
		&flow.Action{ID: "heard", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			v := s.Slot("phone")
			if v == noNumber { // "I'd rather not give my number" (qa12 F22)
				s.SetSlot("phone", "")
				return "nophone", nil
			}
			if _, err := validPhone(ctx, v); err == nil {
				return "", nil
			}
			s.SetSlot("phone", "")
			if when := asapTime(v) + nowAlone(v); when != "" {
				s.SetSlot("at", "asap")
				s.SetSlot("when_text", when)
			} else {
				s.SetSlot("at", "")
				s.SetSlot("when", v)
			}
			return "number", nil
		}, Routes: map[string]string{"number": "number", "nophone": "nophone"}, Next: "resolve", OnError: "end"},
		&flow.Ask{ID: "number", Slot: "phone", Prompt: []string{"Got it. And what number should we call?"},
			Validate: orRefusal(validPhone), MaxAttempts: 3, OnFail: "gaveup", Next: "heard"},
		&flow.End{ID: "nophone", Status: flow.Abandoned, Text: []string{noNumberText}},
		&flow.Branch{ID: "resolve", Cases: []flow.Case{{Expr: `slots.at == "asap"`, Next: "ask"}}, Else: "when"},
		&flow.Ask{ID: "when", Slot: "when", Prompt: []string{`When suits you{{slots.zone_hint}}? For example "tomorrow morning".`},
			Validate: callbackTime, MaxAttempts: 3, OnFail: "gaveup", Next: "read"},
		&flow.Action{ID: "read", Do: func(ctx context.Context, s *flow.Scope) (string, error) {
			return resolveTime(ctx, s, d.hours), nil
		}, Routes: map[string]string{"ok": "ask", "ampm": "half", "again": "retry", "no": "kept"}, Next: "ask", OnError: "end"},
		&flow.Ask{ID: "retry", Slot: "when", Prompt: []string{`{{slots.why}}`},
			Validate: retryTime, MaxAttempts: 3, OnFail: "gaveup", Next: "read", Always: true},
		&flow.Ask{ID: "half", Slot: "half", Prompt: []string{"Is that {{slots.hour}} am or {{slots.hour}} pm?"},
			Validate: pickHalf, MaxAttempts: 2, OnFail: "gaveup", Next: "chosen", Always: true},
		&flow.Action{ID: "chosen", Do: func(_ context.Context, s *flow.Scope) (string, error) {
			t, err := time.Parse(time.RFC3339, s.Slot(s.Slot("half")))
			if err != nil {
				return again(s, `Please tell me a day and a time, for example "tomorrow morning".`), nil
			}
			loc := customerZone(s.Customer(), d.hours)
			return check(s, d.hours, t.In(loc), time.Now().In(loc)), nil
		}, Routes: map[string]string{"ok": "ask", "again": "retry"}, Next: "ask", OnError: "end"},
		&flow.Action{ID: "ask", Do: book(false),
			Routes: map[string]string{"confirm": "confirm", "refused": "refused", "already": "already"}, Next: "noted", OnError: "end",
			ErrorText: []string{"I couldn't book that on our side, sorry: type \"human\" and a person will help."}},
		&flow.Ask{ID: "confirm", Slot: "confirm", Type: flow.YesNoSlot, Prompt: []string{"{{slots.prompt}}"}, Next: "go"},
		&flow.Branch{ID: "go", Cases: []flow.Case{{Expr: `slots.confirm == "yes"`, Next: "book"}}, Else: "kept"},
		&flow.End{ID: "kept", Status: flow.Abandoned, Text: []string{"OK, no call booked."}},
		&flow.Action{ID: "book", Do: book(true),
			Routes: map[string]string{"refused": "refused", "already": "already"}, Next: "noted", OnError: "end",
			ErrorText: []string{"I couldn't book that on our side, sorry: type \"human\" and a person will help."}},
		// The booked call is kept for "what happens next?" (bookedCallTurns).
		&flow.Action{ID: "noted", Do: func(_ context.Context, s *flow.Scope) (string, error) {
			if sess := s.Turn.Session(); sess != nil {
				_ = bookedCallKey.Set(sess, bookedCall{Phone: s.Slot("phone"), When: s.Slot("when_text")}) // strings always encode
			}
			return "", nil
		}, Next: "booked", OnError: "booked"},
		&flow.End{ID: "booked", Status: flow.Resolved, Text: []string{"Booked: we'll call {{slots.phone}}, {{slots.when_text}}."}},
		&flow.End{ID: "refused", Status: flow.Unresolved, Text: []string{"{{slots.why}}"}},
		&flow.End{ID: "already", Status: flow.Resolved, Text: []string{"{{slots.why}}"}},
		&flow.End{ID: "gaveup", Status: flow.Unresolved, Text: []string{"Let's leave the call for now. Type \"human\" if you'd like a person to help here instead."}},
		&flow.End{ID: "end", Status: flow.Unresolved},
	)
}

// noNumberText drops a call-back the customer would rather not give a
// number for, and says what they can do instead.
const noNumberText = `No problem, no call then. You can keep chatting with me here, or type "human" and a person from our team will help you in this chat.`

// bookedCall is the call-back booked in this conversation.
type bookedCall struct {
	Phone string `json:"phone"`
	When  string `json:"when"`
}

// bookedCallKey keeps the conversation's booked call-back.
var bookedCallKey = memory.NewStateKey[bookedCall]("example.callback_booked")

// The customer's words (campaignWords) asking what comes after a booked
// call, and thanking.
var (
	whatNextPhrases = wordSet("what happens next", "what happens now", "what now", "now what", "whats next", "what next",
		"and then", "then what", "what do i do now", "what should i do now", "do i need to do anything", "what do i need to do",
		"will someone call me", "when will you call", "when will you call me", "when are you calling",
		"que pasa ahora", "y ahora que", "y ahora", "que sigue", "que hago ahora", "y despues", "y luego",
		"cuando me llamais", "cuando me llaman", "cuando me vais a llamar", "me vais a llamar")
	thanksPhrases = wordSet("thanks", "thank you", "thanks a lot", "thank you very much", "thx", "ty", "cheers", "great thanks",
		"ok thanks", "gracias", "muchas gracias", "vale gracias")
)

// Replies of bookedCallTurns.
const (
	bookedCallText = "A teammate will call {phone}, {when}. You can keep chatting with me here meanwhile."
	confirmAgain   = "You're welcome! Shall I book it? Yes or no."
)

// bookedCallTurns answers two turns around a typed call-back: "what
// happens next?" once it is booked says who calls, where and when, and
// that the chat goes on (qa12 F36: "I'm not sure I have the right
// answer" and an offer of a person); a "thanks" at "Shall we call you on
// ...?" is not a no, and the question is asked again shorter, not word
// for word (qa12 F26).
func bookedCallTurns(next parley.Handler) parley.Handler {
	return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		if t.Signal != nil || t.Message.Text == "" {
			return next.HandleTurn(ctx, w, t)
		}
		words := campaignWords(t.Text())
		q, open := dialog.OpenQuestion(t)
		switch {
		case open && q.Owner == flow.DefaultOwner && q.ID == "callback/confirm" && thanksPhrases[words]:
			if err := dialog.Report(t, dialog.Resolved); err != nil {
				return err
			}
			m := parley.Text(confirmAgain)
			m.QuickReplies = q.Options
			return w.Reply(ctx, m)
		case whatNextPhrases[words] && (!open || isMenu(q)):
			s := t.Session()
			if s == nil {
				break
			}
			c, ok, err := bookedCallKey.Get(s)
			if err != nil || !ok || c.Phone == "" {
				break
			}
			if err := dialog.Report(t, dialog.Resolved); err != nil {
				return err
			}
			return w.Reply(ctx, parley.Text(strings.NewReplacer("{phone}", c.Phone, "{when}", c.When).Replace(bookedCallText)))
		}
		return next.HandleTurn(ctx, w, t)
	})
}
