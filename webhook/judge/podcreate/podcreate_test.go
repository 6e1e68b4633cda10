package podcreate_test

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/admissible/admissible/webhook/judge/podcreate"
)

func pod(mutate func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-0", Namespace: "default", Labels: map[string]string{"app": "web"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1"}}},
	}
	if mutate != nil {
		mutate(p)
	}
	return p
}

func TestValidate(t *testing.T) {
	tests := map[string]struct {
		pod  *corev1.Pod
		want []string
	}{
		"valid, defaults filled in": {pod: pod(nil)},
		"port out of range and env value with valueFrom": {
			pod: pod(func(p *corev1.Pod) {
				c := &p.Spec.Containers[0]
				c.Ports = []corev1.ContainerPort{{ContainerPort: 70000}}
				c.Env = []corev1.EnvVar{{Name: "P", Value: "x", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{Key: "k", LocalObjectReference: corev1.LocalObjectReference{Name: "s"}}}}}
			}),
			want: []string{
				`spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when ` + "`value`" + ` is not empty`,
				`spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive`,
			},
		},
		"image with surrounding spaces (only a pod create refuses it)": {
			pod:  pod(func(p *corev1.Pod) { p.Spec.Containers[0].Image = " nginx:1 " }),
			want: []string{`spec.containers[0].image: Invalid value: " nginx:1 ": must not have leading or trailing whitespace`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, e := range podcreate.Validate(tc.pod) {
				got = append(got, e.Error())
			}
			sort.Strings(got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Validate (-want +got):\n%s", diff)
			}
		})
	}
}
