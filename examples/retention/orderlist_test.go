package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The list of orders says each status in the conversation's language;
// the item's name stays as the shop has it.
func TestOrderLineSaysTheStatusInTheConversationsLanguage(t *testing.T) {
	o := order{ID: "A-1001", Item: "Blue linen shirt", Status: "shipped"}
	assert.Equal(t, "[1] A-1001 Blue linen shirt (shipped)", orderLine(1, o, "en"))
	assert.Equal(t, "[1] A-1001 Blue linen shirt (shipped)", orderLine(1, o, ""))
	assert.Equal(t, "[2] A-1001 Blue linen shirt (enviado)", orderLine(2, o, "es"))
	assert.Equal(t, "[2] A-1001 Blue linen shirt (enviado)", orderLine(2, o, "es-MX"))
	o.Status = "processing"
	assert.Equal(t, "[3] A-1001 Blue linen shirt (en preparación)", orderLine(3, o, "es"))
	o.Status = "on hold" // a status the table lacks is shown as stored
	assert.Equal(t, "[3] A-1001 Blue linen shirt (on hold)", orderLine(3, o, "es"))
}
