// Package escalationtest checks that an [escalation.Desk] implementation
// behaves as the escalator expects, as testing/fstest does for file
// systems.
package escalationtest
