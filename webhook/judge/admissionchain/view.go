package admissionchain

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta/testrestmapper"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/kubernetes/scheme"
	clienttesting "k8s.io/client-go/testing"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	_ "k8s.io/kubernetes/pkg/apis/admissionregistration/install" // defaults of the kinds read
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	_ "k8s.io/kubernetes/pkg/apis/node/install"
	_ "k8s.io/kubernetes/pkg/apis/scheduling/install"
	schedulingapiv1 "k8s.io/kubernetes/pkg/apis/scheduling/v1"
)

// FromObjects returns a partial view of a cluster that holds objs (the
// ServiceAccounts, LimitRanges, ResourceQuotas, PriorityClasses,
// RuntimeClasses, Namespaces, ValidatingAdmissionPolicies and their bindings
// and parameters of a set of manifests; other kinds are ignored) and a
// Namespace for each of namespaces that objs do not hold, as kubectl apply
// would create them first.
func FromObjects(objs []runtime.Object, namespaces []string) Cluster {
	var typed []runtime.Object
	held := sets.New[string]()
	for _, o := range objs {
		gvks, _, err := scheme.Scheme.ObjectKinds(o)
		if err != nil || len(gvks) == 0 {
			continue
		}
		typed = append(typed, o)
		if ns, ok := o.(*corev1.Namespace); ok {
			held.Insert(ns.Name)
		}
	}
	// The API server creates the system priority classes itself.
	for _, pc := range schedulingapiv1.SystemPriorityClasses() {
		typed = append(typed, pc.DeepCopy())
	}
	for _, ns := range sets.List(sets.New(namespaces...).Insert(metav1.NamespaceDefault)) {
		if !held.Has(ns) {
			typed = append(typed, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
		}
	}
	client := fake.NewClientset(typed...)
	// A namespace the manifests do not name is read by the policy matcher
	// only: it stands for one kubectl apply's context names, unlabelled.
	client.PrependReactor("get", "namespaces", func(a clienttesting.Action) (bool, runtime.Object, error) {
		name := a.(clienttesting.GetAction).GetName()
		if held, err := client.Tracker().Get(corev1.SchemeGroupVersion.WithResource("namespaces"), "", name); err == nil {
			return true, held, nil
		}
		return true, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, nil
	})
	return Cluster{
		Informers:  informers.NewSharedInformerFactory(client, 0),
		Client:     client,
		Dynamic:    dynamicfake.NewSimpleDynamicClient(scheme.Scheme, typed...),
		RESTMapper: testrestmapper.TestOnlyStaticRESTMapper(scheme.Scheme),
		Partial:    true,
	}
}

// read are the kinds of a manifest set the plugins read, ConfigMaps as
// policy parameters among them.
var read = sets.New(
	schema.GroupKind{Kind: "Namespace"}, schema.GroupKind{Kind: "ServiceAccount"},
	schema.GroupKind{Kind: "LimitRange"}, schema.GroupKind{Kind: "ResourceQuota"},
	schema.GroupKind{Kind: "ConfigMap"},
	schema.GroupKind{Group: "scheduling.k8s.io", Kind: "PriorityClass"},
	schema.GroupKind{Group: "node.k8s.io", Kind: "RuntimeClass"},
	schema.GroupKind{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"},
	schema.GroupKind{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"},
)

// FromManifests is FromObjects of the objects of a manifest set that the
// plugins read, in every namespace the set names. A ResourceQuota gets the
// status its controller would give it before any pod: its hard limits, none
// used.
func FromManifests(objs []*unstructured.Unstructured) Cluster {
	var typed []runtime.Object
	var namespaces []string
	for _, u := range objs {
		if ns := u.GetNamespace(); ns != "" {
			namespaces = append(namespaces, ns)
		}
		gvk := u.GroupVersionKind()
		if !read.Has(gvk.GroupKind()) {
			continue
		}
		obj, err := scheme.Scheme.New(gvk)
		if err != nil || runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, obj) != nil {
			continue // an unknown version or a malformed object: the API server refuses it
		}
		legacyscheme.Scheme.Default(obj) // as the API server stores it
		if acc, ok := obj.(metav1.Object); ok && acc.GetNamespace() == "" && gvk.Kind != "Namespace" && !clusterScoped(gvk.GroupKind()) {
			acc.SetNamespace(metav1.NamespaceDefault)
		}
		if rq, ok := obj.(*corev1.ResourceQuota); ok && rq.Status.Hard == nil {
			rq.Status.Hard = rq.Spec.Hard.DeepCopy()
			rq.Status.Used = corev1.ResourceList{}
			for name := range rq.Spec.Hard {
				rq.Status.Used[name] = resource.Quantity{}
			}
		}
		typed = append(typed, obj)
	}
	return FromObjects(typed, namespaces)
}

// clusterScoped says gk is one of read's cluster-scoped kinds.
func clusterScoped(gk schema.GroupKind) bool {
	return gk.Group == "scheduling.k8s.io" || gk.Group == "node.k8s.io" || gk.Group == "admissionregistration.k8s.io"
}
