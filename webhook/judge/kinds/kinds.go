package kinds

import (
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Kind says where one kind keeps its images.
type Kind struct {
	// GroupVersionKind identifies the kind.
	schema.GroupVersionKind
	// Resource is the plural resource name used in webhook rules.
	Resource string
	// Subresources are further subresources that carry the whole object and
	// must be judged too (pods/ephemeralcontainers).
	Subresources []string
	// PodSpecs are paths of embedded pod specs.
	PodSpecs []Path
	// Images are paths of plain image reference fields.
	Images []Path
}

// Catalog is a set of kinds, looked up by group, version and kind.
type Catalog struct {
	kinds map[schema.GroupVersionKind]Kind
}

// New returns a catalog of the given kinds; a kind listed twice is an error.
func New(ks ...Kind) (*Catalog, error) {
	c := &Catalog{kinds: make(map[schema.GroupVersionKind]Kind, len(ks))}
	for _, k := range ks {
		if _, dup := c.kinds[k.GroupVersionKind]; dup {
			return nil, fmt.Errorf("kind %s listed twice", k.GroupVersionKind)
		}
		if k.Resource == "" {
			return nil, fmt.Errorf("kind %s: no resource name", k.GroupVersionKind)
		}
		c.kinds[k.GroupVersionKind] = k
	}
	return c, nil
}

// Builtin returns the catalog of built-in kinds.
func Builtin() *Catalog {
	c, err := New(builtin()...)
	if err != nil {
		panic(fmt.Sprintf("built-in kinds: %v", err)) // a programming error, caught by tests
	}
	return c
}

// Lookup returns the kind for gvk.
func (c *Catalog) Lookup(gvk schema.GroupVersionKind) (Kind, bool) {
	k, ok := c.kinds[gvk]
	return k, ok
}

// All returns every kind, sorted by group, version and kind.
func (c *Catalog) All() []Kind {
	out := make([]Kind, 0, len(c.kinds))
	for _, k := range c.kinds {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].GroupVersionKind, out[j].GroupVersionKind
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		return a.Kind < b.Kind
	})
	return out
}
