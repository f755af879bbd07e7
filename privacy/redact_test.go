package privacy_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/privacy"
)

func TestRedact(t *testing.T) {
	r := privacy.NewRedactor()
	tests := []struct {
		name string
		give string
		want string
	}{
		{name: "visa", give: "card 4111 1111 1111 1111 thanks", want: "card [card ****1111] thanks"},
		{name: "dashes", give: "5500-0000-0000-0004", want: "[card ****0004]"},
		{name: "amex", give: "378282246310005", want: "[card ****0005]"},
		{name: "not luhn", give: "order 4111 1111 1111 1112", want: "order 4111 1111 1111 1112"},
		{name: "cvv", give: "my CVV is 123", want: "my CVV is [cvv]"},
		{name: "security code", give: "security code: 4321.", want: "security code: [cvv]."},
		{name: "plain 3 digits", give: "I want 123 of them", want: "I want 123 of them"},
		{name: "iban", give: "IBAN GB82 WEST 1234 5698 7654 32 please", want: "IBAN [iban GB****5432] please"},
		{name: "iban compact", give: "DE89370400440532013000", want: "[iban DE****3000]"},
		{name: "bad iban", give: "GB82WEST12345698765433", want: "GB82WEST12345698765433"},
		{name: "ssn", give: "SSN 123-45-6789", want: "SSN [national id]"},
		{name: "invalid ssn", give: "000-12-3456", want: "000-12-3456"},
		{name: "nino", give: "NI number AB 12 34 56 C", want: "NI number [national id]"},
		{name: "dni", give: "DNI 12345678Z", want: "DNI [national id]"},
		{name: "dni bad letter", give: "DNI 12345678A", want: "DNI 12345678A"},
		{name: "email", give: "write to ada.l+shop@example.co.uk now", want: "write to [email] now"},
		{name: "intl phone", give: "call +44 7700 900123", want: "call [phone]"},
		{name: "us phone", give: "call (555) 123-4567 now", want: "call [phone] now"},
		{name: "order number", give: "order 12345678", want: "order 12345678"},
		{name: "date", give: "on 2025-03-14", want: "on 2025-03-14"},
		{name: "several", give: "a@b.io, 4242424242424242, cvc 999", want: "[email], [card ****4242], cvc [cvv]"},
		{name: "unicode around", give: "¿tarjeta 4111111111111111? 👍", want: "¿tarjeta [card ****1111]? 👍"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := r.Redact(context.Background(), "", tt.give)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRedactModes(t *testing.T) {
	ctx := context.Background()
	vault := privacy.NewStoreVault(memory.NewMap())
	r := privacy.NewRedactor(privacy.WithVault(vault),
		privacy.WithMode(privacy.KindEmail, privacy.Tokenize),
		privacy.WithMode(privacy.KindPhone, privacy.Keep))
	in := "mail ada@example.com or call +44 7700 900123, card 4111111111111111"
	got, found, err := r.Redact(ctx, "cust-1", in)
	require.NoError(t, err)
	require.Len(t, found, 2)
	assert.Equal(t, privacy.KindEmail, found[0].Kind)
	assert.NotContains(t, got, "ada@example.com")
	assert.Contains(t, got, "+44 7700 900123", "Keep leaves phones")
	assert.Contains(t, got, "[card ****1111]", "cards are still masked")
	assert.True(t, strings.HasPrefix(found[0].Replacement, "[tok:email:"))

	back, err := r.Restore(ctx, "cust-1", got)
	require.NoError(t, err)
	assert.Equal(t, "mail ada@example.com or call +44 7700 900123, card [card ****1111]", back, "tokens come back, masks do not")

	_, err = vault.Detokenize(ctx, "cust-2", found[0].Replacement)
	require.ErrorIs(t, err, memory.ErrNotFound, "tokens are scoped to their customer")

	noVault := privacy.NewRedactor(privacy.WithMode(privacy.KindEmail, privacy.Tokenize))
	_, _, err = noVault.Redact(ctx, "c", "a@b.io")
	require.Error(t, err)
}

func FuzzRedact(f *testing.F) {
	for _, s := range []string{"4111 1111 1111 1111", "cvv 123", "GB82 WEST 1234 5698 7654 32", "a@b.io", "+1 (555) 123-4567", "AB123456C", "\xff\xfe", ""} {
		f.Add(s)
	}
	r := privacy.NewRedactor()
	f.Fuzz(func(t *testing.T, s string) {
		got, found, err := r.Redact(context.Background(), "", s)
		if err != nil {
			t.Fatal(err)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Redact(%q) = %q: invalid UTF-8", s, got)
		}
		for _, fd := range found {
			if fd.Start < 0 || fd.End > len(s) || fd.Start >= fd.End {
				t.Fatalf("bad finding %+v for %q", fd, s)
			}
		}
		// Redaction is idempotent: the output holds nothing to redact.
		again, more, err := r.Redact(context.Background(), "", got)
		if err != nil || len(more) > 0 {
			t.Fatalf("Redact(Redact(%q)) = %q, %v, %v: found more", s, again, more, err)
		}
	})
}
