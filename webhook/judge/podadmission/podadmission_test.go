package podadmission_test

import (
	"context"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	psaapi "k8s.io/pod-security-admission/admission/api"

	"github.com/admissible/admissible/webhook/judge/podadmission"
)

// fakeCluster holds objects by name.
type fakeCluster struct {
	serviceAccounts map[string]bool // namespace/name
}

func (f fakeCluster) ServiceAccount(_ context.Context, ns, name string) (*corev1.ServiceAccount, error) {
	if !f.serviceAccounts[ns+"/"+name] {
		return nil, nil
	}
	return &corev1.ServiceAccount{}, nil
}

func TestCheck(t *testing.T) {
	cluster := fakeCluster{serviceAccounts: map[string]bool{"app/default": true, "app/robot": true}}
	restricted := map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}
	tests := map[string]struct {
		mutate   func(*corev1.Pod)
		labels   map[string]string
		ps       podadmission.PodSecurity
		dryRun   bool
		want     []string
		warnings int
	}{
		"admitted": {},
		"missing service account: a warning": {
			mutate:   func(p *corev1.Pod) { p.Spec.ServiceAccountName = "ghost" },
			warnings: 1,
		},
		"privileged in a restricted namespace": {
			mutate: func(p *corev1.Pod) {
				p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr(true)}
			},
			labels: restricted,
			want: []string{`spec: Forbidden: violates PodSecurity "restricted:latest": privileged (container "app" must not set securityContext.privileged=true), ` +
				`allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), ` +
				`runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`},
		},
		"privileged in an exempt namespace": {
			mutate: func(p *corev1.Pod) {
				p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr(true)}
			},
			labels: restricted,
			ps:     podadmission.PodSecurity{Exemptions: psaapi.PodSecurityExemptions{Namespaces: []string{"app"}}},
		},
		"warn level: a warning": {
			mutate:   func(p *corev1.Pod) { p.Spec.HostNetwork = true },
			labels:   map[string]string{"pod-security.kubernetes.io/warn": "baseline"},
			warnings: 1,
		},
		"cluster default enforce level": {
			mutate: func(p *corev1.Pod) { p.Spec.HostPID = true },
			ps:     podadmission.PodSecurity{Defaults: psaapi.PodSecurityDefaults{Enforce: "baseline"}},
			want:   []string{`spec: Forbidden: violates PodSecurity "baseline:latest": host namespaces (hostPID=true)`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := podadmission.New(cluster, tc.ps, 0)
			if err != nil {
				t.Fatal(err)
			}
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "app"},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "x:1"}}}}
			if tc.mutate != nil {
				tc.mutate(pod)
			}
			problems, warnings := c.Check(context.Background(), podadmission.Request{Pod: pod, Path: field.NewPath("spec"), NamespaceLabels: tc.labels, DryRun: tc.dryRun})
			var got []string
			for _, p := range problems {
				got = append(got, p.Error())
			}
			sort.Strings(got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if len(warnings) != tc.warnings {
				t.Errorf("warnings %q, want %d", warnings, tc.warnings)
			}
		})
	}
}

func TestNewRefusesBadDefaults(t *testing.T) {
	if _, err := podadmission.New(fakeCluster{}, podadmission.PodSecurity{Defaults: psaapi.PodSecurityDefaults{Enforce: "strict"}}, 0); err == nil {
		t.Error("an unknown level was accepted")
	}
}

func ptr[T any](v T) *T { return &v }
