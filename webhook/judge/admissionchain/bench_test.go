package admissionchain_test

import (
	"context"
	"testing"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/klog/v2"

	"github.com/admissible/admissible/webhook/judge/admissionchain"
)

// BenchmarkAdmit is the chain on one pod of a namespace with a LimitRange,
// a quota and an admission policy: what each template of an admission costs.
func BenchmarkAdmit(b *testing.B) {
	klog.SetLogger(logr.Discard()) // informers' notices would split the figures
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	chain, err := admissionchain.New(ctx, admissionchain.FromManifests(manifests(b, cluster)), admissionchain.Config{})
	if err != nil {
		b.Fatal(err)
	}
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27"}, {Name: "sidecar", Image: "proxy:1"}}}}
	pod.Namespace, pod.Name = "strict", "web-7d4b9c-x2x9q"
	r := admissionchain.Request{Pod: pod, User: &user.DefaultInfo{Name: "system:serviceaccount:kube-system:replicaset-controller"}}
	b.ReportAllocs()
	for b.Loop() {
		if res := chain.Admit(ctx, r); len(res.Refusals) != 0 {
			b.Fatal(res.Refusals)
		}
	}
}
