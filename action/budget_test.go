package action_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/action"
)

type crmArgs struct {
	ID string `json:"id"`
}

func TestReadOnlyBudgets(t *testing.T) {
	tests := []struct {
		name    string
		perConv int
		perDay  int
		give    []string // conversations, one call each
		want    []error
	}{
		{name: "per conversation", perConv: 1, give: []string{"c1", "c1", "c2"}, want: []error{nil, action.ErrBudget, nil}},
		{name: "per day", perDay: 2, give: []string{"c1", "c2", "c3"}, want: []error{nil, nil, action.ErrBudget}},
		{name: "both", perConv: 1, perDay: 1, give: []string{"c1", "c1", "c2"}, want: []error{nil, action.ErrBudget, action.ErrBudget}},
		{name: "no caps", give: []string{"c1", "c1", "c1"}, want: []error{nil, nil, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { // no midnight in the middle
				audit := &action.MemoryAudit{}
				reg := action.NewRegistry(action.WithAudit(audit)) // writes off: read-only deployment
				runs := 0
				require.NoError(t, action.Register(reg, action.Def[crmArgs, int]{Name: "crm_lookup", PerConversation: tt.perConv, PerDay: tt.perDay,
					Run: func(context.Context, crmArgs) (int, error) { runs++; return runs, nil }}))
				allowed := 0
				var wantRefused, gotRefused []bool
				for i, conv := range tt.give {
					_, err := reg.Call(context.Background(), action.Call{Action: "crm_lookup", Conversation: conv, Args: json.RawMessage(`{"id":"x"}`)})
					require.ErrorIs(t, err, tt.want[i], "call %d", i) // errors.Is(err, nil) holds only for a nil err
					wantRefused = append(wantRefused, tt.want[i] != nil)
				}
				for _, refused := range wantRefused {
					allowed += map[bool]int{false: 1}[refused]
				}
				assert.Equal(t, allowed, runs, "refused calls never run")
				for _, e := range audit.Entries() {
					gotRefused = append(gotRefused, e.Outcome == "refused")
				}
				assert.Equal(t, wantRefused, gotRefused, "the audit marks exactly the refused calls")
			})
		})
	}
}

func TestReadOnlyFailureDoesNotUseBudget(t *testing.T) {
	reg := action.NewRegistry()
	fail := true
	require.NoError(t, action.Register(reg, action.Def[crmArgs, string]{Name: "crm_lookup", PerConversation: 1,
		Run: func(context.Context, crmArgs) (string, error) {
			if fail {
				return "", errors.New("crm down")
			}
			return "ok", nil
		}}))
	c := action.Call{Action: "crm_lookup", Conversation: "c1", Args: json.RawMessage(`{"id":"x"}`)}
	_, err := reg.Call(context.Background(), c)
	require.Error(t, err)
	fail = false
	_, err = reg.Call(context.Background(), c)
	require.NoError(t, err, "the failed lookup did not count")
	_, err = reg.Call(context.Background(), c)
	require.ErrorIs(t, err, action.ErrBudget)
}
