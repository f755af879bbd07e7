package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRenewalFlagOpensWithTheReminder runs the terminal as -renewal
// starts it: with the renewal campaign's reminder, whatever the hour (no
// quiet hours unless -quiet is given), and its replies read as replies
// to a campaign message (qa12 F9, F10, F18, F25, F29).
func TestRenewalFlagOpensWithTheReminder(t *testing.T) {
	const reminder = `Nothing to do if you're staying; type "renew" to change it.`
	for _, tt := range []struct {
		give    string
		want    []string
		notWant []string
	}{
		{give: "why did you message me?", want: []string{"I messaged you because your Monthly Plus plan renews on", "Reply STOP any time"},
			notWant: []string{"not something I can help with"}},
		{give: "¿por qué me escribís?", want: []string{"Te escribí porque tu plan Monthly Plus se renueva el"},
			notWant: []string{"No estoy seguro"}},
		{give: "hola, ¿por qué me escribes?", want: []string{"Te escribí porque tu plan Monthly Plus se renueva el"},
			notWant: []string{"No estoy seguro"}},
		{give: "¿por qué me mandáis esto?", want: []string{"Te escribí porque tu plan Monthly Plus se renueva el"},
			notWant: []string{"No estoy seguro"}},
		{give: "STOP", want: []string{"you won't get reminders or offers from us any more"}},
		{give: "unsubscribe", want: []string{"you won't get reminders or offers from us any more"}},
		{give: "nah not now thanks", want: []string{"No problem, I won't remind you about your renewal again."},
			notWant: []string{"frustrating", "connect you with a person"}},
		{give: "yes", want: []string{"Great, nothing to do: your plan renews automatically."}, notWant: []string{"pick one of the options"}},
		// "cancel" may mean the plan or "stop this": asked first (qa12 F51).
		{give: "cancel", want: []string{"Do you want to cancel your Monthly Plus plan?", "[1] Yes, cancel my plan  [2] No, keep it"},
			notWant: []string{"Sorry to see you go."}},
		{give: "please stop sending me these reminders and offers, I'll renew when I want to, thanks", want: []string{"you won't get reminders or offers from us any more"}},
	} {
		t.Run(tt.give, func(t *testing.T) {
			out := runPiped(t, tt.give+"\n", "-memory", "-renewal")
			first, after, ok := strings.Cut(out, "you> "+tt.give)
			require.True(t, ok, out)
			assert.Contains(t, first, "Ada, your Monthly Plus plan renews on")
			assert.Contains(t, first, reminder)
			assert.Contains(t, first, "[1] Renew my plan  [2] Not now")
			assert.NotContains(t, first, "What would you like to do?", "the plan's question is not the opening")
			for _, w := range tt.want {
				assert.Contains(t, after, w)
			}
			for _, w := range append(tt.notWant, "What would you like to do?") {
				assert.NotContains(t, after, w)
			}
		})
	}
	// A customer the policy holds the reminder for (Ben never said yes
	// to reminders) gets the plan's renewal question, as before.
	out := runPiped(t, "", "-memory", "-renewal", "-customer", "cus_ben")
	assert.NotContains(t, out, reminder)
	assert.Contains(t, out, "Your Monthly Basic plan renews on")
	assert.Contains(t, out, "What would you like to do?")
}

// TestSimSaysWhatIsHeld checks that the terminal's /sim says when the
// policy holds the message it caused (qa12 F29: with the default quiet
// hours, "/sim expire" before 09:00 London showed nothing but "Event
// subscription_expiring sent to the campaigns").
func TestSimSaysWhatIsHeld(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	require.NoError(t, err)
	h := time.Now().In(london).Hour()
	out := runPiped(t, "/sim expire\n", "-memory", "-quiet", fmt.Sprintf("%d-%d", h, (h+2)%24))
	assert.Contains(t, out, "Event subscription_expiring sent to the campaigns. Held back: renewal/day-7: quiet_hours, held until ")
	assert.NotContains(t, out, "Nothing to do if you're staying")
}
