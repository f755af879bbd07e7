package entity

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/nlu"
)

func TestDateTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	in := Input{Time: time.Date(2026, 12, 7, 1, 40, 0, 0, time.UTC), Location: ny} // Sunday 20:40 in New York
	for text, want := range map[string]nlu.Entity{
		"call me next friday at 2pm": {Type: "datetime", Text: "next friday at 2pm", Start: 8, End: 26, Value: "2026-12-11T14:00:00-05:00", Confidence: 1},
		"tomorrow morning":           {Type: "datetime", Text: "tomorrow morning", Start: 0, End: 16, Value: "2026-12-07T08:00:00-05:00/2026-12-07T12:00:00-05:00", Confidence: 1},
		"mañana a las 3":             {Type: "datetime", Text: "mañana a las 3", Start: 0, End: 15, Value: "2026-12-07T03:00:00-05:00|2026-12-07T15:00:00-05:00", Role: "ampm", Confidence: 1},
	} {
		in.Text = text
		got, err := DateTime().Extract(t.Context(), in)
		require.NoError(t, err)
		require.Equal(t, []nlu.Entity{want}, got, text)
	}
	in.Text = "tomorrow"
	got, err := DateTime().Extract(t.Context(), in)
	require.NoError(t, err)
	require.Empty(t, got, "a day alone is a date")
}
