package manifest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	yaml3 "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	serializerjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/client-go/kubernetes/scheme"
	kjson "sigs.k8s.io/json"
)

// strictDecoder decodes a request body as the API server does with
// fieldValidation=Strict, kubectl's default: into the object's own Go type,
// reporting each unknown or duplicated field. Only the kinds of
// client-go's scheme, the API server's built-in types, are known to it;
// checked decides which of them it judges.
var strictDecoder = serializerjson.NewSerializerWithOptions(serializerjson.DefaultMetaFactory, scheme.Scheme, scheme.Scheme, serializerjson.SerializerOptions{Strict: true})

// maxStrictErrors is where the API server's decoder stops counting.
const maxStrictErrors = 100

// refusal is the API server's answer to a request creating o as kubectl
// sends it (the object as JSON) with the keys dups written twice in it, or
// "" when it decodes the object. For a kind it does not know (a custom
// resource) only dups are refused.
func refusal(o *unstructured.Unstructured, dups []string) string {
	gvk := o.GroupVersionKind()
	var strict []error
	if checked(gvk) {
		data, err := json.Marshal(o.Object)
		if err != nil {
			return "" // not from a decoded document: it holds no NaN or infinity
		}
		_, _, err = strictDecoder.Decode(data, nil, nil)
		if err != nil {
			se, ok := runtime.AsStrictDecodingError(err)
			if !ok {
				// A value of the wrong type: refused whatever the validation.
				return cannotBeHandled(o, err)
			}
			strict = se.Errors()
		}
	}
	for _, p := range dups {
		if len(strict) >= maxStrictErrors {
			break
		}
		strict = append(strict, fmt.Errorf("duplicate field %s", strconv.Quote(p)))
	}
	if len(strict) == 0 {
		return ""
	}
	return cannotBeHandled(o, runtime.NewStrictDecodingError(strict))
}

// checked says whether the fields of a kind are checked: those of the
// stable versions of the built-in kinds. A stable version's fields are
// never removed, so those of this client's types, the newest, are all that
// any cluster's API server knows of it. An alpha or beta version
// (apps/v1beta1, resource.k8s.io/v1beta2) is left alone, as a custom
// resource is: a cluster serves it with the fields of its own release or
// not at all, which is for the cluster to say.
func checked(gvk schema.GroupVersionKind) bool {
	o, err := scheme.Scheme.New(gvk)
	if err != nil {
		return false
	}
	_, prerelease := o.(interface{ APILifecycleRemoved() (major, minor int) })
	return !prerelease
}

// cannotBeHandled words a decoding error as the API server's create
// handler does (transformDecodeError).
func cannotBeHandled(o *unstructured.Unstructured, err error) string {
	gvk := o.GroupVersionKind()
	return fmt.Sprintf("%s in version %q cannot be handled as a %s: %v", gvk.Kind, gvk.Version, gvk.Kind, err)
}

// duplicates are the paths of the keys written twice in the same map of a
// document, as the API server's decoder names them ("spec.replicas",
// "spec.containers[0].image").
func duplicates(d rawDocument) []string {
	if d.isJSON {
		return jsonDuplicates(d.raw)
	}
	return yamlDuplicates(d.raw)
}

// jsonDuplicates finds them with the API server's own JSON decoder.
func jsonDuplicates(raw []byte) []string {
	var m map[string]any
	strict, err := kjson.UnmarshalStrict(raw, &m)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range strict {
		if f, ok := e.(interface{ FieldPath() string }); ok && strings.HasPrefix(e.Error(), "duplicate field ") {
			out = append(out, f.FieldPath())
		}
	}
	return out
}

// yamlDuplicates finds them in the document's YAML nodes. The YAML
// libraries' own checks do not serve: the strict mode of the one the API
// server and kubectl convert YAML with (yaml.v2) refuses a key that
// overrides one brought in by a merge key ("<<: *defaults"), which is no
// duplicate; yaml.v3's compares every key of a map with every other, which
// a map of many keys turns into minutes. This walk visits each node once
// and never expands an alias.
func yamlDuplicates(raw []byte) []string {
	var doc yaml3.Node
	if err := yaml3.Unmarshal(raw, &doc); err != nil {
		return nil // the YAML decoder read it; yaml.v3 disagreeing is no duplicate
	}
	var out []string
	seen := map[string]bool{}
	var walk func(n *yaml3.Node, path string)
	walk = func(n *yaml3.Node, path string) {
		if len(out) >= maxStrictErrors {
			return
		}
		switch n.Kind {
		case yaml3.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml3.SequenceNode:
			for i, c := range n.Content {
				walk(c, path+"["+strconv.Itoa(i)+"]")
			}
		case yaml3.MappingNode:
			keys := map[string]bool{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Kind != yaml3.ScalarNode {
					continue
				}
				if k.ShortTag() == "!!merge" {
					// The merged maps' keys are this map's unless it has
					// them: each is checked on its own, where written.
					switch v.Kind {
					case yaml3.MappingNode:
						walk(v, path)
					case yaml3.SequenceNode:
						for _, c := range v.Content {
							if c.Kind == yaml3.MappingNode {
								walk(c, path)
							}
						}
					}
					continue
				}
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				if keys[k.Value] && !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
				keys[k.Value] = true
				walk(v, p)
			}
		}
	}
	walk(&doc, "")
	return out
}
