package main

import (
	"github.com/parleyhq/parley/action"
	"github.com/parleyhq/parley/memory"
)

// durableActions keeps the actions' state in the example's store (the
// SQLite file by default): the refunds waiting for a person's approval,
// the results of changes already made, and the budget counters. With
// them in the store, a restart does not hand out the day's refund budget
// (or a customer's one discount code per campaign) a second time, and
// two copies of the demo over one database share each budget instead of
// each granting the whole of it.
func durableActions(store memory.Store) []action.Option {
	return []action.Option{action.WithApprovals(action.NewStoreApprovals(store)), action.WithStore(store)}
}
