package serving

import (
	"sort"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/admissible/admissible/webhook/defaults"
	"github.com/admissible/admissible/webhook/judge/circle"
	"github.com/admissible/admissible/webhook/judge/kinds"
)

// Path is where "admissible serve" answers AdmissionReviews (defaults.Path).
const Path = defaults.Path

// Registration describes how the webhook is registered with the API server.
type Registration struct {
	// Name of the ValidatingWebhookConfiguration (default defaults.Name).
	Name string
	// WebhookName is the name the API server quotes in denials (default
	// defaults.WebhookName).
	WebhookName string
	// ClientConfig says how the API server reaches the webhook.
	ClientConfig admissionregistrationv1.WebhookClientConfig
	// FailurePolicy when the webhook cannot be reached (default
	// defaults.FailurePolicy).
	FailurePolicy admissionregistrationv1.FailurePolicyType
	// TimeoutSeconds the API server waits (default defaults.TimeoutSeconds).
	TimeoutSeconds int32
	// ExcludedNamespaces are never sent to the webhook (default kube-system).
	ExcludedNamespaces []string
}

// Configuration renders the ValidatingWebhookConfiguration for the kinds of
// catalog: CREATE and UPDATE of each, no side effects.
func (r Registration) Configuration(catalog *kinds.Catalog) *admissionregistrationv1.ValidatingWebhookConfiguration {
	r.defaults()
	sideEffects := admissionregistrationv1.SideEffectClassNone
	scope := admissionregistrationv1.AllScopes
	return &admissionregistrationv1.ValidatingWebhookConfiguration{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingWebhookConfiguration"},
		ObjectMeta: metav1.ObjectMeta{Name: r.Name},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    r.WebhookName,
			ClientConfig:            r.ClientConfig,
			Rules:                   rules(catalog, scope),
			FailurePolicy:           &r.FailurePolicy,
			SideEffects:             &sideEffects,
			TimeoutSeconds:          &r.TimeoutSeconds,
			AdmissionReviewVersions: []string{"v1"},
			NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
				Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: r.ExcludedNamespaces,
			}}},
		}},
	}
}

func (r *Registration) defaults() {
	if r.Name == "" {
		r.Name = defaults.Name
	}
	if r.WebhookName == "" {
		r.WebhookName = defaults.WebhookName
	}
	if r.FailurePolicy == "" {
		r.FailurePolicy = defaults.FailurePolicy
	}
	if r.TimeoutSeconds == 0 {
		r.TimeoutSeconds = defaults.TimeoutSeconds
	}
	if len(r.ExcludedNamespaces) == 0 {
		r.ExcludedNamespaces = []string{"kube-system"}
	}
}

// rules groups the catalog's resources, and the resources that close a
// registry circle, by API group and version.
func rules(catalog *kinds.Catalog, scope admissionregistrationv1.ScopeType) []admissionregistrationv1.RuleWithOperations {
	type gv struct{ group, version string }
	resources := map[gv][]string{}
	var order []gv
	add := func(key gv, resource string) {
		if _, ok := resources[key]; !ok {
			order = append(order, key)
		}
		resources[key] = append(resources[key], resource)
	}
	for _, k := range catalog.All() {
		key := gv{k.Group, k.Version}
		add(key, k.Resource)
		for _, sub := range k.Subresources {
			add(key, k.Resource+"/"+sub)
		}
	}
	for _, k := range circle.ClosingKinds { // judged besides the catalog's
		add(gv{k.Group, k.Version}, k.Resource)
	}
	out := make([]admissionregistrationv1.RuleWithOperations, 0, len(order))
	for _, key := range order {
		res := resources[key]
		sort.Strings(res)
		out = append(out, admissionregistrationv1.RuleWithOperations{
			Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
			Rule: admissionregistrationv1.Rule{
				APIGroups: []string{key.group}, APIVersions: []string{key.version}, Resources: res, Scope: &scope,
			},
		})
	}
	return out
}
