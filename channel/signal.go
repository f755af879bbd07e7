package channel

import (
	"slices"
	"strings"
)

// internalPrefixes are the namespaces of the signals the runtime and its
// packages raise themselves: agent messages and the hand-off lifecycle
// (dialog, escalation), approvals, flow timers, proactive steps.
var internalPrefixes = []string{"handoff.", "agent.", "approval.", "escalation.", "flow.", "proactive.", "parley.",
	"dialog.", "desk.", "action.", "system.", "internal."}

// InternalSignal reports whether a signal name is in a namespace the
// runtime keeps for its own signals ("handoff.", "approval.", "flow.",
// "proactive.", "escalation.", ...). Handlers trust such a turn to come
// from inside the application (an agent's message, a staff decision), so
// no channel may let one in from outside: the [Adapter] drops an inbound
// turn that carries one, and the web widget refuses it.
func InternalSignal(name string) bool {
	return slices.ContainsFunc(internalPrefixes, func(p string) bool { return strings.HasPrefix(name, p) })
}
