package train

import (
	"fmt"
	"slices"
	"strings"
)

// A Problem is one finding about training data.
type Problem struct {
	// Severity is "error" (training refuses the data) or "warning".
	Severity string
	// Message says what is wrong.
	Message string
	// Rows names the examples involved by their Source, or by 1-based
	// position ("#12") when they have none.
	Rows []string
}

// String formats the problem on one line.
func (p Problem) String() string {
	if len(p.Rows) == 0 {
		return p.Severity + ": " + p.Message
	}
	return fmt.Sprintf("%s: %s (%s)", p.Severity, p.Message, strings.Join(p.Rows, ", "))
}

// A DataError reports training data that cannot be used, naming the rows.
type DataError struct {
	Problems []Problem
}

// Error lists the problems.
func (e *DataError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.String()
	}
	return "intent: bad training data: " + strings.Join(msgs, "; ")
}

// MinExamples is the number of examples per intent below which [Validate]
// warns.
const MinExamples = 5

func rowName(e Example, i int) string {
	if e.Source != "" {
		return e.Source
	}
	return fmt.Sprintf("#%d", i+1)
}

// Validate checks training data and returns its problems, errors first:
// examples with an empty intent or text (errors); fewer than two intents
// (error); the same normalised utterance under two intents (warning,
// conflicting); exact duplicates within an intent (warning); intents with
// fewer than [MinExamples] examples (warning). The out-of-scope label
// oosLabel is exempt from the count checks.
func Validate(examples []Example, oosLabel string) []Problem {
	var errs, warns []Problem
	byText := make(map[string][]int)
	count := make(map[string][]string)
	var order []string
	for i, e := range examples {
		name := rowName(e, i)
		switch {
		case strings.TrimSpace(e.Intent) == "":
			errs = append(errs, Problem{"error", "empty intent name", []string{name}})
			continue
		case strings.TrimSpace(e.Text) == "":
			errs = append(errs, Problem{"error", fmt.Sprintf("empty text for intent %q", e.Intent), []string{name}})
			continue
		}
		if _, ok := count[e.Intent]; !ok {
			order = append(order, e.Intent)
		}
		count[e.Intent] = append(count[e.Intent], name)
		k := Normalize(e.Text)
		byText[k] = append(byText[k], i)
	}
	if len(order) < 2 {
		errs = append(errs, Problem{Severity: "error", Message: fmt.Sprintf("need at least two intents, have %d", len(order))})
	}
	texts := make([]string, 0, len(byText))
	for k := range byText {
		texts = append(texts, k)
	}
	slices.SortFunc(texts, func(a, b string) int { return byText[a][0] - byText[b][0] })
	for _, k := range texts {
		rows := byText[k]
		if len(rows) < 2 {
			continue
		}
		intents := make(map[string]bool)
		names := make([]string, len(rows))
		for j, i := range rows {
			intents[examples[i].Intent] = true
			names[j] = rowName(examples[i], i)
		}
		if len(intents) > 1 {
			list := make([]string, 0, len(intents))
			for l := range intents {
				list = append(list, l)
			}
			slices.Sort(list)
			warns = append(warns, Problem{"warning", fmt.Sprintf("%q is labelled with different intents: %s", k, strings.Join(list, ", ")), names})
		} else {
			warns = append(warns, Problem{"warning", fmt.Sprintf("duplicate example %q", k), names})
		}
	}
	for _, l := range order {
		if l != oosLabel && len(count[l]) < MinExamples {
			warns = append(warns, Problem{"warning", fmt.Sprintf("intent %q has only %d example(s); at least %d are advised", l, len(count[l]), MinExamples), count[l]})
		}
	}
	return append(errs, warns...)
}

// checkTrainable returns a [*DataError] if Validate finds errors.
func checkTrainable(examples []Example, oosLabel string) error {
	var errs []Problem
	for _, p := range Validate(examples, oosLabel) {
		if p.Severity == "error" {
			errs = append(errs, p)
		}
	}
	if len(errs) > 0 {
		return &DataError{Problems: errs}
	}
	return nil
}
