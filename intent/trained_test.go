package intent_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/intent"
	"github.com/parleyhq/parley/intent/entity"
	"github.com/parleyhq/parley/intent/train"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/nlu"
)

// trainShop trains a model on the examples of train/testdata/name.
func trainShop(t *testing.T, name string, opts ...train.Option) ([]train.Example, *train.Model) {
	t.Helper()
	exs, err := train.LoadFile("train/testdata/" + name)
	require.NoError(t, err)
	m, err := train.Train(t.Context(), exs, opts...)
	require.NoError(t, err)
	return exs, m
}

func TestLocalesAndSetClassifier(t *testing.T) {
	ctx := context.Background()
	enEx, en := trainShop(t, "shop.yaml")
	_, es := trainShop(t, "shop_es.yaml", train.WithLanguage("es"))
	u := intent.New(en, intent.WithLocale("es", es), intent.WithExtractors(entity.Builtins()...))

	und, err := u.Understand(ctx, "¿dónde está mi pedido?", "es-MX", time.Time{}, nil)
	require.NoError(t, err)
	assert.Equal(t, "es", und.Locale)
	assert.Equal(t, "track_order", und.Ranked[0].Name)

	und, err = u.Understand(ctx, "quiero un reembolso por favor", "", time.Time{}, nil)
	require.NoError(t, err)
	assert.Equal(t, "es", und.Locale, "detected")

	// Retrain and swap while classifying concurrently.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				_, err := u.Understand(ctx, "where is my order", "en", time.Time{}, nil)
				assert.NoError(t, err)
			}
		})
	}
	more := append(enEx, train.Example{Text: "what's the weather", Intent: "weather"}, train.Example{Text: "will it rain today", Intent: "weather"})
	m2, err := train.Train(ctx, more)
	require.NoError(t, err)
	require.NoError(t, u.SetClassifier("en", m2))
	wg.Wait()
	assert.Contains(t, m2.Intents(), "weather")
	und, err = u.Understand(ctx, "will it rain today", "en", time.Time{}, nil)
	require.NoError(t, err)
	assert.Equal(t, "weather", und.Ranked[0].Name)
}

func TestSetClassifierErrors(t *testing.T) {
	none := intent.ClassifierFunc(func(context.Context, string) (intent.Result, error) { return intent.Result{}, nil })
	u := intent.New(none)
	assert.Error(t, u.SetClassifier("not a tag!", none))
	assert.ErrorIs(t, u.SetClassifier("es", nil), intent.ErrNotTrained)
}

func TestMultiIntent(t *testing.T) {
	ctx := context.Background()
	_, m := trainShop(t, "shop.yaml")
	var ran []string
	r := intent.NewRouter()
	for _, name := range []string{"track_order", "change_address", "product_info", "refund"} {
		r.HandleFunc(name, func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
			ran = append(ran, name)
			return w.Reply(ctx, parley.Text("ok "+name))
		})
	}
	h := parley.Chain(r, intent.Middleware(intent.New(m)))
	turn := (&parley.Turn{ConversationID: "c1", Message: parley.Text("I need to return this blue shirt I bought last week, and also check if you have it in red, size medium")}).
		WithSession(memory.NewSessions(memory.NewMap()).New("c1"))
	w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
	require.NoError(t, h.HandleTurn(ctx, w, turn))
	assert.Equal(t, []string{"refund", "product_info"}, ran)
}

// A greeting that opens a message ("Hi there, hope you're well. Where is
// my order?") is not what the message is about; alone it still is.
func TestOpeners(t *testing.T) {
	ctx := context.Background()
	c := intent.ClassifierFunc(func(_ context.Context, text string) (intent.Result, error) {
		top := func(name string) intent.Result {
			return intent.Result{Ranked: []nlu.Intent{{Name: name, Confidence: 0.95}, {Name: "other", Confidence: 0.01}}, Coverage: 1}
		}
		switch {
		case strings.HasPrefix(text, "hi") || strings.HasPrefix(text, "hope"):
			return top("greeting"), nil
		case strings.Contains(text, "order"):
			return top("track_order"), nil
		}
		return intent.Result{}, nil
	})
	u := intent.New(c, intent.WithOpeners("greeting"), intent.WithMultiIntent(false), intent.WithLanguageDetection(false))
	for _, tt := range []struct{ give, want string }{
		{"hi there, hope you're well. where is my order?", "track_order"},
		{"hi there", "greeting"},
		{"hi, ok", "greeting"},                   // one word after: still a greeting
		{"hi there, blah blah blah", "greeting"}, // the rest not understood: the message as a whole
		{"where is my order, hi", "track_order"},
	} {
		und, err := u.Understand(ctx, tt.give, "en", time.Time{}, nil)
		require.NoError(t, err)
		assert.Equal(t, tt.want, und.Intent.Name, tt.give)
	}
	// Without openers, the greeting wins.
	plain := intent.New(c, intent.WithMultiIntent(false), intent.WithLanguageDetection(false))
	und, err := plain.Understand(ctx, "hi there, hope you're well. where is my order?", "en", time.Time{}, nil)
	require.NoError(t, err)
	assert.Equal(t, "greeting", und.Intent.Name)
}

// Customers writing Spanish borrow English support words ("quiero un
// refund", QA10): with WithLoanwords the Spanish classifier reads its own
// word, in any case; entities are still found in the customer's words.
func TestLoanwordsReachTheLocalesClassifierAsItsOwnWords(t *testing.T) {
	ctx := context.Background()
	_, en := trainShop(t, "shop.yaml")
	_, es := trainShop(t, "shop_es.yaml", train.WithLanguage("es"))
	orders := entity.OrderID("order_id", regexp.MustCompile(`\bA-\d{4}\b`))
	plain := intent.New(en, intent.WithLocale("es", es), intent.WithExtractors(orders))
	loans := intent.New(en, intent.WithLocale("es", es), intent.WithExtractors(orders),
		intent.WithLoanwords("es", map[string]string{"refund": "reembolso", "Order": "pedido", "tracking": "rastrear"}))

	und, err := plain.Understand(ctx, "el tracking de mi order", "es", time.Time{}, nil)
	require.NoError(t, err)
	require.NotEqual(t, nlu.Understood, und.Status, "without loanwords the Spanish model does not know the words: %+v", und)
	for text, want := range map[string]string{
		"necesito un refund":            "refund",
		"necesito un REFUND, por favor": "refund",
		"mi order no ha llegado":        "track_order",
		"quiero tracking de mi paquete": "track_order",
		"¿dónde está mi order A-1002?":  "track_order",
	} {
		und, err := loans.Understand(ctx, text, "es", time.Time{}, nil)
		require.NoError(t, err)
		assert.Equal(t, "es", und.Locale, text)
		assert.Equal(t, nlu.Understood, und.Status, "%s: %+v", text, und)
		assert.Equal(t, want, und.Intent.Name, text)
		if strings.Contains(text, "A-1002") {
			require.Len(t, und.Entities, 1, text)
			assert.Equal(t, "A-1002", und.Entities[0].Text)
			assert.Equal(t, "A-1002", text[und.Entities[0].Start:und.Entities[0].End])
		}
	}
	// English turns are read as written.
	und, err = loans.Understand(ctx, "I want a refund for my order", "en", time.Time{}, nil)
	require.NoError(t, err)
	assert.Equal(t, "refund", und.Intent.Name)
	assert.Panics(t, func() { intent.New(en, intent.WithLoanwords("not a tag!", nil)) })
}
