package learn_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/intent/learn"
	"github.com/parleyhq/parley/intent/train"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
	"github.com/parleyhq/parley/schedule"
)

// understood stands in for the understander's middleware: it annotates
// each turn with the understanding given for its text.
func understood(by map[string]nlu.Understanding) parley.Middleware {
	return func(next parley.Handler) parley.Handler {
		return parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			return next.HandleTurn(ctx, w, parley.With(t, nlu.UnderstandingKey, by[t.Text()]))
		})
	}
}

func say(t *testing.T, bot *parley.Bot, conv, id, text string) {
	t.Helper()
	require.NoError(t, bot.HandleTurn(context.Background(), parley.ReplyFunc(func(context.Context, parley.Message) error { return nil }),
		&parley.Turn{ConversationID: conv, CustomerID: "cus_1", Channel: "web", MessageID: id, Message: parley.Text(text)}))
}

// TestQueueMiddleware: turns the model was unsure about, or understood
// with low confidence, are queued with their text redacted; confident
// ones are not; a redelivered turn is queued once.
func TestQueueMiddleware(t *testing.T) {
	store := memory.NewMap()
	q := learn.NewQueue(store, learn.WithRedactor(func(_ context.Context, customerID, text string) (string, error) {
		assert.Equal(t, "cus_1", customerID)
		return strings.ReplaceAll(text, "ada@example.com", "[email]"), nil
	}))
	var mu sync.Mutex
	var events []parley.Event
	bot := parley.NewBot(parley.Chain(parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil }),
		understood(map[string]nlu.Understanding{
			"where is my order":            {Status: nlu.Understood, Intent: nlu.Intent{Name: "track_order", Confidence: 0.97}},
			"my parcel went walkabout":     {Status: nlu.Unsure, Ranked: []nlu.Intent{{Name: "track_order", Confidence: 0.41}}, Locale: "en"},
			"mail ada@example.com a label": {Status: nlu.Understood, Intent: nlu.Intent{Name: "refund", Confidence: 0.78}, Locale: "en"},
			"asdf":                         {Status: nlu.OutOfScope},
		}), learn.Middleware(q)),
		parley.WithObserver(parley.ObserverFunc(func(_ context.Context, e parley.Event) {
			mu.Lock()
			defer mu.Unlock()
			if e.Kind == learn.EventQueued {
				events = append(events, e)
			}
		})))
	say(t, bot, "c1", "m1", "where is my order")
	say(t, bot, "c1", "m2", "my parcel went walkabout")
	say(t, bot, "c2", "m1", "mail ada@example.com a label")
	say(t, bot, "c2", "m2", "asdf")

	items, err := q.Items(context.Background(), false)
	require.NoError(t, err)
	require.Len(t, items, 3)
	assert.Equal(t, []string{"my parcel went walkabout", "mail [email] a label", "asdf"},
		[]string{items[0].Text, items[1].Text, items[2].Text})
	assert.Equal(t, []string{"unsure", learn.ReasonLowConfidence, "out_of_scope"},
		[]string{items[0].Reason, items[1].Reason, items[2].Reason})
	assert.Equal(t, "track_order", items[0].Guess)
	assert.InDelta(t, 0.41, items[0].Confidence, 1e-9)
	assert.Equal(t, "c1", items[0].Conversation)
	assert.Len(t, events, 3)

	// The same turn again (a retry after a crash) is queued once.
	require.NoError(t, q.Add(context.Background(), "cus_1", items[0]))
	items, err = q.Items(context.Background(), false)
	require.NoError(t, err)
	assert.Len(t, items, 3)

	require.NoError(t, q.Label(context.Background(), items[0].ID, "track_order", "Sam"))
	require.NoError(t, q.Discard(context.Background(), items[2].ID))
	require.ErrorIs(t, q.Label(context.Background(), "nope", "refund", "Sam"), learn.ErrNotFound)
	pending, err := q.Items(context.Background(), false)
	require.NoError(t, err)
	assert.Len(t, pending, 1)
	done, err := q.Items(context.Background(), true)
	require.NoError(t, err)
	require.Len(t, done, 1)
	assert.Equal(t, "track_order", done[0].Label)
	assert.Equal(t, "Sam", done[0].By)
}

// TestNoRedactorKeepsNoText: without a redactor the customer's words
// are not stored.
func TestNoRedactorKeepsNoText(t *testing.T) {
	q := learn.NewQueue(memory.NewMap())
	bot := parley.NewBot(parley.Chain(parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { return nil }),
		understood(map[string]nlu.Understanding{"call me on 555 0100": {Status: nlu.Unsure}}), learn.Middleware(q)))
	say(t, bot, "c1", "m1", "call me on 555 0100")
	items, err := q.Items(context.Background(), false)
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.NotContains(t, items[0].Text, "555")
}

// TestRedactorFailureQueuesNothing: a redactor error keeps the text out
// of the store, is reported, and the turn goes on.
func TestRedactorFailureQueuesNothing(t *testing.T) {
	boom := errors.New("vault down")
	q := learn.NewQueue(memory.NewMap(), learn.WithRedactor(func(context.Context, string, string) (string, error) { return "", boom }))
	var got []error
	handled := false
	bot := parley.NewBot(parley.Chain(parley.HandlerFunc(func(context.Context, parley.ReplyWriter, *parley.Turn) error { handled = true; return nil }),
		understood(map[string]nlu.Understanding{"hmm": {Status: nlu.Unsure}}), learn.Middleware(q)),
		parley.WithObserver(parley.ObserverFunc(func(_ context.Context, e parley.Event) {
			if e.Kind == learn.EventQueueError {
				got = append(got, e.Err)
			}
		})))
	say(t, bot, "c1", "m1", "hmm")
	assert.True(t, handled)
	require.Len(t, got, 1)
	assert.ErrorIs(t, got[0], boom)
	items, err := q.Items(context.Background(), false)
	require.NoError(t, err)
	assert.Empty(t, items)
}

func examples(intent string, texts ...string) []train.Example {
	out := make([]train.Example, len(texts))
	for i, s := range texts {
		out[i] = train.Example{Text: s, Intent: intent}
	}
	return out
}

// base is a small shop model's data: it knows refunds only by the word
// "refund".
func base() []train.Example {
	var ex []train.Example
	ex = append(ex, examples("greeting", "hi", "hello", "hey there", "good morning", "hello, I need help", "hiya")...)
	ex = append(ex, examples("track_order", "where is my order", "track my order", "track my package", "when will my order arrive",
		"has my parcel shipped", "status of my delivery", "my order has not arrived")...)
	ex = append(ex, examples("refund", "refund", "I want a refund", "refund my order", "can I get a refund", "refund please",
		"how do refunds work")...)
	ex = append(ex, examples("cancel", "cancel my plan", "cancel my subscription", "I want to cancel", "stop my subscription",
		"end my membership", "cancel the plan please")...)
	return ex
}

// held is the held-out set: customers asking for their money back in
// words the base data lacks, and the other intents.
func held() []train.Example {
	var ex []train.Example
	ex = append(ex, examples("refund", "I want my money back", "give me my money back", "money back please",
		"can I have my money back", "I would like my money back for this order")...)
	ex = append(ex, examples("track_order", "where is my parcel", "track order", "has my order shipped yet")...)
	ex = append(ex, examples("cancel", "please cancel my subscription", "cancel my membership")...)
	ex = append(ex, examples("greeting", "hello there", "hi, good morning")...)
	return ex
}

type deployer struct {
	mu       sync.Mutex
	deployed []*train.Model
}

func (d *deployer) deploy(_ context.Context, m *train.Model) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.deployed = append(d.deployed, m)
	return nil
}

func (d *deployer) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.deployed)
}

func newRetrainer(t *testing.T, q *learn.Queue, d *deployer) *learn.Retrainer {
	current, err := train.Train(context.Background(), base())
	require.NoError(t, err)
	return &learn.Retrainer{Queue: q, Name: "en", Train: base(), Eval: held(), Current: current, Deploy: d.deploy}
}

func label(t *testing.T, q *learn.Queue, intent string, texts ...string) {
	t.Helper()
	ctx := context.Background()
	for i, s := range texts {
		it := learn.Item{Conversation: "conv-" + strconv.Itoa(i), Text: s, Reason: "unsure", Locale: "en"}
		require.NoError(t, q.Add(ctx, "", it))
	}
	items, err := q.Items(ctx, false)
	require.NoError(t, err)
	for _, it := range items {
		require.NoError(t, q.Label(ctx, it.ID, intent, "Sam"))
	}
}

// noRedaction keeps the text as it is, for training data without
// personal data.
func noRedaction(_ context.Context, _, text string) (string, error) { return text, nil }

// TestGateAcceptsBetterModel: labelled "money back" utterances teach the
// model what the held-out set asks; it scores higher and is deployed.
func TestGateAcceptsBetterModel(t *testing.T) {
	q := learn.NewQueue(memory.NewMap(), learn.WithRedactor(noRedaction))
	label(t, q, "refund", "my money back", "I need my money back", "send my money back", "money back for my order",
		"I'd like my money back", "return my money", "get my money back now", "want money back")
	d := &deployer{}
	r := newRetrainer(t, q, d)
	rep, err := r.Retrain(context.Background())
	require.NoError(t, err)
	t.Logf("before %.3f after %.3f (%d labelled, %d trained, %d held-out rows)", rep.Before.Accuracy, rep.After.Accuracy,
		rep.Labelled, rep.Trained, rep.EvalRows)
	assert.Greater(t, rep.After.Accuracy, rep.Before.Accuracy)
	assert.True(t, rep.Deployed, rep.Reason)
	assert.Equal(t, 1, d.count())
	assert.Same(t, d.deployed[0], r.Current, "the deployed model serves from now on")
	assert.Equal(t, 8, rep.Labelled)
	assert.Equal(t, len(held())+rep.Labelled-rep.Trained, rep.EvalRows)

	reps, err := r.Reports(context.Background())
	require.NoError(t, err)
	require.Len(t, reps, 1)
	assert.Equal(t, rep.After.Accuracy, reps[0].After.Accuracy)
	assert.True(t, reps[0].Deployed)
}

// TestGateRefusesWorseModel: mislabelled items (parcel questions marked
// as cancellations) make a worse model; it is not deployed and the
// serving model stays.
func TestGateRefusesWorseModel(t *testing.T) {
	q := learn.NewQueue(memory.NewMap(), learn.WithRedactor(noRedaction))
	label(t, q, "cancel", "where is my parcel now", "track order A-1", "has my order shipped", "order status", "my parcel",
		"where is my stuff", "track my parcel", "has it shipped", "where's my order", "shipping status")
	d := &deployer{}
	r := newRetrainer(t, q, d)
	current := r.Current
	rep, err := r.Retrain(context.Background())
	require.NoError(t, err)
	t.Logf("before %.3f after %.3f", rep.Before.Accuracy, rep.After.Accuracy)
	assert.Less(t, rep.After.Accuracy, rep.Before.Accuracy)
	assert.False(t, rep.Deployed)
	assert.Contains(t, rep.Reason, "lower accuracy")
	assert.Zero(t, d.count())
	assert.Same(t, current, r.Current)
	reps, err := r.Reports(context.Background())
	require.NoError(t, err)
	require.Len(t, reps, 1)
	assert.False(t, reps[0].Deployed)
}

// TestScheduledRetrain: the retrain runs on the scheduler every week,
// keeping a report each time; without new labels the second model is
// no better and is not deployed.
func TestScheduledRetrain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := learn.NewQueue(memory.NewMap(), learn.WithRedactor(noRedaction))
		label(t, q, "refund", "my money back", "I need my money back", "send my money back", "money back for my order",
			"I'd like my money back", "return my money", "get my money back now", "want money back")
		d := &deployer{}
		r := newRetrainer(t, q, d)
		s := schedule.New(schedule.NewMemory())
		job := r.Job(time.Now().Add(time.Hour))
		s.Handle(job.Kind, r.Every(s, 7*24*time.Hour))
		require.NoError(t, s.Schedule(context.Background(), job))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()

		time.Sleep(time.Hour + time.Minute)
		synctest.Wait()
		assert.Equal(t, 1, d.count(), "the first run deploys the better model")
		time.Sleep(7 * 24 * time.Hour)
		synctest.Wait()
		reps, err := r.Reports(context.Background())
		require.NoError(t, err)
		require.Len(t, reps, 2)
		assert.False(t, reps[1].Deployed, "the same data again: no better")
		assert.Equal(t, reps[0].After.Accuracy, reps[1].Before.Accuracy, "the second run compares against the deployed model")
		assert.Equal(t, 1, d.count())
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
	})
}
