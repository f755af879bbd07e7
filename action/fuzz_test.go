package action_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/action"
)

// FuzzApprovalRequestFromData: any hand-off data decodes without panic,
// and what decodes encodes back to the same request.
func FuzzApprovalRequestFromData(f *testing.F) {
	f.Add("appr-1", "c1", "C1", "refund", `{"order_id":"A1002","amount":120}`, "120.00", "50.00")
	f.Add("x", "", "", "a", ``, "", "")
	f.Add("x", "c", "", "a", `{oops`, "NaN", "1e400")
	f.Fuzz(func(t *testing.T, id, conv, customer, act, args, amount, limit string) {
		d := map[string]string{action.DataApprovalID: id, action.DataConversation: conv, action.DataCustomer: customer,
			action.DataAction: act, action.DataArgs: args, action.DataAmount: amount, action.DataLimit: limit}
		q, err := action.ApprovalRequestFromData(d)
		if err != nil {
			return
		}
		back, err := action.ApprovalRequestFromData(q.Data())
		require.NoError(t, err)
		// Amounts travel with two decimals; compare the re-encoded form.
		if diff := cmp.Diff(q.Data(), back.Data()); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}
