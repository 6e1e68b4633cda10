package podspec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// everyPlace is a pod spec with a container in each list and two image
// volumes among other volumes.
var everyPlace = corev1.PodSpec{
	InitContainers: []corev1.Container{
		{Name: "init", Image: "example.com/init:1", Env: []corev1.EnvVar{{Name: "I", Value: "1"}}},
	},
	Containers: []corev1.Container{
		{Name: "main", Image: "example.com/app:1", EnvFrom: []corev1.EnvFromSource{{Prefix: "P_", ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}}}}},
		{Name: "sidecar", Image: "example.com/sidecar:1"},
	},
	EphemeralContainers: []corev1.EphemeralContainer{
		{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Image: "example.com/debug:1", Env: []corev1.EnvVar{{Name: "D", Value: "1"}}}},
	},
	Volumes: []corev1.Volume{
		{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		{Name: "data", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{Reference: "example.com/data:1"}}},
		{Name: "empty-ref", VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{}}},
	},
}

// container is a Container in comparable form.
type container struct {
	Path, Name, Image string
	Env               []corev1.EnvVar
	EnvFrom           []corev1.EnvFromSource
}

func TestContainers(t *testing.T) {
	tests := map[string]struct {
		spec corev1.PodSpec
		path *field.Path
		want []container
	}{
		"empty spec": {spec: corev1.PodSpec{}, path: field.NewPath("spec")},
		"every list, in order: containers, initContainers, ephemeralContainers": {
			spec: everyPlace,
			path: field.NewPath("spec", "template", "spec"),
			want: []container{
				{Path: "spec.template.spec.containers[0]", Name: "main", Image: "example.com/app:1", EnvFrom: everyPlace.Containers[0].EnvFrom},
				{Path: "spec.template.spec.containers[1]", Name: "sidecar", Image: "example.com/sidecar:1"},
				{Path: "spec.template.spec.initContainers[0]", Name: "init", Image: "example.com/init:1", Env: everyPlace.InitContainers[0].Env},
				{Path: "spec.template.spec.ephemeralContainers[0]", Name: "debug", Image: "example.com/debug:1", Env: everyPlace.EphemeralContainers[0].Env},
			},
		},
		"init containers only": {
			spec: corev1.PodSpec{InitContainers: []corev1.Container{{Name: "a"}, {Name: "b", Image: "b:1"}}},
			path: field.NewPath("template", "spec"),
			want: []container{
				{Path: "template.spec.initContainers[0]", Name: "a"},
				{Path: "template.spec.initContainers[1]", Name: "b", Image: "b:1"},
			},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			var got []container
			for _, c := range Containers(&tc.spec, tc.path) {
				got = append(got, container{Path: c.Path.String(), Name: c.Name, Image: c.Image, Env: c.Env, EnvFrom: c.EnvFrom})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Containers() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestImages(t *testing.T) {
	tests := map[string]struct {
		spec corev1.PodSpec
		path *field.Path
		want []string
	}{
		"empty spec":                 {spec: corev1.PodSpec{}, path: field.NewPath("spec")},
		"volumes without any images": {spec: corev1.PodSpec{Volumes: everyPlace.Volumes[:1]}, path: field.NewPath("spec")},
		"every place an image is, empty ones included": {
			spec: everyPlace,
			path: field.NewPath("spec", "jobTemplate", "spec", "template", "spec"),
			want: []string{
				"spec.jobTemplate.spec.template.spec.containers[0].image=example.com/app:1",
				"spec.jobTemplate.spec.template.spec.containers[1].image=example.com/sidecar:1",
				"spec.jobTemplate.spec.template.spec.initContainers[0].image=example.com/init:1",
				"spec.jobTemplate.spec.template.spec.ephemeralContainers[0].image=example.com/debug:1",
				"spec.jobTemplate.spec.template.spec.volumes[1].image.reference=example.com/data:1",
				"spec.jobTemplate.spec.template.spec.volumes[2].image.reference=",
			},
		},
		"container without an image": {
			spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a"}}},
			path: field.NewPath("spec"),
			want: []string{"spec.containers[0].image="},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			var got []string
			for _, img := range Images(&tc.spec, tc.path) {
				got = append(got, img.Path.String()+"="+img.Ref)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Images() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
