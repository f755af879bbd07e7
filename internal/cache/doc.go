// Package cache is a bounded, sharded in-memory map for hot decoded
// records (sessions, flow states) shared by Parley's packages: safe for
// concurrent use, with little lock contention between cores. When a shard
// is full, putting a new key evicts an arbitrary entry of that shard.
package cache
