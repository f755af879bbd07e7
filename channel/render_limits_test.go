package channel

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
)

// interactive has WhatsApp's documented limits: text of 4,096, an
// interactive body of 1,024, 3 buttons of 20, 10 list rows of 24.
var interactive = Capabilities{MaxText: 4096, MaxOptionsText: 1024, MaxButtons: 3, MaxButtonTitle: 20, MaxListItems: 10, MaxListTitle: 24}

func TestMaxOptionsTextSplitsBeforeTheOptions(t *testing.T) {
	text := strings.Repeat("Your plan renews monthly. ", 60) // 1,560 characters
	parts, err := Render(parley.Message{Text: text, QuickReplies: qrs("Keep", "Cancel")}, interactive)
	require.NoError(t, err)
	require.Len(t, parts, 2)
	assert.Empty(t, parts[0].Buttons)
	assert.Len(t, parts[1].Buttons, 2, "the buttons go with the last piece")
	assert.LessOrEqual(t, utf8.RuneCountInString(parts[1].Text), 1024)
	assert.Equal(t, strings.Join(strings.Fields(text), " "), strings.Join(strings.Fields(parts[0].Text+" "+parts[1].Text), " "), "nothing lost")

	// Text within the limit is not split; without options the text limit applies.
	parts, err = Render(parley.Message{Text: strings.Repeat("a", 1024), QuickReplies: qrs("Ok")}, interactive)
	require.NoError(t, err)
	assert.Len(t, parts, 1)
	parts, err = Render(parley.Message{Text: strings.Repeat("a ", 2000)}, interactive)
	require.NoError(t, err)
	assert.Len(t, parts, 1)

	// Numbered options are plain text: the text limit applies.
	many := qrs("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11")
	parts, err = Render(parley.Message{Text: strings.Repeat("b ", 1500), QuickReplies: many}, interactive)
	require.NoError(t, err)
	assert.Len(t, parts, 1)
	assert.Len(t, parts[0].Numbered, 11)

	// Unlimited text with an options limit.
	c := Capabilities{MaxOptionsText: 10, MaxButtons: 3, MaxButtonTitle: 20}
	parts, err = Render(parley.Message{Text: "one two three four five six", QuickReplies: qrs("Ok")}, c)
	require.NoError(t, err)
	require.Len(t, parts, 2)
	assert.LessOrEqual(t, utf8.RuneCountInString(parts[1].Text), 10)
}

func TestTitlesEqualAfterCuttingFallBack(t *testing.T) {
	// Equal once cut to 20 ("Cancel my subscript…"), different at 24.
	two := []parley.QuickReply{{Title: "Cancel my subscription", Payload: "cancel_now"}, {Title: "Cancel my subscriptions", Payload: "cancel_all"}}
	parts, err := Render(parley.Message{Text: "What would you like?", QuickReplies: two}, interactive)
	require.NoError(t, err)
	require.Len(t, parts, 1)
	assert.Empty(t, parts[0].Buttons)
	require.Len(t, parts[0].List, 2, "a list, whose rows hold 24 characters")
	assert.NotEqual(t, parts[0].List[0].Title, parts[0].List[1].Title)
	assert.Equal(t, "cancel_now", parts[0].List[0].Payload)

	// Equal even at 24: numbered text, where the whole titles show.
	same := []parley.QuickReply{{Title: "Cancel my subscription today", Payload: "a"}, {Title: "Cancel my subscription tomorrow", Payload: "b"}}
	parts, err = Render(parley.Message{Text: "What would you like?", QuickReplies: same}, interactive)
	require.NoError(t, err)
	require.Len(t, parts, 1)
	assert.Empty(t, parts[0].Buttons)
	assert.Empty(t, parts[0].List)
	assert.Equal(t, same, parts[0].Numbered)
	assert.Contains(t, parts[0].Text, "2. Cancel my subscription tomorrow")

	// Titles that are the same from the start are numbered too.
	parts, err = Render(parley.Message{Text: "Pick", QuickReplies: qrs("Yes", "yes ")}, interactive)
	require.NoError(t, err)
	assert.Len(t, parts[0].Numbered, 2)
}

func FuzzRenderInteractive(f *testing.F) {
	f.Add(strings.Repeat("Your plan renews monthly. ", 60), "Cancel my subscription", "Cancel my subscriptions", 3)
	f.Add("", "a", "a", 2)
	f.Add(strings.Repeat("é", 5000), "Yes", "No", 11)
	f.Fuzz(func(t *testing.T, text, t1, t2 string, nq int) {
		if nq < 0 || nq > 15 || len(text)+len(t1)+len(t2) > 50_000 {
			t.Skip() // larger inputs only slow the search down
		}
		m := parley.Message{Text: text}
		for i := range nq {
			title := t1
			if i%2 == 1 {
				title = t2
			}
			m.QuickReplies = append(m.QuickReplies, parley.QuickReply{Title: title + strings.Repeat(" ", i%3), Payload: "p" + string(rune('a'+i))})
		}
		parts, err := Render(m, interactive)
		require.NoError(t, err)
		options := 0
		for _, p := range parts {
			n := utf8.RuneCountInString(p.Text)
			assert.LessOrEqual(t, n, 4096)
			if len(p.Buttons) > 0 || len(p.List) > 0 {
				assert.LessOrEqual(t, n, 1024, "an interactive body")
				assert.True(t, distinct(p.Buttons) && distinct(p.List), "titles the user can tell apart")
			}
			for _, b := range p.Buttons {
				assert.LessOrEqual(t, utf8.RuneCountInString(b.Title), 20)
			}
			for _, r := range p.List {
				assert.LessOrEqual(t, utf8.RuneCountInString(r.Title), 24)
			}
			options += len(p.Buttons) + len(p.List) + len(p.Numbered)
		}
		assert.Equal(t, nq, options, "no option lost")
	})
}
