package config

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/admissible/admissible/webhook/judge/kinds"
)

// catalog returns the built-in kinds and the configured ones.
func catalog(crs []CustomResource) (*kinds.Catalog, error) {
	all := kinds.Builtin().All()
	builtin := make(map[schema.GroupVersionKind]bool, len(all))
	for _, k := range all {
		builtin[k.GroupVersionKind] = true
	}
	listed := map[schema.GroupVersionKind]int{}
	for i, cr := range crs {
		at := fmt.Sprintf("customResources[%d]", i)
		gvk := schema.GroupVersionKind{Group: cr.Group, Version: cr.Version, Kind: cr.Kind}
		for _, f := range []struct{ name, value string }{{"version", cr.Version}, {"kind", cr.Kind}, {"resource", cr.Resource}} {
			if f.value == "" {
				return nil, fmt.Errorf("%s.%s: required", at, f.name)
			}
			if strings.ContainsAny(f.value, "/ ") {
				return nil, fmt.Errorf("%s.%s %q: no slashes or spaces", at, f.name, f.value)
			}
		}
		if builtin[gvk] {
			return nil, fmt.Errorf("%s: %s is built in", at, describe(gvk))
		}
		if j, dup := listed[gvk]; dup {
			return nil, fmt.Errorf("%s: %s is already customResources[%d]", at, describe(gvk), j)
		}
		listed[gvk] = i
		if len(cr.ImagePaths) == 0 && len(cr.PodTemplatePaths) == 0 {
			return nil, fmt.Errorf("%s: no imagePaths or podTemplatePaths: nothing to judge", at)
		}
		k := kinds.Kind{GroupVersionKind: gvk, Resource: cr.Resource}
		for _, l := range []struct {
			name  string
			paths []string
			into  *[]kinds.Path
		}{{"imagePaths", cr.ImagePaths, &k.Images}, {"podTemplatePaths", cr.PodTemplatePaths, &k.PodSpecs}} {
			for j, s := range l.paths {
				p, err := kinds.ParsePath(s)
				if err != nil {
					return nil, fmt.Errorf("%s.%s[%d]: %w", at, l.name, j, err)
				}
				*l.into = append(*l.into, p)
			}
		}
		all = append(all, k)
	}
	return kinds.New(all...)
}

// describe names a kind as a user writes it: "argoproj.io/v1alpha1 Rollout".
func describe(gvk schema.GroupVersionKind) string {
	return gvk.GroupVersion().String() + " " + gvk.Kind
}
