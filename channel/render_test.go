package channel

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
)

// Platform capabilities as the platform packages configure them.
var (
	WhatsApp = Capabilities{MaxText: 4096, MaxButtons: 3, MaxButtonTitle: 20, MaxListItems: 10, MaxListTitle: 24,
		Media: []parley.AttachmentKind{parley.Image, parley.File, parley.Audio, parley.Video}}
	Messenger = Capabilities{MaxText: 2000, MaxButtons: 13, MaxButtonTitle: 20, MaxCards: 10,
		Media: []parley.AttachmentKind{parley.Image, parley.File, parley.Audio, parley.Video}}
	Telegram = Capabilities{MaxText: 4096, MaxButtons: 8, MaxButtonTitle: 64,
		Media: []parley.AttachmentKind{parley.Image, parley.File, parley.Audio, parley.Video}}
	SMS = Capabilities{MaxText: 1600, Media: []parley.AttachmentKind{parley.Image}}
)

func qrs(titles ...string) []parley.QuickReply {
	var out []parley.QuickReply
	for _, t := range titles {
		out = append(out, parley.QuickReply{Title: t, Payload: strings.ToLower(t)})
	}
	return out
}

func TestRenderQuickReplies(t *testing.T) {
	tests := []struct {
		name string
		give parley.Message
		caps Capabilities
		want []Part
	}{
		{
			name: "buttons when they fit",
			give: parley.Message{Text: "Pick", QuickReplies: qrs("Yes", "No")},
			caps: WhatsApp,
			want: []Part{{Text: "Pick", Buttons: qrs("Yes", "No")}},
		},
		{
			name: "five on WhatsApp become a list",
			give: parley.Message{Text: "Pick", QuickReplies: qrs("A", "B", "C", "D", "E")},
			caps: WhatsApp,
			want: []Part{{Text: "Pick", List: qrs("A", "B", "C", "D", "E")}},
		},
		{
			name: "SMS gets numbered options",
			give: parley.Message{Text: "Pick", QuickReplies: qrs("Yes", "No")},
			caps: SMS,
			want: []Part{{Text: "Pick\n\n1. Yes\n2. No", Numbered: qrs("Yes", "No")}},
		},
		{
			name: "more than a list holds become numbered",
			give: parley.Message{Text: "Pick", QuickReplies: qrs("1a", "2a", "3a", "4a", "5a", "6a", "7a", "8a", "9a", "10a", "11a")},
			caps: WhatsApp,
			want: []Part{{Text: "Pick\n\n1. 1a\n2. 2a\n3. 3a\n4. 4a\n5. 5a\n6. 6a\n7. 7a\n8. 8a\n9. 9a\n10. 10a\n11. 11a",
				Numbered: qrs("1a", "2a", "3a", "4a", "5a", "6a", "7a", "8a", "9a", "10a", "11a")}},
		},
		{
			name: "long titles are cut",
			give: parley.Message{Text: "Pick", QuickReplies: []parley.QuickReply{{Title: "A very long button title indeed", Payload: "p"}}},
			caps: WhatsApp,
			want: []Part{{Text: "Pick", Buttons: []parley.QuickReply{{Title: "A very long button…", Payload: "p"}}}},
		},
		{
			name: "options without text get their own part",
			give: parley.Message{QuickReplies: qrs("Yes")},
			caps: Telegram,
			want: []Part{{Buttons: qrs("Yes")}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Render(tt.give, tt.caps)
			require.NoError(t, err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Render mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenderCards(t *testing.T) {
	card := parley.Card{Title: "Pro plan", Subtitle: "$10/month", URL: "https://example.com/pro",
		Buttons: []parley.Button{{Title: "Details", URL: "https://example.com/pro#d"}, {Title: "Keep it", Payload: "keep"}}}
	t.Run("SMS card becomes text plus a link", func(t *testing.T) {
		got, err := Render(parley.Message{Text: "Here:", Cards: []parley.Card{card}}, SMS)
		require.NoError(t, err)
		want := []Part{{
			Text:     "Here:\n\nPro plan\n$10/month\nhttps://example.com/pro\nDetails: https://example.com/pro#d\n\n1. Keep it",
			Numbered: []parley.QuickReply{{Title: "Keep it", Payload: "keep"}},
		}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("Messenger keeps cards, options last", func(t *testing.T) {
		got, err := Render(parley.Message{Text: "Here:", Cards: []parley.Card{card}, QuickReplies: qrs("More")}, Messenger)
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, []parley.Card{card}, got[0].Cards)
		assert.Equal(t, "Here:", got[1].Text)
		assert.Equal(t, qrs("More"), got[1].Buttons)
	})
}

func TestRenderAttachments(t *testing.T) {
	img := parley.Attachment{Kind: parley.Image, URL: "https://example.com/a.png"}
	pdf := parley.Attachment{Kind: parley.File, URL: "https://example.com/a.pdf", Name: "invoice.pdf"}
	got, err := Render(parley.Message{Text: "Invoice", Attachments: []parley.Attachment{img, pdf}}, SMS)
	require.NoError(t, err)
	want := []Part{{Text: "Invoice\n\ninvoice.pdf: https://example.com/a.pdf"}, {Attachment: &img}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	_, err = Render(parley.Message{Attachments: []parley.Attachment{{Kind: parley.File, Data: []byte("x")}}}, SMS)
	assert.True(t, errors.Is(err, ErrUnsupported), "got %v", err)
}

func TestRenderSplitsLongText(t *testing.T) {
	text := strings.Repeat("Lorem ipsum dolor sit amet. ", 200) // 5600 chars
	got, err := Render(parley.Message{Text: text, QuickReplies: qrs("OK")}, WhatsApp)
	require.NoError(t, err)
	require.Len(t, got, 2)
	var joined []string
	for i, p := range got {
		assert.LessOrEqual(t, utf8.RuneCountInString(p.Text), 4096)
		joined = append(joined, p.Text)
		if i < len(got)-1 {
			assert.Empty(t, p.Buttons)
		}
	}
	assert.Equal(t, qrs("OK"), got[1].Buttons)
	assert.Equal(t, strings.Fields(text), strings.Fields(strings.Join(joined, " ")))
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		give  string
		limit int
		want  []string
	}{
		{name: "fits", give: "hello", limit: 10, want: []string{"hello"}},
		{name: "empty", give: "", limit: 10, want: nil},
		{name: "no limit", give: "hello", limit: 0, want: []string{"hello"}},
		{name: "paragraphs", give: "first part.\n\nsecond part", limit: 15, want: []string{"first part.", "second part"}},
		{name: "words", give: "alpha beta gamma delta", limit: 11, want: []string{"alpha beta", "gamma delta"}},
		{name: "hard cut", give: "abcdefghij", limit: 4, want: []string{"abcd", "efgh", "ij"}},
		{name: "runes not bytes", give: "ééééé", limit: 2, want: []string{"éé", "éé", "é"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Split(tt.give, tt.limit))
		})
	}
}

func FuzzRender(f *testing.F) {
	f.Add("hello world. this is long", 3, 7)
	f.Add("ééé\n\nx", 0, 2)
	f.Fuzz(func(t *testing.T, text string, nq, limit int) {
		if limit < 0 || limit > 10_000 || nq < 0 || nq > 30 {
			t.Skip()
		}
		m := parley.Message{Text: text}
		for i := range nq {
			m.QuickReplies = append(m.QuickReplies, parley.QuickReply{Title: strings.Repeat("x", i+1)})
		}
		caps := SMS
		caps.MaxText = limit
		parts, err := Render(m, caps)
		require.NoError(t, err)
		numbered := 0
		for _, p := range parts {
			if limit > 0 && utf8.ValidString(p.Text) {
				assert.LessOrEqual(t, utf8.RuneCountInString(p.Text), limit)
			}
			numbered += len(p.Numbered)
		}
		assert.Equal(t, nq, numbered)
	})
}

func TestChoices(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c choices
		c.remember("conv", qrs("Yes", "No"), time.Now())
		tests := []struct {
			give   string
			want   string
			wantOK bool
		}{
			{"2", "no", true}, {" 1. ", "yes", true}, {"#2", "no", true}, {"NO", "no", true},
			{"3", "", false}, {"0", "", false}, {"maybe", "", false},
		}
		for _, tt := range tests {
			got, ok := c.resolve("conv", tt.give)
			assert.Equal(t, tt.wantOK, ok, tt.give)
			assert.Equal(t, tt.want, got.Payload, tt.give)
		}
		_, ok := c.resolve("other", "1")
		assert.False(t, ok)
		time.Sleep(25 * time.Hour)
		_, ok = c.resolve("conv", "1")
		assert.False(t, ok, "expired")
	})
}
