package controllerpod

import (
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Stand-ins for what controllers generate: a template hash (10 characters,
// the length of a hashed uint32 as most hashes are), the 5 random characters
// of a generated name, a node name, a uid and a CronJob's scheduled time in
// minutes.
const (
	hashStandIn       = "5d4f8c7b9d"
	generatedStandIn  = "x7k2p"
	nodeStandIn       = "node-1"
	uidStandIn        = "3f0c2d6e-8d1a-4c7b-9b2e-5a4f6c1d2e3f"
	scheduleStandIn   = "29000000"
	maxGeneratedBase  = 58 // names.maxGeneratedNameLength: 63 - 5 random characters
	defaultNamespace  = "default"
	unnamedOwnerStand = "unnamed"
)

// The labels the Job API sets beside batch.kubernetes.io/ ones, for older
// clients (pkg/apis/batch: LegacyJobNameLabel, LegacyControllerUidLabel).
const (
	legacyJobNameLabel       = "job-name"
	legacyControllerUIDLabel = "controller-uid"
)

// Template is a pod template found in an owner object.
type Template struct {
	// Spec is the template's pod spec.
	Spec corev1.PodSpec
	// Meta is the template's metadata (labels, annotations, finalizers).
	Meta metav1.ObjectMeta
	// SpecPath is where Spec is in the owner.
	SpecPath *field.Path
	// MetaPath is where Meta is in the owner; nil when the owner is the pod
	// itself or the template has no metadata beside its spec.
	MetaPath *field.Path
}

// Build returns the pod the controller of owner creates from t, and the map
// from the pod's field paths back to the owner's.
func Build(owner *unstructured.Unstructured, t Template) (*corev1.Pod, *Paths) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace:   owner.GetNamespace(),
			Labels:      copyMap(t.Meta.Labels),
			Annotations: copyMap(t.Meta.Annotations),
			Finalizers:  append([]string(nil), t.Meta.Finalizers...),
		},
		Spec: *t.Spec.DeepCopy(),
	}
	paths := &Paths{spec: t.SpecPath, meta: t.MetaPath, ownerName: field.NewPath("metadata", "name")}
	name := owner.GetName()
	if name == "" {
		name = unnamedOwnerStand
	}
	gvk := owner.GroupVersionKind()
	switch {
	case gvk.Group == "" && gvk.Kind == "Pod":
		pod.ObjectMeta = *metaOf(owner)
		if pod.Name == "" {
			pod.Name = generated(pod.GenerateName)
		}
		if pod.Name == "" {
			pod.Name = unnamedOwnerStand
		}
		paths.meta = field.NewPath("metadata")
	case gvk.Group == "apps" && gvk.Kind == "StatefulSet":
		statefulSet(owner, name, pod, paths)
	case gvk.Group == "apps" && gvk.Kind == "Deployment":
		pod.Name = generated(name + "-" + hashStandIn + "-")
		setLabel(pod, appsv1.DefaultDeploymentUniqueLabelKey, hashStandIn, paths, nil)
	case gvk.Group == "apps" && gvk.Kind == "DaemonSet":
		pod.Name = generated(name + "-")
		setLabel(pod, appsv1.DefaultDaemonSetUniqueLabelKey, hashStandIn, paths, nil)
		daemonPod(pod)
	case gvk.Group == "batch" && gvk.Kind == "Job":
		var job batchv1.Job
		_ = runtime.DefaultUnstructuredConverter.FromUnstructured(owner.Object, &job)
		jobPod(pod, name, job.Spec.CompletionMode, paths)
	case gvk.Group == "batch" && gvk.Kind == "CronJob":
		var cj batchv1.CronJob
		_ = runtime.DefaultUnstructuredConverter.FromUnstructured(owner.Object, &cj)
		jobPod(pod, name+"-"+scheduleStandIn, cj.Spec.JobTemplate.Spec.CompletionMode, paths)
	default:
		pod.Name = generated(name + "-")
	}
	if pod.Namespace == "" {
		pod.Namespace = defaultNamespace
	}
	return pod, paths
}

func metaOf(owner *unstructured.Unstructured) *metav1.ObjectMeta {
	var m metav1.ObjectMeta
	if raw, ok := owner.Object["metadata"].(map[string]interface{}); ok {
		_ = runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &m)
	}
	return &m
}

// statefulSet makes pod the set's first pod (pkg/controller/statefulset
// newStatefulSetPod: identity and storage).
func statefulSet(owner *unstructured.Unstructured, name string, pod *corev1.Pod, paths *Paths) {
	var set appsv1.StatefulSet
	_ = runtime.DefaultUnstructuredConverter.FromUnstructured(owner.Object, &set)
	ordinal := 0
	if set.Spec.Ordinals != nil {
		ordinal = int(set.Spec.Ordinals.Start)
	}
	pod.Name = name + "-" + strconv.Itoa(ordinal)
	pod.Spec.Hostname = pod.Name
	pod.Spec.Subdomain = set.Spec.ServiceName
	paths.derived("spec.hostname", paths.ownerName)
	paths.derived("spec.subdomain", field.NewPath("spec", "serviceName"))
	setLabel(pod, appsv1.StatefulSetPodNameLabel, pod.Name, paths, paths.ownerName)
	setLabel(pod, appsv1.PodIndexLabel, strconv.Itoa(ordinal), paths, paths.ownerName)
	setLabel(pod, appsv1.StatefulSetRevisionLabel, name+"-"+hashStandIn, paths, paths.ownerName)

	claims := map[string]bool{}
	volumes := make([]corev1.Volume, 0, len(set.Spec.VolumeClaimTemplates)+len(pod.Spec.Volumes))
	for i, c := range set.Spec.VolumeClaimTemplates {
		claims[c.Name] = true
		paths.volumes = append(paths.volumes, field.NewPath("spec", "volumeClaimTemplates").Index(i))
		volumes = append(volumes, corev1.Volume{Name: c.Name, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: c.Name + "-" + pod.Name},
		}})
	}
	for i, v := range pod.Spec.Volumes {
		if !claims[v.Name] {
			paths.volumes = append(paths.volumes, paths.specChild("volumes").Index(i))
			volumes = append(volumes, v)
		}
	}
	if len(set.Spec.VolumeClaimTemplates) > 0 {
		pod.Spec.Volumes = volumes
		paths.remapVolumes = true
	}
}

// daemonPod adds what the daemonset controller adds to every pod: the node
// affinity that pins it to its node and the daemon tolerations
// (pkg/controller/daemon/util).
func daemonPod(pod *corev1.Pod) {
	term := corev1.NodeSelectorTerm{MatchFields: []corev1.NodeSelectorRequirement{{
		Key: metav1.ObjectNameField, Operator: corev1.NodeSelectorOpIn, Values: []string{nodeStandIn},
	}}}
	if pod.Spec.Affinity == nil {
		pod.Spec.Affinity = &corev1.Affinity{}
	}
	if pod.Spec.Affinity.NodeAffinity == nil {
		pod.Spec.Affinity.NodeAffinity = &corev1.NodeAffinity{}
	}
	pod.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{term}}
	tolerate := func(key string, effect corev1.TaintEffect) {
		for _, t := range pod.Spec.Tolerations {
			if t.Key == key && t.Effect == effect && t.Operator == corev1.TolerationOpExists {
				return
			}
		}
		pod.Spec.Tolerations = append(pod.Spec.Tolerations, corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists, Effect: effect})
	}
	tolerate(corev1.TaintNodeNotReady, corev1.TaintEffectNoExecute)
	tolerate(corev1.TaintNodeUnreachable, corev1.TaintEffectNoExecute)
	tolerate(corev1.TaintNodeDiskPressure, corev1.TaintEffectNoSchedule)
	tolerate(corev1.TaintNodeMemoryPressure, corev1.TaintEffectNoSchedule)
	tolerate(corev1.TaintNodePIDPressure, corev1.TaintEffectNoSchedule)
	tolerate(corev1.TaintNodeUnschedulable, corev1.TaintEffectNoSchedule)
	if pod.Spec.HostNetwork {
		tolerate(corev1.TaintNodeNetworkUnavailable, corev1.TaintEffectNoSchedule)
	}
}

// jobPod makes pod the first pod of the job named job (pkg/controller/job and
// the Job API's generated selector labels).
func jobPod(pod *corev1.Pod, job string, mode *batchv1.CompletionMode, paths *Paths) {
	for _, key := range []string{batchv1.ControllerUidLabel, legacyControllerUIDLabel} {
		if _, ok := pod.Labels[key]; !ok {
			setLabel(pod, key, uidStandIn, paths, nil)
		}
	}
	for _, key := range []string{batchv1.JobNameLabel, legacyJobNameLabel} {
		if _, ok := pod.Labels[key]; !ok {
			setLabel(pod, key, job, paths, paths.ownerName)
		}
	}
	prefix := job + "-"
	if mode != nil && *mode == batchv1.IndexedCompletion {
		if pod.Annotations == nil {
			pod.Annotations = map[string]string{}
		}
		pod.Annotations[batchv1.JobCompletionIndexAnnotation] = "0"
		setLabel(pod, batchv1.JobCompletionIndexAnnotation, "0", paths, nil)
		prefix = job + "-0-"
		pod.Spec.Hostname = job + "-0"
		paths.derived("spec.hostname", paths.ownerName)
	}
	pod.Name = generated(prefix)
}

// setLabel sets a label the controller adds; errors on it are the owner's
// field from (nil: the template's labels).
func setLabel(pod *corev1.Pod, key, value string, paths *Paths, from *field.Path) {
	if pod.Labels == nil {
		pod.Labels = map[string]string{}
	}
	pod.Labels[key] = value
	if from != nil {
		if paths.labels == nil {
			paths.labels = map[string]*field.Path{}
		}
		paths.labels[value] = from
	}
}

// generated is the name the API server generates from prefix
// (names.SimpleNameGenerator).
func generated(prefix string) string {
	if prefix == "" {
		return ""
	}
	if len(prefix) > maxGeneratedBase {
		prefix = prefix[:maxGeneratedBase]
	}
	return prefix + generatedStandIn
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
