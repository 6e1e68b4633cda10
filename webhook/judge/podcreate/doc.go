// Package podcreate judges a pod the way the API server judges a pod create,
// with the API server's own code (k8s.io/kubernetes at the version matching
// k8s.io/api), never a copy of it.
//
// Validate runs, on a v1.Pod, what kube-apiserver runs between decoding a
// pod create and calling the admission webhooks: v1 defaulting
// (legacyscheme), conversion to the internal type, the pod registry
// strategy's PrepareForCreate (dropping fields of disabled features,
// matchLabelKeys merged into selectors, pod-level resource defaults) and its
// create validation (ValidatePodCreate with the options derived from the spec,
// then object metadata), including declarative validation. The errors carry
// the API server's field paths and wording.
//
// Feature gates follow the process-wide default gate of k8s.io/apiserver, as
// they do in kube-apiserver. EmulateVersion sets the Kubernetes version whose
// feature defaults apply (component-base's emulation version), so that a
// webhook in front of an older API server does not refuse a pod that server
// accepts. It must be called before the first Validate, once per process.
package podcreate
