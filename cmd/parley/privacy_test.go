package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPrivacyRedact(t *testing.T) {
	tests := []struct {
		name string
		args []string
		give string
		want string
	}{
		{name: "mask", give: "card 4111 1111 1111 1111\nmail a@b.io\n", want: "card [card ****1111]\nmail [email]\n"},
		{name: "keep email", args: []string{"-keep", "email"}, give: "mail a@b.io cvv 123\n", want: "mail a@b.io cvv [cvv]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			require.NoError(t, runPrivacyRedact(context.Background(), tt.args, strings.NewReader(tt.give), &out, &errOut))
			assert.Equal(t, tt.want, out.String())
		})
	}
	var out, errOut bytes.Buffer
	require.Error(t, runPrivacyRedact(context.Background(), []string{"-keep", "shoe"}, strings.NewReader(""), &out, &errOut))
	require.NoError(t, runPrivacyRedact(context.Background(), []string{"-count"}, strings.NewReader("a@b.io x@y.io"), &out, &errOut))
	assert.Contains(t, errOut.String(), "email        2")
}
