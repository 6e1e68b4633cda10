package circle

import (
	"fmt"
	"strings"

	"github.com/admissible/admissible/resolvers"
)

// ordinals name an endpoint's place in the walk.
var ordinals = []string{"first", "second", "third", "fourth", "fifth"}

func ordinal(i int) string {
	if i < len(ordinals) {
		return ordinals[i]
	}
	return fmt.Sprintf("as endpoint %d", i+1)
}

// Message spells out the circle and what breaks it:
//
//	harbor-registry/harbor-registry-core serves registry.example, which
//	docker.io pulls go through first; its own image goharbor/harbor-core is
//	pulled through it (...)
func (c Circle) Message() string {
	host := c.Endpoint.Host
	var b strings.Builder
	fmt.Fprintf(&b, "registry circle: %s serves %s, which %s pulls go through %s; its own image %s is pulled through it",
		c.Service, host, c.Registry, ordinal(c.Position), c.Image)
	fmt.Fprintf(&b, " (%s backs the Service; %s reaches it through %s). ", c.Workload, host, c.Via)
	if len(c.Fallbacks) == 0 {
		fmt.Fprintf(&b, "When its pods go, no node can pull them back: nothing is tried after %s. ", host)
	} else {
		fmt.Fprintf(&b, "When its pods go, nodes can pull them back only if %s serves them. ", endpoints(c.Fallbacks, c.Registry))
	}
	fmt.Fprintf(&b, "Break the circle with a fallback that works without it (prove it with admissible mirrors check), "+
		"its images pinned on the nodes, or a mirror entry for its own images that skips %s", host)
	return b.String()
}

// endpoints names the fallbacks: "https://docker.io/v2 or registry-1.docker.io itself".
func endpoints(eps []resolvers.Endpoint, registry string) string {
	names := make([]string, 0, len(eps))
	for _, ep := range eps {
		if ep == resolvers.Upstream(registry) {
			names = append(names, ep.Host+" itself")
			continue
		}
		names = append(names, ep.Scheme+"://"+ep.Host+ep.Path)
	}
	return strings.Join(names, " or ")
}

// String renders an entry of "mirrors check": "docker.io endpoint 1
// https://registry.example/v2: Service harbor-registry/harbor-registry-core
// through Ingress harbor-registry/harbor".
func (e Entry) String() string {
	return fmt.Sprintf("%s endpoint %d %s: %s", e.Registry, e.Position+1, e.Endpoint, e.Reaches())
}

// Reaches says which Services the endpoint reaches, and how: "Service
// harbor-registry/harbor-registry-core through Ingress harbor-registry/harbor".
func (e Entry) Reaches() string {
	vias := make([]string, 0, len(e.Access))
	for _, a := range e.Access {
		vias = append(vias, fmt.Sprintf("Service %s through %s", a.Service, a.Via))
	}
	return strings.Join(vias, " and ")
}
