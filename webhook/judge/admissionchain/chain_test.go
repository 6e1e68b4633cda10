package admissionchain_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apiserver/pkg/authentication/user"
	"sigs.k8s.io/yaml"

	"github.com/admissible/admissible/webhook/judge/admissionchain"
)

// cluster is what the cases' namespace "app" holds, as manifests.
const cluster = `
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: batch}
value: 100
preemptionPolicy: Never
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: kata}
handler: kata
overhead: {podFixed: {cpu: 250m}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: limits, namespace: app}
spec:
  limits:
  - type: Container
    max: {cpu: "2"}
    default: {cpu: "1", memory: 256Mi}
    defaultRequest: {cpu: 100m, memory: 128Mi}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: compute, namespace: quota}
spec:
  hard: {limits.cpu: "4", requests.cpu: "1"}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: robot, namespace: app}
automountServiceAccountToken: false
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-latest}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [CREATE]
      resources: [pods]
  validations:
  - expression: "object.spec.containers.all(c, !c.image.endsWith(':latest'))"
    message: images must not be tagged latest
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: no-latest}
spec:
  policyName: no-latest
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels: {policy: strict}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: no-latest-lax}
spec:
  policyName: no-latest
  validationActions: [Warn, Audit]
  matchResources:
    namespaceSelector:
      matchLabels: {policy: lax}
---
apiVersion: v1
kind: Namespace
metadata: {name: strict, labels: {policy: strict}}
---
apiVersion: v1
kind: Namespace
metadata: {name: lax, labels: {policy: lax}}
`

func manifests(t testing.TB, docs string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for _, d := range strings.Split(docs, "\n---\n") {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(d), &u.Object); err != nil {
			t.Fatal(err)
		}
		out = append(out, u)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func TestAdmit(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	chain, err := admissionchain.New(ctx, admissionchain.FromManifests(manifests(t, cluster)), admissionchain.Config{})
	if err != nil {
		t.Fatal(err)
	}
	controller := &user.DefaultInfo{Name: "system:serviceaccount:kube-system:replicaset-controller"}
	tests := map[string]struct {
		namespace string
		mutate    func(*corev1.Pod)
		dryRun    bool
		refusals  []string
		warnings  int
		// warned are texts the warnings must hold, in order.
		warned []string
		check  func(*testing.T, *corev1.Pod)
	}{
		"no service account named: default, its token mounted": {
			namespace: "other",
			check: func(t *testing.T, p *corev1.Pod) {
				if p.Spec.ServiceAccountName != "default" {
					t.Errorf("serviceAccountName = %q, want default", p.Spec.ServiceAccountName)
				}
				if n := len(p.Spec.Volumes); n != 1 || !strings.HasPrefix(p.Spec.Volumes[0].Name, "kube-api-access-") {
					t.Errorf("volumes = %+v, want the token volume", p.Spec.Volumes)
				}
				if p.Spec.Containers[0].Resources.Limits != nil {
					t.Errorf("limits set without a LimitRange: %v", p.Spec.Containers[0].Resources.Limits)
				}
			},
		},
		"automount off on the service account": {
			mutate: func(p *corev1.Pod) { p.Spec.ServiceAccountName = "robot" },
			check: func(t *testing.T, p *corev1.Pod) {
				if len(p.Spec.Volumes) != 0 {
					t.Errorf("volumes = %+v, want none", p.Spec.Volumes)
				}
			},
		},
		"LimitRange defaults": {
			check: func(t *testing.T, p *corev1.Pod) {
				r := p.Spec.Containers[0].Resources
				if r.Limits.Cpu().String() != "1" || r.Requests.Memory().String() != "128Mi" {
					t.Errorf("resources = %+v, want the LimitRange's defaults", r)
				}
			},
		},
		"LimitRange max": {
			mutate: func(p *corev1.Pod) {
				p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: mustQuantity("4")}
			},
			refusals: []string{"LimitRanger: maximum cpu usage per Container is 2, but limit is 4"},
		},
		"missing priority class": {
			mutate:   func(p *corev1.Pod) { p.Spec.PriorityClassName = "nope" },
			warnings: 1, // the view is partial: the class may exist in the cluster
		},
		"system priority class": {mutate: func(p *corev1.Pod) { p.Spec.PriorityClassName = "system-node-critical" }},
		"priority set by hand": {
			mutate:   func(p *corev1.Pod) { p.Spec.Priority = ptr(int32(1000)) },
			refusals: []string{"Priority: the integer value of priority (1000) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name"},
		},
		"priority equal to the class's": {
			mutate: func(p *corev1.Pod) { p.Spec.PriorityClassName, p.Spec.Priority = "batch", ptr(int32(100)) },
			check: func(t *testing.T, p *corev1.Pod) {
				if p.Spec.PreemptionPolicy == nil || *p.Spec.PreemptionPolicy != corev1.PreemptNever {
					t.Errorf("preemptionPolicy = %v, want the class's Never", p.Spec.PreemptionPolicy)
				}
			},
		},
		"preemption policy differing from the class's": {
			mutate: func(p *corev1.Pod) {
				p.Spec.PriorityClassName, p.Spec.PreemptionPolicy = "batch", ptr(corev1.PreemptLowerPriority)
			},
			refusals: []string{"Priority: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name"},
		},
		"missing runtime class": {
			mutate:   func(p *corev1.Pod) { p.Spec.RuntimeClassName = ptr("gvisor") },
			warnings: 1,
		},
		"runtime class overhead set": {
			mutate: func(p *corev1.Pod) { p.Spec.RuntimeClassName = ptr("kata") },
			check: func(t *testing.T, p *corev1.Pod) {
				if p.Spec.Overhead.Cpu().String() != "250m" {
					t.Errorf("overhead = %v, want the class's 250m", p.Spec.Overhead)
				}
			},
		},
		"overhead without a runtime class": {
			mutate: func(p *corev1.Pod) {
				p.Spec.Overhead = corev1.ResourceList{corev1.ResourceCPU: mustQuantity("1")}
			},
			refusals: []string{"RuntimeClass: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead"},
		},
		"default toleration seconds": {
			check: func(t *testing.T, p *corev1.Pod) {
				if len(p.Spec.Tolerations) != 2 {
					t.Errorf("tolerations = %+v, want not-ready and unreachable for 300 s", p.Spec.Tolerations)
				}
			},
		},
		"quota requiring limits, none set": {
			namespace: "quota",
			refusals:  []string{"ResourceQuota: failed quota: compute: must specify limits.cpu for: app; requests.cpu for: app"},
		},
		"quota exceeded: a warning": {
			namespace: "quota",
			mutate: func(p *corev1.Pod) {
				p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: mustQuantity("2")}
			},
			warnings: 1,
		},
		"admission policy denying": {
			namespace: "strict",
			mutate:    func(p *corev1.Pod) { p.Spec.Containers[0].Image = "nginx:latest" },
			refusals:  []string{"ValidatingAdmissionPolicy: ValidatingAdmissionPolicy 'no-latest' with binding 'no-latest' denied request: images must not be tagged latest"},
		},
		"admission policy warning and auditing": {
			namespace: "lax",
			mutate:    func(p *corev1.Pod) { p.Spec.Containers[0].Image = "nginx:latest" },
			warnings:  2,
			warned: []string{
				"Validation failed for ValidatingAdmissionPolicy 'no-latest' with binding 'no-latest-lax': images must not be tagged latest",
				"ValidatingAdmissionPolicy 'no-latest' with binding 'no-latest-lax' audits pods: images must not be tagged latest",
			},
		},
		"admission policy elsewhere": {
			mutate: func(p *corev1.Pod) { p.Spec.Containers[0].Image = "nginx:latest" },
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ns := tc.namespace
			if ns == "" {
				ns = "app"
			}
			pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27"}}}}
			pod.Namespace, pod.Name = ns, "web-7d4b9c-x2x9q"
			if tc.mutate != nil {
				tc.mutate(pod)
			}
			before := pod.DeepCopy()
			r := chain.Admit(ctx, admissionchain.Request{Pod: pod, User: controller, DryRun: tc.dryRun})
			var got []string
			for _, f := range r.Refusals {
				got = append(got, f.Plugin+": "+f.Message)
			}
			if diff := cmp.Diff(tc.refusals, got); diff != "" {
				t.Errorf("refusals (-want +got):\n%s\n%q", diff, got)
			}
			if len(r.Warnings) != tc.warnings {
				t.Errorf("warnings = %q, want %d", r.Warnings, tc.warnings)
			}
			for i, w := range tc.warned {
				if i >= len(r.Warnings) || r.Warnings[i] != w {
					t.Errorf("warnings = %q, want %q at %d", r.Warnings, w, i)
				}
			}
			if tc.check != nil {
				tc.check(t, r.Pod)
			}
			if diff := cmp.Diff(before, pod); diff != "" {
				t.Errorf("the request's pod was changed:\n%s", diff)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	err := admissionchain.Config{Enable: []string{"PodNodeSelector", "PodNodeSelektor"}}.Validate()
	if err == nil || !strings.Contains(err.Error(), `enablePlugins: "PodNodeSelektor" is not an admission plugin of kube-apiserver`) {
		t.Fatalf("Validate = %v, want the misspelt name refused", err)
	}
	if err := (admissionchain.Config{Disable: []string{"LimitRanger"}}).Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestDisabledPlugin(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	chain, err := admissionchain.New(ctx, admissionchain.FromObjects(nil, nil), admissionchain.Config{Disable: []string{"ServiceAccount"}, Enable: []string{"AlwaysPullImages"}})
	if err != nil {
		t.Fatal(err)
	}
	names := strings.Join(chain.Names(), ",")
	if strings.Contains(names, "ServiceAccount") || !strings.Contains(names, "AlwaysPullImages") {
		t.Fatalf("names = %s", names)
	}
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27"}}}}
	pod.Namespace, pod.Name = "default", "p"
	r := chain.Admit(ctx, admissionchain.Request{Pod: pod, User: &user.DefaultInfo{}})
	if r.Pod.Spec.ServiceAccountName != "" || r.Pod.Spec.Containers[0].ImagePullPolicy != corev1.PullAlways {
		t.Fatalf("pod = %+v", r.Pod.Spec)
	}
}

func mustQuantity(s string) resource.Quantity { return resource.MustParse(s) }

// The API server's own AdmissionConfiguration file configures the plugins
// it names, as --admission-control-config-file does.
func TestAdmissionConfigurationFile(t *testing.T) {
	dir := t.TempDir()
	selector := filepath.Join(dir, "podnodeselector.yaml")
	config := filepath.Join(dir, "admission.yaml")
	if err := os.WriteFile(selector, []byte("podNodeSelectorPluginConfig:\n  clusterDefaultNodeSelector: env=prod\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(config, []byte(`apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodNodeSelector
  path: `+selector+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	chain, err := admissionchain.New(ctx, admissionchain.FromObjects(nil, nil), admissionchain.Config{Enable: []string{"PodNodeSelector"}, ConfigFile: config})
	if err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27"}}}}
	pod.Namespace, pod.Name = "default", "p"
	r := chain.Admit(ctx, admissionchain.Request{Pod: pod, User: &user.DefaultInfo{}})
	if got := r.Pod.Spec.NodeSelector["env"]; got != "prod" || len(r.Refusals) != 0 {
		t.Fatalf("nodeSelector = %v, refusals %v; want env=prod from the configuration", r.Pod.Spec.NodeSelector, r.Refusals)
	}
	// A pod selecting against the cluster's selector is refused.
	pod.Spec.NodeSelector = map[string]string{"env": "dev"}
	r = chain.Admit(ctx, admissionchain.Request{Pod: pod, User: &user.DefaultInfo{}})
	if len(r.Refusals) != 1 || r.Refusals[0].Plugin != "PodNodeSelector" {
		t.Fatalf("refusals = %v, want PodNodeSelector's conflict", r.Refusals)
	}
	t.Logf("PodNodeSelector: %s", r.Refusals[0].Message)
	if _, err := admissionchain.New(ctx, admissionchain.FromObjects(nil, nil), admissionchain.Config{ConfigFile: filepath.Join(dir, "missing.yaml")}); err == nil {
		t.Fatal("a configuration file that does not exist was accepted")
	}
}
