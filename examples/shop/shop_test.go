package shop_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/examples/shop"
)

func TestActions(t *testing.T) {
	b := shop.NewBackend()
	reg := action.NewRegistry(action.WithWrites(true))
	require.NoError(t, shop.Register(reg, b))
	ctx := context.Background()
	tests := []struct {
		name     string
		customer string
		action   string
		args     string
		want     string
		wantErr  bool
	}{
		{name: "lookup", customer: "C2", action: "lookup_order", args: `{"order_id":"A1003"}`, want: `"status":"shipped"`},
		{name: "address", customer: "C1", action: "update_shipping_address", args: `{"order_id":"A1001","address":"5 Oak Ave, Springfield"}`, want: `"address":"5 Oak Ave, Springfield"`},
		{name: "address after shipping", customer: "C2", action: "update_shipping_address", args: `{"order_id":"A1003","address":"5 Oak Ave"}`, wantErr: true},
		{name: "refund", customer: "C1", action: "refund", args: `{"order_id":"A1001","amount":10,"reason":"late"}`, want: `"refunded":10`},
		{name: "plan", customer: "C2", action: "change_plan", args: `{"customer_id":"C2","plan":"premium"}`, want: `"to":"premium"`},
		{name: "bad plan", customer: "C2", action: "change_plan", args: `{"customer_id":"C2","plan":"gold"}`, wantErr: true},
		{name: "discount", customer: "C1", action: "generate_discount_code", args: `{"customer_id":"C1","percent":15}`, want: `"code":"SAVE15-`},
		{name: "discount too big", customer: "C2", action: "generate_discount_code", args: `{"customer_id":"C2","percent":50}`, wantErr: true},
		{name: "callback", customer: "C1", action: "schedule_callback", args: `{"customer_id":"C1","phone":"+1 555 0100","when":"tomorrow 10am"}`, want: `"phone":"+1 555 0100"`},
		{name: "ticket", customer: "C1", action: "create_ticket", args: `{"customer_id":"C1","subject":"Broken lid","body":"The kettle lid is cracked."}`, want: `"subject":"Broken lid"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := reg.Call(ctx, action.Call{Action: tt.action, Args: json.RawMessage(tt.args), Conversation: tt.name, Customer: tt.customer, Confirmed: true})
			if tt.wantErr {
				var re *shop.RuleError
				require.ErrorAs(t, err, &re)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, action.Done, res.Status)
			assert.Contains(t, string(res.Output), tt.want)
		})
	}
	assert.Equal(t, "premium", b.Plan("C2"))
	assert.Len(t, b.Tickets(), 1)
	assert.Len(t, b.Callbacks(), 1)
	assert.Equal(t, 1, b.Refunds())
}
