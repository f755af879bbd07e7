package memory_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
)

// onlyStore hides the optional capabilities of a store (Versioner), as a
// network store without them behaves.
type onlyStore struct{ memory.Store }

// TestSessionsCacheSurvivesRecreation: two replicas share a store; one
// erases a conversation and it is re-created up to the version the other
// replica has cached. The other must not serve its stale (erased) copy.
func TestSessionsCacheSurvivesRecreation(t *testing.T) {
	tests := []struct {
		name  string
		store func() memory.Store
	}{
		{name: "network store", store: func() memory.Store { return onlyStore{memory.NewMap()} }},
		{name: "versioner", store: func() memory.Store { return memory.NewMap() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			store := tt.store()
			a, b := memory.NewSessions(store), memory.NewSessions(store)

			s := a.New("c")
			s.Append(memory.Entry{Role: memory.RoleUser, Text: "my secret"})
			require.NoError(t, a.Save(ctx, s)) // a caches version 1

			require.NoError(t, b.Delete(ctx, "c")) // erased on replica b
			s, err := b.LoadOrNew(ctx, "c")
			require.NoError(t, err)
			s.Append(memory.Entry{Role: memory.RoleUser, Text: "fresh start"})
			require.NoError(t, b.Save(ctx, s)) // version 1 again

			got, err := a.Load(ctx, "c")
			require.NoError(t, err)
			require.Len(t, got.History, 1)
			require.Equal(t, "fresh start", got.History[0].Text, "replica a served its stale copy of an erased session")
		})
	}
}
