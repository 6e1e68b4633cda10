package platforms_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/admissible/admissible/resolvers"
	served "github.com/admissible/admissible/resolvers/platforms"
	"github.com/admissible/admissible/webhook/judge/check"
	"github.com/admissible/admissible/webhook/judge/platforms"
)

// source serves, by reference, the platforms listed; a missing reference
// is an error.
type source map[string][]string

func (s source) Served(_ context.Context, q resolvers.Query, _ resolvers.Result) (served.Served, error) {
	list, ok := s[q.Ref.String()]
	if !ok {
		return served.Served{}, errors.New("index not read")
	}
	out := served.Served{Index: len(list) > 1}
	for _, p := range list {
		pl, err := served.Parse(p)
		if err != nil {
			panic(err)
		}
		out.Platforms = append(out.Platforms, pl)
	}
	return out, nil
}

// nodes is a cluster's nodes.
type nodes []corev1.Node

func (n nodes) Nodes(context.Context) ([]corev1.Node, error) { return n, nil }

func node(name, arch string, taints ...corev1.Taint) corev1.Node {
	n := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"kubernetes.io/os": "linux", "kubernetes.io/arch": arch}}}
	n.Spec.Taints = taints
	n.Status.NodeInfo.ContainerRuntimeVersion = "containerd://2.1.4"
	return n
}

// subject is one pod template naming one image.
type subject struct {
	pod   check.Pod
	image check.Image
}

func (s subject) Pods() []check.Pod                    { return []check.Pod{s.pod} }
func (s subject) Images(context.Context) []check.Image { return []check.Image{s.image} }

func newSubject(t *testing.T, controller, image string, spec corev1.PodSpec) subject {
	t.Helper()
	ref, err := name.ParseReference(image)
	if err != nil {
		t.Fatal(err)
	}
	path := field.NewPath("spec", "template", "spec")
	return subject{
		pod:   check.Pod{Path: path, Spec: &spec, Template: &spec, Controller: controller},
		image: check.Image{Path: path.Child("containers").Index(0).Child("image"), Ref: image, Pod: &spec, Query: resolvers.Query{Ref: ref}, Result: resolvers.Result{Verdict: resolvers.Found}},
	}
}

func TestJudge(t *testing.T) {
	src := source{
		"reg.example/amd64-only:1": {"linux/amd64"},
		"reg.example/multi:1":      {"linux/amd64", "linux/arm64"},
		"reg.example/arm-only:1":   {"linux/arm64"},
		"reg.example/v7:1":         {"linux/amd64", "linux/arm/v7"},
	}
	tainted := corev1.Taint{Key: "arch", Value: "arm", Effect: corev1.TaintEffectNoSchedule}
	mixed := nodes{node("a1", "amd64"), node("a2", "amd64"), node("r1", "arm64")}
	armPinned := corev1.PodSpec{NodeSelector: map[string]string{"kubernetes.io/arch": "arm64"}}
	tests := map[string]struct {
		nodes      platforms.Nodes
		controller string
		image      string
		spec       corev1.PodSpec
		// created, when set, is the pod the controller creates, spec its
		// template.
		created *corev1.PodSpec
		problem string
		warning string
	}{
		"pinned to arm64, amd64 only: refused": {nodes: mixed, controller: "Deployment", image: "reg.example/amd64-only:1", spec: armPinned,
			problem: `spec.template.spec.containers[0].image: Forbidden: image "reg.example/amd64-only:1" serves linux/amd64 only; the nodes this pod may run on are linux/arm64 (1 node): no match for their platform`},
		"pinned to arm64, multi-arch: admitted": {nodes: mixed, controller: "Deployment", image: "reg.example/multi:1", spec: armPinned},
		"unpinned over mixed nodes: warned": {nodes: mixed, controller: "Deployment", image: "reg.example/amd64-only:1",
			warning: `spec.template.spec.containers[0].image: image "reg.example/amd64-only:1" serves linux/amd64 only; not linux/arm64 (1 node), where this pod may also be scheduled`},
		"DaemonSet over mixed nodes: refused": {nodes: mixed, controller: "DaemonSet", image: "reg.example/amd64-only:1",
			problem: `this DaemonSet also runs on linux/arm64 (1 node): its pods there fail`},
		"DaemonSet pod pinned by name: the template's selectors decide": {nodes: mixed, controller: "DaemonSet", image: "reg.example/amd64-only:1",
			created: &corev1.PodSpec{Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{"stand-in"}}}}}}}}},
			problem: "this DaemonSet also runs on linux/arm64 (1 node)"},
		"tainted arm node not tolerated: admitted": {nodes: nodes{node("a1", "amd64"), node("r1", "arm64", tainted)}, controller: "DaemonSet", image: "reg.example/amd64-only:1"},
		"tainted arm node tolerated: counts": {nodes: nodes{node("a1", "amd64"), node("r1", "arm64", tainted)}, controller: "DaemonSet", image: "reg.example/amd64-only:1",
			spec:    corev1.PodSpec{Tolerations: []corev1.Toleration{{Key: "arch", Operator: corev1.TolerationOpExists}}},
			problem: "this DaemonSet also runs on linux/arm64 (1 node)"},
		"not-ready taint does not exclude a node": {nodes: nodes{node("r1", "arm64", corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute})}, controller: "Deployment", image: "reg.example/amd64-only:1",
			problem: "the nodes this pod may run on are linux/arm64 (1 node)"},
		"nodeName pins one node": {nodes: mixed, controller: "Pod", image: "reg.example/arm-only:1", spec: corev1.PodSpec{NodeName: "a1"},
			problem: "the nodes this pod may run on are linux/amd64 (1 node)"},
		"no node matches: warned, not judged": {nodes: mixed, controller: "Deployment", image: "reg.example/amd64-only:1", spec: corev1.PodSpec{NodeSelector: map[string]string{"pool": "gpu"}},
			warning: "platforms not checked: none of the 3 nodes matches this pod's nodeSelector, required node affinity and tolerations"},
		"no nodes at all: nothing said": {nodes: nodes{}, controller: "Deployment", image: "reg.example/amd64-only:1"},
		"platforms unknown: warned": {nodes: mixed, controller: "Deployment", image: "reg.example/unknown:1",
			warning: `platforms of image "reg.example/unknown:1" not known: index not read`},
		"arm64 served only through arm: fallback warning": {nodes: nodes{node("r1", "arm64")}, controller: "Deployment", image: "reg.example/v7:1",
			warning: "linux/arm64 (1 node) through linux/arm/v7 only through a fallback platform"},
		"required affinity on arch": {nodes: mixed, controller: "Deployment", image: "reg.example/arm-only:1",
			spec: corev1.PodSpec{Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "kubernetes.io/arch", Operator: corev1.NodeSelectorOpIn, Values: []string{"amd64"}}}}}}}}},
			problem: "the nodes this pod may run on are linux/amd64 (2 nodes)"},
		"static platforms, arm64 pinned": {nodes: nil, controller: "Deployment", image: "reg.example/amd64-only:1", spec: corev1.PodSpec{NodeSelector: map[string]string{"kubernetes.io/arch": "arm64", "pool": "big"}},
			problem: "the nodes this pod may run on are linux/arm64: no match"},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			j := platforms.New(tc.nodes, src)
			if tc.nodes == nil {
				j = platforms.NewStatic([]ocispec.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}, src)
			}
			s := newSubject(t, tc.controller, tc.image, tc.spec)
			if tc.created != nil {
				s.pod.Spec = tc.created
			}
			f := j.Judge(context.Background(), s)
			problems := f.Problems.ToAggregate()
			switch {
			case tc.problem == "" && problems != nil:
				t.Errorf("problems %v, want none", problems)
			case tc.problem != "" && (problems == nil || !strings.Contains(problems.Error(), tc.problem)):
				t.Errorf("problems %v, want one containing %q", problems, tc.problem)
			}
			warnings := strings.Join(f.Warnings, "\n")
			switch {
			case tc.warning == "" && warnings != "":
				t.Errorf("warnings %q, want none", warnings)
			case !strings.Contains(warnings, tc.warning):
				t.Errorf("warnings %q, want one containing %q", warnings, tc.warning)
			}
		})
	}
}

// Pick: named platforms win over the nodes; nothing named and no nodes read
// is no check at all.
func TestPick(t *testing.T) {
	arm := []ocispec.Platform{{OS: "linux", Architecture: "arm64"}}
	src := source{"reg.example/amd64-only:1": {"linux/amd64"}}
	if platforms.Pick(nil, nil, src) != nil {
		t.Error("nothing named, no nodes: a check")
	}
	amd := nodes{node("a1", "amd64")}
	s := newSubject(t, "Deployment", "reg.example/amd64-only:1", corev1.PodSpec{})
	if f := platforms.Pick(arm, amd, src).Judge(context.Background(), s); len(f.Problems) != 1 {
		t.Errorf("named arm64 over amd64 nodes: problems %v, want the named platform judged", f.Problems)
	}
	if f := platforms.Pick(nil, amd, src).Judge(context.Background(), s); len(f.Problems) != 0 {
		t.Errorf("amd64 nodes: problems %v, want none", f.Problems)
	}
}
