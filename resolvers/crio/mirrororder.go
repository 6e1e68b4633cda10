package crio

import (
	"slices"
	"strings"
)

// merged is the one mirror list of a source.
type merged struct {
	source  string
	mirrors []string
	never   bool
}

// merge joins the sets of each source, sources in name order.
func merge(sets []MirrorSet) []merged {
	bySource := map[string][][]string{}
	never := map[string]bool{}
	for _, s := range sets {
		if !slices.ContainsFunc(s.Mirrors, func(m string) bool { return m != s.Source }) {
			// Only the source again, or nothing: not a mirror set.
			continue
		}
		bySource[s.Source] = append(bySource[s.Source], s.Mirrors)
		never[s.Source] = never[s.Source] || s.NeverContactSource
	}
	sources := make([]string, 0, len(bySource))
	for s := range bySource {
		sources = append(sources, s)
	}
	slices.Sort(sources)
	out := make([]merged, 0, len(sources))
	for _, src := range sources {
		g := graph{}
		for _, mirrors := range bySource[src] {
			for i := 0; i+1 < len(mirrors); i++ {
				g.edge(mirrors[i], mirrors[i+1])
			}
			if !slices.Contains(mirrors, src) {
				g.edge(mirrors[len(mirrors)-1], src)
			}
		}
		order := g.sorted()
		if order[len(order)-1] == src {
			// The source is tried last anyway.
			order = order[:len(order)-1]
		}
		out = append(out, merged{source: src, mirrors: order, never: never[src]})
	}
	return out
}

// graph orders mirrors: an edge a→b says a comes before b.
type graph map[string]*node

type node struct {
	name string
	used bool
	// in holds the predecessors not yet placed; out every successor.
	in, out map[*node]bool
}

func (g graph) get(name string) *node {
	n, ok := g[name]
	if !ok {
		n = &node{name: name, in: map[*node]bool{}, out: map[*node]bool{}}
		g[name] = n
	}
	return n
}

func (g graph) edge(from, to string) {
	f, t := g.get(from), g.get(to)
	f.out[t] = true
	t.in[f] = true
}

// sorted places every node after its predecessors, taking the first by
// name among those ready; a loop is broken by placing the first unplaced
// node by name.
func (g graph) sorted() []string {
	all := make([]*node, 0, len(g))
	for _, n := range g {
		all = append(all, n)
	}
	byName := func(a, b *node) int { return strings.Compare(a.name, b.name) }
	slices.SortFunc(all, byName)
	var ready []*node
	for _, n := range all {
		if len(n.in) == 0 {
			ready = append(ready, n)
		}
	}
	out := make([]string, 0, len(all))
	next := 0
	for len(out) < len(all) {
		var n *node
		if len(ready) > 0 {
			n, ready = ready[0], ready[1:]
		} else {
			for all[next].used {
				next++
			}
			n = all[next]
		}
		n.used = true
		out = append(out, n.name)
		var batch []*node
		for succ := range n.out {
			delete(succ.in, n)
			if len(succ.in) == 0 && !succ.used {
				batch = append(batch, succ)
			}
		}
		slices.SortFunc(batch, byName)
		ready = append(ready, batch...)
	}
	return out
}
