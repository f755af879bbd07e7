package sentiment_test

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/nlu"
	"github.com/parleyhq/parley/sentiment"
)

func ExampleLexical_Polarity() {
	an, err := sentiment.NewLexical()
	if err != nil {
		panic(err)
	}
	for _, text := range []string{
		"Thank you so much, that was perfect!",
		"This is the third time I ask. Ridiculous!",
		"I don't understand what you mean?",
		"",
	} {
		r := an.Polarity(text)
		fmt.Printf("%-8s score<0.4=%-5v frustration=%.1f confusion=%.1f delight=%.1f\n",
			r.Label, r.Score < 0.4, r.Emotions.Frustration, r.Emotions.Confusion, r.Emotions.Delight)
	}
	// Output:
	// positive score<0.4=false frustration=0.0 confusion=0.0 delight=1.0
	// negative score<0.4=true  frustration=1.0 confusion=0.0 delight=0.0
	// neutral  score<0.4=false frustration=0.0 confusion=1.0 delight=0.0
	// neutral  score<0.4=false frustration=0.0 confusion=0.0 delight=0.0
}

func ExampleMiddleware() {
	an, err := sentiment.NewLexical()
	if err != nil {
		panic(err)
	}
	app := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		m, _ := parley.Value(t, nlu.MoodKey)
		fmt.Printf("%s (trend %.2f)\n", m.Label, m.Trend)
		return nil
	})
	bot := parley.NewBot(parley.Chain(app, sentiment.Middleware(an)))
	w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
	for i, text := range []string{"Hello! Great shop.", "Where is my order?", "Still waiting, this is awful."} {
		turn := &parley.Turn{ConversationID: "c1", MessageID: fmt.Sprint(i), Message: parley.Text(text)}
		if err := bot.HandleTurn(context.Background(), w, turn); err != nil {
			panic(err)
		}
	}
	// Output:
	// positive (trend 0.86)
	// neutral (trend 0.68)
	// negative (trend 0.48)
}

func ExampleVariants() {
	reply := sentiment.Variants{
		Empathetic:   "I'm sorry about that. Let me fix it right away.",
		Enthusiastic: "Wonderful! Glad it worked out.",
		Professional: "Your request is complete.",
	}
	turn := parley.With(&parley.Turn{ConversationID: "c1"}, nlu.MoodKey,
		nlu.Mood{Score: 0.2, Label: "negative", Frustration: 0.8})
	fmt.Println(sentiment.ToneOf(turn))
	fmt.Println(reply.For(turn))
	// Output:
	// empathetic
	// I'm sorry about that. Let me fix it right away.
}

func ExampleModel_Polarity() {
	m, err := sentiment.NewModel()
	if err != nil {
		panic(err)
	}
	for _, text := range []string{
		"Still waiting!!! This is the third time I ask.",
		"I don't understand, what do you mean?",
		"Thank you so much, that fixed it!",
		"",
	} {
		r := m.Polarity(text)
		fmt.Printf("%-8s frustrated=%-5v confused=%-5v grateful=%-5v complaint=%v\n", r.Label,
			r.Emotions.Frustration >= 0.5, r.Emotions.Confusion >= 0.5, r.Emotions.Gratitude >= 0.5, r.Complaint >= 0.5)
	}
	// Output:
	// negative frustrated=true  confused=false grateful=false complaint=true
	// neutral  frustrated=false confused=true  grateful=false complaint=false
	// positive frustrated=false confused=false grateful=true  complaint=false
	// neutral  frustrated=false confused=false grateful=false complaint=false
}

func ExampleSpanish_Polarity() {
	es, err := sentiment.NewSpanish()
	if err != nil {
		panic(err)
	}
	r := es.Polarity("Mi pedido nunca llegó y nadie me responde. Estoy harto.")
	fmt.Println(r.Label, r.Emotions.Frustration >= 0.5, r.Complaint >= 0.5)
	// Output:
	// negative true true
}

func ExampleForLanguage() {
	model, err := sentiment.NewModel()
	if err != nil {
		panic(err)
	}
	es, err := sentiment.NewSpanish()
	if err != nil {
		panic(err)
	}
	app := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		m, _ := parley.Value(t, nlu.MoodKey)
		fmt.Println(t.Locale, m.Label)
		return nil
	})
	h := parley.Chain(app, sentiment.Middleware(model, sentiment.ForLanguage("es", es)))
	w := parley.ReplyFunc(func(context.Context, parley.Message) error { return nil })
	for _, turn := range []*parley.Turn{
		{ConversationID: "c1", Locale: "en-GB", Message: parley.Text("My parcel never arrived.")},
		{ConversationID: "c2", Locale: "es-MX", Message: parley.Text("Mi paquete nunca llegó.")},
	} {
		if err := h.HandleTurn(context.Background(), w, turn); err != nil {
			panic(err)
		}
	}
	// Output:
	// en-GB negative
	// es-MX negative
}

func ExampleStyle() {
	app := parley.HandlerFunc(func(ctx context.Context, w parley.ReplyWriter, t *parley.Turn) error {
		return w.Reply(ctx, parley.Text("Thanks for reaching out! Your parcel left on Monday. Let me know if you need anything else."))
	})
	h := parley.Chain(app, sentiment.Style())
	w := parley.ReplyFunc(func(_ context.Context, m parley.Message) error {
		fmt.Println(m.Text)
		return nil
	})
	calm := &parley.Turn{ConversationID: "c1", Message: parley.Text("where is my parcel")}
	upset := parley.With(&parley.Turn{ConversationID: "c2", Message: parley.Text("WHERE IS MY PARCEL?!")},
		nlu.MoodKey, nlu.Mood{Label: "negative", Frustration: 0.9})
	for _, t := range []*parley.Turn{calm, upset} {
		if err := h.HandleTurn(context.Background(), w, t); err != nil {
			panic(err)
		}
	}
	// Output:
	// Thanks for reaching out! Your parcel left on Monday. Let me know if you need anything else.
	// Your parcel left on Monday.
}
