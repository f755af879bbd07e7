package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/analytics"
)

// CSVHeader is the header row [WriteCSV] writes.
const CSVHeader = "conversation,channel,start,end,turns,first_response_s,resolution,fallbacks,intents,flows,helpful,csat,nps,ces,sentiment,escalation_reason,campaign,variant,agent_rating"

// WriteCSV writes one row per record, under [CSVHeader]. Customer IDs
// are left out: an export leaves the building.
func WriteCSV(w io.Writer, recs []analytics.Record) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(strings.Split(CSVHeader, ",")); err != nil {
		return fmt.Errorf("report: csv: %w", err)
	}
	for _, r := range recs {
		var intents, flows []string
		for _, h := range r.Intents {
			intents = append(intents, h.Intent)
		}
		for _, f := range r.Flows {
			flows = append(flows, f.Flow+":"+f.Status)
		}
		var sent string
		if len(r.Moods) > 0 {
			var s float64
			for _, m := range r.Moods {
				s += m.Score
			}
			sent = strconv.FormatFloat(s/float64(len(r.Moods)), 'f', 3, 64)
		}
		var reason string
		for _, e := range r.Escalations {
			if e.Step == "requested" {
				reason = e.Reason
			}
		}
		opt := func(v, none int) string {
			if v == none {
				return ""
			}
			return strconv.Itoa(v)
		}
		row := []string{r.Conversation, r.Channel, r.Start.Format(time.RFC3339), r.End.Format(time.RFC3339), strconv.Itoa(r.Turns),
			strconv.FormatFloat(r.FirstResponse.Seconds(), 'f', 3, 64), string(r.Resolution), strconv.Itoa(r.Fallbacks),
			strings.Join(intents, " "), strings.Join(flows, " "), r.Feedback.Helpful, opt(r.Feedback.CSAT, 0), opt(r.Feedback.NPS, -1),
			opt(r.Feedback.CES, 0), sent, reason, r.Campaign.Campaign, r.Campaign.Variant, opt(r.Feedback.AgentRating, 0)}
		for i, c := range row {
			// Cells that a spreadsheet would run as a formula are quoted
			// with a leading apostrophe.
			if c != "" && strings.ContainsRune("=+-@", rune(c[0])) && i != 5 {
				row[i] = "'" + c
			}
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("report: csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: csv: %w", err)
	}
	return nil
}
