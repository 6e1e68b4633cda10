package podcases

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Case is one StatefulSet to judge.
type Case struct {
	// Name says what the case varies ("containers[0].ports[0].containerPort=70000").
	Name string
	// Set is the StatefulSet, named case-<index>.
	Set *appsv1.StatefulSet
}

// Image is the image every case's containers use.
const Image = "registry.example/app:1"

// mutation changes the base StatefulSet.
type mutation struct {
	name string
	f    func(s *appsv1.StatefulSet)
}

// Cases returns every case, in a stable order, in namespace ns.
func Cases(ns string) []Case {
	var out []Case
	for i, m := range mutations() {
		s := base(ns, fmt.Sprintf("case-%d", i))
		m.f(s)
		out = append(out, Case{Name: m.name, Set: s})
	}
	return out
}

func base(ns, name string) *appsv1.StatefulSet {
	labels := map[string]string{"app": "podcases"}
	return &appsv1.StatefulSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.StatefulSetSpec{
			ServiceName: "podcases",
			Selector:    &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "podcases"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "app", Image: Image,
					VolumeMounts: []corev1.VolumeMount{{Name: "data", MountPath: "/data"}},
				}}, Volumes: []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}},
			},
		},
	}
}

func spec(s *appsv1.StatefulSet) *corev1.PodSpec  { return &s.Spec.Template.Spec }
func ctr(s *appsv1.StatefulSet) *corev1.Container { return &s.Spec.Template.Spec.Containers[0] }
func q(v string) resource.Quantity                { return resource.MustParse(v) }
func ptr[T any](v T) *T                           { return &v }
func port(p int) intstr.IntOrString               { return intstr.FromInt32(int32(p)) }
func rl(kv ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[corev1.ResourceName(kv[i])] = q(kv[i+1])
	}
	return out
}

// each makes one mutation per value.
func each[T any](name string, values []T, f func(s *appsv1.StatefulSet, v T)) []mutation {
	out := make([]mutation, 0, len(values))
	for _, v := range values {
		v := v
		out = append(out, mutation{name: fmt.Sprintf("%s=%v", name, v), f: func(s *appsv1.StatefulSet) { f(s, v) }})
	}
	return out
}

func one(name string, f func(s *appsv1.StatefulSet)) []mutation {
	return []mutation{{name: name, f: f}}
}

func mutations() []mutation {
	var m []mutation
	add := func(ms ...[]mutation) {
		for _, x := range ms {
			m = append(m, x...)
		}
	}
	add(one("base", func(*appsv1.StatefulSet) {}))
	add(containerCases()...)
	add(envCases()...)
	add(resourceCases()...)
	add(volumeCases()...)
	add(probeCases()...)
	add(securityCases()...)
	add(schedulingCases()...)
	add(podCases()...)
	add(validCases()...)
	return m
}

var badNames = []string{"", "UPPER", "a_b", "-a", "a-", strings.Repeat("a", 64), "a.b", "a b"}
var badPortNames = []string{"UPPER", "a_b", "-abc", "abc-", "toolongportname16", "1234", "a--b", "a b"}
var badLabelKeys = []string{"a b", "-a", "a/b/c", strings.Repeat("k", 64), "/a", "a/"}
