package podadmission

import (
	"context"
	"fmt"
	"slices"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	psadmission "k8s.io/pod-security-admission/admission"
	psaapi "k8s.io/pod-security-admission/admission/api"
	"k8s.io/pod-security-admission/api"
	psametrics "k8s.io/pod-security-admission/metrics"
	"k8s.io/pod-security-admission/policy"
)

// Cluster reads the objects pod admission looks up. It returns nil, nil for
// an object that does not exist.
type Cluster interface {
	ServiceAccount(ctx context.Context, namespace, name string) (*corev1.ServiceAccount, error)
}

// PodSecurity is the cluster's PodSecurity admission configuration
// (AdmissionConfiguration PodSecurityConfiguration), which the webhook cannot
// read: defaults for namespaces without labels, and exemptions.
type PodSecurity struct {
	Defaults   psaapi.PodSecurityDefaults
	Exemptions psaapi.PodSecurityExemptions
}

// Checker predicts pod admission.
type Checker struct {
	cluster    Cluster
	exemptNS   []string
	exemptUser []string
	psa        *psadmission.Admission
	// defaults is the policy of a namespace without labels.
	defaults api.Policy
}

// New returns a Checker reading the cluster through c. kubeMinor is the API
// server's minor version (PodSecurity "latest" is that version's policy; 0:
// this library's).
func New(c Cluster, ps PodSecurity, kubeMinor int) (*Checker, error) {
	for _, d := range []*string{&ps.Defaults.Enforce, &ps.Defaults.Audit, &ps.Defaults.Warn} {
		if *d == "" {
			*d = string(api.LevelPrivileged)
		}
	}
	for _, d := range []*string{&ps.Defaults.EnforceVersion, &ps.Defaults.AuditVersion, &ps.Defaults.WarnVersion} {
		if *d == "" {
			*d = string(api.VersionLatest)
		}
	}
	var emulated *api.Version
	if kubeMinor > 0 {
		v := api.MajorMinorVersion(1, kubeMinor)
		emulated = &v
	}
	ev, err := policy.NewEvaluator(policy.DefaultChecks(), emulated)
	if err != nil {
		return nil, fmt.Errorf("podSecurity: %w", err)
	}
	a := &psadmission.Admission{
		Configuration: &psaapi.PodSecurityConfiguration{Defaults: ps.Defaults, Exemptions: ps.Exemptions},
		Evaluator:     ev,
		Metrics:       noMetrics{},
	}
	if err := a.CompleteConfiguration(); err != nil {
		return nil, fmt.Errorf("podSecurity.defaults: %w", err)
	}
	defaults, err := psaapi.ToPolicy(ps.Defaults)
	if err != nil {
		return nil, fmt.Errorf("podSecurity.defaults: %w", err)
	}
	return &Checker{cluster: c, exemptNS: ps.Exemptions.Namespaces, exemptUser: ps.Exemptions.Usernames, psa: a, defaults: defaults}, nil
}

// Request is one pod to check.
type Request struct {
	// Pod is the pod a controller will create (or the Pod being created).
	Pod *corev1.Pod
	// Path is the field path of the pod spec in the object judged: problems
	// are reported there.
	Path *field.Path
	// NamespaceLabels are the labels of the pod's namespace.
	NamespaceLabels map[string]string
	// Username creates the pod: the requesting user for a Pod, "" for a
	// workload's (its controller's).
	Username string
	// DryRun is a server-side dry run: objects the same apply would create
	// first do not exist in it, so a missing one is a warning.
	DryRun bool
}

// Check returns the problems pod admission will refuse the pod for, and
// warnings (PodSecurity audit and warn levels, lookups that failed).
func (c *Checker) Check(ctx context.Context, r Request) (field.ErrorList, []string) {
	var problems field.ErrorList
	var warnings []string
	forbid := func(msg string) { problems = append(problems, field.Forbidden(r.Path, msg)) }
	failed := func(what string, err error) {
		warnings = append(warnings, fmt.Sprintf("%s: could not check %s: %v", r.Path, what, err))
	}
	pod := r.Pod

	if msg, warn := c.podSecurity(ctx, r); msg != "" {
		forbid(msg)
	} else if warn != nil {
		warnings = append(warnings, warn...)
	}

	sa := pod.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	if found, err := c.cluster.ServiceAccount(ctx, pod.Namespace, sa); err != nil {
		failed("service account "+sa, err)
	} else if found == nil {
		// A warning only: a service account ships with the workload and is
		// often applied after it (kubectl apply -f DIR goes by file name);
		// the controller retries pod creation until it exists.
		warnings = append(warnings, fmt.Sprintf("%s: pods will be forbidden until service account %s/%s exists: serviceaccount %q not found", r.Path, pod.Namespace, sa, sa))
	}

	return problems, warnings
}

// podSecurity evaluates the namespace's PodSecurity policy with
// pod-security-admission's own admission code: the enforce violation
// message, or the audit and warn warnings.
func (c *Checker) podSecurity(ctx context.Context, r Request) (string, []string) {
	if slices.Contains(c.exemptNS, r.Pod.Namespace) || r.Username != "" && slices.Contains(c.exemptUser, r.Username) {
		return "", nil
	}
	nsPolicy, errs := api.PolicyToEvaluate(r.NamespaceLabels, c.defaults)
	attrs := &api.AttributesRecord{
		Name: r.Pod.Name, Namespace: r.Pod.Namespace, Operation: admissionv1.Create,
		Kind:     schema.GroupVersionKind{Version: "v1", Kind: "Pod"},
		Resource: schema.GroupVersionResource{Version: "v1", Resource: "pods"},
		Object:   r.Pod, Username: r.Username,
	}
	resp := c.psa.EvaluatePod(ctx, nsPolicy, errs.ToAggregate(), &r.Pod.ObjectMeta, &r.Pod.Spec, attrs, true)
	if !resp.Allowed {
		msg := "violates PodSecurity"
		if resp.Result != nil {
			msg = resp.Result.Message
			// The pod's generated name says nothing about the workload.
			if i := strings.Index(msg, "violates PodSecurity"); i > 0 {
				msg = msg[i:]
			}
		}
		return msg, nil
	}
	var warnings []string
	for _, w := range resp.Warnings {
		warnings = append(warnings, fmt.Sprintf("%s: pods will be admitted but %s", r.Path, w))
	}
	if v, ok := resp.AuditAnnotations[api.AuditViolationsAnnotationKey]; ok {
		warnings = append(warnings, fmt.Sprintf("%s: PodSecurity audit: %s", r.Path, v))
	}
	return "", warnings
}

// noMetrics drops PodSecurity's own metrics: the webhook counts verdicts.
type noMetrics struct{}

func (noMetrics) RecordEvaluation(psametrics.Decision, api.LevelVersion, psametrics.Mode, api.Attributes) {
}
func (noMetrics) RecordExemption(api.Attributes)   {}
func (noMetrics) RecordError(bool, api.Attributes) {}
