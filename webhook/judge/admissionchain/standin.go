package admissionchain

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
)

// standIn is the client the plugins get: the caller's, except where a
// plugin would read the API server on every admission that its informer
// cannot answer. The ServiceAccount plugin reads a service account the
// informer does not hold up to ten times, 100 to 200 ms apart; here it gets
// a stand-in with no secrets and the default automount (the caller warns
// that the account is missing). LimitRanger lists LimitRanges live when the
// informer holds none in the namespace; here the informer is the answer.
type standIn struct{ kubernetes.Interface }

func (s standIn) CoreV1() corev1client.CoreV1Interface {
	return standInCore{s.Interface.CoreV1()}
}

type standInCore struct{ corev1client.CoreV1Interface }

func (c standInCore) ServiceAccounts(namespace string) corev1client.ServiceAccountInterface {
	return standInServiceAccounts{c.CoreV1Interface.ServiceAccounts(namespace), namespace}
}

func (c standInCore) LimitRanges(namespace string) corev1client.LimitRangeInterface {
	return noLimitRanges{c.CoreV1Interface.LimitRanges(namespace)}
}

type standInServiceAccounts struct {
	corev1client.ServiceAccountInterface
	namespace string
}

func (s standInServiceAccounts) Get(_ context.Context, name string, _ metav1.GetOptions) (*corev1.ServiceAccount, error) {
	return &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: s.namespace, Name: name}}, nil
}

type noLimitRanges struct {
	corev1client.LimitRangeInterface
}

func (noLimitRanges) List(context.Context, metav1.ListOptions) (*corev1.LimitRangeList, error) {
	return &corev1.LimitRangeList{}, nil
}

// Namespaces answers a namespace the informer does not hold yet (one
// created a moment before its first workload) with an unlabelled stand-in,
// instead of a live read per admission: the policy matcher and
// PodNodeSelector read it on every pod of a new namespace, and a burst of
// them queued behind the client's rate limit.
func (c standInCore) Namespaces() corev1client.NamespaceInterface {
	return standInNamespaces{c.CoreV1Interface.Namespaces()}
}

type standInNamespaces struct {
	corev1client.NamespaceInterface
}

func (standInNamespaces) Get(_ context.Context, name string, _ metav1.GetOptions) (*corev1.Namespace, error) {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, nil
}
