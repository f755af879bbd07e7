package sentiment

import _ "embed"

// The VADER lexicon and emoji lexicon, (c) C.J. Hutto, MIT licence: see
// lexicon/LICENSE.txt, shipped next to them.
var (
	//go:embed lexicon/vader_lexicon.txt
	vaderLexicon string
	//go:embed lexicon/emoji_utf8_lexicon.txt
	emojiLexicon string
	//go:embed lexicon/LICENSE.txt
	vaderLicense string
)

// VADERLicense returns the licence notice of the embedded VADER lexicon
// (MIT, C.J. Hutto), for applications that show third-party notices.
func VADERLicense() string { return vaderLicense }

// VADER's empirically derived constants.
const (
	bIncr   = 0.293
	bDecr   = -0.293
	cIncr   = 0.733
	nScalar = -0.74
)

// negateWords are VADER's negations; a word containing "n't" also negates.
var negateWords = [...]string{"aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
	"ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
	"dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
	"don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
	"neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
	"oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
	"oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
	"without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite"}

// boosterWords are VADER's intensifiers and dampeners (read-only).
var boosterWords = map[string]float64{
	"absolutely": bIncr, "amazingly": bIncr, "awfully": bIncr, "completely": bIncr, "considerable": bIncr,
	"considerably": bIncr, "decidedly": bIncr, "deeply": bIncr, "effing": bIncr, "enormous": bIncr,
	"enormously": bIncr, "entirely": bIncr, "especially": bIncr, "exceptional": bIncr,
	"exceptionally": bIncr, "extreme": bIncr, "extremely": bIncr, "fabulously": bIncr,
	"flipping": bIncr, "flippin": bIncr, "frackin": bIncr, "fracking": bIncr, "fricking": bIncr,
	"frickin": bIncr, "frigging": bIncr, "friggin": bIncr, "fully": bIncr, "fuckin": bIncr,
	"fucking": bIncr, "fuggin": bIncr, "fugging": bIncr, "greatly": bIncr, "hella": bIncr,
	"highly": bIncr, "hugely": bIncr, "incredible": bIncr, "incredibly": bIncr, "intensely": bIncr,
	"major": bIncr, "majorly": bIncr, "more": bIncr, "most": bIncr, "particularly": bIncr,
	"purely": bIncr, "quite": bIncr, "really": bIncr, "remarkably": bIncr, "so": bIncr,
	"substantially": bIncr, "thoroughly": bIncr, "total": bIncr, "totally": bIncr,
	"tremendous": bIncr, "tremendously": bIncr, "uber": bIncr, "unbelievably": bIncr,
	"unusually": bIncr, "utter": bIncr, "utterly": bIncr, "very": bIncr,
	"almost": bDecr, "barely": bDecr, "hardly": bDecr, "just enough": bDecr, "kind of": bDecr,
	"kinda": bDecr, "kindof": bDecr, "kind-of": bDecr, "less": bDecr, "little": bDecr,
	"marginal": bDecr, "marginally": bDecr, "occasional": bDecr, "occasionally": bDecr,
	"partly": bDecr, "scarce": bDecr, "scarcely": bDecr, "slight": bDecr, "slightly": bDecr,
	"somewhat": bDecr, "sort of": bDecr, "sorta": bDecr, "sortof": bDecr, "sort-of": bDecr,
}

// specialCases are VADER's sentiment-laden idioms (read-only).
var specialCases = map[string]float64{
	"the shit": 3, "the bomb": 3, "bad ass": 1.5, "badass": 1.5, "bus stop": 0.0,
	"yeah right": -2, "kiss of death": -1.5, "to die for": 3,
	"beating heart": 3.1, "broken heart": -2.9,
}

// parleyBoosters are intensifiers VADER lacks, used in ModeParley. Those
// that are also lexicon words ("pretty", "super") intensify only when a
// sentiment word follows: "pretty bad" is bad, not neutral.
var parleyBoosters = [...]string{"super", "pretty", "freaking", "freakin", "insanely", "mega", "real", "damn"}
