package train

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrFormat is wrapped by errors about malformed training files.
var ErrFormat = errors.New("intent: malformed training data")

// A RowError reports a malformed row of a training file.
type RowError struct {
	File string // file name, may be empty
	Line int    // 1-based line
	Err  error
}

// Error names the file and line.
func (e *RowError) Error() string {
	return fmt.Sprintf("%s:%d: %v", e.fileName(), e.Line, e.Err)
}

func (e *RowError) fileName() string {
	if e.File == "" {
		return "input"
	}
	return e.File
}

// Unwrap returns the cause.
func (e *RowError) Unwrap() error { return e.Err }

// ReadCSV reads examples from CSV with the header "text,intent" (extra
// columns are ignored; the two may come in either order). name is used
// in [Example.Source] ("name:LINE") and in errors. A malformed row gives a
// [*RowError] wrapping [ErrFormat]; all malformed rows are reported, joined.
func ReadCSV(r io.Reader, name string) ([]Example, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &RowError{File: name, Line: 1, Err: fmt.Errorf("%w: empty file, want header text,intent", ErrFormat)}
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	ti, ii := -1, -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "text":
			ti = i
		case "intent":
			ii = i
		}
	}
	if ti < 0 || ii < 0 {
		return nil, &RowError{File: name, Line: 1, Err: fmt.Errorf("%w: header %q lacks text and intent columns", ErrFormat, strings.Join(header, ","))}
	}
	var (
		out  []Example
		errs []error
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err == csv.ErrFieldCount {
				continue // cannot happen with FieldsPerRecord = -1
			}
			errs = append(errs, csvError(name, err))
			if len(errs) >= 20 || !errors.As(err, &pe) {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rec) <= max(ti, ii) {
			errs = append(errs, &RowError{File: name, Line: line, Err: fmt.Errorf("%w: %d field(s), want text and intent", ErrFormat, len(rec))})
			continue
		}
		out = append(out, Example{
			Text:   rec[ti],
			Intent: strings.TrimSpace(rec[ii]),
			Source: fmt.Sprintf("%s:%d", sourceName(name), line),
		})
	}
	if len(errs) > 0 {
		return out, errors.Join(errs...)
	}
	return out, nil
}

func sourceName(name string) string {
	if name == "" {
		return "line"
	}
	return name
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &RowError{File: name, Line: pe.Line, Err: fmt.Errorf("%w: %v", ErrFormat, pe.Err)}
	}
	return fmt.Errorf("intent: read %s: %w", name, err)
}

// yamlFile is the YAML training format:
//
//	intents:
//	  track_order:
//	    - where is my order
//	    - track my package
//	  refund:
//	    - I want my money back
type yamlFile struct {
	Intents yaml.Node `yaml:"intents"`
}

// ReadYAML reads examples from YAML: a top-level "intents" mapping from
// intent names to lists of utterances. Errors name the line.
func ReadYAML(r io.Reader, name string) ([]Example, error) {
	var f yamlFile
	dec := yaml.NewDecoder(r)
	if err := dec.Decode(&f); err != nil {
		if err == io.EOF {
			return nil, &RowError{File: name, Line: 1, Err: fmt.Errorf("%w: empty file, want an intents mapping", ErrFormat)}
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrFormat, sourceName(name), err)
	}
	n := &f.Intents
	if n.Kind != yaml.MappingNode {
		return nil, &RowError{File: name, Line: max(n.Line, 1), Err: fmt.Errorf("%w: intents must map intent names to lists of examples", ErrFormat)}
	}
	var (
		out  []Example
		errs []error
	)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			errs = append(errs, &RowError{File: name, Line: k.Line, Err: fmt.Errorf("%w: intent name must be a string", ErrFormat)})
			continue
		}
		if v.Kind != yaml.SequenceNode {
			errs = append(errs, &RowError{File: name, Line: v.Line, Err: fmt.Errorf("%w: intent %q: want a list of examples", ErrFormat, k.Value)})
			continue
		}
		for _, u := range v.Content {
			if u.Kind != yaml.ScalarNode {
				errs = append(errs, &RowError{File: name, Line: u.Line, Err: fmt.Errorf("%w: intent %q: example must be a string", ErrFormat, k.Value)})
				continue
			}
			out = append(out, Example{Text: u.Value, Intent: strings.TrimSpace(k.Value), Source: fmt.Sprintf("%s:%d", sourceName(name), u.Line)})
		}
	}
	if len(errs) > 0 {
		return out, errors.Join(errs...)
	}
	return out, nil
}

// LoadFile reads training examples from a .csv, .yaml or .yml file.
func LoadFile(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("intent: %w", err)
	}
	defer f.Close()
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return ReadCSV(f, path)
	case ".yaml", ".yml":
		return ReadYAML(f, path)
	}
	return nil, fmt.Errorf("%w: %s: unknown extension, want .csv, .yaml or .yml", ErrFormat, path)
}
