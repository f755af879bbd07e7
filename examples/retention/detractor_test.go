package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/memory"
)

func TestLastBotSaid(t *testing.T) {
	low := "I'm sorry we let you down. If it isn't sorted, type \"human\"."
	tests := []struct {
		name    string
		history []memory.Entry
		want    bool
	}{
		{"right after the low rating", []memory.Entry{{Role: memory.RoleUser, Text: "1"}, {Role: memory.RoleBot, Text: low}, {Role: memory.RoleUser, Text: "you never said anything"}}, true},
		{"an answer in between", []memory.Entry{{Role: memory.RoleBot, Text: low}, {Role: memory.RoleUser, Text: "hm"}, {Role: memory.RoleBot, Text: "Sorry?"}, {Role: memory.RoleUser, Text: "x"}}, false},
		{"two customer messages since", []memory.Entry{{Role: memory.RoleBot, Text: low}, {Role: memory.RoleUser, Text: "a"}, {Role: memory.RoleUser, Text: "b"}}, false},
		{"spanish", []memory.Entry{{Role: memory.RoleBot, Text: "Siento que no hayamos estado a la altura. Si no está resuelto..."}, {Role: memory.RoleUser, Text: "fatal"}}, true},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, lastBotSaid(&memory.Session{History: tt.history}, lowRatingReplies))
		})
	}
	assert.False(t, lastBotSaid(nil, lowRatingReplies))
}
