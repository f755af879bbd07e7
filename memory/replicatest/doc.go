// Package replicatest checks that a [memory.Store] keeps conversations
// intact when several bot replicas share it: [Run] drives many
// conversations concurrently through several [parley.Bot]s, each taking
// conversation leases ([parley.WithLocker]) through its own store client, redelivers a share of
// the webhooks to other replicas, optionally kills a replica or takes the
// backend down mid-run, and then checks every conversation's stored
// history: exactly its turns, in order, no duplicate, no gap.
//
// # Overview
//
//	func TestReplicas(t *testing.T) {
//		prefix := freshPrefix(t)
//		res := replicatest.Run(t, func(t *testing.T) memory.Store {
//			return newStoreWithOwnClient(t, prefix) // same data, new connection
//		}, replicatest.Config{Replicas: 3, KillReplica: true})
//		t.Logf("%d turns in %v", res.Turns, res.Elapsed)
//	}
//
// # Concurrency
//
// Run starts one goroutine per conversation (plus one per redelivery) and
// waits for all of them before returning.
//
// # Errors
//
// Failures are reported through the *testing.T.
package replicatest
