package podcases

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

func resourceCases() [][]mutation {
	set := func(s *appsv1.StatefulSet, req, lim corev1.ResourceList) {
		ctr(s).Resources = corev1.ResourceRequirements{Requests: req, Limits: lim}
	}
	return [][]mutation{
		one("resources: cpu request above limit", func(s *appsv1.StatefulSet) { set(s, rl("cpu", "2"), rl("cpu", "1")) }),
		one("resources: memory request above limit", func(s *appsv1.StatefulSet) { set(s, rl("memory", "2Gi"), rl("memory", "1Gi")) }),
		one("resources: ephemeral-storage request above limit", func(s *appsv1.StatefulSet) {
			set(s, rl("ephemeral-storage", "2Gi"), rl("ephemeral-storage", "1Gi"))
		}),
		each("resources.requests negative", []string{"cpu", "memory", "ephemeral-storage"}, func(s *appsv1.StatefulSet, v string) { set(s, rl(v, "-1"), nil) }),
		each("resources.limits negative", []string{"cpu", "memory"}, func(s *appsv1.StatefulSet, v string) { set(s, nil, rl(v, "-1")) }),
		each("resources.limits unknown name", []string{"foo", "a b", "example.com/a b", "kubernetes.io/foo", "requests.cpu"}, func(s *appsv1.StatefulSet, v string) {
			set(s, nil, rl(v, "1"))
		}),
		one("resources: hugepages without cpu or memory", func(s *appsv1.StatefulSet) { set(s, rl("hugepages-2Mi", "2Mi"), rl("hugepages-2Mi", "2Mi")) }),
		one("resources: hugepages request differs from limit", func(s *appsv1.StatefulSet) {
			set(s, rl("hugepages-2Mi", "2Mi", "memory", "1Gi"), rl("hugepages-2Mi", "4Mi", "memory", "1Gi"))
		}),
		one("resources: hugepages not a multiple of the page size", func(s *appsv1.StatefulSet) {
			set(s, rl("hugepages-2Mi", "3Mi", "memory", "1Gi"), rl("hugepages-2Mi", "3Mi", "memory", "1Gi"))
		}),
		one("resources: extended resource request differs from limit", func(s *appsv1.StatefulSet) {
			set(s, rl("example.com/gpu", "1"), rl("example.com/gpu", "2"))
		}),
		one("resources: extended resource request only", func(s *appsv1.StatefulSet) { set(s, rl("example.com/gpu", "1"), nil) }),
		one("resources: fractional extended resource", func(s *appsv1.StatefulSet) { set(s, rl("example.com/gpu", "500m"), rl("example.com/gpu", "500m")) }),
		one("resources: fractional memory bytes", func(s *appsv1.StatefulSet) { set(s, rl("memory", "0.5"), nil) }),
		one("resources.claims: unknown claim", func(s *appsv1.StatefulSet) {
			ctr(s).Resources.Claims = []corev1.ResourceClaim{{Name: "gpu"}}
		}),
		one("resources.claims: name invalid", func(s *appsv1.StatefulSet) {
			spec(s).ResourceClaims = []corev1.PodResourceClaim{{Name: "UPPER", ResourceClaimName: ptr("c")}}
		}),
		one("resourceClaims: no source", func(s *appsv1.StatefulSet) {
			spec(s).ResourceClaims = []corev1.PodResourceClaim{{Name: "gpu"}}
		}),
		one("pod resources: cpu request above limit", func(s *appsv1.StatefulSet) {
			spec(s).Resources = &corev1.ResourceRequirements{Requests: rl("cpu", "2"), Limits: rl("cpu", "1")}
		}),
		one("pod resources: unsupported resource", func(s *appsv1.StatefulSet) {
			spec(s).Resources = &corev1.ResourceRequirements{Limits: rl("example.com/gpu", "1")}
		}),
		one("pod resources: below a container's", func(s *appsv1.StatefulSet) {
			spec(s).Resources = &corev1.ResourceRequirements{Limits: rl("cpu", "1")}
			set(s, nil, rl("cpu", "2"))
		}),
		one("overhead without a RuntimeClass", func(s *appsv1.StatefulSet) { spec(s).Overhead = rl("cpu", "100m") }),
	}
}
