package learn

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/intent/train"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/schedule"
)

// JobKind is the [schedule.Job] kind of the retrains of a Retrainer
// without a Name; with one, the kind is JobKind + "." + Name. Register
// [Retrainer.Every] for the kind of its [Retrainer.Job].
const JobKind = "learn.retrain"

// A Retrainer retrains an intent model from its base examples and the
// queue's labelled items, and deploys the new model only when it beats
// the serving one on a held-out set. Set its fields before the first
// Retrain and do not change them after.
type Retrainer struct {
	// Queue holds the labelled items. Required.
	Queue *Queue
	// Name names the model in reports and the job's ID ("en").
	Name string
	// Locale, if set, takes only the items understood in this locale
	// ("es" takes "es" and "es-MX").
	Locale string
	// Train are the base training examples; Eval the held-out ones,
	// which no model trains on. Eval must not be empty.
	Train, Eval []train.Example
	// Current is the serving model, replaced by each deployed one.
	// Required.
	Current intent.Classifier
	// Deploy puts a model that passed the gate into service
	// (intent.Understander.SetClassifier). Required.
	Deploy func(ctx context.Context, m *train.Model) error
	// Options are passed to [train.Train].
	Options []train.Option
	// Threshold is the confidence the models' top intent needs to count
	// as predicted in the evaluation (default 0.5); OOSLabel the
	// out-of-scope label (default "oos").
	Threshold float64
	OOSLabel  string

	mu sync.Mutex // one Retrain at a time; guards Current
}

// A Report is the outcome of one retrain.
type Report struct {
	Name string    `json:"name,omitempty"`
	Time time.Time `json:"time"`
	// Labelled counts the labelled items used: Trained of them in the
	// training set, the rest in the held-out set of EvalRows rows.
	Labelled int `json:"labelled"`
	Trained  int `json:"trained"`
	EvalRows int `json:"eval_rows"`
	// Before and After are the serving and the new model on the
	// held-out set.
	Before train.Metrics `json:"before"`
	After  train.Metrics `json:"after"`
	// Deployed says whether the new model replaced the serving one, and
	// Reason why or why not.
	Deployed bool   `json:"deployed"`
	Reason   string `json:"reason"`
}

// Retrain runs the loop once: gather the labelled items, train, score
// both models on the held-out set, deploy the new one if it is better.
// The report is kept in the queue's store ([Retrainer.Reports]) and
// returned, also when the model was not deployed.
func (r *Retrainer) Retrain(ctx context.Context) (Report, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Queue == nil || r.Current == nil || r.Deploy == nil || len(r.Eval) == 0 {
		return Report{}, errors.New("learn: a Retrainer needs Queue, Current, Deploy and Eval")
	}
	threshold, oos := r.Threshold, r.OOSLabel
	if threshold == 0 {
		threshold = 0.5
	}
	if oos == "" {
		oos = "oos"
	}
	items, err := r.Queue.Items(ctx, true)
	if err != nil {
		return Report{}, err
	}
	trainSet := slices.Clone(r.Train)
	evalSet := slices.Clone(r.Eval)
	rep := Report{Name: r.Name, Time: time.Now()}
	for _, it := range items {
		if it.Text == notKept || !r.locale(it.Locale) {
			continue
		}
		rep.Labelled++
		ex := train.Example{Text: it.Text, Intent: it.Label, Source: "review:" + it.ID}
		if heldOut(it.ID) {
			evalSet = append(evalSet, ex)
		} else {
			trainSet = append(trainSet, ex)
			rep.Trained++
		}
	}
	rep.EvalRows = len(evalSet)
	before, err := r.evaluate(ctx, r.Current, evalSet, threshold, oos)
	if err != nil {
		return Report{}, fmt.Errorf("learn: score the serving model: %w", err)
	}
	m, err := train.Train(ctx, trainSet, r.Options...)
	if err != nil {
		return Report{}, fmt.Errorf("learn: train: %w", err)
	}
	after, err := r.evaluate(ctx, m, evalSet, threshold, oos)
	if err != nil {
		return Report{}, fmt.Errorf("learn: score the new model: %w", err)
	}
	rep.Before, rep.After = before, after
	switch {
	case after.Accuracy > before.Accuracy:
		rep.Deployed, rep.Reason = true, "higher accuracy"
	case after.Accuracy == before.Accuracy && after.MacroF1 > before.MacroF1:
		rep.Deployed, rep.Reason = true, "same accuracy, higher macro-F1"
	case after.Accuracy < before.Accuracy:
		rep.Reason = "lower accuracy: kept the serving model"
	default:
		rep.Reason = "no better: kept the serving model"
	}
	if rep.Deployed {
		if err := r.Deploy(ctx, m); err != nil {
			return Report{}, fmt.Errorf("learn: deploy: %w", err)
		}
		r.Current = m
	}
	if err := r.keep(ctx, rep); err != nil {
		return rep, err
	}
	return rep, nil
}

func (r *Retrainer) locale(l string) bool {
	if r.Locale == "" {
		return true
	}
	return l == r.Locale || len(l) > len(r.Locale) && l[:len(r.Locale)] == r.Locale && l[len(r.Locale)] == '-'
}

func (r *Retrainer) evaluate(ctx context.Context, c intent.Classifier, set []train.Example, threshold float64, oos string) (train.Metrics, error) {
	scored, err := train.Score(ctx, c, set)
	if err != nil {
		return train.Metrics{}, err
	}
	return train.Evaluate(scored, oos, threshold), nil
}

// heldOut puts one item in five in the held-out set, by its ID.
func heldOut(id string) bool {
	b, err := hex.DecodeString(id)
	if err != nil || len(b) < 8 {
		var h uint64
		for i := 0; i < len(id); i++ {
			h = h*31 + uint64(id[i])
		}
		return h%5 == 0
	}
	return binary.BigEndian.Uint64(b[:8])%5 == 0
}

const reportPrefix = "learn/report/"

// keep stores rep, for a year.
func (r *Retrainer) keep(ctx context.Context, rep Report) error {
	raw, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("%s%s/%020d", reportPrefix, r.Name, rep.Time.UnixNano())
	if _, err := r.Queue.store.Set(ctx, memory.Put{Key: key, Value: raw, IfVersion: memory.AnyVersion, TTL: 365 * 24 * time.Hour}); err != nil {
		return fmt.Errorf("learn: keep report: %w", err)
	}
	return nil
}

// Reports returns the reports of past retrains of this Retrainer's Name,
// oldest first.
func (r *Retrainer) Reports(ctx context.Context) ([]Report, error) {
	var keys []string
	prefix := reportPrefix + r.Name + "/"
	if err := r.Queue.store.Keys(ctx, prefix, func(k string) bool { keys = append(keys, k); return true }); err != nil {
		return nil, fmt.Errorf("learn: reports: %w", err)
	}
	out := make([]Report, 0, len(keys))
	for _, k := range keys {
		rec, err := r.Queue.store.Get(ctx, k)
		if errors.Is(err, memory.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("learn: reports: %w", err)
		}
		var rep Report
		if err := json.Unmarshal(rec.Value, &rep); err != nil {
			return nil, fmt.Errorf("learn: report %s: %w", k, err)
		}
		out = append(out, rep)
	}
	return out, nil
}

// A Scheduler keeps jobs: [*schedule.Scheduler].
type Scheduler interface {
	Schedule(ctx context.Context, jobs ...schedule.Job) error
}

// Job returns the job of this Retrainer's retrain due at at; schedule it
// once (scheduling it again replaces it).
func (r *Retrainer) Job(at time.Time) schedule.Job {
	kind := JobKind
	if r.Name != "" {
		kind += "." + r.Name
	}
	return schedule.Job{ID: "learn/retrain/" + r.Name, Kind: kind, Due: at, Window: 24 * time.Hour}
}

// Every returns the handler for [JobKind]: it retrains, then schedules
// the next retrain every after the job's due time. A failed retrain is
// retried by the scheduler; a model that is not better is not an error.
func (r *Retrainer) Every(s Scheduler, every time.Duration) schedule.Handler {
	return schedule.HandlerFunc(func(ctx context.Context, j *schedule.Job) error {
		if _, err := r.Retrain(ctx); err != nil {
			return err
		}
		next := j.Due.Add(every)
		if now := time.Now(); next.Before(now) {
			next = now.Add(every)
		}
		return s.Schedule(ctx, r.Job(next))
	})
}
