// Package cache is a bounded in-memory map for hot decoded
// records (sessions, flow states) shared by Parley's packages: safe for
// concurrent use: using a key that is already in it (taking its value out,
// putting the next one back) writes no memory shared with other keys, so
// cores do not contend. When the cache is full, putting a new key evicts
// an arbitrary other one.
package cache
