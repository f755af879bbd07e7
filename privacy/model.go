package privacy

import (
	"context"

	"github.com/parleyhq/parley/llm"
)

// RedactModel returns a model that redacts the personal data in the
// user's and assistant's messages of every request with r before m sees
// it, so that a card number or security code typed by a customer never
// reaches a model provider, whichever handler builds the request. Tool
// results (an order's address the model needs to answer) and the system
// prompt are passed as they are. customerOf, if not nil, names the
// customer whose vault scopes [Tokenize] tokens (for example
// action.CustomerFrom); with masking only it may be nil. A redaction
// failure fails the call: nothing unredacted is sent.
func RedactModel(m llm.Model, r *Redactor, customerOf func(context.Context) string) llm.Model {
	return llm.ModelFunc(func(ctx context.Context, req *llm.Request) (*llm.Response, error) {
		customer := ""
		if customerOf != nil {
			customer = customerOf(ctx)
		}
		out := *req
		out.Messages = make([]llm.Message, len(req.Messages))
		for i, msg := range req.Messages {
			if msg.Role == llm.RoleUser || msg.Role == llm.RoleAssistant {
				text, _, err := r.Redact(ctx, customer, msg.Content)
				if err != nil {
					return nil, err
				}
				msg.Content = text
			}
			out.Messages[i] = msg
		}
		return m.Generate(ctx, &out)
	})
}
