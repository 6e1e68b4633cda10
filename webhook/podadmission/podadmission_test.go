package podadmission_test

import (
	"context"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	psaapi "k8s.io/pod-security-admission/admission/api"

	"github.com/admissible/admissible/webhook/podadmission"
)

// fakeCluster holds objects by name.
type fakeCluster struct {
	serviceAccounts map[string]bool // namespace/name
	priority        map[string]*schedulingv1.PriorityClass
	runtime         map[string]*nodev1.RuntimeClass
}

func (f fakeCluster) ServiceAccount(_ context.Context, ns, name string) (*corev1.ServiceAccount, error) {
	if !f.serviceAccounts[ns+"/"+name] {
		return nil, nil
	}
	return &corev1.ServiceAccount{}, nil
}

func (f fakeCluster) PriorityClass(_ context.Context, name string) (*schedulingv1.PriorityClass, error) {
	return f.priority[name], nil
}

func (f fakeCluster) DefaultPriorityClass(context.Context) (*schedulingv1.PriorityClass, error) {
	for _, pc := range f.priority {
		if pc.GlobalDefault {
			return pc, nil
		}
	}
	return nil, nil
}

func (f fakeCluster) RuntimeClass(_ context.Context, name string) (*nodev1.RuntimeClass, error) {
	return f.runtime[name], nil
}

func TestCheck(t *testing.T) {
	never := corev1.PreemptNever
	cluster := fakeCluster{
		serviceAccounts: map[string]bool{"app/default": true, "app/robot": true},
		priority:        map[string]*schedulingv1.PriorityClass{"batch": {Value: 100, PreemptionPolicy: &never}},
		runtime: map[string]*nodev1.RuntimeClass{
			"kata":  {Overhead: &nodev1.Overhead{PodFixed: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m")}}},
			"runc2": {},
		},
	}
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
		"missing priority class in a dry run: a warning": {
			mutate:   func(p *corev1.Pod) { p.Spec.PriorityClassName = "nope" },
			dryRun:   true,
			warnings: 1,
		},
		"missing priority class": {
			mutate: func(p *corev1.Pod) { p.Spec.PriorityClassName = "nope" },
			want:   []string{"spec: Forbidden: no PriorityClass with name nope was found"},
		},
		"system priority class": {mutate: func(p *corev1.Pod) { p.Spec.PriorityClassName = "system-node-critical" }},
		"priority set by hand": {
			mutate: func(p *corev1.Pod) { p.Spec.Priority = ptr(int32(5)) },
			want:   []string{"spec: Forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name"},
		},
		"priority equal to the class's": {
			mutate: func(p *corev1.Pod) { p.Spec.PriorityClassName, p.Spec.Priority = "batch", ptr(int32(100)) },
		},
		"preemption policy differing from the class's": {
			mutate: func(p *corev1.Pod) {
				p.Spec.PriorityClassName, p.Spec.PreemptionPolicy = "batch", ptr(corev1.PreemptLowerPriority)
			},
			want: []string{"spec: Forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name"},
		},
		"missing runtime class": {
			mutate: func(p *corev1.Pod) { p.Spec.RuntimeClassName = ptr("gvisor") },
			want:   []string{`spec: Forbidden: pod rejected: RuntimeClass "gvisor" not found`},
		},
		"overhead without a runtime class": {
			mutate: func(p *corev1.Pod) {
				p.Spec.Overhead = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")}
			},
			want: []string{"spec: Forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead"},
		},
		"overhead equal to the runtime class's": {
			mutate: func(p *corev1.Pod) {
				p.Spec.RuntimeClassName = ptr("kata")
				p.Spec.Overhead = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m")}
			},
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
