package podspec

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Container is one container of a pod spec, from whichever list it is in.
type Container struct {
	// Path is the container's field path, e.g. spec.initContainers[1].
	Path    *field.Path
	Name    string
	Image   string
	Env     []corev1.EnvVar
	EnvFrom []corev1.EnvFromSource
}

// Containers returns every container of spec: containers, initContainers and
// ephemeralContainers, in that order. path is the pod spec's own path.
func Containers(spec *corev1.PodSpec, path *field.Path) []Container {
	out := make([]Container, 0, len(spec.Containers)+len(spec.InitContainers)+len(spec.EphemeralContainers))
	add := func(list string, i int, name, image string, env []corev1.EnvVar, envFrom []corev1.EnvFromSource) {
		out = append(out, Container{Path: path.Child(list).Index(i), Name: name, Image: image, Env: env, EnvFrom: envFrom})
	}
	for i, c := range spec.Containers {
		add("containers", i, c.Name, c.Image, c.Env, c.EnvFrom)
	}
	for i, c := range spec.InitContainers {
		add("initContainers", i, c.Name, c.Image, c.Env, c.EnvFrom)
	}
	for i, c := range spec.EphemeralContainers {
		add("ephemeralContainers", i, c.Name, c.Image, c.Env, c.EnvFrom)
	}
	return out
}

// Image is an image reference in a pod spec and where it is.
type Image struct {
	Path *field.Path
	Ref  string
}

// Images returns every image reference of spec: each container's image and
// each image volume's reference.
func Images(spec *corev1.PodSpec, path *field.Path) []Image {
	var out []Image
	for _, c := range Containers(spec, path) {
		out = append(out, Image{Path: c.Path.Child("image"), Ref: c.Image})
	}
	for i, v := range spec.Volumes {
		if v.Image != nil {
			out = append(out, Image{Path: path.Child("volumes").Index(i).Child("image", "reference"), Ref: v.Image.Reference})
		}
	}
	return out
}
