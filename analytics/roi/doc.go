// Package roi prices a bot's conversations and computes its return on
// investment from the KPIs of package analytics and the business's own
// figures.
//
//	month := analytics.Month(time.Now())
//	cost := roi.CostOf(agg.KPIs(month), roi.Costs{InputPerMillion: 3, OutputPerMillion: 15, AgentPerHour: 30})
//	r, err := roi.Compute(roi.Inputs{OldMonthlySupportCost: 42000, NewMonthlySupportCost: 31000, BotCost: 60000})
package roi
