package sentiment

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// stateKey keeps a conversation's [State] in its session; [LoadState]
// reads it.
var stateKey = memory.NewStateKey[State]("sentiment")

// Event kinds emitted by [Middleware].
const (
	// EventScored is emitted for every scored turn; Attrs hold label,
	// score, trend, frustration, confusion, urgency and delight.
	EventScored parley.EventKind = "sentiment.scored"
	// EventError is emitted when the analyzer fails and the middleware was
	// told to continue ([ContinueOnError]), or when the stored state could
	// not be decoded and was reset; Err holds the cause.
	EventError parley.EventKind = "sentiment.error"
)

// State is the conversation-level sentiment, kept in the session under
// [StateName].
type State struct {
	// Scores are the per-turn scores (0-1), oldest first, at most the
	// window size (default 50).
	Scores []float64 `json:"scores,omitempty"`
	// Trend is the exponentially smoothed score.
	Trend float64 `json:"trend"`
	// Min is the lowest score so far; First the first one.
	Min   float64 `json:"min"`
	First float64 `json:"first"`
	// Turns counts scored turns, including those out of the window.
	Turns int `json:"turns"`
	// Fallbacks counts consecutive turns the language understanding was
	// unsure of or found out of scope.
	Fallbacks int `json:"fallbacks,omitempty"`
	// Repeats counts consecutive turns in which the user repeated an
	// earlier message.
	Repeats int `json:"repeats,omitempty"`
	// Recent holds normalised recent user texts, for repeat detection.
	Recent []string `json:"recent,omitempty"`
}

// Last returns the latest score, or 0.5 (neutral) before the first turn.
func (s State) Last() float64 {
	if len(s.Scores) == 0 {
		return 0.5
	}
	return s.Scores[len(s.Scores)-1]
}

// Change returns the change of the score since the first turn.
func (s State) Change() float64 {
	if s.Turns == 0 {
		return 0
	}
	return s.Last() - s.First
}

// Falling reports whether the smoothed trend has dropped by more than
// delta from the first turn and the latest score is below it.
func (s State) Falling(delta float64) bool {
	return s.Turns >= 2 && s.First-s.Trend > delta && s.Last() <= s.Trend
}

// LoadState returns the conversation's sentiment state from the turn's
// session. It reports false when there is none (no session, or no turn
// scored yet).
func LoadState(t *parley.Turn) (State, bool, error) {
	s := t.Session()
	if s == nil {
		return State{}, false, nil
	}
	return stateKey.Get(s)
}

// A MiddlewareOption configures [Middleware].
type MiddlewareOption func(*mwConfig)

type mwConfig struct {
	smoothing float64
	window    int
	cont      bool
	langs     map[string]Analyzer
}

// WithSmoothing sets the weight of the newest score in the trend (default
// 0.5): trend = w*score + (1-w)*trend.
func WithSmoothing(w float64) MiddlewareOption {
	return func(c *mwConfig) {
		if w > 0 && w <= 1 {
			c.smoothing = w
		}
	}
}

// WithWindow sets how many per-turn scores the state keeps (default 50).
func WithWindow(n int) MiddlewareOption {
	return func(c *mwConfig) {
		if n > 0 {
			c.window = n
		}
	}
}

// ForLanguage scores the turns whose locale is in language lang (a BCP 47
// primary language subtag such as "es") with a instead of the
// middleware's analyzer: sentiment.ForLanguage("es", spanish). The
// locale is the turn's [parley.Turn.Locale], else the one its
// [nlu.Understanding] reports. A nil a is ignored.
func ForLanguage(lang string, a Analyzer) MiddlewareOption {
	return func(c *mwConfig) {
		if a == nil || lang == "" {
			return
		}
		if c.langs == nil {
			c.langs = map[string]Analyzer{}
		}
		c.langs[strings.ToLower(lang)] = a
	}
}

// analyzerFor returns the analyzer for the turn's language.
func (c *mwConfig) analyzerFor(t *parley.Turn, a Analyzer) Analyzer {
	if len(c.langs) == 0 {
		return a
	}
	loc := t.Locale
	if loc == "" {
		if u, ok := parley.Value(t, nlu.UnderstandingKey); ok {
			loc = u.Locale
		}
	}
	lang, _, _ := strings.Cut(strings.ReplaceAll(loc, "_", "-"), "-")
	if la, ok := c.langs[strings.ToLower(lang)]; ok {
		return la
	}
	return a
}

// ContinueOnError makes the middleware continue without a Mood when the
// analyzer fails (an [EventError] reports it), instead of failing the
// turn. Use it with a network analyzer whose outage should not stop the
// bot.
func ContinueOnError() MiddlewareOption { return func(c *mwConfig) { c.cont = true } }

// Middleware scores every text turn with a, adds conversation signals
// (repeated fallbacks from [nlu.Understanding], the user repeating
// themselves), updates the [State] in the session and annotates the turn
// with a [nlu.Mood] under [nlu.MoodKey] before calling the next
// handler. Place it after the intent middleware so that the
// understanding is there.
//
// Turns without text (signals, taps of attachments) get the current trend
// as a neutral Mood and leave the state unchanged. An analyzer error fails
// the turn, unless [ContinueOnError] is given. It panics if a is nil.
func Middleware(a Analyzer, opts ...MiddlewareOption) parley.Middleware {
	if a == nil {
		panic("sentiment: Middleware with nil analyzer")
	}
	c := mwConfig{smoothing: 0.5, window: 50}
	for _, o := range opts {
		o(&c)
	}
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			t2, err := annotate(ctx, a, &c, t)
			if err != nil {
				return err
			}
			return next.HandleTurn(ctx, w, t2)
		})
	}
}

func annotate(ctx context.Context, a Analyzer, c *mwConfig, t *parley.Turn) (*parley.Turn, error) {
	st, _, err := LoadState(t)
	if err != nil {
		// A corrupt state must not trap the conversation: report it and
		// start afresh.
		t.Emit(ctx, parley.Event{Kind: EventError, Err: err})
		st = State{}
	}
	text := strings.TrimSpace(t.Text())
	if text == "" {
		m := nlu.Mood{Compound: 0, Score: 0.5, Label: string(Neutral), Trend: st.Trend}
		if st.Turns == 0 {
			m.Trend = 0.5
		}
		return parley.With(t, nlu.MoodKey, m), nil
	}
	r, err := c.analyzerFor(t, a).Analyze(ctx, text)
	if err != nil {
		err = fmt.Errorf("sentiment: analyze: %w", err)
		if !c.cont {
			return nil, err
		}
		t.Emit(ctx, parley.Event{Kind: EventError, Err: err})
		return t, nil
	}
	m := r.Mood()
	conversationSignals(t, &st, &m, text)
	st.record(m.Score, c)
	m.Trend = st.Trend
	if s := t.Session(); s != nil {
		if err := stateKey.Set(s, st); err != nil {
			return nil, err
		}
	}
	if t.Observed() {
		t.Emit(ctx, parley.Event{Kind: EventScored, Attrs: map[string]string{
			"label": m.Label, "score": ftoa(m.Score), "trend": ftoa(m.Trend),
			"frustration": ftoa(m.Frustration), "confusion": ftoa(m.Confusion),
			"urgency": ftoa(m.Urgency), "delight": ftoa(m.Delight),
		}})
	}
	return parley.With(t, nlu.MoodKey, m), nil
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

func (s *State) record(score float64, c *mwConfig) {
	if s.Turns == 0 {
		s.First, s.Min, s.Trend = score, score, score
	} else {
		s.Trend = c.smoothing*score + (1-c.smoothing)*s.Trend
		s.Min = min(s.Min, score)
	}
	s.Turns++
	s.Scores = append(s.Scores, score)
	if over := len(s.Scores) - c.window; over > 0 {
		s.Scores = append(s.Scores[:0], s.Scores[over:]...)
	}
}

// conversationSignals raises frustration and confusion from what the
// conversation shows: consecutive fallbacks and repeated messages.
func conversationSignals(t *parley.Turn, st *State, m *nlu.Mood, text string) {
	if u, ok := parley.Value(t, nlu.UnderstandingKey); ok {
		if u.Status == nlu.Unsure || u.Status == nlu.OutOfScope {
			st.Fallbacks++
		} else {
			st.Fallbacks = 0
		}
	}
	if st.Fallbacks >= 1 {
		m.Confusion = clip01(m.Confusion + 0.2)
	}
	if st.Fallbacks >= 2 {
		m.Frustration = clip01(m.Frustration + 0.25*float64(min(st.Fallbacks-1, 3)))
	}
	norm := normalize(text)
	repeated := false
	if len(norm) >= 8 {
		for _, prev := range st.Recent {
			if similar(norm, prev) {
				repeated = true
				break
			}
		}
	}
	if repeated {
		st.Repeats++
		m.Frustration = clip01(m.Frustration + 0.3*float64(min(st.Repeats, 2)))
	} else {
		st.Repeats = 0
	}
	st.Recent = append(st.Recent, norm)
	if over := len(st.Recent) - 5; over > 0 {
		st.Recent = append(st.Recent[:0], st.Recent[over:]...)
	}
}

// normalize lower-cases text, keeps letters and digits and single spaces,
// and caps it at 200 bytes.
func normalize(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if b.Len() >= 200 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r >= 0x80:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// similar reports whether two normalised texts share at least 80% of
// their words (Jaccard).
func similar(a, b string) bool {
	if a == b {
		return true
	}
	wa, wb := strings.Fields(a), strings.Fields(b)
	set := make(map[string]bool, len(wa))
	for _, w := range wa {
		set[w] = true
	}
	inter, union := 0, len(set)
	seen := make(map[string]bool, len(wb))
	for _, w := range wb {
		if seen[w] {
			continue
		}
		seen[w] = true
		if set[w] {
			inter++
		} else {
			union++
		}
	}
	return union > 0 && float64(inter)/float64(union) >= 0.8
}
