package flow

import (
	"fmt"
	"strings"
)

func kind(n Node) string {
	return strings.ToLower(strings.TrimPrefix(fmt.Sprintf("%T", n), "*flow."))
}

// Mermaid returns the flow as a Mermaid flowchart, for documentation and
// drop-off diagrams. Input nodes are drawn round, ends as stadiums.
func (f *Flow) Mermaid() string {
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	ids := map[string]string{}
	for i, id := range f.order {
		ids[id] = fmt.Sprintf("n%d", i)
	}
	for _, id := range f.order {
		n := f.nodes[id].n
		label := mermaidEscape(id + " (" + kind(n) + ")")
		switch {
		case isEnd(n):
			fmt.Fprintf(&b, "    %s([\"%s\"])\n", ids[id], label)
		case n.input():
			fmt.Fprintf(&b, "    %s(\"%s\")\n", ids[id], label)
		default:
			fmt.Fprintf(&b, "    %s[\"%s\"]\n", ids[id], label)
		}
	}
	for _, id := range f.order {
		for _, e := range f.nodes[id].n.targets() {
			if e.to == "" {
				continue
			}
			if e.label == "" {
				fmt.Fprintf(&b, "    %s --> %s\n", ids[id], ids[e.to])
			} else {
				fmt.Fprintf(&b, "    %s -->|\"%s\"| %s\n", ids[id], mermaidEscape(e.label), ids[e.to])
			}
		}
	}
	return b.String()
}

func isEnd(n Node) bool { _, ok := n.(*End); return ok }

func mermaidEscape(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "\n", " ").Replace(s)
}
