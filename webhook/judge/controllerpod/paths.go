package controllerpod

import (
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Paths maps field paths of a built pod to the owner's fields.
type Paths struct {
	spec, meta, ownerName *field.Path
	// derivedFrom maps a pod field the controller fills in to the owner's
	// field it comes from.
	derivedFrom []derivation
	// volumes[i] is where the pod's volume i comes from, when remapVolumes.
	volumes      []*field.Path
	remapVolumes bool
	// labels maps the value of a label the controller sets to the owner's
	// field it derives from.
	labels map[string]*field.Path
}

type derivation struct {
	pod   string
	owner *field.Path
}

func (p *Paths) derived(pod string, owner *field.Path) {
	p.derivedFrom = append(p.derivedFrom, derivation{pod: pod, owner: owner})
}

func (p *Paths) specChild(name string) *field.Path {
	if p.spec == nil {
		return field.NewPath("spec", name)
	}
	return p.spec.Child(name)
}

var volumeIndex = regexp.MustCompile(`^spec\.volumes\[(\d+)\]`)

// MapError returns e with its field path turned into the owner's: see Map.
// An error on a label value the controller derives from the owner's name
// (a StatefulSet's pod-name label) is the owner's metadata.name.
func (p *Paths) MapError(e *field.Error) *field.Error {
	out := *e
	if s, ok := e.BadValue.(string); ok && strings.HasPrefix(e.Field, "metadata.labels") {
		if from, ok := p.labels[s]; ok {
			out.Field = from.String()
			return &out
		}
	}
	out.Field = p.Map(e.Field)
	return &out
}

// Map returns the owner's field path for the pod's field path podPath
// ("spec.containers[0].image" -> "spec.template.spec.containers[0].image").
// A field the controller derives from the owner (a StatefulSet pod's
// hostname) maps to that field, a claim volume of a StatefulSet to its
// volumeClaimTemplates entry.
func (p *Paths) Map(podPath string) string {
	for _, d := range p.derivedFrom {
		if podPath == d.pod || strings.HasPrefix(podPath, d.pod+".") || strings.HasPrefix(podPath, d.pod+"[") {
			return d.owner.String()
		}
	}
	if p.remapVolumes {
		if m := volumeIndex.FindStringSubmatch(podPath); m != nil {
			if i, err := strconv.Atoi(m[1]); err == nil && i < len(p.volumes) {
				return p.volumes[i].String() + podPath[len(m[0]):]
			}
		}
	}
	switch {
	case podPath == "spec" || strings.HasPrefix(podPath, "spec.") || strings.HasPrefix(podPath, "spec["):
		if p.spec != nil {
			return p.spec.String() + podPath[len("spec"):]
		}
	case podPath == "metadata" || strings.HasPrefix(podPath, "metadata."):
		if p.meta != nil {
			return p.meta.String() + podPath[len("metadata"):]
		}
		return p.ownerName.String()
	}
	return podPath
}
