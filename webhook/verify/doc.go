// Package verify proves, against a live cluster, that the API server calls
// the webhook and that the webhook enforces: every link between a
// kubectl apply and a refusal, checked in order.
//
//  1. The ValidatingWebhookConfiguration exists and holds the webhook.
//  2. Its rules cover every kind of the catalog (CREATE and UPDATE), its
//     path is the one admissible serve answers at, and its sideEffects let
//     a dry run reach it.
//  3. For a service-backed webhook, the service has ready endpoints.
//  4. The caBundle verifies the certificate the webhook serves: the
//     webhook is dialled (its URL, or the service's DNS name, which
//     resolves only inside the cluster: from outside this check is
//     skipped and says so).
//  5. A canary is refused by the webhook: a PodTemplate annotated
//     admissible.dev/canary, sent with a server-side dry run. The webhook
//     refuses any object so annotated, whatever its modes; PodTemplates
//     are judged, harmless (no controller acts on one) and, sent as a dry
//     run, never stored. The canary's namespace (default "default") must
//     not be excluded by the webhook's namespaceSelector, and the identity
//     running verify must not be one the webhook's matchConditions skip
//     (the install skips its own service account).
//
// Each check is reported; the first that fails names the broken link.
package verify
