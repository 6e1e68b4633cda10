// Package manifests is admissible's install: a kustomize base (base/), the
// overlays strict (failurePolicy Fail) and monitoring (a ServiceMonitor), and
// a Helm chart (chart/) rendering the same objects.
//
// The webhook configuration is generated from the catalog of judged kinds,
// so the kinds the API server sends and the kinds the code handles cannot
// drift apart: go generate ./manifests (make manifests) writes
// base/validatingwebhookconfiguration.yaml and the chart's rules. The tests
// fail when a generated file is stale, when the kustomize output's rules
// differ from the code's, and when the chart's default render differs from
// the kustomize base.
//
// The install never gates what it depends on: the webhook skips kube-system,
// its own namespace and cert-manager's, and its own service account's
// requests, and fails open (failurePolicy Ignore) unless the strict overlay
// says otherwise.
package manifests

//go:generate go run ./generate
