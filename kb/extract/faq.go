package extract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/parleyhq/parley/kb"
)

// An FAQEntry is a question with its alternative phrasings and answer, as
// a business writes it.
type FAQEntry struct {
	ID        string   `json:"id"`
	Question  string   `json:"question"`
	Phrasings []string `json:"phrasings,omitempty"`
	Answer    string   `json:"answer"`
	URL       string   `json:"url,omitempty"`
}

// Doc returns the entry as a passage from source.
func (e FAQEntry) Doc(source string) kb.Doc {
	return kb.Doc{ID: e.ID, Question: e.Question, Phrasings: e.Phrasings, Text: e.Answer, URL: e.URL, Source: source}
}

// ReadFAQ reads FAQ entries, as a JSON array or as JSON Lines, and returns
// them as passages from source. Entries without an ID get source#n. An
// entry without a question or an answer ([ErrMalformed]) or with the ID
// of an earlier entry ([ErrDuplicate]) is an error naming it, wrapped in
// a [*DocumentError].
func ReadFAQ(r io.Reader, source string) ([]kb.Doc, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, &DocumentError{Name: source, Err: err}
	}
	var entries []FAQEntry
	trimmed := bytes.TrimSpace(raw)
	if bytes.HasPrefix(trimmed, []byte("[")) {
		if err := json.Unmarshal(trimmed, &entries); err != nil {
			return nil, &DocumentError{Name: source, Err: fmt.Errorf("%w: %v", ErrMalformed, err)}
		}
	} else {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		for dec.More() {
			var e FAQEntry
			if err := dec.Decode(&e); err != nil {
				return nil, &DocumentError{Name: source, Err: fmt.Errorf("%w: entry %d: %v", ErrMalformed, len(entries)+1, err)}
			}
			entries = append(entries, e)
		}
	}
	docs := make([]kb.Doc, 0, len(entries))
	seen := make(map[string]bool, len(entries))
	for i, e := range entries {
		if e.ID == "" {
			e.ID = fmt.Sprintf("%s#%d", source, i)
		}
		if strings.TrimSpace(e.Question) == "" || strings.TrimSpace(e.Answer) == "" {
			return nil, &DocumentError{Name: source, Err: fmt.Errorf("%w: entry %q needs a question and an answer", ErrMalformed, e.ID)}
		}
		if seen[e.ID] {
			return nil, &DocumentError{Name: source, Err: fmt.Errorf("%w: entry %d has the ID %q of an earlier entry", ErrDuplicate, i+1, e.ID)}
		}
		seen[e.ID] = true
		d := e.Doc(source)
		d.Position = i
		docs = append(docs, d)
	}
	return docs, nil
}
