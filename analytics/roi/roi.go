package roi

import (
	"errors"

	"github.com/parleyhq/parley/analytics"
)

// Costs are the business's own prices, the inputs of [CostOf].
// Currency is the business's; zero prices count as free.
type Costs struct {
	// InputPerMillion and OutputPerMillion are the model's prices per
	// million input and output tokens.
	InputPerMillion  float64 `json:"input_per_million"`
	OutputPerMillion float64 `json:"output_per_million"`
	// AgentPerHour is what an hour of a human agent costs.
	AgentPerHour float64 `json:"agent_per_hour"`
	// Fixed is the bot's fixed cost for the window (hosting, licences),
	// spread over its conversations.
	Fixed float64 `json:"fixed"`
}

// A Cost is what the conversations of a window cost.
type Cost struct {
	Conversations int     `json:"conversations"`
	Model         float64 `json:"model"`
	Agents        float64 `json:"agents"`
	Fixed         float64 `json:"fixed"`
	Total         float64 `json:"total"`
	// PerConversation is Total / Conversations (0 with none).
	PerConversation float64 `json:"per_conversation"`
}

// CostOf computes the cost of the conversations k was computed over
// (agg.KPIs(w) for a window w): model tokens at c's prices, plus agent
// time ([analytics.Record.AgentTime]) at c.AgentPerHour, plus c.Fixed.
func CostOf(k analytics.KPIs, c Costs) Cost {
	x := Cost{Conversations: k.Conversations, Fixed: c.Fixed,
		Model:  float64(k.InputTokens)/1e6*c.InputPerMillion + float64(k.OutputTokens)/1e6*c.OutputPerMillion,
		Agents: k.AgentTime.Hours() * c.AgentPerHour}
	x.Total = x.Model + x.Agents + x.Fixed
	if k.Conversations > 0 {
		x.PerConversation = x.Total / float64(k.Conversations)
	}
	return x
}

// ErrNoCost is returned by [Compute] when the bot's cost is not
// positive: ROI divides by it.
var ErrNoCost = errors.New("roi: ROI needs a positive bot cost")

// Inputs are the business figures of the ROI formula, over one year.
type Inputs struct {
	// OldMonthlySupportCost and NewMonthlySupportCost are the support
	// team's monthly cost before and after the bot.
	OldMonthlySupportCost float64 `json:"old_monthly_support_cost"`
	NewMonthlySupportCost float64 `json:"new_monthly_support_cost"`
	// CLVIncrease is the customer lifetime value gained per retained
	// customer, and RetainedCustomers how many the bot kept.
	CLVIncrease       float64 `json:"clv_increase"`
	RetainedCustomers float64 `json:"retained_customers"`
	// RecoveredCartValue is the value of abandoned carts recovered (the
	// "cart" campaigns' [analytics.CampaignStat.Value]).
	RecoveredCartValue float64 `json:"recovered_cart_value"`
	// BotCost is the bot's total cost over the year.
	BotCost float64 `json:"bot_cost"`
}

// A Result is the return on the bot.
type Result struct {
	// Savings = (OldMonthlySupportCost - NewMonthlySupportCost) x 12.
	Savings float64 `json:"savings"`
	// Uplift = CLVIncrease x RetainedCustomers + RecoveredCartValue.
	Uplift float64 `json:"uplift"`
	// Percent = ((Savings + Uplift) - BotCost) / BotCost x 100.
	Percent float64 `json:"percent"`
}

// Compute applies the ROI formula to in. It returns [ErrNoCost] when
// in.BotCost is not positive.
func Compute(in Inputs) (Result, error) {
	if !(in.BotCost > 0) {
		return Result{}, ErrNoCost
	}
	r := Result{Savings: (in.OldMonthlySupportCost - in.NewMonthlySupportCost) * 12,
		Uplift: in.CLVIncrease*in.RetainedCustomers + in.RecoveredCartValue}
	r.Percent = ((r.Savings + r.Uplift) - in.BotCost) / in.BotCost * 100
	return r, nil
}
