package llmtest

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"math"
	"strings"
	"sync"
	"unicode"

	"github.com/parleyhq/parley/llm"
)

// ErrScriptDone is returned when a [Model] is called after its last step.
var ErrScriptDone = errors.New("llmtest: script exhausted")

// A Step is one scripted model call.
type Step struct {
	// Response is returned (or streamed) when Err is nil.
	Response *llm.Response
	// Err is returned instead of a response. For a stream with
	// FailAfter > 0, it is yielded after FailAfter text chunks.
	Err error
	// FailAfter makes a stream fail after this many chunks.
	FailAfter int
	// Block makes the call wait for its context to end and return its
	// error: a provider that never answers.
	Block bool
}

// Reply is a step answering with text.
func Reply(text string) Step {
	return Step{Response: &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Content: text}, StopReason: "stop",
		Usage: llm.Usage{InputTokens: 10, OutputTokens: len(strings.Fields(text))}}}
}

// Call is a step asking for a tool call with raw JSON arguments (which
// may be invalid on purpose).
func Call(name, args string) Step {
	return Step{Response: &llm.Response{StopReason: "tool_calls", Usage: llm.Usage{InputTokens: 10, OutputTokens: 5},
		Message: llm.Message{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "call_" + name, Name: name, Arguments: json.RawMessage(args)}}}}}
}

// Fail is a step failing with err.
func Fail(err error) Step { return Step{Err: err} }

// HalfStream is a step that streams the first n words of text and then
// fails with [llm.ErrIncomplete]; Generate fails at once.
func HalfStream(text string, n int) Step {
	s := Reply(text)
	s.Err, s.FailAfter = llm.ErrIncomplete, n
	return s
}

// Hang is a step that never answers until the context ends.
func Hang() Step { return Step{Block: true} }

// A Model replays its steps, one per call, and records the requests.
type Model struct {
	mu    sync.Mutex
	steps []Step
	reqs  []llm.Request
}

var (
	_ llm.Model    = (*Model)(nil)
	_ llm.Streamer = (*Model)(nil)
)

// New returns a Model that replays steps in order.
func New(steps ...Step) *Model { return &Model{steps: steps} }

// Requests returns copies of the requests received so far.
func (m *Model) Requests() []llm.Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]llm.Request(nil), m.reqs...)
}

// Calls returns how many calls the model received.
func (m *Model) Calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.reqs)
}

func (m *Model) next(req *llm.Request) (Step, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reqs = append(m.reqs, *req)
	if len(m.steps) == 0 {
		return Step{}, ErrScriptDone
	}
	s := m.steps[0]
	m.steps = m.steps[1:]
	return s, nil
}

// Generate implements [llm.Model].
func (m *Model) Generate(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	s, err := m.next(req)
	if err != nil {
		return nil, err
	}
	if s.Block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if s.Err != nil {
		return nil, s.Err
	}
	r := *s.Response
	return &r, nil
}

// Stream implements [llm.Streamer], streaming the reply word by word.
func (m *Model) Stream(ctx context.Context, req *llm.Request) iter.Seq2[llm.Chunk, error] {
	return func(yield func(llm.Chunk, error) bool) {
		s, err := m.next(req)
		if err != nil {
			yield(llm.Chunk{}, err)
			return
		}
		if s.Block {
			<-ctx.Done()
			yield(llm.Chunk{}, ctx.Err())
			return
		}
		if s.Err != nil && s.FailAfter == 0 {
			yield(llm.Chunk{}, s.Err)
			return
		}
		words := strings.SplitAfter(s.Response.Message.Content, " ")
		for i, w := range words {
			if s.Err != nil && i == s.FailAfter {
				yield(llm.Chunk{}, s.Err)
				return
			}
			if w != "" && !yield(llm.Chunk{Text: w}, nil) {
				return
			}
		}
		r := *s.Response
		yield(llm.Chunk{Response: &r}, nil)
	}
}

// Embedder is a deterministic bag-of-words embedder: each lower-cased
// word is hashed into one of Dim dimensions and the vector normalised, so
// texts sharing words have a positive cosine similarity. It needs no
// model and is meant for tests.
type Embedder struct {
	// Dim is the vector size; 0 means 256.
	Dim int
}

var _ llm.Embedder = Embedder{}

// Embed implements [llm.Embedder].
func (e Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dim := e.Dim
	if dim <= 0 {
		dim = 256
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := make([]float32, dim)
		for _, w := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			v[fnv1a(w)%uint32(dim)]++
		}
		var n float64
		for _, x := range v {
			n += float64(x * x)
		}
		if n > 0 {
			s := float32(1 / math.Sqrt(n))
			for j := range v {
				v[j] *= s
			}
		}
		out[i] = v
	}
	return out, nil
}

// fnv1a is the 32-bit FNV-1a hash of s.
func fnv1a(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
