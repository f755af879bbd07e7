// Package textdist measures how far apart two short strings are, for typo
// tolerance in option matching and entity lookup.
package textdist
