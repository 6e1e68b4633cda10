package podcreate_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/admissible/admissible/webhook/judge/podcreate"
)

// A 1.33 API server refuses container restart rules that newer code, with
// the feature off, silently drops.
func TestOlderServerRules(t *testing.T) {
	t.Cleanup(func() { _ = podcreate.EmulateVersion(podcreate.LibraryVersion) })
	never := corev1.ContainerRestartPolicy("Never")
	p := pod(func(p *corev1.Pod) {
		p.Spec.InitContainers = []corev1.Container{{Name: "init", Image: "x:1", RestartPolicy: &never}}
	})
	if err := podcreate.EmulateVersion("1.33"); err != nil {
		t.Fatal(err)
	}
	errs := podcreate.Validate(p)
	want := `spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always"`
	if len(errs) != 1 || errs[0].Error() != want {
		t.Errorf("on 1.33: %v, want %s", errs, want)
	}
	if err := podcreate.EmulateVersion("1.37"); err != nil {
		t.Fatal(err)
	}
	// 1.37 (ContainerRestartRules on) accepts what 1.33 refuses.
	if errs := podcreate.Validate(p); len(errs) != 0 {
		t.Errorf("on 1.37: %v, want none", errs)
	}
}
