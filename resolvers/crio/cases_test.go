package crio_test

import (
	"fmt"
	"sort"
	"strings"

	"github.com/admissible/admissible/resolvers/crio"
)

// The generated configurations of the differential test: registries.conf
// layouts (mirror orders, digest-only and tag-only mirrors,
// mirror-by-digest-only, blocked sources, rewritten locations, nested and
// wildcard prefixes, short names and aliases), each with the faults of its
// hosts, by tag and by digest.

// host is one loopback host of a layout and the repository at which it
// holds the image when its fault lets it.
type host struct {
	name, repo string
}

// layout is a registries.conf and the hosts it names.
type layout struct {
	label  string
	conf   string
	dropIn string
	// written is the reference as written, "@{d}" for the digest.
	written string
	// hosts are the layout's hosts whose faults vary, in order.
	hosts []host
	// fixed are hosts with a fault of their own.
	fixed map[host]fault
	// primaries are the registries' own locations: their not-found is
	// authoritative.
	primaries []string
}

type diffCase struct {
	layout
	mode   crio.ShortNameMode
	faults map[string]fault
}

func (c diffCase) String() string {
	var parts []string
	for _, h := range c.hosts {
		parts = append(parts, h.name+"="+string(c.faults[h.name]))
	}
	return fmt.Sprintf("%s/%s/%s/%s", c.label, c.written, strings.Join(parts, ","), c.mode)
}

// The qualified reference of most layouts, by tag and by digest.
const (
	byTag    = "reg.test/team/app:v1"
	byDigest = "reg.test/team/app@{d}"
)

var (
	reg      = host{"reg.test", "team/app"}
	m1       = host{"m1.test", "team/app"}
	m2       = host{"m2.test", "cache/team/app"}
	internal = host{"internal.test", "copies/team/app"}
	m1Proxy  = host{"m1.test", "proxy/team/app"}
	s1       = host{"s1.test", "app"}
	s2       = host{"s2.test", "app"}
)

// entry is a registries.conf [[registry]] table for location with mirrors,
// each "location" or "location pull-from-mirror".
func entry(location string, extra string, mirrors ...string) string {
	s := fmt.Sprintf("[[registry]]\nlocation = %q\ninsecure = true\n%s", location, extra)
	for _, m := range mirrors {
		loc, pull, _ := strings.Cut(m, " ")
		s += fmt.Sprintf("[[registry.mirror]]\nlocation = %q\ninsecure = true\n", loc)
		if pull != "" {
			s += fmt.Sprintf("pull-from-mirror = %q\n", pull)
		}
	}
	return s + "\n"
}

// combos returns every assignment of faults to hosts, choices[i] for hosts[i].
func combos(hosts []host, choices ...[]fault) []map[string]fault {
	out := []map[string]fault{{}}
	for i, h := range hosts {
		var next []map[string]fault
		for _, base := range out {
			for _, f := range choices[i] {
				m := map[string]fault{h.name: f}
				for k, v := range base {
					m[k] = v
				}
				next = append(next, m)
			}
		}
		out = next
	}
	return out
}

func faults(fs ...fault) []fault { return fs }

// matrix returns the cases; each layout is crossed with the faults that
// make its rules matter.
func matrix() []diffCase {
	var out []diffCase
	add := func(l layout, mode crio.ShortNameMode, choices ...[]fault) {
		for _, fs := range combos(l.hosts, choices...) {
			out = append(out, diffCase{layout: l, mode: mode, faults: fs})
		}
	}
	both := func(l layout, choices ...[]fault) {
		for _, w := range []string{byTag, byDigest} {
			l.written = w
			add(l, crio.Disabled, choices...)
		}
	}
	all := faults(good, missing, e500, auth401, dead)

	alone := layout{label: "registry alone", conf: entry("reg.test", ""), hosts: []host{reg}, primaries: []string{"reg.test"}}
	both(alone, all)
	one := layout{label: "one mirror", conf: entry("reg.test", "", "m1.test"), hosts: []host{m1, reg}, primaries: []string{"reg.test"}}
	one.written = byTag
	add(one, crio.Disabled, all, faults(good, missing, e500, auth401))
	one.written = byDigest
	add(one, crio.Disabled, all, faults(missing))
	two := layout{label: "two mirrors", conf: entry("reg.test", "", "m1.test", "m2.test/cache"), hosts: []host{m1, m2, reg}, primaries: []string{"reg.test"}}
	two.written = byTag
	add(two, crio.Disabled, faults(dead, missing, e500), gm(), gm())
	both(layout{label: "digest-only mirror", conf: entry("reg.test", "", "m1.test digest-only"), hosts: []host{m1, reg}, primaries: []string{"reg.test"}}, gm(), gm())
	both(layout{label: "tag-only mirror", conf: entry("reg.test", "", "m1.test tag-only"), hosts: []host{m1, reg}, primaries: []string{"reg.test"}}, gm(), gm())
	both(layout{label: "mirror-by-digest-only", conf: entry("reg.test", "mirror-by-digest-only = true\n", "m1.test"), hosts: []host{m1, reg}, primaries: []string{"reg.test"}}, gm(), gm())
	both(layout{label: "NeverContactSource", conf: entry("reg.test/team", "blocked = true\n", "m1.test/team digest-only"), hosts: []host{m1},
		fixed: map[host]fault{reg: blocked}}, faults(good, missing, e500))
	both(layout{label: "blocked, digest-only and tag-only mirrors", conf: entry("reg.test/team", "blocked = true\n", "m1.test/team digest-only", "m2.test/cache/team tag-only"),
		hosts: []host{m1, m2}, fixed: map[host]fault{reg: blocked}}, gm(), gm())
	rewritten := layout{label: "rewritten namespace", hosts: []host{m1Proxy, internal}, primaries: []string{"internal.test"},
		conf: "[[registry]]\nprefix = \"reg.test/team\"\nlocation = \"internal.test/copies/team\"\ninsecure = true\n[[registry.mirror]]\nlocation = \"m1.test/proxy/team\"\ninsecure = true\n"}
	rewritten.written = byTag
	add(rewritten, crio.Disabled, faults(good, missing, dead), gm())
	rewritten.written = byDigest
	add(rewritten, crio.Disabled, faults(dead, missing), faults(missing))
	both(layout{label: "nested prefixes", conf: entry("reg.test", "", "m2.test/cache") + entry("reg.test/team", "", "m1.test/narrow/team"),
		hosts: []host{{"m1.test", "narrow/team/app"}, reg}, fixed: map[host]fault{m2: unused}, primaries: []string{"reg.test"}}, gm(), gm())
	wildcard := layout{label: "wildcard prefix", written: "a.example.test/team/app:v1", hosts: []host{{"m1.test", "any/team/app"}, {"a.example.test", "team/app"}},
		conf: "[[registry]]\nprefix = \"*.example.test\"\ninsecure = true\n[[registry.mirror]]\nlocation = \"m1.test/any\"\ninsecure = true\n", primaries: []string{"a.example.test"}}
	add(wildcard, crio.Disabled, faults(good, missing, dead), gm())
	both(layout{label: "mirror under a blocked prefix", conf: entry("reg.test", "", "blk.test/old", "m1.test") + entry("blk.test", "blocked = true\n"),
		hosts: []host{m1, reg}, fixed: map[host]fault{{"blk.test", "old/team/app"}: blocked}, primaries: []string{"reg.test"}}, gm(), gm())
	secureMirror := layout{label: "mirror without insecure", written: byTag, hosts: []host{reg}, fixed: map[host]fault{m1: secure}, primaries: []string{"reg.test"},
		conf: "[[registry]]\nlocation = \"reg.test\"\ninsecure = true\n[[registry.mirror]]\nlocation = \"m1.test\"\n"}
	add(secureMirror, crio.Disabled, gm())
	hung := layout{label: "hung mirror", written: byTag, conf: entry("reg.test", "", "m1.test"), hosts: []host{m1, reg}, primaries: []string{"reg.test"}}
	add(hung, crio.Disabled, faults(hang), gm())
	alone.written = byTag
	add(alone, crio.Disabled, faults(hang))
	add(layout{label: "hung second mirror", written: byTag, conf: entry("reg.test", "", "m1.test", "m2.test/cache"), hosts: []host{m1, m2, reg}, primaries: []string{"reg.test"}},
		crio.Disabled, faults(missing, good), faults(hang), faults(good))

	out = append(out, shortNameCases()...)
	return out
}

func shortNameCases() []diffCase {
	var out []diffCase
	add := func(l layout, mode crio.ShortNameMode, choices ...[]fault) {
		for _, fs := range combos(l.hosts, choices...) {
			out = append(out, diffCase{layout: l, mode: mode, faults: fs})
		}
	}
	search := "unqualified-search-registries = [\"s1.test\", \"s2.test\"]\n" + entry("s1.test", "") + entry("s2.test", "")
	four := faults(good, missing, e500, dead)
	sn := layout{label: "search registries", conf: search, written: "app:v1", hosts: []host{s1, s2}, primaries: []string{"s1.test", "s2.test"}}
	add(sn, crio.Disabled, four, four)
	sn.written = "app@{d}"
	add(sn, crio.Disabled, faults(missing, e500), faults(good, missing))
	ns := sn
	ns.written, ns.hosts = "team/app:v1", []host{{"s1.test", "team/app"}, {"s2.test", "team/app"}}
	add(ns, crio.Disabled, faults(missing), faults(good, missing))
	alias := layout{label: "alias", conf: search + "[aliases]\n\"app\" = \"alias.test/team/app\"\n" + entry("alias.test", ""), written: "app:v1",
		hosts: []host{{"alias.test", "team/app"}}, fixed: map[host]fault{s1: unused, s2: unused}, primaries: []string{"alias.test"}}
	add(alias, crio.Disabled, faults(good, missing, e500))
	add(alias, crio.Enforcing, gm())
	dropIn := alias
	dropIn.label, dropIn.conf, dropIn.dropIn = "alias of a drop-in", search+entry("alias.test", ""), "[aliases]\n\"app\" = \"alias.test/team/app\"\n"
	add(dropIn, crio.Disabled, gm())
	mirrored := layout{label: "search registry with a mirror", conf: "unqualified-search-registries = [\"s1.test\", \"s2.test\"]\n" + entry("s1.test", "", "m1.test/s1") + entry("s2.test", ""),
		written: "app:v1", hosts: []host{{"m1.test", "s1/app"}, s1, s2}, primaries: []string{"s1.test", "s2.test"}}
	add(mirrored, crio.Disabled, gm(), faults(missing, e500), faults(good))
	add(mirrored, crio.Disabled, faults(missing), faults(missing), faults(missing))
	blockedFirst := layout{label: "blocked search registry", conf: "unqualified-search-registries = [\"s1.test\", \"s2.test\"]\n" + entry("s1.test", "blocked = true\n") + entry("s2.test", ""),
		written: "app:v1", hosts: []host{s2}, fixed: map[host]fault{s1: blocked}, primaries: []string{"s2.test"}}
	add(blockedFirst, crio.Disabled, faults(good, missing, e500))
	add(layout{label: "no search registry, no alias", conf: entry("s1.test", ""), written: "app:v1", fixed: map[host]fault{s1: unused}}, crio.Disabled)
	single := layout{label: "one search registry", conf: "unqualified-search-registries = [\"s1.test\"]\n" + entry("s1.test", ""), written: "app:v1", hosts: []host{s1}, primaries: []string{"s1.test"}}
	add(single, crio.Enforcing, faults(good, missing, e500))
	ambiguous := sn
	ambiguous.written = "app:v1"
	add(ambiguous, crio.Enforcing, faults(good), faults(good))
	return out
}

func gm() []fault { return faults(good, missing) }

// labels counts the cases of each layout, for the log.
func labels(cases []diffCase) string {
	n := map[string]int{}
	for _, c := range cases {
		n[c.label]++
	}
	var parts []string
	for l, k := range n {
		parts = append(parts, fmt.Sprintf("%s %d", l, k))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
