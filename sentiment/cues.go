package sentiment

import "strings"

// Support cues: words and word pairs that mark a service problem or a
// request in customer messages. They are Parley's own, written from
// domain knowledge (orders that never arrived, flights delayed, money
// taken twice, being kept waiting) because GoEmotions, Reddit comments,
// has few of them. The trained model sees their counts as features and
// learns how much they weigh; they also decide the weak complaint labels
// (see [Train]).
var (
	problemCues = []string{
		"never arrived", "hasn't arrived", "didn't arrive", "not arrived", "never came",
		"never received", "not received", "didn't receive", "haven't received", "still waiting", "still not",
		"still no", "still haven't", "still hasn't", "still don't", "waiting for", "on hold", "no response",
		"no reply", "no answer", "no one", "nobody", "not working", "doesn't work", "does not work",
		"didn't work", "don't work", "won't work", "stopped working", "isn't working", "can't log",
		"cannot log", "can't access", "cannot access", "can't get", "unable", "broken", "broke", "error",
		"bug", "crash", "crashed", "crashes", "down", "outage", "delayed", "delay", "delays", "cancelled",
		"canceled", "cancellation", "lost", "missing", "late", "wrong", "damaged", "defective", "faulty",
		"refund", "charged", "overcharged", "double", "twice", "fee", "fees", "scam", "stranded", "stuck",
		"third time", "second time", "again", "hours", "days", "weeks", "ridiculous", "unacceptable",
		"worst", "terrible", "horrible", "awful", "useless", "joke", "disappointed", "disappointing",
		"complaint", "complain", "rude", "ignored", "ignoring", "failed", "fails", "issue", "issues",
		"problem", "problems", "hung up", "waste", "wasted", "bag", "luggage", "seat", "flight",
		"order", "package", "parcel", "delivery", "service", "support", "agent",
		"bill", "billing", "account", "app", "website", "internet", "connection", "phone",
	}
	requestCues = []string{
		"please", "pls", "plz", "help", "fix", "need", "want", "when will", "where is", "where's",
		"how long", "why", "what happened", "can you", "could you", "can someone", "anyone",
		"let me", "dm", "respond", "reply", "answer", "call", "explain", "asap", "now",
		"how do", "how can", "give me", "want my", "get my", "send", "sort",
	}
	// answerWords are bare refusals, chat commands and filler. A message
	// made of them alone ("no", "No.", "cancel", "zzz") answers a question
	// or steers the bot; it carries no mood, although GoEmotions, where a
	// lone "No." is disapproval, teaches the model otherwise. A wrong
	// negative reading costs an apology and an offer of a person; a bare
	// "yes" or "ok" keeps the model's mild positive reading, which only
	// picks a warmer reply.
	answerWords = []string{"no", "nope", "nah", "cancel", "stop", "menu", "back", "zzz", "hmm", "hm",
		// A correction of an answer: "no wait 20", "no, I meant A-1002" (a
		// number reads as "0", an order number as "a" and "0").
		"wait", "meant", "i", "0", "a",
		// A refusal or deferral: "not now", "not yet", "not this time",
		// "not right now", "nothing else", "never mind"; an easy-going
		// "no rush", "no hurry", "no worries", "no problem". GoEmotions
		// (in train "Not this time" is annoyance) teaches the model
		// frustration (0.51 to 0.62) or a complaint ("no problem": 0.65)
		// there: an apology and an offer of a person to "not yet".
		"not", "now", "yet", "today", "later", "nothing", "else", "right", "this", "that", "time", "one",
		"never", "mind", "rush", "hurry", "worries", "problem",
		// "kk" acknowledges, as "ok" does; VADER's 1.5 made it delight
		// (0.52) for the model, which no GoEmotions comment supports.
		"kk"}
)

// cueSet indexes cue words and pairs by the featurizer's word hash. The
// bitmap filters out most words before the map lookup.
type cueSet struct {
	bits [1 << 10]uint64
	m    map[uint64]uint8
}

func (s *cueSet) add(h uint64, kind uint8) {
	s.m[h] |= kind
	b := h & (1<<16 - 1)
	s.bits[b>>6] |= 1 << (b & 63)
}

func (s *cueSet) get(h uint64) uint8 {
	b := h & (1<<16 - 1)
	if s.bits[b>>6]&(1<<(b&63)) == 0 {
		return 0
	}
	return s.m[h]
}

// cue kinds
const (
	cueProblem uint8 = 1 << iota
	cueRequest
	cueAnswer
)

func newCueSet() *cueSet {
	s := &cueSet{m: map[uint64]uint8{}}
	add := func(list []string, kind uint8) {
		for _, p := range list {
			var prev uint64
			ws := strings.Fields(p)
			for i, w := range ws {
				h := wordHash([]byte(w))
				if i == 0 {
					prev = h
					continue
				}
				prev = prev*31 ^ h
			}
			if len(ws) == 1 {
				s.add(prev, kind)
			} else {
				s.add(prev^seedBigram, kind)
			}
		}
	}
	add(problemCues, cueProblem)
	add(requestCues, cueRequest)
	add(answerWords, cueAnswer)
	return s
}

func wordHash(w []byte) uint64 {
	h := uint64(seedWord)
	for _, b := range w {
		h = (h ^ uint64(b)) * 0x100000001b3
	}
	return h
}

// count returns how many problem and request cues the word hashes hold.
func (s *cueSet) count(hashes []uint64) (problem, request int) {
	for i, h := range hashes {
		k := s.get(h)
		if i > 0 {
			k |= s.get((hashes[i-1]*31 ^ h) ^ seedBigram)
		}
		if k&cueProblem != 0 {
			problem++
		}
		if k&cueRequest != 0 {
			request++
		}
	}
	return problem, request
}

// bareAnswer reports whether the word hashes are all answer words (see
// answerWords).
func (s *cueSet) bareAnswer(hashes []uint64) bool {
	for _, h := range hashes {
		if s.get(h)&cueAnswer == 0 {
			return false
		}
	}
	return len(hashes) > 0
}
