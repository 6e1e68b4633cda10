// Package defaults states once every default and name admissible's parts
// share: serve, check, webhook-config, verify, the install manifests and
// the chart (manifests' tests hold the chart's values to these).
package defaults

import (
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
)

// Names.
const (
	// Name is the ValidatingWebhookConfiguration's name, and the install's
	// Deployment, Service and ServiceAccount's.
	Name = "admissible"
	// Namespace the install runs in.
	Namespace = "admissible"
	// WebhookName is the webhook's name in its configuration, which the API
	// server quotes in every refusal.
	WebhookName = "validate.admissible.dev"
	// Path is where serve answers AdmissionReviews, and so the path of
	// every webhook configuration that calls it.
	Path = "/validate"
)

// Registration.
const (
	// FailurePolicy is what the API server does when the webhook cannot
	// answer: admit, so a webhook that is down never stops the cluster.
	FailurePolicy = admissionregistrationv1.Ignore
	// TimeoutSeconds is how long the API server waits for an answer;
	// Budget keeps every answer under it.
	TimeoutSeconds = 10
)

// Time bounds.
const (
	// Budget bounds one admission in serve: lookups still running then
	// become warnings, well before the API server's TimeoutSeconds.
	Budget = 8 * time.Second
	// CheckBudget bounds the lookups of one object in check, where nobody
	// waits on an API server.
	CheckBudget = 30 * time.Second
	// EndpointTimeout bounds one registry endpoint in serve.
	EndpointTimeout = 3 * time.Second
	// CheckEndpointTimeout bounds one registry endpoint in check.
	CheckEndpointTimeout = 5 * time.Second
	// RecentVerdicts is how long an allowed verdict is given again to the
	// same admission without judging it.
	RecentVerdicts = 2 * time.Second
)
