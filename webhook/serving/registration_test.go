package serving_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/admissible/admissible/webhook/judge/kinds"
	"github.com/admissible/admissible/webhook/serving"
)

// TestConfigurationRulesCoverTheCatalog derives what the rules must say from
// the catalog: a kind added to or dropped from one and not the other fails.
func TestConfigurationRulesCoverTheCatalog(t *testing.T) {
	catalog := kinds.Builtin()
	cfg := serving.Registration{}.Configuration(catalog)
	if len(cfg.Webhooks) != 1 {
		t.Fatalf("%d webhooks, want 1", len(cfg.Webhooks))
	}

	// resource (with subresource) -> "group/version" of every rule naming it.
	type where struct{ group, version string }
	got := map[string][]where{}
	for i, r := range cfg.Webhooks[0].Rules {
		if len(r.APIGroups) != 1 || len(r.APIVersions) != 1 {
			t.Errorf("rules[%d]: groups %q, versions %q; want one of each", i, r.APIGroups, r.APIVersions)
			continue
		}
		if diff := cmp.Diff([]admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update}, r.Operations); diff != "" {
			t.Errorf("rules[%d] operations mismatch (-want +got):\n%s", i, diff)
		}
		if r.Scope == nil || *r.Scope != admissionregistrationv1.AllScopes {
			t.Errorf("rules[%d] scope = %v, want %q", i, r.Scope, admissionregistrationv1.AllScopes)
		}
		for _, res := range r.Resources {
			got[res] = append(got[res], where{r.APIGroups[0], r.APIVersions[0]})
		}
	}

	want := map[string][]where{
		"services":   {{"", "v1"}},
		"ingresses":  {{"networking.k8s.io", "v1"}},
		"httproutes": {{"gateway.networking.k8s.io", "v1"}},
	}
	for _, k := range catalog.All() {
		want[k.Resource] = append(want[k.Resource], where{k.Group, k.Version})
		for _, sub := range k.Subresources {
			want[k.Resource+"/"+sub] = append(want[k.Resource+"/"+sub], where{k.Group, k.Version})
		}
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(where{})); diff != "" {
		t.Errorf("rules by resource mismatch (-want +got):\n%s", diff)
	}
	// The catalog's own pods entry must carry its ephemeral containers.
	if _, ok := got["pods/ephemeralcontainers"]; !ok {
		t.Errorf("no rule for pods/ephemeralcontainers: kubectl debug would not be judged")
	}
}

func TestConfigurationBuiltinRules(t *testing.T) {
	all := admissionregistrationv1.AllScopes
	ops := []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update}
	rule := func(group string, resources ...string) admissionregistrationv1.RuleWithOperations {
		return admissionregistrationv1.RuleWithOperations{Operations: ops, Rule: admissionregistrationv1.Rule{
			APIGroups: []string{group}, APIVersions: []string{"v1"}, Resources: resources, Scope: &all,
		}}
	}
	want := []admissionregistrationv1.RuleWithOperations{
		rule("", "pods", "pods/ephemeralcontainers", "podtemplates", "replicationcontrollers", "services"),
		rule("apps", "daemonsets", "deployments", "replicasets", "statefulsets"),
		rule("batch", "cronjobs", "jobs"),
		rule("ceph.rook.io", "cephclusters", "cephcosidrivers", "cephnfses", "cephnvmeofgateways"),
		rule("networking.k8s.io", "ingresses"),
		rule("gateway.networking.k8s.io", "httproutes"),
	}
	got := serving.Registration{}.Configuration(kinds.Builtin()).Webhooks[0].Rules
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Rules mismatch (-want +got):\n%s", diff)
	}
}

func TestConfiguration(t *testing.T) {
	url := "https://admissible.example:9443/validate"
	ca := []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
	ignore, fail := admissionregistrationv1.Ignore, admissionregistrationv1.Fail
	none := admissionregistrationv1.SideEffectClassNone
	ptr := func(i int32) *int32 { return &i }
	notIn := func(ns ...string) *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
			Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: ns,
		}}}
	}
	rules := serving.Registration{}.Configuration(kinds.Builtin()).Webhooks[0].Rules

	tests := map[string]struct {
		reg      serving.Registration
		wantName string
		want     admissionregistrationv1.ValidatingWebhook
	}{
		"defaults": {
			reg:      serving.Registration{ClientConfig: admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: ca}},
			wantName: "admissible",
			want: admissionregistrationv1.ValidatingWebhook{
				Name:                    "validate.admissible.dev",
				ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url, CABundle: ca},
				Rules:                   rules,
				FailurePolicy:           &ignore,
				SideEffects:             &none,
				TimeoutSeconds:          ptr(10),
				AdmissionReviewVersions: []string{"v1"},
				NamespaceSelector:       notIn("kube-system"),
			},
		},
		"overrides": {
			reg: serving.Registration{
				Name: "guard", WebhookName: "images.example.com",
				ClientConfig:       admissionregistrationv1.WebhookClientConfig{URL: &url},
				FailurePolicy:      fail,
				TimeoutSeconds:     5,
				ExcludedNamespaces: []string{"kube-system", "rook-ceph"},
			},
			wantName: "guard",
			want: admissionregistrationv1.ValidatingWebhook{
				Name:                    "images.example.com",
				ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url},
				Rules:                   rules,
				FailurePolicy:           &fail,
				SideEffects:             &none,
				TimeoutSeconds:          ptr(5),
				AdmissionReviewVersions: []string{"v1"},
				NamespaceSelector:       notIn("kube-system", "rook-ceph"),
			},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			cfg := tc.reg.Configuration(kinds.Builtin())
			wantMeta := metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingWebhookConfiguration"}
			if diff := cmp.Diff(wantMeta, cfg.TypeMeta); diff != "" {
				t.Errorf("TypeMeta mismatch (-want +got):\n%s", diff)
			}
			if cfg.Name != tc.wantName {
				t.Errorf("Name = %q, want %q", cfg.Name, tc.wantName)
			}
			if diff := cmp.Diff([]admissionregistrationv1.ValidatingWebhook{tc.want}, cfg.Webhooks); diff != "" {
				t.Errorf("Webhooks mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
