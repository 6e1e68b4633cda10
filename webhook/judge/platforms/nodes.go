package platforms

import (
	"context"
	"fmt"
	"slices"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"

	served "github.com/admissible/admissible/resolvers/platforms"
	"github.com/admissible/admissible/webhook/judge/check"
)

// Node labels naming a node's platform.
const (
	labelOS           = corev1.LabelOSStable
	labelArch         = corev1.LabelArchStable
	labelWindowsBuild = corev1.LabelWindowsBuild
)

// group is the nodes of one platform and runtime a pod may run on.
type group struct {
	// key is the platform as served.Format writes it, and the runtime.
	key      string
	platform ocispec.Platform
	runtime  served.Runtime
	nodes    int
	static   bool
}

// String renders the group: "linux/arm64 (2 nodes)", "linux/arm64 (cri-o,
// 1 node)"; a configured platform has no count.
func (g group) String() string {
	name := served.Format(g.platform)
	if g.static {
		return name
	}
	var attrs []string
	if g.runtime == served.CRIO {
		attrs = append(attrs, g.runtime.String())
	}
	if g.nodes == 1 {
		attrs = append(attrs, "1 node")
	} else {
		attrs = append(attrs, fmt.Sprintf("%d nodes", g.nodes))
	}
	return fmt.Sprintf("%s (%s)", name, strings.Join(attrs, ", "))
}

// conditionTaints are the taints of a node's passing condition, set by the
// node lifecycle controller: they do not say where a pod may run.
var conditionTaints = map[string]bool{
	corev1.TaintNodeNotReady: true, corev1.TaintNodeUnreachable: true, corev1.TaintNodeUnschedulable: true,
	corev1.TaintNodeMemoryPressure: true, corev1.TaintNodeDiskPressure: true, corev1.TaintNodePIDPressure: true,
	corev1.TaintNodeNetworkUnavailable: true, corev1.TaintNodeOutOfService: true,
}

// candidates groups the nodes pod may run on by platform and runtime, in a
// stable order. static nodes are matched on their os and arch labels only.
func candidates(pod check.Pod, nodes []*corev1.Node, static bool) []group {
	p := &corev1.Pod{Spec: *pod.Spec}
	if pod.Controller == "DaemonSet" && pod.Template != nil {
		// The daemonset controller picks the nodes with the template's
		// selectors, then pins each pod to its node by name.
		p.Spec.NodeSelector, p.Spec.Affinity = pod.Template.NodeSelector, pod.Template.Affinity
	}
	if static {
		p.Spec = platformSelectors(p.Spec)
	}
	affinity := nodeaffinity.GetRequiredNodeAffinity(p)
	var groups []group
	for _, n := range nodes {
		if p.Spec.NodeName != "" && !static && n.Name != p.Spec.NodeName {
			continue
		}
		if ok, err := affinity.Match(n); err != nil || !ok {
			continue
		}
		if _, untolerated := corev1helpers.FindMatchingUntoleratedTaint(klog.Background(), n.Spec.Taints, p.Spec.Tolerations, placing, false); untolerated {
			continue
		}
		platform, runtime := platformOf(n)
		key := served.Format(platform) + " " + runtime.String()
		i := slices.IndexFunc(groups, func(g group) bool { return g.key == key })
		if i < 0 {
			groups = append(groups, group{key: key, platform: platform, runtime: runtime, static: static})
			i = len(groups) - 1
		}
		groups[i].nodes++
	}
	slices.SortFunc(groups, func(a, b group) int { return strings.Compare(a.String(), b.String()) })
	return groups
}

// placing keeps the taints that decide where a pod may run: NoSchedule and
// NoExecute, but not a node's passing condition.
func placing(t *corev1.Taint) bool {
	return (t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute) && !conditionTaints[t.Key]
}

// platformOf returns a node's platform and container runtime.
func platformOf(n *corev1.Node) (ocispec.Platform, served.Runtime) {
	info := n.Status.NodeInfo
	p := ocispec.Platform{OS: n.Labels[labelOS], Architecture: n.Labels[labelArch]}
	if p.OS == "" {
		p.OS = info.OperatingSystem
	}
	if p.Architecture == "" {
		p.Architecture = info.Architecture
	}
	if p.OS == "windows" {
		p.OSVersion = n.Labels[labelWindowsBuild]
		if v := info.KernelVersion; strings.Count(v, ".") >= 2 {
			p.OSVersion = v
		}
	}
	runtime, err := served.ParseRuntime(info.ContainerRuntimeVersion)
	if err != nil {
		runtime = served.Containerd // docker:// and others: containerd's rules
	}
	return p, runtime
}

// nodeOf returns a node of platform p known only by its labels.
func nodeOf(p ocispec.Platform) *corev1.Node {
	labels := map[string]string{labelOS: p.OS, labelArch: p.Architecture}
	if p.OSVersion != "" {
		labels[labelWindowsBuild] = p.OSVersion
	}
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: served.Format(p), Labels: labels}}
	n.Status.NodeInfo.OperatingSystem, n.Status.NodeInfo.Architecture = p.OS, p.Architecture
	return n
}

// staticNodes are nodes known by their platform only.
type staticNodes []corev1.Node

// Nodes implements Nodes.
func (s staticNodes) Nodes(context.Context) ([]corev1.Node, error) { return s, nil }

// ptrs points at each node.
func ptrs(nodes []corev1.Node) []*corev1.Node {
	out := make([]*corev1.Node, len(nodes))
	for i := range nodes {
		out[i] = &nodes[i]
	}
	return out
}

// platformSelectors keeps, of spec's nodeSelector and required node
// affinity, the requirements on the platform labels only.
func platformSelectors(spec corev1.PodSpec) corev1.PodSpec {
	keep := func(k string) bool { return k == labelOS || k == labelArch || k == labelWindowsBuild }
	out := corev1.PodSpec{}
	for k, v := range spec.NodeSelector {
		if keep(k) {
			if out.NodeSelector == nil {
				out.NodeSelector = map[string]string{}
			}
			out.NodeSelector[k] = v
		}
	}
	a := spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return out
	}
	var terms []corev1.NodeSelectorTerm
	for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		var exprs []corev1.NodeSelectorRequirement
		for _, e := range t.MatchExpressions {
			if keep(e.Key) {
				exprs = append(exprs, e)
			}
		}
		// A term left empty matches every node: it had other
		// requirements, whose nodes are not known.
		terms = append(terms, corev1.NodeSelectorTerm{MatchExpressions: exprs})
	}
	for _, t := range terms {
		if len(t.MatchExpressions) == 0 {
			return out // one term matches any node
		}
	}
	out.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: terms},
	}}
	return out
}
