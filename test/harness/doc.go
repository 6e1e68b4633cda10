// Package harness starts the real parts that admissible's end-to-end tests
// and demo drive: a kube-apiserver and etcd (through controller-runtime's
// envtest, from binaries named by KUBEBUILDER_ASSETS), registries served over
// HTTP (go-containerregistry's in-memory registry, and servers that fail on
// purpose), the admissible binary serving the webhook over TLS, the
// machine's real kubectl, and the real Helm CLI (named by HELM; make helm
// builds it from the Go module proxy).
package harness
