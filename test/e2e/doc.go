//go:build e2e

// Package e2e drives admissible end to end: a real kube-apiserver and etcd,
// real registries over HTTP, "admissible serve" as its own process, and the
// machine's kubectl. Run with -tags e2e and KUBEBUILDER_ASSETS naming the
// directory of kube-apiserver and etcd, and HELM naming a helm v4 binary
// (make test does all three, for every API server version it tests).
package e2e
