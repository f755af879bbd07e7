package proactive

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory/customer"
)

// A Purpose is why a message is sent, which decides the consent it needs
// and the caps it counts against.
type Purpose string

// Purposes, also the consent purposes recorded on the customer's profile
// ([customer.Consent.Purpose]).
const (
	// Marketing messages (offers, win-back, tips, surveys) need the
	// customer's consent for "marketing" on the channel and count against
	// the caps.
	Marketing Purpose = "marketing"
	// Service messages (order shipped, payment failed, a delay) are
	// transactional: they need no opt-in and are exempt from the caps,
	// but an opt-out of "service" on the channel (STOP there) stops them.
	Service Purpose = "service"
)

// A Hold makes a run wait, after its trigger, until an event arrives or a
// time-out passes, whichever is first; the steps' offsets count from the
// end of the hold. "Wait an hour for a purchase before the cart message"
// is a Hold on [OrderPlaced] for an hour with the same event as the goal:
// a purchase ends the run, no purchase starts the steps.
type Hold struct {
	// Event ends the hold when it arrives.
	Event string
	// Timeout ends the hold when it passes. Required.
	Timeout time.Duration
}

// An Offer is a personalised offer made in a step: the action registry
// generates its code (a discount, a voucher), which the step's text shows
// as {{offer.code}}, valid until {{offer.expires}}.
type Offer struct {
	// Action is the registry's action that makes the code; its result
	// must be a JSON object with a "code" field. Required.
	Action string
	// Args are the action's arguments.
	Args map[string]any
	// Valid is how long the offer lasts ({{offer.expires}}). Required.
	Valid time.Duration
}

// A Template is a WhatsApp message template, sent instead of a step's
// text when the channel's customer-service window is closed (24 hours
// after the customer's last message; see [WithSessionWindow]).
type Template struct {
	// Name is the approved template's name; Language its language code.
	Name     string
	Language string
	// Params are the body parameters, templates themselves
	// ("{{profile.first_name}}").
	Params []string
}

// A Step is one message of a campaign, sent at an offset.
type Step struct {
	// ID names the step within its campaign ("day-3"). Required and
	// unique in the campaign.
	ID string
	// After is when the step is due: measured from the campaign's anchor
	// (the trigger's time, the end of the hold, or [Campaign.Anchor]).
	// Steps are in order of After; a negative After (day -3 before
	// expiry) needs an Anchor.
	After time.Duration
	// Text is the message, a template: {{profile.FIELD}} reads the
	// customer's profile ([customer.Profile.Field]), {{event.NAME}} the
	// trigger's attributes, {{offer.code}} and {{offer.expires}} the
	// step's offer; {{x | "default"}} gives a default for an empty field.
	// One of Text and Flow is required.
	Text string
	// QuickReplies are offered with the text.
	QuickReplies []parley.QuickReply
	// Offer, if set, generates a personalised code for the text.
	Offer *Offer
	// Flow starts this flow in the conversation instead of (or after)
	// sending Text: a survey, a renewal conversation. It must be one of
	// the flows given to [WithFlows].
	Flow string
	// Template is sent on WhatsApp outside the 24-hour window. A step
	// without one is suppressed there ([ReasonTemplateMissing]).
	Template *Template
	// Reason, a template like Text, says why this step writes, instead
	// of the campaign's [Campaign.Reason]; [LastMessage] reports it.
	Reason string
}

// A Cap limits how many messages are sent in a rolling window.
type Cap struct {
	// Max messages per Window; zero means no cap.
	Max    int
	Window time.Duration
}

// A Campaign is a sequence of proactive messages started by an event:
// who it is for, what starts it, when each step goes out and what ends it
// early. It is plain data; [New] validates every campaign and returns
// every problem at once in a [*CompileError].
type Campaign struct {
	// Name identifies the campaign in records and message IDs. Required,
	// unique, and made of letters, digits, '-', '_', '+' and '.'.
	Name string
	// Purpose decides consent and caps (default [Marketing]).
	Purpose Purpose
	// Trigger is the event type that starts a run. Required.
	Trigger string
	// Audience, if set, must accept the customer's profile for a run to
	// start (and, with ExitOnLeavingAudience, for each step to go out).
	Audience func(p *customer.Profile) bool
	// Anchor, if set, names a time attribute of the trigger (RFC 3339)
	// that step offsets count from instead of the trigger's time: the
	// "expires_at" of a [SubscriptionExpiring] for day -7, -3 and +1.
	Anchor string
	// Hold, if set, waits for an event or a time-out before the steps.
	Hold *Hold
	// Steps are sent in order. At least one is required.
	Steps []Step
	// Reason, a template like a step's Text ("you left the
	// {{event.item}} in your cart"), says why the campaign writes, for a
	// customer who asks: [LastMessage] reports it, rendered, during the
	// customer's reply. A step's own Reason replaces it.
	Reason string
	// Goal is the event type that counts as a conversion and ends the
	// run (a [ReasonExited] suppression with Detail "converted").
	Goal string
	// Exit rules, besides the goal and an opt-out, which always end a
	// run. ExitOnReply ends it once the customer writes anything in the
	// conversation after one of its messages (the conversation took
	// over); ExitOnLeavingAudience when the profile no longer matches
	// Audience, checked before every step; ExitOnHuman when a person owns
	// the conversation at a step's time (without it the step waits until
	// the person is done); ExitEvents lists further events that end it.
	ExitOnReply           bool
	ExitOnLeavingAudience bool
	ExitOnHuman           bool
	ExitEvents            []string
	// Cap limits this campaign's messages per customer, on top of the
	// policy's global cap.
	Cap Cap
	// CatchUp is how late a step may still go out after downtime; a step
	// found more than CatchUp late is skipped and recorded
	// ([ReasonLate]). Zero sends however late.
	CatchUp time.Duration
}

func (c *Campaign) purpose() Purpose {
	if c.Purpose == "" {
		return Marketing
	}
	return c.Purpose
}

// A CompileError reports every problem found in a set of campaigns.
type CompileError struct {
	Problems []Problem
}

// A Problem is one thing wrong with a campaign.
type Problem struct {
	Campaign string
	// Step is the step's ID, or its index in brackets, if the problem is
	// in a step.
	Step   string
	Reason string
}

// String formats the problem as "campaign[/step]: reason".
func (p Problem) String() string {
	where := p.Campaign
	if p.Step != "" {
		where += "/" + p.Step
	}
	return where + ": " + p.Reason
}

// Error implements the error interface, one problem a line.
func (e *CompileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "proactive: %d problem(s) in campaigns:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n\t" + p.String())
	}
	return b.String()
}

// validName reports whether s may be used in store keys and message IDs.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '+' || r == '.') {
			return false
		}
	}
	return true
}

// compile checks campaigns against the known events, flows and actions,
// and parses their templates.
func compile(cs []*Campaign, events map[string]bool, flows map[string]bool, hasActions bool) (map[string]*compiled, error) {
	var ce CompileError
	add := func(c, step, format string, args ...any) {
		ce.Problems = append(ce.Problems, Problem{Campaign: c, Step: step, Reason: fmt.Sprintf(format, args...)})
	}
	out := make(map[string]*compiled, len(cs))
	for i, c := range cs {
		if c == nil {
			add(fmt.Sprintf("[%d]", i), "", "nil campaign")
			continue
		}
		name := c.Name
		switch {
		case !validName(name):
			if name == "" {
				name = fmt.Sprintf("[%d]", i)
			}
			add(name, "", "name must be 1-64 letters, digits, '-', '_', '+' or '.'")
		case out[name] != nil:
			add(name, "", "duplicate campaign name")
		}
		cc := &compiled{Campaign: c, steps: make([]compiledStep, len(c.Steps))}
		out[name] = cc
		switch c.Purpose {
		case "", Marketing, Service:
		default:
			add(name, "", "unknown purpose %q (marketing or service)", c.Purpose)
		}
		checkEvent := func(what, ev string, required bool) {
			switch {
			case ev == "" && required:
				add(name, "", "%s: no event type", what)
			case ev != "" && !events[ev]:
				add(name, "", "%s: unknown event type %q (add it with WithEventTypes)", what, ev)
			}
		}
		checkEvent("trigger", c.Trigger, true)
		checkEvent("goal", c.Goal, false)
		for _, ev := range c.ExitEvents {
			checkEvent("exit event", ev, true)
		}
		if c.Goal != "" && c.Goal == c.Trigger {
			add(name, "", "goal %q is also the trigger: every run would end as it starts", c.Goal)
		}
		if c.ExitOnLeavingAudience && c.Audience == nil {
			add(name, "", "ExitOnLeavingAudience without an Audience")
		}
		if h := c.Hold; h != nil {
			checkEvent("hold", h.Event, true)
			if h.Timeout <= 0 {
				add(name, "", "hold without a positive timeout")
			}
			if c.Anchor != "" {
				add(name, "", "a hold and an anchor both set where the steps start")
			}
		}
		if c.Cap.Max < 0 || c.Cap.Max > 0 && c.Cap.Window <= 0 {
			add(name, "", "cap needs Max >= 0 and, with Max, a positive Window")
		}
		if c.CatchUp < 0 {
			add(name, "", "negative catch-up window")
		}
		if len(c.Steps) == 0 {
			add(name, "", "no steps")
		}
		ids := map[string]bool{}
		for j, s := range c.Steps {
			sid := s.ID
			if sid == "" {
				sid = fmt.Sprintf("[%d]", j)
			}
			switch {
			case !validName(s.ID):
				add(name, sid, "step ID must be 1-64 letters, digits, '-', '_', '+' or '.'")
			case ids[s.ID]:
				add(name, sid, "duplicate step ID")
			}
			ids[s.ID] = true
			if j > 0 && s.After < c.Steps[j-1].After {
				add(name, sid, "offset %v is before the previous step's %v: steps must be in order", s.After, c.Steps[j-1].After)
			}
			if s.After < 0 && c.Anchor == "" {
				add(name, sid, "negative offset %v needs an Anchor", s.After)
			}
			if s.Text == "" && s.Flow == "" {
				add(name, sid, "neither text nor flow")
			}
			if s.Flow != "" && !flows[s.Flow] {
				add(name, sid, "unknown flow %q", s.Flow)
			}
			if o := s.Offer; o != nil {
				if o.Action == "" {
					add(name, sid, "offer without an action")
				} else if !hasActions {
					add(name, sid, "offer %q but no action registry (WithActions)", o.Action)
				}
				if o.Valid <= 0 {
					add(name, sid, "offer without a positive validity")
				}
				if _, err := json.Marshal(o.Args); err != nil {
					add(name, sid, "offer arguments: %v", err)
				}
			}
			cs := compiledStep{}
			var err error
			if cs.text, err = parseTemplate(s.Text); err != nil {
				add(name, sid, "text: %v", err)
			} else if err := cs.text.check(s.Offer != nil); err != nil {
				add(name, sid, "text: %v", err)
			}
			why := s.Reason
			if why == "" {
				why = c.Reason
			}
			if cs.reason, err = parseTemplate(why); err != nil {
				add(name, sid, "reason: %v", err)
			} else if err := cs.reason.check(s.Offer != nil); err != nil {
				add(name, sid, "reason: %v", err)
			}
			if t := s.Template; t != nil {
				if t.Name == "" {
					add(name, sid, "WhatsApp template without a name")
				}
				for k, p := range t.Params {
					pt, err := parseTemplate(p)
					if err == nil {
						err = pt.check(s.Offer != nil)
					}
					if err != nil {
						add(name, sid, "template parameter %d: %v", k+1, err)
					}
					cs.params = append(cs.params, pt)
				}
			}
			cc.steps[j] = cs
		}
	}
	if len(ce.Problems) > 0 {
		return nil, &ce
	}
	return out, nil
}

// compiled is a validated campaign with its parsed templates.
type compiled struct {
	*Campaign
	steps []compiledStep
}

type compiledStep struct {
	text   *tmpl
	reason *tmpl // the step's or the campaign's Reason
	params []*tmpl
}
