package circle

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Workload is a controller of pods, as the analysis reads it.
type Workload struct {
	// Kind is Deployment, StatefulSet or DaemonSet.
	Kind      string
	Namespace string
	Name      string
	// Replicas is spec.replicas, 1 when unset (ReplicasUnset); 0 for a
	// DaemonSet, which runs a pod per node.
	Replicas      int32
	ReplicasUnset bool
	// Template is the pod template, at spec.template.
	Template corev1.PodTemplateSpec
}

// String names the workload: "Deployment harbor-registry/harbor-core".
func (w Workload) String() string { return w.Kind + " " + w.Namespace + "/" + w.Name }

// templatePath is where each workload kind holds its pod template.
var templatePath = field.NewPath("spec", "template")

// WorkloadFrom turns a typed Deployment, StatefulSet or DaemonSet into a
// Workload; other objects are not workloads.
func WorkloadFrom(obj any) (Workload, bool) {
	var w Workload
	var r *int32
	switch o := obj.(type) {
	case *appsv1.Deployment:
		w, r = Workload{Kind: "Deployment", Namespace: o.Namespace, Name: o.Name, Template: o.Spec.Template}, o.Spec.Replicas
	case *appsv1.StatefulSet:
		w, r = Workload{Kind: "StatefulSet", Namespace: o.Namespace, Name: o.Name, Template: o.Spec.Template}, o.Spec.Replicas
	case *appsv1.DaemonSet:
		return Workload{Kind: "DaemonSet", Namespace: o.Namespace, Name: o.Name, Template: o.Spec.Template}, true
	default:
		return Workload{}, false
	}
	w.Replicas, w.ReplicasUnset = 1, r == nil
	if r != nil {
		w.Replicas = *r
	}
	return w, true
}

// WorkloadOf reads obj as a Workload: false for other kinds, an error for a
// workload that does not convert.
func WorkloadOf(obj *unstructured.Unstructured) (Workload, bool, error) {
	if obj.GroupVersionKind().GroupVersion() != appsv1.SchemeGroupVersion {
		return Workload{}, false, nil
	}
	var typed any
	var err error
	switch obj.GetKind() {
	case "Deployment":
		typed, err = convert[appsv1.Deployment](obj)
	case "StatefulSet":
		typed, err = convert[appsv1.StatefulSet](obj)
	case "DaemonSet":
		typed, err = convert[appsv1.DaemonSet](obj)
	default:
		return Workload{}, false, nil
	}
	if err != nil {
		return Workload{}, false, err
	}
	w, ok := WorkloadFrom(typed)
	return w, ok, nil
}

// backs reports whether the workload's pods are selected by svc.
func (w Workload) backs(svc *corev1.Service) bool {
	return svc.Namespace == w.Namespace && len(svc.Spec.Selector) > 0 &&
		labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(w.Template.Labels))
}

// Fragility is what makes a workload's circle fatal: one line each.
type Fragility struct {
	// Path is the workload's field the line is about.
	Path *field.Path
	// Message names the workload and what breaks.
	Message string
}

// hostnameKey is the topology key that spreads pods over nodes.
const hostnameKey = corev1.LabelHostname

// fragility returns the lines of w that make its circle fatal: one
// replica, no PodDisruptionBudget selecting its pods, and (with more than
// one replica) nothing spreading them over nodes. A DaemonSet runs a pod per
// node: only the PodDisruptionBudget line applies.
func fragility(ctx context.Context, idx Index, w Workload, host string) ([]Fragility, error) {
	var out []Fragility
	if w.Kind != "DaemonSet" && w.Replicas <= 1 {
		how := fmt.Sprintf("spec.replicas is %d", w.Replicas)
		if w.ReplicasUnset {
			how = "spec.replicas is unset"
		}
		out = append(out, Fragility{Path: field.NewPath("spec", "replicas"), Message: fmt.Sprintf(
			"registry circle: %s runs one replica (%s): while its pod is rescheduled, no node pulls through %s", w, how, host)})
	}
	pdbs, err := idx.PodDisruptionBudgets(ctx, w.Namespace)
	if err != nil {
		return nil, fmt.Errorf("pod disruption budgets: %w", err)
	}
	if !anySelects(pdbs, w.Template.Labels) {
		out = append(out, Fragility{Path: field.NewPath("spec", "template", "metadata", "labels"), Message: fmt.Sprintf(
			"registry circle: no PodDisruptionBudget selects the pods of %s: a node drain may evict them all at once", w)})
	}
	if w.Kind != "DaemonSet" && w.Replicas > 1 && !spread(&w.Template.Spec) {
		out = append(out, Fragility{Path: templatePath.Child("spec"), Message: fmt.Sprintf(
			"registry circle: nothing keeps the replicas of %s on different nodes (no topologySpreadConstraints or podAntiAffinity on %s): one node going away can take them all", w, hostnameKey)})
	}
	return out, nil
}

func anySelects(pdbs []policyv1.PodDisruptionBudget, podLabels map[string]string) bool {
	for i := range pdbs {
		sel, err := metav1.LabelSelectorAsSelector(pdbs[i].Spec.Selector)
		if err != nil || pdbs[i].Spec.Selector == nil || sel.Empty() {
			continue
		}
		if sel.Matches(labels.Set(podLabels)) {
			return true
		}
	}
	return false
}

// spread reports whether spec keeps its pods on different nodes: a
// topology spread constraint or a pod anti-affinity term, required or
// preferred, on the hostname label.
func spread(spec *corev1.PodSpec) bool {
	for _, c := range spec.TopologySpreadConstraints {
		if c.TopologyKey == hostnameKey {
			return true
		}
	}
	if spec.Affinity == nil || spec.Affinity.PodAntiAffinity == nil {
		return false
	}
	anti := spec.Affinity.PodAntiAffinity
	for _, t := range anti.RequiredDuringSchedulingIgnoredDuringExecution {
		if t.TopologyKey == hostnameKey {
			return true
		}
	}
	for _, t := range anti.PreferredDuringSchedulingIgnoredDuringExecution {
		if t.PodAffinityTerm.TopologyKey == hostnameKey {
			return true
		}
	}
	return false
}
