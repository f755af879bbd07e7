package analytics

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Resolution is how a conversation ended, as [Record.Resolution] and the
// KPIs count it.
type Resolution string

// Resolutions. A conversation is Escalated when a person was asked for
// and the request reached the desk (escalation.requested), unless the
// customer left the queue (escalation.left) before an agent took it.
// Otherwise its resolution is the latest verdict among: a flow that
// ended "resolved" (resolved) or "unresolved"/"escalated" without
// reaching a person (unresolved), in a turn of the customer's (a flow a
// page event or a timer ran to its end, such as an offer of help, says
// nothing); the "Was this helpful?" answer (yes:
// resolved, no: unresolved); a CSAT rating of 4-5 (resolved) or 1-2
// (unresolved); a turn not understood (intent fallback) or a question
// the knowledge base could not answer (unresolved). With no verdict it
// is Abandoned. Ties in time go to unresolved, so the resolution never
// depends on the order events arrived in.
const (
	// Escalated: handed to a person.
	Escalated Resolution = "escalated"
	// Resolved: the bot resolved it (self-service).
	Resolved Resolution = "resolved"
	// Unresolved: the latest verdict says the customer did not get what
	// they needed.
	Unresolved Resolution = "unresolved"
	// Abandoned: no verdict; the customer left mid-flow or never said.
	Abandoned Resolution = "abandoned"
)

// A Record is everything analytics knows about one conversation, folded
// from its events. Lists are in time order. A Record returned by an
// [Aggregator] is a copy the caller owns.
type Record struct {
	Conversation string    `json:"conversation"`
	Customer     string    `json:"customer,omitempty"`
	Channel      string    `json:"channel,omitempty"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	// Turns counts the customer's turns (messages, taps); page events,
	// timers, campaign steps and staff signals ([parley.EventTurn]s with
	// Attrs "signal") are not theirs.
	Turns int `json:"turns"`
	// FirstResponse is the conversation's first response time: from the
	// arrival of the earliest turn the bot answered (a customer's
	// message, not a page event nobody was answered in) to its first
	// reply ([parley.EventReply]). For a hand-off, the wait for a person
	// is the "assigned" step's Wait in Escalations. Without reply events
	// it is the first customer turn's response time.
	FirstResponse time.Duration `json:"first_response_ns"`
	// ResponseTimes are the response times of the customer's turns.
	ResponseTimes []time.Duration `json:"response_times_ns,omitempty"`
	Flows         []FlowVisit     `json:"flows,omitempty"`
	Intents       []IntentHit     `json:"intents,omitempty"`
	// Entities lists the types of the entities found (never their
	// values, which are often personal data).
	Entities       []string        `json:"entities,omitempty"`
	Fallbacks      int             `json:"fallbacks"`
	Clarifications int             `json:"clarifications"`
	Errors         int             `json:"errors"`
	Moods          []Mood          `json:"moods,omitempty"`
	Escalations    []Escalation    `json:"escalations,omitempty"`
	KB             []KBLookup      `json:"kb,omitempty"`
	ModelCalls     []ModelCall     `json:"model_calls,omitempty"`
	Actions        []ActionCall    `json:"actions,omitempty"`
	Resolution     Resolution      `json:"resolution"`
	Feedback       Feedback        `json:"feedback"`
	Campaign       CampaignOutcome `json:"campaign"`
	// Experiment and Variant name the experiment arm the conversation
	// was assigned to, if any.
	Experiment string `json:"experiment,omitempty"`
	Variant    string `json:"variant,omitempty"`
	// AgentTime is how long agents spent: from assignment to resolution
	// of each hand-off.
	AgentTime time.Duration `json:"agent_time_ns"`
	// OptedOut is set when the customer opted out of proactive messages.
	OptedOut bool `json:"opted_out,omitempty"`
}

// A FlowVisit is one flow the conversation went through.
type FlowVisit struct {
	Flow string `json:"flow"`
	// Nodes are the nodes visited, in order, repeats included.
	Nodes []string `json:"nodes"`
	// Status is how it ended ("resolved", "unresolved", "escalated",
	// "abandoned"), or "" while it has not.
	Status string `json:"status,omitempty"`
}

// An IntentHit is one request the customer made: a turn the intent
// router served as a request ([intent.EventRouted]), or a classified turn
// in a conversation without a router. Answers to the bot's questions
// ("A-1002", "yes") are not requests, whatever the classifier made of
// them.
type IntentHit struct {
	Time       time.Time `json:"time"`
	Intent     string    `json:"intent"`
	Confidence float64   `json:"confidence"`
	// Status is the classifier's verdict ("understood", "ambiguous",
	// "unknown").
	Status string `json:"status"`
}

// A Mood is one turn's sentiment.
type Mood struct {
	Time    time.Time `json:"time"`
	Message string    `json:"message,omitempty"`
	Label   string    `json:"label"`
	// Score is the polarity on a 0-1 scale (0.5 neutral).
	Score       float64 `json:"score"`
	Frustration float64 `json:"frustration"`
	Confusion   float64 `json:"confusion"`
	Urgency     float64 `json:"urgency"`
	Delight     float64 `json:"delight"`
}

// An Escalation is one step of a hand-off: a rule that fired (Step
// "triggered", Action "offer" or "handoff"), the request to the desk
// ("requested"), an agent taking it ("assigned", Wait since the
// request), the agent resolving it ("resolved"), the customer declining
// an offer ("declined") or leaving the queue ("left").
type Escalation struct {
	Time   time.Time     `json:"time"`
	Step   string        `json:"step"`
	Reason string        `json:"reason,omitempty"`
	Action string        `json:"action,omitempty"`
	Agent  string        `json:"agent,omitempty"`
	Wait   time.Duration `json:"wait_ns,omitempty"`
}

// A KBLookup is one knowledge-base question: answered, or not
// (Answered false, the question kept for the unanswered-questions
// report).
type KBLookup struct {
	Time       time.Time `json:"time"`
	Answered   bool      `json:"answered"`
	Question   string    `json:"question,omitempty"`
	Sources    []string  `json:"sources,omitempty"`
	Confidence float64   `json:"confidence"`
}

// A ModelCall is one language-model call.
type ModelCall struct {
	Time         time.Time     `json:"time"`
	Model        string        `json:"model,omitempty"`
	InputTokens  int           `json:"input_tokens"`
	OutputTokens int           `json:"output_tokens"`
	Latency      time.Duration `json:"latency_ns"`
}

// An ActionCall is one action (a tool or a flow's action node) and its
// outcome ("done", "needs_confirmation", "pending_approval", "refused",
// "error").
type ActionCall struct {
	Time    time.Time `json:"time"`
	Action  string    `json:"action"`
	Outcome string    `json:"outcome"`
}

// Feedback is what the customer said about the conversation; the latest
// answer of each kind counts.
type Feedback struct {
	// Helpful is "yes", "no" or "" (not asked or not answered).
	Helpful string `json:"helpful,omitempty"`
	// CSAT is the 1-5 satisfaction rating, 0 when not given.
	CSAT int `json:"csat,omitempty"`
	// NPS is the 0-10 likelihood to recommend, -1 when not given.
	NPS int `json:"nps"`
	// CES is the 1-5 customer effort score (5: very easy), 0 when not
	// given.
	CES int `json:"ces,omitempty"`
	// AgentRating is the 1-5 rating of a human agent, 0 when not given.
	AgentRating int `json:"agent_rating,omitempty"`
}

// CampaignOutcome is how far the proactive campaign that reached this
// conversation got.
type CampaignOutcome struct {
	Campaign  string  `json:"campaign,omitempty"`
	Variant   string  `json:"variant,omitempty"`
	Goal      string  `json:"goal,omitempty"`
	Sent      bool    `json:"sent,omitempty"`
	Delivered bool    `json:"delivered,omitempty"`
	Read      bool    `json:"read,omitempty"`
	Clicked   bool    `json:"clicked,omitempty"`
	Replied   bool    `json:"replied,omitempty"`
	Converted bool    `json:"converted,omitempty"`
	Value     float64 `json:"value,omitempty"`
}

// record builds the public form of r.
func (r *rec) record(n *names) Record {
	x := Record{Conversation: r.conv, Customer: r.cust, Channel: r.channel,
		Start: unix(r.start), End: unix(r.end), Turns: r.customerTurns(), FirstResponse: time.Duration(r.firstResponse()),
		Fallbacks: len(r.fallbacks), Clarifications: int(r.clarify), Errors: int(r.errors),
		Resolution: r.res, AgentTime: time.Duration(r.agentNS), OptedOut: r.optOut,
		Experiment: n.name(r.experiment), Variant: n.name(r.variant)}
	x.Feedback = Feedback{NPS: -1}
	if r.helpful.set {
		x.Feedback.Helpful = "no"
		if r.helpful.v == 1 {
			x.Feedback.Helpful = "yes"
		}
	}
	if r.csat.set {
		x.Feedback.CSAT = int(r.csat.v)
	}
	if r.nps.set {
		x.Feedback.NPS = int(r.nps.v)
	}
	if r.ces.set {
		x.Feedback.CES = int(r.ces.v)
	}
	if r.agentRating.set {
		x.Feedback.AgentRating = int(r.agentRating.v)
	}
	turns := slices.Clone(r.turns)
	slices.SortFunc(turns, func(a, b turnFact) int { return cmp.Compare(a.at, b.at) })
	for _, t := range turns {
		if t.signal {
			continue
		}
		x.ResponseTimes = append(x.ResponseTimes, time.Duration(t.dur))
	}
	nodes := slices.Clone(r.nodes)
	slices.SortStableFunc(nodes, func(a, b nodeFact) int { return cmp.Compare(a.at, b.at) })
	for _, nd := range nodes {
		flow := n.name(nd.flow)
		i := slices.IndexFunc(x.Flows, func(v FlowVisit) bool { return v.Flow == flow })
		if i < 0 {
			x.Flows = append(x.Flows, FlowVisit{Flow: flow})
			i = len(x.Flows) - 1
		}
		if nd.node != 0 {
			x.Flows[i].Nodes = append(x.Flows[i].Nodes, n.name(nd.node))
		}
	}
	for _, e := range r.flowEnds {
		flow := n.name(e.flow)
		i := slices.IndexFunc(x.Flows, func(v FlowVisit) bool { return v.Flow == flow })
		if i < 0 {
			x.Flows = append(x.Flows, FlowVisit{Flow: flow})
			i = len(x.Flows) - 1
		}
		x.Flows[i].Status = n.name(e.status)
	}
	for _, h := range sortedBy(r.requests(), func(h intentFact) int64 { return h.at }) {
		x.Intents = append(x.Intents, IntentHit{Time: unix(h.at), Intent: n.name(h.intent),
			Confidence: f64(h.conf), Status: n.name(h.status)})
	}
	for _, e := range r.entities {
		x.Entities = append(x.Entities, n.name(e))
	}
	for _, m := range sortedBy(r.moods, func(m moodFact) int64 { return m.at }) {
		x.Moods = append(x.Moods, Mood{Time: unix(m.at), Message: m.msg, Label: n.name(m.label), Score: f64(m.score),
			Frustration: f64(m.frustration), Confusion: f64(m.confusion), Urgency: f64(m.urgency), Delight: f64(m.delight)})
	}
	for _, e := range sortedBy(r.escalations, func(e escFact) int64 { return e.at }) {
		x.Escalations = append(x.Escalations, Escalation{Time: unix(e.at), Step: n.name(e.step), Reason: n.name(e.reason),
			Action: n.name(e.action), Agent: e.agent, Wait: time.Duration(e.wait)})
	}
	for _, k := range sortedBy(r.kb, func(k kbFact) int64 { return k.at }) {
		l := KBLookup{Time: unix(k.at), Answered: k.answered, Question: k.question, Confidence: f64(k.conf)}
		if k.sources != "" {
			l.Sources = strings.Split(k.sources, ",")
		}
		x.KB = append(x.KB, l)
	}
	for _, c := range sortedBy(r.llm, func(c llmFact) int64 { return c.at }) {
		x.ModelCalls = append(x.ModelCalls, ModelCall{Time: unix(c.at), Model: n.name(c.model),
			InputTokens: int(c.in), OutputTokens: int(c.out), Latency: time.Duration(c.latency)})
	}
	for _, a := range sortedBy(r.actions, func(a actionFact) int64 { return a.at }) {
		x.Actions = append(x.Actions, ActionCall{Time: unix(a.at), Action: n.name(a.action), Outcome: n.name(a.outcome)})
	}
	c := r.campaign
	st := c.reached()
	x.Campaign = CampaignOutcome{Campaign: n.name(c.campaign), Variant: n.name(c.variant), Goal: n.name(c.goal),
		Sent: st&stepSent != 0, Delivered: st&stepDelivered != 0, Read: st&stepRead != 0,
		Clicked: st&stepClicked != 0, Replied: st&stepReplied != 0, Converted: st&stepConverted != 0,
		Value: c.value}
	return x
}

func sortedBy[T any](s []T, at func(T) int64) []T {
	s = slices.Clone(s)
	slices.SortStableFunc(s, func(a, b T) int { return cmp.Compare(at(a), at(b)) })
	return s
}

func unix(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// f64 widens a stored float32 to the decimal it was parsed from (0.9,
// not 0.8999999761581421).
func f64(f float32) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
	return v
}
