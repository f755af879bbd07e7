package action_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/privacy"
)

// TestEraseWithdrawsPendingApprovals is issue 15's pending approvals
// surviving an erase: through privacy.Eraser, the customer's waiting
// requests are exported, then withdrawn; another customer's stay.
func TestEraseWithdrawsPendingApprovals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ran := 0
		reg := payRegistry(t, &ran)
		ctx := context.Background()
		for i, who := range []string{"dana", "dana", "erin"} {
			res, err := pay(ctx, reg, who, fmt.Sprintf("conv-%d", i), 0.60)
			require.NoError(t, err)
			require.Equal(t, action.PendingApproval, res.Status)
		}
		require.Zero(t, ran)
		er := privacy.NewEraser(action.PrivacySource(reg))
		b, err := er.Export(ctx, "dana")
		require.NoError(t, err)
		var exp privacy.Export
		require.NoError(t, json.Unmarshal(b, &exp))
		assert.Len(t, exp.Sources["actions"].(map[string]any)["pending_approvals"], 2)

		require.NoError(t, er.Erase(ctx, "dana"))
		left, err := reg.Pending(ctx)
		require.NoError(t, err)
		require.Len(t, left, 1)
		assert.Equal(t, "erin", left[0].Request.Customer)
		b, err = er.Export(ctx, "dana")
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &exp))
		assert.Empty(t, exp.Sources["actions"].(map[string]any)["pending_approvals"])
	})
}

// Erasure keeps the audit trail and replaces the customer's identity
// with one pseudonym: strings in the arguments and errors go, numbers
// stay; another customer's entries are untouched.
func TestErasePseudonymisesTheAuditLog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ran := 0
		reg := payRegistry(t, &ran)
		ctx := context.Background()
		_, err := pay(ctx, reg, "dana", "wa-+447700900123", 0.10)
		require.NoError(t, err)
		_, err = reg.Call(ctx, action.Call{Action: "offer_code", Args: json.RawMessage(`{"campaign":"dana@example.com"}`),
			Conversation: "web-dana", Customer: "dana", Confirmed: true})
		require.NoError(t, err)
		_, err = pay(ctx, reg, "erin", "wa-erin", 0.10)
		require.NoError(t, err)

		er := privacy.NewEraser(action.PrivacySource(reg))
		b, err := er.Export(ctx, "dana")
		require.NoError(t, err)
		assert.Contains(t, string(b), "dana@example.com", "the export holds her audit entries")

		require.NoError(t, er.Erase(ctx, "dana"))
		entries := reg.Audit().(*action.MemoryAudit).Entries()
		require.Len(t, entries, 3)
		var pseudonyms []string
		for _, e := range entries {
			raw, err := json.Marshal(e)
			require.NoError(t, err)
			for _, gone := range []string{"dana", "447700900123", "dana@example.com"} {
				assert.NotContains(t, string(raw), gone)
			}
			if e.Customer == "erin" {
				assert.Equal(t, "wa-erin", e.Conversation)
				continue
			}
			assert.Regexp(t, `^erased-[0-9a-f]{12}$`, e.Customer)
			assert.Equal(t, e.Customer, e.Conversation)
			assert.NotEmpty(t, e.Outcome)
			pseudonyms = append(pseudonyms, e.Customer)
		}
		require.Len(t, pseudonyms, 2)
		assert.Equal(t, pseudonyms[0], pseudonyms[1], "one pseudonym per erasure")
		assert.JSONEq(t, `{"amount":0.1}`, string(entries[0].Args), "numbers stay")
		assert.JSONEq(t, `{"campaign":"[erased]"}`, string(entries[1].Args))
	})
}

// auditSink is an AuditLog that cannot pseudonymise.
type auditSink struct{}

func (auditSink) Record(context.Context, action.AuditEntry) error { return nil }

func TestEraseReportsAnAuditLogItCannotReach(t *testing.T) {
	ran := 0
	reg := payRegistry(t, &ran, action.WithAudit(auditSink{}))
	err := privacy.NewEraser(action.PrivacySource(reg)).Erase(context.Background(), "dana")
	var ee *privacy.EraseError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "actions", ee.Failed[0].Source)
	assert.ErrorContains(t, err, "cannot pseudonymise")
}
