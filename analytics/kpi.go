package analytics

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// KPIs are the figures a support team reports, over the conversations
// that started in Window. Rates are fractions (0.62 is 62%); a rate
// whose denominator is zero is 0, and the counts beside it say so.
//
// A conversation is one the customer took part in (a message or a tap
// of theirs) or a campaign message reached. A visit whose only turns
// were signals ([parley.EventTurn] with Attrs "signal": page events,
// timers) is not one, and no query of the Aggregator but
// [Aggregator.Record] shows it; turns counts only the customer's.
//
// The definitions, pinned by this package's tests:
//   - FRT (first response time): per conversation, the response time of
//     the customer's first turn (from the message's arrival to the bot's
//     first reply); P50 and P95 are nearest-rank percentiles over the
//     conversations.
//   - SelfService (containment, self-service resolution): conversations
//     [Resolved] without a person / all conversations.
//   - Deflection: conversations resolved without a person / (those +
//     conversations [Escalated]): the share of would-be tickets the bot
//     closed.
//   - EscalationRate: conversations [Escalated] / all conversations.
//   - FallbackRate: turns not understood (intent fallbacks) / turns.
//   - TurnsToResolution, TimeToResolution: mean turns and mean time
//     from first to last event of [Resolved] conversations.
//   - CSAT: ratings of 4 or 5 / ratings (1-5), the latest rating per
//     conversation, a flow's rating question or the rating of a hand-off
//     after the agent handed back (escalation.EventFeedback);
//     CSATAverage is their mean.
//   - NPS: % promoters (9-10) - % detractors (0-6), -100 to 100, the
//     latest answer per conversation.
//   - CES: mean customer effort score (1-5, 5 very easy).
//   - Helpful: "yes" answers / answers to "Was this helpful?".
//   - Sentiment: mean of every scored turn's score (0-1, 0.5 neutral).
//   - AgentTime: time agents spent, from each assignment to its
//     resolution; ModelCalls and tokens are summed over the calls.
type KPIs struct {
	Window        Window `json:"window"`
	Conversations int    `json:"conversations"`
	Turns         int    `json:"turns"`

	FRT Percentiles `json:"frt"`

	Resolved   int `json:"resolved"`
	Unresolved int `json:"unresolved"`
	Escalated  int `json:"escalated"`
	Abandoned  int `json:"abandoned"`

	SelfService       float64       `json:"self_service"`
	Deflection        float64       `json:"deflection"`
	EscalationRate    float64       `json:"escalation_rate"`
	Fallbacks         int           `json:"fallbacks"`
	FallbackRate      float64       `json:"fallback_rate"`
	TurnsToResolution float64       `json:"turns_to_resolution"`
	TimeToResolution  time.Duration `json:"time_to_resolution_ns"`

	CSAT          float64 `json:"csat"`
	CSATAverage   float64 `json:"csat_average"`
	CSATResponses int     `json:"csat_responses"`
	NPS           float64 `json:"nps"`
	NPSResponses  int     `json:"nps_responses"`
	CES           float64 `json:"ces"`
	CESResponses  int     `json:"ces_responses"`
	Helpful       float64 `json:"helpful"`
	HelpfulVotes  int     `json:"helpful_votes"`

	Sentiment      float64 `json:"sentiment"`
	SentimentTurns int     `json:"sentiment_turns"`

	ModelCalls   int           `json:"model_calls"`
	InputTokens  int           `json:"input_tokens"`
	OutputTokens int           `json:"output_tokens"`
	AgentTime    time.Duration `json:"agent_time_ns"`
}

// Percentiles summarises durations: nearest-rank percentiles (the
// smallest value at least p% of the values are at or below) over N
// values.
type Percentiles struct {
	P50 time.Duration `json:"p50_ns"`
	P95 time.Duration `json:"p95_ns"`
	N   int           `json:"n"`
}

// KPIs computes the KPIs of the conversations that started in w.
func (a *Aggregator) KPIs(w Window) KPIs {
	a.mu.RLock()
	defer a.mu.RUnlock()
	k := KPIs{Window: w}
	var frts []int64
	var resTurns, resTime int64
	var csatSum, csatGood, cesSum, prom, detr, helpYes int
	var sentSum float64
	for r := range a.conversations() {
		if !w.has(r.start) {
			continue
		}
		k.Conversations++
		k.Turns += r.customerTurns()
		k.Fallbacks += len(r.fallbacks)
		if r.customerTurns() > 0 {
			frts = append(frts, r.firstResponse())
		}
		switch r.res {
		case Resolved:
			k.Resolved++
			resTurns += int64(r.customerTurns())
			resTime += r.end - r.start
		case Unresolved:
			k.Unresolved++
		case Escalated:
			k.Escalated++
		default:
			k.Abandoned++
		}
		if sat := r.satisfaction(); sat.set {
			k.CSATResponses++
			csatSum += int(sat.v)
			if sat.v >= 4 {
				csatGood++
			}
		}
		if r.nps.set {
			k.NPSResponses++
			switch {
			case r.nps.v >= 9:
				prom++
			case r.nps.v <= 6:
				detr++
			}
		}
		if r.ces.set {
			k.CESResponses++
			cesSum += int(r.ces.v)
		}
		if r.helpful.set {
			k.HelpfulVotes++
			helpYes += int(r.helpful.v)
		}
		sentSum += r.moodSum
		k.SentimentTurns += len(r.moods)
		k.ModelCalls += len(r.llm)
		k.InputTokens += int(r.tokIn)
		k.OutputTokens += int(r.tokOut)
		k.AgentTime += time.Duration(r.agentNS)
	}
	k.FRT = percentiles(frts)
	k.SelfService = ratio(k.Resolved, k.Conversations)
	k.Deflection = ratio(k.Resolved, k.Resolved+k.Escalated)
	k.EscalationRate = ratio(k.Escalated, k.Conversations)
	k.FallbackRate = ratio(k.Fallbacks, k.Turns)
	if k.Resolved > 0 {
		k.TurnsToResolution = float64(resTurns) / float64(k.Resolved)
		k.TimeToResolution = time.Duration(resTime / int64(k.Resolved))
	}
	k.CSAT = ratio(csatGood, k.CSATResponses)
	k.CSATAverage = ratio(csatSum, k.CSATResponses)
	k.NPS = 100 * (ratio(prom, k.NPSResponses) - ratio(detr, k.NPSResponses))
	k.CES = ratio(cesSum, k.CESResponses)
	k.Helpful = ratio(helpYes, k.HelpfulVotes)
	if k.SentimentTurns > 0 {
		k.Sentiment = sentSum / float64(k.SentimentTurns)
	}
	return k
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// percentiles computes nearest-rank P50 and P95 of v, reordering v.
func percentiles(v []int64) Percentiles {
	p := Percentiles{N: len(v)}
	if len(v) == 0 {
		return p
	}
	p.P50 = time.Duration(nth(v, rank(50, len(v))))
	p.P95 = time.Duration(nth(v, rank(95, len(v))))
	return p
}

// rank is the 0-based index of the nearest-rank pth percentile of n
// values: ceil(p/100*n) - 1.
func rank(p, n int) int { return (p*n+99)/100 - 1 }

// nth returns the kth smallest value of v (0-based), reordering v: a
// quickselect, O(n) on average, so percentiles over a million
// conversations need no sort.
func nth(v []int64, k int) int64 {
	lo, hi := 0, len(v)-1
	for lo < hi {
		// Median of three as pivot.
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		pivot := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}

// A Point is one value of a trend.
type Point struct {
	Window Window  `json:"window"`
	Value  float64 `json:"value"`
	// N is how many values the point is the mean of.
	N int `json:"n"`
}

// SentimentTrend returns the mean sentiment score (0-1) of the turns
// scored in each window of w split by step, by the time of the turn.
func (a *Aggregator) SentimentTrend(w Window, step time.Duration) []Point {
	ws := w.Split(step)
	if len(ws) == 0 {
		return nil
	}
	pts := make([]Point, len(ws))
	sums := make([]float64, len(ws))
	bounds := make([]int64, len(ws)+1)
	for i, x := range ws {
		pts[i].Window = x
		bounds[i] = x.From.UnixNano()
	}
	bounds[len(ws)] = w.To.UnixNano()
	a.mu.RLock()
	defer a.mu.RUnlock()
	for r := range a.conversations() {
		for _, m := range r.moods {
			if m.at < bounds[0] || m.at >= bounds[len(ws)] {
				continue
			}
			j, found := slices.BinarySearch(bounds, m.at)
			if !found {
				j--
			}
			sums[j] += float64(m.score)
			pts[j].N++
		}
	}
	for i := range pts {
		if pts[i].N > 0 {
			pts[i].Value = sums[i] / float64(pts[i].N)
		}
	}
	return pts
}

// Trend computes KPIs for each window of w split by step, for charts.
func (a *Aggregator) Trend(w Window, step time.Duration) []KPIs {
	var out []KPIs
	for _, x := range w.Split(step) {
		out = append(out, a.KPIs(x))
	}
	return out
}

// An IntentStat is how conversations with one intent went.
type IntentStat struct {
	Intent string `json:"intent"`
	// Conversations counts the conversations the intent was classified
	// in; Failed those of them that did not end [Resolved].
	Conversations int     `json:"conversations"`
	Failed        int     `json:"failed"`
	FailureRate   float64 `json:"failure_rate"`
	// Confidence is the mean classifier confidence.
	Confidence float64 `json:"confidence"`
}

// TopFailingIntents returns up to n intents of conversations that
// started in w, the most failed conversations first (ties by name):
// an intent fails in a conversation that does not end [Resolved], so
// the list is also the top unresolved intents of the weekly report.
// Intents with no failure are left out, and so is small talk
// (greetings, thanks, goodbyes; see smallTalk): it asks for nothing,
// so it is never a request that went unresolved.
func (a *Aggregator) TopFailingIntents(w Window, n int) []IntentStat {
	a.mu.RLock()
	defer a.mu.RUnlock()
	type acc struct {
		conv, failed int
		conf         float64
		hits         int
	}
	accs := make([]acc, len(a.names.list))
	var seen []uint32
	for r := range a.conversations() {
		reqs := r.requests()
		if !w.has(r.start) || len(reqs) == 0 {
			continue
		}
		failed := r.res != Resolved
		seen = seen[:0]
		for _, h := range reqs {
			accs[h.intent].conf += float64(h.conf)
			accs[h.intent].hits++
			if containsID(seen, h.intent) {
				continue
			}
			seen = append(seen, h.intent)
			accs[h.intent].conv++
			if failed {
				accs[h.intent].failed++
			}
		}
	}
	var out []IntentStat
	for id, x := range accs {
		if x.failed == 0 || smallTalk(a.names.name(uint32(id))) {
			continue
		}
		out = append(out, IntentStat{Intent: a.names.name(uint32(id)), Conversations: x.conv, Failed: x.failed,
			FailureRate: ratio(x.failed, x.conv), Confidence: x.conf / float64(x.hits)})
	}
	slices.SortFunc(out, func(x, y IntentStat) int {
		return cmp.Or(cmp.Compare(y.Failed, x.Failed), cmp.Compare(x.Intent, y.Intent))
	})
	return out[:min(n, len(out))]
}

// smallTalk reports whether intent names small talk rather than a
// request: a greeting, thanks or a goodbye ("greeting", "greet",
// "hello", "thanks", "thank_you", "goodbye", "bye", "smalltalk",
// "small_talk", "chitchat", in any case).
func smallTalk(intent string) bool {
	switch strings.ToLower(intent) {
	case "greeting", "greet", "hello", "thanks", "thank_you", "goodbye", "bye", "smalltalk", "small_talk", "chitchat":
		return true
	}
	return false
}

// A Question is a question the knowledge base could not answer, with
// how many times it was asked (case and spacing folded).
type Question struct {
	Text  string `json:"text"`
	Count int    `json:"count"`
}

// UnansweredQuestions returns up to n questions the knowledge base
// could not answer in conversations that started in w, most asked
// first (ties by text).
func (a *Aggregator) UnansweredQuestions(w Window, n int) []Question {
	a.mu.RLock()
	defer a.mu.RUnlock()
	counts := map[string]int{}
	for r := range a.conversations() {
		if !w.has(r.start) {
			continue
		}
		for _, k := range r.kb {
			if !k.answered && k.question != "" {
				counts[strings.ToLower(strings.Join(strings.Fields(k.question), " "))]++
			}
		}
	}
	out := make([]Question, 0, len(counts))
	for q, c := range counts {
		out = append(out, Question{Text: q, Count: c})
	}
	slices.SortFunc(out, func(x, y Question) int {
		return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Text, y.Text))
	})
	return out[:min(n, len(out))]
}

// A NodeStat is how many conversations reached a flow's node and how
// many stopped there.
type NodeStat struct {
	Node string `json:"node"`
	// Reached counts conversations that visited the node.
	Reached int `json:"reached"`
	// DroppedOff counts conversations whose last node in the flow was
	// this one and whose flow did not end, or ended abandoned.
	DroppedOff int `json:"dropped_off"`
	// DropOffRate is DroppedOff / Reached.
	DropOffRate float64 `json:"drop_off_rate"`
}

// DropOff returns, for each node of flow visited in conversations that
// started in w, how many reached it and how many dropped off there,
// the most reached first (ties by name).
func (a *Aggregator) DropOff(w Window, flow string) []NodeStat {
	a.mu.RLock()
	defer a.mu.RUnlock()
	fid, ok := a.names.ids[flow]
	if !ok {
		return nil
	}
	reached := map[uint32]int{}
	dropped := map[uint32]int{}
	var seen []uint32
	for r := range a.conversations() {
		if !w.has(r.start) {
			continue
		}
		seen = seen[:0]
		var last uint32
		var lastAt int64 = -1
		for _, nd := range r.nodes {
			if nd.flow != fid || nd.node == idNone {
				continue
			}
			if !containsID(seen, nd.node) {
				seen = append(seen, nd.node)
				reached[nd.node]++
			}
			if nd.at >= lastAt {
				last, lastAt = nd.node, nd.at
			}
		}
		if lastAt < 0 {
			continue
		}
		ended := false
		for _, e := range r.flowEnds {
			if e.flow == fid && e.at >= lastAt && e.status != idAbandoned {
				ended = true
			}
		}
		if !ended {
			dropped[last]++
		}
	}
	out := make([]NodeStat, 0, len(reached))
	for id, n := range reached {
		out = append(out, NodeStat{Node: a.names.name(id), Reached: n, DroppedOff: dropped[id], DropOffRate: ratio(dropped[id], n)})
	}
	slices.SortFunc(out, func(x, y NodeStat) int {
		return cmp.Or(cmp.Compare(y.Reached, x.Reached), cmp.Compare(x.Node, y.Node))
	})
	return out
}

// A FunnelStep is one step of a funnel: the conversations that reached
// Node after every earlier step.
type FunnelStep struct {
	Node          string `json:"node"`
	Conversations int    `json:"conversations"`
}

// Funnel counts the conversations that started in w and visited the
// nodes of flow in the given order (other nodes may come between).
func (a *Aggregator) Funnel(w Window, flow string, nodes ...string) []FunnelStep {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]FunnelStep, len(nodes))
	ids := make([]uint32, len(nodes))
	for i, n := range nodes {
		out[i].Node = n
		ids[i] = a.names.ids[n]
	}
	fid, ok := a.names.ids[flow]
	if !ok || len(nodes) == 0 {
		return out
	}
	var visits []nodeFact
	for r := range a.conversations() {
		if !w.has(r.start) {
			continue
		}
		visits = visits[:0]
		for _, nd := range r.nodes {
			if nd.flow == fid {
				visits = append(visits, nd)
			}
		}
		slices.SortStableFunc(visits, func(x, y nodeFact) int { return cmp.Compare(x.at, y.at) })
		step := 0
		for _, v := range visits {
			if step < len(ids) && v.node == ids[step] {
				out[step].Conversations++
				step++
			}
		}
	}
	return out
}

// A CampaignStat is the funnel of one campaign variant.
type CampaignStat struct {
	Campaign  string `json:"campaign"`
	Variant   string `json:"variant,omitempty"`
	Goal      string `json:"goal,omitempty"`
	Sent      int    `json:"sent"`
	Delivered int    `json:"delivered"`
	Read      int    `json:"read"`
	Clicked   int    `json:"clicked"`
	Replied   int    `json:"replied"`
	Converted int    `json:"converted"`
	// Value is the revenue the conversions brought.
	Value float64 `json:"value"`
	// ConversionRate is Converted / Sent; ClickRate is Clicked / Sent.
	ConversionRate float64 `json:"conversion_rate"`
	ClickRate      float64 `json:"click_rate"`
}

// Campaigns returns the funnel of each campaign and variant that
// reached conversations started in w, by campaign then variant. Each
// step counts conversations, so a message delivered twice counts once.
// For goal "cart", ConversionRate is the cart recovery rate and Value
// the recovered cart value; for goal "renewal", ClickRate is the
// renewal click rate.
func (a *Aggregator) Campaigns(w Window) []CampaignStat {
	a.mu.RLock()
	defer a.mu.RUnlock()
	type key struct{ c, v uint32 }
	stats := map[key]*CampaignStat{}
	for r := range a.conversations() {
		c := r.campaign
		if !w.has(r.start) || c.campaign == idNone {
			continue
		}
		s := stats[key{c.campaign, c.variant}]
		if s == nil {
			s = &CampaignStat{Campaign: a.names.name(c.campaign), Variant: a.names.name(c.variant)}
			stats[key{c.campaign, c.variant}] = s
		}
		if c.goal != idNone {
			s.Goal = a.names.name(c.goal)
		}
		steps := c.reached()
		count := func(bit uint8, n *int) {
			if steps&bit != 0 {
				*n++
			}
		}
		count(stepSent, &s.Sent)
		count(stepDelivered, &s.Delivered)
		count(stepRead, &s.Read)
		count(stepClicked, &s.Clicked)
		count(stepReplied, &s.Replied)
		count(stepConverted, &s.Converted)
		s.Value += c.value
	}
	out := make([]CampaignStat, 0, len(stats))
	for _, s := range stats {
		s.ConversionRate = ratio(s.Converted, s.Sent)
		s.ClickRate = ratio(s.Clicked, s.Sent)
		out = append(out, *s)
	}
	slices.SortFunc(out, func(x, y CampaignStat) int {
		return cmp.Or(cmp.Compare(x.Campaign, y.Campaign), cmp.Compare(x.Variant, y.Variant))
	})
	return out
}

// Live is the real-time view.
type Live struct {
	At time.Time `json:"at"`
	// Active counts conversations with an event in the last ActiveWithin
	// that have not been resolved or handed to a person.
	Active       int           `json:"active"`
	ActiveWithin time.Duration `json:"active_within_ns"`
	// FRT is over the conversations that started in the last Recent;
	// Sentiment over the turns scored then.
	FRT            Percentiles   `json:"frt"`
	Sentiment      float64       `json:"sentiment"`
	SentimentTurns int           `json:"sentiment_turns"`
	Recent         time.Duration `json:"recent_ns"`
	// Waiting counts conversations queued for a person, not yet taken.
	Waiting int `json:"waiting"`
}

// Live returns the real-time view at now: conversations active in the
// last 5 minutes, and first response time and sentiment over the last
// 15.
func (a *Aggregator) Live(now time.Time) Live {
	l := Live{At: now, ActiveWithin: 5 * time.Minute, Recent: 15 * time.Minute}
	active := now.Add(-l.ActiveWithin).UnixNano()
	recent := now.Add(-l.Recent).UnixNano()
	a.mu.RLock()
	defer a.mu.RUnlock()
	var frts []int64
	var sent float64
	for r := range a.conversations() {
		if r.end < recent {
			continue
		}
		if r.end >= active {
			switch r.res {
			case Resolved:
			case Escalated:
				if r.waiting() {
					l.Waiting++
				}
			default:
				l.Active++
			}
		}
		if r.start >= recent && r.customerTurns() > 0 {
			frts = append(frts, r.firstResponse())
		}
		for _, m := range r.moods {
			if m.at >= recent {
				sent += float64(m.score)
				l.SentimentTurns++
			}
		}
	}
	l.FRT = percentiles(frts)
	if l.SentimentTurns > 0 {
		l.Sentiment = sent / float64(l.SentimentTurns)
	}
	return l
}

// waiting reports whether the latest hand-off request has not been
// taken by an agent.
func (r *rec) waiting() bool {
	var req, taken int64 = -1, -1
	for _, e := range r.escalations {
		switch e.step {
		case idRequested:
			req = max(req, e.at)
		case idAssigned, idLeft:
			taken = max(taken, e.at)
		}
	}
	return req >= 0 && taken < req
}
