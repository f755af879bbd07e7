package sentiment

import (
	"strings"
)

// A cue is the evidence one word or phrase gives for each emotion.
type cue struct {
	frust, conf, urg, del float64
}

func (c cue) zero() bool { return c == cue{} }

// Emotion word lists: Parley's own, written for customer-support text and
// pruned on GoEmotions train (never dev). Weights are evidence on a 0-1
// scale; a message's strength is the clipped sum.
var (
	frustrationWords = map[string]float64{
		"worst": 0.6, "ridiculous": 0.9, "unacceptable": 0.9, "terrible": 0.3, "awful": 0.3,
		"horrible": 0.4, "useless": 0.8, "pathetic": 0.6, "incompetent": 0.7, "scam": 0.5,
		"fraud": 0.6, "ripoff": 0.9, "rip-off": 0.9, "furious": 1, "angry": 0.9, "anger": 0.6,
		"annoyed": 1, "annoying": 1, "annoys": 0.9, "irritating": 0.9, "irritated": 0.9,
		"frustrated": 1, "frustrating": 1, "frustration": 0.9, "disgusted": 0.2, "disgusting": 0.2,
		"outrageous": 0.8, "absurd": 0.7, "nonsense": 0.7, "rubbish": 0.7, "garbage": 0.4,
		"crap": 0.5, "hate": 0.7, "stupid": 0.8, "idiot": 0.9, "idiots": 0.9, "idiotic": 0.7,
		"dumb": 0.6, "moron": 0.8, "morons": 0.7, "wtf": 0.8, "damn": 0.4, "dammit": 0.7,
		"ugh": 0.5, "smh": 0.4, "waste": 0.5, "wasted": 0.2, "shame": 0.4, "shameful": 0.7,
		"disappointed": 0.3, "disappointing": 0.3, "pissed": 0.9, "mad": 0.5, "rude": 0.7,
		"liar": 0.8, "liars": 0.8, "lying": 0.6, "bullshit": 0.8, "bs": 0.6, "sucks": 0.6,
		"unbelievable": 0.2, "seriously": 0.4, "fed": 0.2, "sick": 0.2, "tired": 0.2,
		"overcharged": 0.8, "unhelpful": 0.8, "clueless": 0.5, "joke": 0.2, "disgrace": 0.8,
		"fuck": 0.7, "fucking": 0.6, "shit": 0.5, "hell": 0.5, "shut": 0.5, "bother": 0.4,
		"lazy": 0.4, "hypocrite": 0.8, "hypocrisy": 0.8, "ignorant": 0.4, "cringe": 0.2,
		"toxic": 0.4, "trash": 0.4, "dislike": 0.6, "gross": 0.3, "sigh": 0.2,
		"disagree": 0.5, "dare": 0.5, "bitch": 0.8, "asshole": 1, "assholes": 1, "bastard": 0.8,
		"bastards": 0.8, "fucked": 0.6, "shitty": 0.5, "fool": 0.6, "dumbass": 0.6, "refuse": 0.5,
		"delusional": 0.5, "irrelevant": 0.5, "hatred": 0.5, "aggressive": 0.4, "ridiculously": 0.5,
		"harassment": 0.5, "discrimination": 0.5, "filthy": 0.5,
		"sucked": 0.6, "suck": 0.6, "disturbing": 0.5, "bloody": 0.4, "coward": 0.5, "arguing": 0.4,
		"destroy": 0.4, "abused": 0.4, "offensive": 0.5, "goddamn": 0.5, "piss": 0.5, "hating": 0.5,
		"disrespect": 0.5, "screw": 0.5, "cruel": 0.4, "hates": 0.5, "boring": 0.4, "hated": 0.4,
		"unethical": 0.5, "selfish": 0.4, "ignored": 0.4, "worthless": 0.5, "horribly": 0.4,
		"insulting": 0.5, "nasty": 0.4, "stupidity": 0.5, "bully": 0.4, "vile": 0.4, "refusing": 0.5,
		"loser": 0.4, "blame": 0.4, "blaming": 0.4, "damnit": 0.6, "argument": 0.3,
	}
	confusionWords = map[string]float64{
		"confused": 1, "confusing": 1, "confusion": 1, "unclear": 0.8, "puzzled": 1,
		"baffled": 1, "perplexed": 1, "huh": 0.3, "clarify": 0.4, "lost": 0.2, "idk": 0.5,
		"dunno": 0.3, "understand": 0.3, "sure": 0.15, "mean": 0.2, "wondering": 0.1,
		"wonder": 0.1, "weird": 0.1, "explain": 0.2, "hmm": 0.2, "hmmm": 0.3,
		"why": 0.2, "how": 0.1, "what": 0.1, "wat": 0.3, "wut": 0.3, "eh": 0.1,
		"clue": 0.3, "doubt": 0.25, "understood": 0.2, "whether": 0.2, "guessing": 0.2,
		"question": 0.15, "referring": 0.2, "what's": 0.1,
	}
	urgencyWords = map[string]float64{
		"asap": 1, "urgent": 1, "urgently": 1, "emergency": 1, "immediately": 0.8,
		"now": 0.25, "quickly": 0.4, "hurry": 0.8, "deadline": 0.5, "critical": 0.6,
		"today": 0.2, "tonight": 0.2, "soon": 0.2, "fast": 0.2,
	}
	delightWords = map[string]float64{
		"thanks": 0.9, "thank": 0.9, "thx": 0.9, "ty": 0.6, "grateful": 1, "appreciate": 0.9,
		"appreciated": 0.9, "awesome": 0.8, "amazing": 0.8, "perfect": 0.8, "excellent": 0.8,
		"great": 0.5, "wonderful": 0.9, "fantastic": 0.9, "love": 0.6, "loved": 0.6,
		"lovely": 0.7, "brilliant": 0.7, "glad": 0.7, "happy": 0.6, "yay": 0.9, "woohoo": 1,
		"delighted": 1, "thrilled": 1, "excited": 0.7, "best": 0.4, "helpful": 0.6,
		"cool": 0.4, "nice": 0.4, "sweet": 0.4, "beautiful": 0.5, "congrats": 0.8,
		"congratulations": 0.8, "haha": 0.5, "lol": 0.3, "enjoy": 0.5, "enjoyed": 0.6,
	}
	emotionPhrases = map[string]cue{
		"third time": {frust: 1}, "second time": {frust: 0.6}, "3rd time": {frust: 1},
		"still waiting": {frust: 1, urg: 0.3}, "still not": {frust: 0.6}, "still no": {frust: 0.6},
		"still haven't": {frust: 0.8}, "still hasn't": {frust: 0.8},
		"how many times": {frust: 1}, "fed up": {frust: 1}, "sick of": {frust: 0.9},
		"tired of": {frust: 0.8}, "waste of": {frust: 0.7}, "not working": {frust: 0.5},
		"doesn't work": {frust: 0.5}, "never again": {frust: 0.8}, "what the": {frust: 0.6},
		"are you kidding": {frust: 0.9}, "kidding me": {frust: 0.9}, "give me a": {frust: 0.1},
		"come on": {frust: 0.5}, "for god's": {frust: 0.6}, "so annoying": {frust: 0.5},
		"shut up": {frust: 0.9}, "get lost": {frust: 0.8}, "stop it": {frust: 0.4},
		"don't understand": {conf: 0.7}, "do not understand": {conf: 1}, "don't get": {conf: 0.5},
		"doesn't make": {conf: 0.4, frust: 0.2}, "makes no": {conf: 0.3, frust: 0.4}, "no idea": {conf: 0.6},
		"what do you": {conf: 0.4}, "not sure": {conf: 0.8}, "how come": {conf: 0.6},
		"what does": {conf: 0.4}, "what is": {conf: 0.2}, "i'm lost": {conf: 0.9},
		"am i": {conf: 0.4}, "do you mean": {conf: 0.6},
		"as soon as": {urg: 0.8}, "right now": {urg: 0.8}, "right away": {urg: 0.8},
		"time sensitive": {urg: 1}, "time-sensitive": {urg: 1}, "need it": {urg: 0.4},
		"how dare": {frust: 1}, "i hate": {frust: 0.2}, "the hell": {frust: 0.4}, "the fuck": {frust: 0.3},
		"fuck off": {frust: 0.6}, "don't like": {frust: 0.5}, "dont like": {frust: 0.5}, "not worth": {frust: 0.6},
		"not true": {frust: 0.5}, "that's not": {frust: 0.3}, "is wrong": {frust: 0.4}, "shouldn't be": {frust: 0.4},
		"can't even": {frust: 0.4}, "stop being": {frust: 0.5}, "please stop": {frust: 0.5}, "not good": {frust: 0.4},
		"not a good": {frust: 0.5}, "even worse": {frust: 0.5},
		"don't know": {conf: 0.4}, "i don't know": {conf: 0.2}, "sure what": {conf: 0.3}, "sure if": {conf: 0.2},
		"sure how": {conf: 0.3}, "sure why": {conf: 0.2}, "idea what": {conf: 0.3}, "i doubt": {conf: 0.4},
		"or is": {conf: 0.3}, "know why": {conf: 0.3}, "no clue": {conf: 0.6}, "wait what": {conf: 0.7},
		"wait so": {conf: 0.5}, "never understood": {conf: 0.6}, "you mean": {conf: 0.2}, "can't tell": {conf: 0.4},
		"talking about": {conf: 0.2},
		"thank you":     {del: 1}, "thanks so": {del: 0.3}, "made my": {del: 0.8},
		"you rock": {del: 1}, "well done": {del: 0.7}, "so happy": {del: 0.5},
	}
)

// parleyWords extend the VADER lexicon in [ModeParley] with customer
// service terms it lacks (valence on VADER's -4..4 scale).
var parleyWords = map[string]float64{
	"ripoff": -2.5, "rip-off": -2.5, "overcharged": -2.0, "garbage": -2.2, "scammed": -2.7,
	"unhelpful": -1.8, "unresponsive": -1.6, "clueless": -1.6,
	// Service failures.
	"glitch": -1.2, "glitchy": -1.5, "buggy": -1.6, "crashes": -1.7, "crashed": -1.7,
	"crashing": -1.7, "outage": -1.8, "downtime": -1.2, "unresolved": -1.3, "unanswered": -1.2,
	"overdue": -1.0, "unusable": -2.2, "nightmare": -2.5, "hassle": -1.4, "overpriced": -1.5,
	"incorrect": -1.2,
	// Chat slang VADER lacks.
	"yikes": -1.0, "fml": -2.0, "hahah": 2.0, "lolol": 2.0, "hehe": 1.5, "bravo": 2.5,
	"thanx": 1.9, "tysm": 2.5, "awesomeness": 2.5,
	// Service successes.
	"polite": 1.5, "knowledgeable": 1.5, "seamless": 1.8, "hassle-free": 2.0, "prompt": 0.8,
	// Support commands and filler VADER scores negative: "cancel" asks
	// for something ("cancelled", what happened to a flight, keeps its
	// valence); "zzz" is keyboard filler in a chat, not boredom.
	"cancel": 0, "zzz": 0,
	// Kisses that sign a message off ("where is my lamp xoxo"): warmth
	// towards the reader, not joy at the outcome. VADER rates them 2.3
	// to 3.0, which made the model read delight (0.59 there, 0.77 alone),
	// the signal that a conversation is resolved; GoEmotions train has 3
	// comments with "xoxo" and none with the others. "xxx" and "xx" are
	// in no list: alone they carry no evidence, after a request they move
	// delight by less than 0.1.
	"xoxo": 0, "muah": 0, "mwah": 0,
}

// stopWords are frequent English function words: text with none of them
// and no lexicon word is probably in another language.
var stopWords = [...]string{"the", "a", "an", "and", "or", "of", "to", "in", "on", "at", "for",
	"with", "is", "are", "was", "were", "be", "been", "it", "this", "that", "i", "you", "he", "she",
	"we", "they", "my", "your", "me", "have", "has", "had", "do", "does", "did", "what", "when",
	"where", "how", "why", "who", "which", "can", "will", "would", "should", "could", "from",
	"by", "as", "if", "then", "so", "there", "here", "about", "just", "get", "got", "want",
	"need", "please", "hi", "hello", "hey", "ok", "okay", "yes", "order", "account", "i'm"}

// Phrase parts are flagged so that bigram lookups happen only where they
// can match.
const fPhrase uint16 = 1 << 8

func (l *Lexical) addCues(get func(string) *entry) {
	// cueOf returns the cue of w in l.cues, adding one if w has none.
	cueOf := func(w string) *cue {
		e := get(w)
		if e.cue == 0 {
			e.cue = uint16(len(l.cues))
			l.cues = append(l.cues, cue{})
		}
		return &l.cues[e.cue]
	}
	for w, x := range frustrationWords {
		cueOf(w).frust = x
	}
	for w, x := range confusionWords {
		cueOf(w).conf = x
	}
	for w, x := range urgencyWords {
		cueOf(w).urg = x
	}
	for w, x := range delightWords {
		cueOf(w).del = x
	}
	for p, c := range emotionPhrases {
		l.phrases[p] = c
		for w := range strings.SplitSeq(p, " ") {
			get(w).flags |= fPhrase
		}
	}
}

func clip01(x float64) float64 { return max(0, min(1, x)) }

// shouted reports whether an upper-case token is a shouted word: three
// letters or more and no digit. Order numbers, postcodes and other codes
// ("A-1003", "EH6 6JJ") are written in capitals without anyone shouting.
func shouted(w []byte) bool {
	letters := 0
	for _, c := range w {
		switch {
		case '0' <= c && c <= '9':
			return false
		case 'a' <= c && c <= 'z' || c >= 0x80:
			letters++
		}
	}
	return letters >= 3
}

// notShouting reports whether a lower-cased word written in capitals is
// a code keyword or an acronym that is written in capitals without
// anyone shouting ("NULL", "my PDF invoice", "the DHL tracking"). SQL
// keywords that are English words too ("WHERE", "FROM", "DROP") are left
// to codeLike: "WHERE IS MY ORDER" is shouting.
func notShouting(w []byte) bool {
	switch string(w) {
	case "null", "varchar", "nvarchar", "exec", "sql", "html", "json", "xml", "http", "https",
		"url", "api", "pdf", "csv", "faq", "usb", "sms", "pin", "vat", "iban", "cvv",
		"ups", "dhl", "usps", "fedex", "tnt":
		return true
	}
	return false
}

// codeLike reports whether text reads as code or markup rather than
// prose: three or more of ; ( ) { } [ ] = < > | ` $ or "--", making up at
// least a tenth of its non-space bytes ("Robert'); DROP TABLE orders;--").
// Capitals there are no shouting. Only called when a text has shouted
// words, so it costs nothing on most texts.
func codeLike(text string) bool {
	code, other := 0, 0
	for i := 0; i < len(text); i++ {
		k := codeClass[text[i]]
		if k == codeDash {
			if i+1 < len(text) && text[i+1] == '-' {
				code++
				i++
			} else {
				other++
			}
			continue
		}
		code += int(k & codeCode)
		other += int(k >> 1 & 1)
	}
	return code >= 3 && code*10 >= code+other
}

// Byte classes of codeLike: code punctuation, other non-space bytes, a
// hyphen (two make "--", code); white space is 0.
const (
	codeCode  = 1
	codeOther = 2
	codeDash  = 4
)

var codeClass = func() (t [256]uint8) {
	for c := range t {
		t[c] = codeOther
	}
	for _, c := range ";(){}[]=<>|`$" {
		t[c] = codeCode
	}
	for _, c := range " \t\n\r" {
		t[c] = 0
	}
	t['-'] = codeDash
	return t
}()

// calmed reports whether the urgency word at toks[i] is negated: a
// negation or "no" up to three words before it in the same clause ("not
// urgent", "no hurry", "no need to hurry", "I'm not in a hurry"). Said
// so, it tells the bot there is time: no urgency (it was 0.8 to 1).
func calmed(toks []token, i int) bool {
	for j := i - 1; j >= 0 && j >= i-3; j-- {
		if toks[j].brk {
			return false
		}
		if toks[j].neg || toks[j].e.word == wNo {
			return true
		}
	}
	return false
}

// emotions scores the emotion cues of the tokenised text.
func (l *Lexical) emotions(text string, sc *scratch, compound float64) Emotions {
	toks, buf := sc.toks, sc.buf
	var s cue
	var arr [96]byte
	caps := 0
	for i := range toks {
		t := &toks[i]
		if ci := t.e.cue; ci != 0 && !l.cues[ci].zero() {
			c := l.cues[ci]
			// A negated delight word ("not happy", "no thanks") is not
			// delight; a negated frustration word is weaker.
			if i > 0 && toks[i-1].neg || i > 1 && toks[i-2].neg {
				c.frust *= 0.3
				c.del = 0
			}
			if c.urg > 0 && l.fixes&fixCalm != 0 && calmed(toks, i) {
				c.urg = 0
			}
			s.frust += c.frust
			s.conf += c.conf
			s.urg += c.urg
			s.del += c.del
		}
		if t.upper && t.hi-t.lo >= 3 && shouted(buf[t.lo:t.hi]) && !notShouting(buf[t.lo:t.hi]) {
			caps++
		}
		if t.e.flags&fPhrase == 0 || i+1 >= len(toks) || toks[i+1].e.flags&fPhrase == 0 {
			continue
		}
		b := append(append(append(arr[:0], buf[t.lo:t.hi]...), ' '), buf[toks[i+1].lo:toks[i+1].hi]...)
		if p, ok := l.phrases[string(b)]; ok {
			s.frust += p.frust
			s.conf += p.conf
			s.urg += p.urg
			s.del += p.del
		}
		if i+2 < len(toks) && toks[i+2].e.flags&fPhrase != 0 {
			b = append(append(b, ' '), buf[toks[i+2].lo:toks[i+2].hi]...)
			if p, ok := l.phrases[string(b)]; ok {
				s.frust += p.frust
				s.conf += p.conf
				s.urg += p.urg
				s.del += p.del
			}
		}
	}
	if caps > 0 && sc.codeLike(text) {
		caps = 0
	}
	// Typography: shouting, "?!" runs, exclamation runs, question marks.
	if caps >= 2 || (caps == 1 && len(toks) <= 3 && len(toks) > 0) {
		s.frust += 0.4
	}
	if strings.Contains(text, "?!") || strings.Contains(text, "!?") {
		s.frust += 0.5
		s.conf += 0.2
	}
	if strings.Contains(text, "!!!") {
		if compound < 0 {
			s.frust += 0.3
		} else {
			s.del += 0.3
		}
	}
	if q := strings.Count(text, "?"); q > 0 {
		s.conf += 0.15 * float64(min(q, 3))
	}
	// Polarity as weak evidence.
	if compound < -0.5 {
		s.frust += 0.3
	} else if compound < -0.2 {
		s.frust += 0.1
	} else if compound > 0.5 {
		s.del += 0.2
	}
	return Emotions{Frustration: clip01(s.frust), Confusion: clip01(s.conf), Urgency: clip01(s.urg), Delight: clip01(s.del)}
}
