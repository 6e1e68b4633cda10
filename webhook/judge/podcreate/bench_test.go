package podcreate_test

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/admissible/admissible/webhook/judge/podcreate"
)

// realisticPod is a pod as a chart renders one: three containers with 20 env
// entries each, ports, probes, resources, mounts and a security context.
func realisticPod() *corev1.Pod {
	p := pod(nil)
	p.Spec.Containers = nil
	for c := 0; c < 3; c++ {
		ctr := corev1.Container{
			Name: fmt.Sprintf("c%d", c), Image: "registry.example/app:1",
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: int32(8080 + c)}},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")},
			},
			ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromString("http")}}},
			VolumeMounts:   []corev1.VolumeMount{{Name: "data", MountPath: "/data"}},
			SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: new(bool),
				Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
		}
		for e := 0; e < 20; e++ {
			ctr.Env = append(ctr.Env, corev1.EnvVar{Name: fmt.Sprintf("VAR_%d", e), Value: "value"})
		}
		p.Spec.Containers = append(p.Spec.Containers, ctr)
	}
	p.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	return p
}

// BenchmarkValidate measures the API server's pod create validation of a
// realistic pod: go test -run x -bench Validate -benchmem ./webhook/podcreate/
func BenchmarkValidate(b *testing.B) {
	p := realisticPod()
	if errs := podcreate.Validate(p); len(errs) != 0 {
		b.Fatal(errs)
	}
	b.ReportAllocs()
	for b.Loop() {
		podcreate.Validate(p)
	}
}
