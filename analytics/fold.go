package analytics

import (
	"slices"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/escalation"
	"github.com/parleyhq/parley/flow"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/kb/kbbot"
	"github.com/parleyhq/parley/sentiment"
)

// names interns the small vocabulary of events (intents, flows, nodes,
// statuses, models, actions, campaigns) so records hold 4-byte IDs and
// KPIs count in slices. It is bounded: past max distinct names every new
// one becomes [Other], which also bounds the label cardinality of the
// exporters built on it.
type names struct {
	ids  map[string]uint32
	list []string
	max  int
}

// Other is the name that stands for every name past an [Aggregator]'s
// bound on distinct names (intents, flows, nodes, campaigns...; see
// [WithMaxNames]).
const Other = "(other)"

// Fixed IDs of the names the fold itself decides on.
const (
	idNone uint32 = iota
	idOther
	idRequested
	idLeft
	idAssigned
	idResolved
	idUnresolved
	idEscalated
	idAbandoned
	idError
	idFixed // the number of fixed names
)

func newNames(max int) names {
	n := names{ids: map[string]uint32{}, max: max}
	for _, s := range []string{"", Other, "requested", "left", "assigned", "resolved", "unresolved", "escalated", "abandoned", "error"} {
		n.ids[s] = uint32(len(n.list))
		n.list = append(n.list, s)
	}
	return n
}

func (n *names) id(s string) uint32 {
	if id, ok := n.ids[s]; ok {
		return id
	}
	if len(n.list) >= n.max+int(idFixed) {
		return idOther
	}
	id := uint32(len(n.list))
	n.ids[s] = id
	n.list = append(n.list, s)
	return id
}

func (n *names) name(id uint32) string { return n.list[id] }

// Facts of a record. Times are Unix nanoseconds; 0 is unknown.
type (
	turnFact struct {
		at, dur int64
		msg     uint64 // hash of the turn's message ID (0: none)
		// signal is set for a turn the customer did not send (a page
		// event, a timer, a campaign step: [parley.EventTurn]'s Attrs
		// "signal").
		signal bool
	}
	// replyFact is the first reply the bot sent to the turn of message
	// hash msg.
	replyFact struct {
		msg uint64
		at  int64
	}
	intentFact struct {
		at             int64
		intent, status uint32
		conf           float32
	}
	nodeFact struct {
		flow, node uint32
		at         int64
	}
	flowEndFact struct {
		flow, status uint32
		at           int64
		msg          uint64 // hash of the message of the turn it ended in
	}
	moodFact struct {
		at                                              int64
		msg                                             string
		label                                           uint32
		score, frustration, confusion, urgency, delight float32
	}
	escFact struct {
		at, wait             int64
		step, reason, action uint32
		agent                string
	}
	kbFact struct {
		at                int64
		answered          bool
		conf              float32
		question, sources string
	}
	llmFact struct {
		at, latency int64
		model       uint32
		in, out     int32
	}
	actionFact struct {
		at              int64
		action, outcome uint32
	}
	score struct {
		at  int64
		v   int8
		set bool
	}
	campaignFact struct {
		campaign, variant, goal uint32
		steps                   uint8
		value                   float64
		// sentAt is the earliest campaign message; deliveredAt and
		// readAt the latest delivery and read receipts of the
		// conversation (channel.status), which count for the funnel
		// when they came after a campaign message (see reached).
		sentAt, deliveredAt, readAt int64
	}
)

const (
	stepSent uint8 = 1 << iota
	stepDelivered
	stepRead
	stepClicked
	stepReplied
	stepConverted
)

// reached returns the funnel steps c reached: those its events said,
// and delivered and read when the channel reported a delivery or read
// receipt in the conversation at or after the campaign's first message.
// The channels do not say which message a receipt is for in terms the
// Bot knows (the Sender does not learn the platform's message ID), so a
// receipt counts for the campaign message it follows; a read receipt
// also proves delivery.
func (c *campaignFact) reached() uint8 {
	s := c.steps
	if s&stepSent == 0 {
		return s
	}
	if c.deliveredAt != 0 && c.deliveredAt >= c.sentAt {
		s |= stepDelivered
	}
	if c.readAt != 0 && c.readAt >= c.sentAt {
		s |= stepDelivered | stepRead
	}
	return s
}

// rec is the folded form of one conversation. Every fold is
// commutative: the record is the same whatever order its events arrive
// in, and an event seen twice (same [Event.Hash]) is folded once.
type rec struct {
	conv, cust, channel string
	start, end          int64
	frtAt, frt          int64 // arrival and response time of the earliest customer turn
	turns               []turnFact
	signals             int32       // the turns that were signals
	replies             []replyFact // the first reply to each message, by hash
	fallbacks           []int64
	clarify, errors     int32
	intents             []intentFact // classified turns
	routed              []intentFact // requests the router served
	entities            []uint32
	nodes               []nodeFact
	flowEnds            []flowEndFact
	moods               []moodFact
	escalations         []escFact
	kb                  []kbFact
	llm                 []llmFact
	actions             []actionFact
	helpful, csat, nps  score
	ces, agentRating    score
	campaign            campaignFact
	experiment, variant uint32
	agentNS             int64
	optOut              bool
	res                 Resolution // resolution(), kept current by fold
	// Sums the KPI queries read without following the slices.
	moodSum       float64
	tokIn, tokOut int64
	seen          seenSet
}

// seenSet holds the hashes of a record's events: a slice scanned
// linearly while small, a map beyond.
type seenSet struct {
	small []uint64
	big   map[uint64]struct{}
}

// add reports whether h is new.
func (s *seenSet) add(h uint64) bool {
	if s.big != nil {
		if _, ok := s.big[h]; ok {
			return false
		}
		s.big[h] = struct{}{}
		return true
	}
	for _, x := range s.small {
		if x == h {
			return false
		}
	}
	if len(s.small) < 48 {
		if s.small == nil {
			s.small = make([]uint64, 0, 8)
		}
		s.small = append(s.small, h)
		return true
	}
	s.big = make(map[uint64]struct{}, 2*len(s.small))
	for _, x := range s.small {
		s.big[x] = struct{}{}
	}
	s.small = nil
	s.big[h] = struct{}{}
	return true
}

func parseF(s string) float32 {
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 32)
	if err != nil {
		return 0
	}
	return float32(f)
}

func parseI(s string) int64 {
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// satisfaction is the conversation's latest 1-5 rating: of a flow's
// rating question or of the hand-off, whichever came last. Only the
// flow's rating counts toward the bot's resolution (resolve): the
// hand-off's rates the agent.
func (r *rec) satisfaction() score {
	if r.agentRating.set && (!r.csat.set || r.agentRating.at >= r.csat.at) {
		return r.agentRating
	}
	return r.csat
}

func (s *score) put(at int64, v int64) {
	if !s.set || at >= s.at {
		*s = score{at: at, v: int8(v), set: true}
	}
}

// fold adds e (already de-duplicated) to r.
func (r *rec) fold(n *names, e *Event, at int64) {
	if r.cust == "" {
		r.cust = e.Customer
	}
	if r.channel == "" {
		r.channel = e.Channel
	}
	if at != 0 {
		if r.start == 0 || at < r.start {
			r.start = at
		}
		if at > r.end {
			r.end = at
		}
	}
	a := e.Attrs
	if r.res == "" || decides(e.Kind) || e.Kind == parley.EventTurn && a["signal"] != "" {
		defer func() { r.res = r.resolution() }()
	}
	switch e.Kind {
	case parley.EventTurn:
		d := int64(e.Duration)
		sig := a["signal"] != ""
		r.turns = append(r.turns, turnFact{at: at, dur: d, msg: msgHash(e.Message), signal: sig})
		if sig {
			r.signals++
		} else if arr := at - d; r.customerTurns() == 1 || arr < r.frtAt {
			r.frtAt, r.frt = arr, d
		}
		if arr := at - d; arr != 0 && arr < r.start {
			r.start = arr
		}
	case parley.EventReply:
		r.reply(msgHash(e.Message), at)
	case parley.EventTurnError:
		r.errors++
	case intent.EventClassified:
		if a["intent"] != "" {
			r.intents = append(r.intents, intentFact{at: at, intent: n.id(a["intent"]), status: n.id(a["status"]), conf: parseF(a["confidence"])})
		}
		if ents := a["entities"]; ents != "" {
			for t := range strings.SplitSeq(ents, ",") {
				id := n.id(t)
				if !containsID(r.entities, id) {
					r.entities = append(r.entities, id)
				}
			}
		}
	case intent.EventRouted:
		if a["intent"] != "" {
			r.routed = append(r.routed, intentFact{at: at, intent: n.id(a["intent"]), status: n.id("understood")})
		}
	case intent.EventFallback:
		r.fallbacks = append(r.fallbacks, at)
	case intent.EventClarify:
		r.clarify++
	case flow.EventStart:
		r.nodes = append(r.nodes, nodeFact{flow: n.id(a["flow"]), at: at})
	case flow.EventNode:
		r.nodes = append(r.nodes, nodeFact{flow: n.id(a["flow"]), node: n.id(a["node"]), at: at})
	case flow.EventEnd:
		r.flowEnds = append(r.flowEnds, flowEndFact{flow: n.id(a["flow"]), status: n.id(a["status"]), at: at, msg: msgHash(e.Message)})
	case flow.EventFeedback:
		v := a["value"]
		switch flow.FeedbackKind(a["kind"]) {
		case flow.Helpful:
			yes := int64(0)
			if v == "yes" {
				yes = 1
			}
			r.helpful.put(at, yes)
		case flow.Rating:
			r.csat.put(at, parseI(v))
		case flow.NPS:
			r.nps.put(at, parseI(v))
		case flow.Effort:
			r.ces.put(at, parseI(v))
		}
	case escalation.EventFeedback:
		r.agentRating.put(at, parseI(a["rating"]))
	case sentiment.EventScored:
		r.moodSum += float64(parseF(a["score"]))
		r.moods = append(r.moods, moodFact{at: at, msg: e.Message, label: n.id(a["label"]), score: parseF(a["score"]),
			frustration: parseF(a["frustration"]), confusion: parseF(a["confusion"]), urgency: parseF(a["urgency"]), delight: parseF(a["delight"])})
	case escalation.EventTriggered, escalation.EventRequested, escalation.EventAssigned,
		escalation.EventResolved, escalation.EventDeclined, escalation.EventLeft:
		step := strings.TrimPrefix(string(e.Kind), "escalation.")
		f := escFact{at: at, step: n.id(step), reason: n.id(a["reason"]), action: n.id(a["action"]), agent: a["agent"]}
		if e.Kind == escalation.EventAssigned {
			f.wait = int64(e.Duration)
		}
		r.escalations = append(r.escalations, f)
		r.agentTime()
	case kbbot.EventAnswered:
		r.kb = append(r.kb, kbFact{at: at, answered: true, conf: parseF(a["confidence"]), sources: a["sources"]})
	case kbbot.EventUnsure:
		r.kb = append(r.kb, kbFact{at: at, conf: parseF(a["confidence"]), question: a["question"]})
	case action.EventModelCall:
		f := llmFact{at: at, latency: int64(e.Duration), model: n.id(a["model"]),
			in: int32(parseI(a["input_tokens"])), out: int32(parseI(a["output_tokens"]))}
		r.tokIn += int64(f.in)
		r.tokOut += int64(f.out)
		r.llm = append(r.llm, f)
	case action.EventCall:
		r.actions = append(r.actions, actionFact{at: at, action: n.id(a["action"]), outcome: n.id(a["outcome"])})
	case flow.EventProblem:
		if a["what"] == "action" {
			r.actions = append(r.actions, actionFact{at: at, action: n.id(a["node"]), outcome: idError})
		}
	case channel.EventOptOut:
		r.optOut = true
	case channel.EventStatus:
		c := &r.campaign
		switch a["status"] {
		case "delivered":
			c.deliveredAt = max(c.deliveredAt, at)
		case "read":
			c.readAt = max(c.readAt, at)
		}
	case EventAssigned:
		r.experiment, r.variant = n.id(a["experiment"]), n.id(a["variant"])
	case EventSent, EventDelivered, EventRead, EventClicked, EventReplied, EventConverted:
		c := &r.campaign
		if a["campaign"] != "" {
			c.campaign = n.id(a["campaign"])
		}
		if a["variant"] != "" {
			c.variant = n.id(a["variant"])
		}
		if a["goal"] != "" {
			c.goal = n.id(a["goal"])
		}
		switch e.Kind {
		case EventSent:
			c.steps |= stepSent
			if at != 0 && (c.sentAt == 0 || at < c.sentAt) {
				c.sentAt = at
			}
		case EventDelivered:
			c.steps |= stepDelivered
		case EventRead:
			c.steps |= stepRead
		case EventClicked:
			c.steps |= stepClicked
		case EventReplied:
			c.steps |= stepReplied
		case EventConverted:
			c.steps |= stepConverted
			if v, err := strconv.ParseFloat(a["value"], 64); err == nil {
				c.value += v
			}
		}
	}
}

// bySignal reports whether msg (a message hash) is a signal's turn.
func (r *rec) bySignal(msg uint64) bool {
	if msg == 0 || r.signals == 0 {
		return false
	}
	for _, t := range r.turns {
		if t.signal && t.msg == msg {
			return true
		}
	}
	return false
}

// customerTurns counts the turns the customer sent (messages, taps).
func (r *rec) customerTurns() int { return len(r.turns) - int(r.signals) }

// counted reports whether r is a conversation the KPIs and the exports
// count: one the customer took part in (a turn of theirs) or a
// campaign reached. A visit whose only turns were page events, timers
// or staff signals is not: nobody talked. A record without turns (the
// events of a log written before turns said which were signals, or
// only some packages' events) counts.
func (r *rec) counted() bool {
	return r.signals == 0 || r.customerTurns() > 0 || r.campaign.steps != 0
}

// decides reports whether an event of kind k can change a record's
// resolution.
func decides(k parley.EventKind) bool {
	switch k {
	case flow.EventEnd, flow.EventFeedback, intent.EventFallback, kbbot.EventUnsure,
		escalation.EventRequested, escalation.EventAssigned, escalation.EventLeft:
		return true
	}
	return false
}

// requests are the intents of the customer's requests: those the router
// served when it routed the conversation's turns; the classified turns
// otherwise (a bot without an intent router). A classified turn that
// answered a question ("A-1002" to "Which order?", "yes" to a
// confirmation) is no request, whatever the classifier made of it. A
// request takes the confidence of the nearest classified turn of the
// same intent.
func (r *rec) requests() []intentFact {
	if len(r.routed) == 0 {
		return r.intents
	}
	out := slices.Clone(r.routed)
	for i, q := range out {
		best := int64(-1)
		for _, c := range r.intents {
			if c.intent != q.intent {
				continue
			}
			if d := max(c.at-q.at, q.at-c.at); best < 0 || d < best {
				best, out[i].conf, out[i].status = d, c.conf, c.status
			}
		}
	}
	return out
}

func containsID(s []uint32, id uint32) bool {
	for _, x := range s {
		if x == id {
			return true
		}
	}
	return false
}

// agentTime recomputes the time agents spent: each resolution's time
// since the latest assignment before it.
func (r *rec) agentTime() {
	var total int64
	for _, res := range r.escalations {
		if res.step != idResolved {
			continue
		}
		var from int64
		for _, as := range r.escalations {
			if as.step == idAssigned && as.at <= res.at && as.at > from {
				from = as.at
			}
		}
		if from != 0 {
			total += res.at - from
		}
	}
	r.agentNS = total
}

// escalated reports whether a person took or is to take the
// conversation: a request reached the desk and the customer did not
// leave the queue before an agent took it.
func (r *rec) escalated() bool {
	var lastReq, lastLeft, lastAssigned int64 = -1, -1, -1
	for _, e := range r.escalations {
		switch e.step {
		case idRequested:
			lastReq = max(lastReq, e.at)
		case idLeft:
			lastLeft = max(lastLeft, e.at)
		case idAssigned:
			lastAssigned = max(lastAssigned, e.at)
		}
	}
	if lastReq < 0 {
		return false
	}
	return lastAssigned >= lastReq || lastLeft < lastReq
}

// resolution decides the record's [Resolution] from its facts; see the
// constants for the rules. Ties in time go to the unfavourable verdict,
// so the result never depends on the order events arrived in.
func (r *rec) resolution() Resolution {
	if r.escalated() {
		return Escalated
	}
	at, verdict := int64(-1<<63), Abandoned
	consider := func(t int64, v Resolution) {
		if t > at || (t == at && v == Unresolved) {
			at, verdict = t, v
		}
	}
	for _, e := range r.flowEnds {
		if r.bySignal(e.msg) {
			continue // an offer of help on a page event ended its flow: nobody said anything
		}
		switch e.status {
		case idResolved:
			consider(e.at, Resolved)
		case idUnresolved, idEscalated:
			consider(e.at, Unresolved)
		}
	}
	if r.helpful.set {
		v := Unresolved
		if r.helpful.v == 1 {
			v = Resolved
		}
		consider(r.helpful.at, v)
	}
	if r.csat.set && r.csat.v >= 4 {
		consider(r.csat.at, Resolved)
	} else if r.csat.set && r.csat.v <= 2 {
		consider(r.csat.at, Unresolved)
	}
	for _, f := range r.fallbacks {
		consider(f, Unresolved)
	}
	for _, k := range r.kb {
		if !k.answered {
			consider(k.at, Unresolved)
		}
	}
	return verdict
}

// msgHash is the FNV-1a hash of a message ID; 0 for none.
func msgHash(id string) uint64 {
	if id == "" {
		return 0
	}
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	return h | 1
}

// reply notes a reply sent at to the turn of message msg: the earliest
// one counts, whatever order the events arrive in.
func (r *rec) reply(msg uint64, at int64) {
	if msg == 0 || at == 0 {
		return
	}
	for i := range r.replies {
		if r.replies[i].msg == msg {
			r.replies[i].at = min(r.replies[i].at, at)
			return
		}
	}
	r.replies = append(r.replies, replyFact{msg: msg, at: at})
}

// firstResponse is the conversation's first response time: from the
// arrival of the earliest customer turn the bot answered to its first
// reply. A turn nobody was answered in, and a signal (a page event, a
// campaign step: the bot spoke first, nobody waited) do not count;
// without reply events (logs written before they were folded) it is the
// earliest customer turn's response time.
func (r *rec) firstResponse() int64 {
	if len(r.replies) == 0 {
		return r.frt
	}
	best, frt := int64(0), int64(-1)
	for _, t := range r.turns {
		arr := t.at - t.dur
		if t.msg == 0 || t.signal || frt >= 0 && arr >= best {
			continue
		}
		for _, rp := range r.replies {
			if rp.msg == t.msg {
				best, frt = arr, max(0, rp.at-arr)
				break
			}
		}
	}
	if frt < 0 {
		return r.frt
	}
	return frt
}
