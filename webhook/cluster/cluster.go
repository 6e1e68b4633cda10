package cluster

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	nodev1 "k8s.io/api/node/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	ctrlcache "sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/admissible/admissible/webhook/cluster/pullsecrets"
	"github.com/admissible/admissible/webhook/judge/admissionchain"
	"github.com/admissible/admissible/webhook/judge/podadmission"
)

// confirmTimeout bounds the live read that confirms an informer miss.
const confirmTimeout = 2 * time.Second

// Cluster is the webhook's view of the cluster.
type Cluster struct {
	// Credentials are the pull credentials of pods.
	Credentials *pullsecrets.Source
	// Namespaces are the labels that set a namespace's modes.
	Namespaces *NamespaceLabels
	// Objects are what pod admission looks up.
	Objects *Objects
	// Circle is what the registry-circle check reads.
	Circle *CircleIndex
	// Admission is what the API server's admission plugins read; the caller
	// starts it once the chain is built (admissionchain.New registers the
	// informers its plugins need).
	Admission admissionchain.Cluster
}

// Start starts informers on secrets (pull secrets keep their data, others
// do not), service accounts, namespaces, priority classes and runtime
// classes, and, for the registry-circle check, on services, ingresses, pod
// disruption budgets, nodes, deployments, statefulsets, daemonsets and,
// when discovery says Gateway API is served at start, httproutes (installed
// later, they are read after a restart). It returns their readers. They
// stop when ctx ends.
func Start(ctx context.Context, cfg *rest.Config, log logr.Logger) (*Cluster, error) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, schedulingv1.AddToScheme, nodev1.AddToScheme,
		appsv1.AddToScheme, networkingv1.AddToScheme, policyv1.AddToScheme, gatewayv1.Install} {
		if err := add(scheme); err != nil {
			return nil, err
		}
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	routes, err := ServesHTTPRoutes(dc)
	if err != nil {
		return nil, fmt.Errorf("discovery of Gateway API: %w", err)
	}
	log.Info("registry circle", "httproutes", routes)
	byObject := map[client.Object]ctrlcache.ByObject{&corev1.Secret{}: {Transform: pullsecrets.Transform}}
	informed := circleObjects()
	if routes {
		informed = append(informed, &gatewayv1.HTTPRoute{})
	}
	for _, obj := range informed {
		byObject[obj] = ctrlcache.ByObject{Transform: ctrlcache.TransformStripManagedFields()}
	}
	cache, err := ctrlcache.New(cfg, ctrlcache.Options{Scheme: scheme, ByObject: byObject})
	if err != nil {
		return nil, err
	}
	live, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, err
	}
	// Create the informers now, so the first admission does not wait for them.
	for _, obj := range append([]client.Object{&corev1.Secret{}, &corev1.ServiceAccount{}, &corev1.Namespace{}, &schedulingv1.PriorityClass{}, &nodev1.RuntimeClass{}}, informed...) {
		if _, err := cache.GetInformer(ctx, obj); err != nil {
			return nil, fmt.Errorf("informer for %T: %w", obj, err)
		}
	}
	go func() {
		if err := cache.Start(ctx); err != nil {
			log.Error(err, "informers stopped")
		}
	}()
	chainView, err := admissionView(cfg, dc)
	if err != nil {
		return nil, err
	}
	reader := &syncedOrLive{cache: cache, live: live}
	go func() {
		if cache.WaitForCacheSync(ctx) {
			reader.synced.Store(true)
			log.Info("informers synced")
		}
	}()
	return &Cluster{
		Credentials: pullsecrets.New(reader),
		Namespaces:  &NamespaceLabels{reader: reader},
		Objects:     &Objects{reader: reader, live: live},
		Circle:      NewCircleIndex(reader, routes),
		Admission:   chainView,
	}, nil
}

// admissionView is the cluster as the admission plugins read it: client-go
// informers of their own (the plugins take a SharedInformerFactory), the
// dynamic client for policy parameters, and a REST mapper from discovery.
func admissionView(cfg *rest.Config, dc discovery.DiscoveryInterface) (admissionchain.Cluster, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return admissionchain.Cluster{}, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return admissionchain.Cluster{}, err
	}
	return admissionchain.Cluster{
		Informers:  informers.NewSharedInformerFactory(cs, 0),
		Client:     cs,
		Dynamic:    dyn,
		RESTMapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)),
	}, nil
}

// NamespaceLabels reads namespace labels from the informer cache (from the
// API server until it has synced). A namespace the cache does not hold yet
// is an error, which the handler turns into a warning: reading it live on
// every admission would let a burst of requests in a namespace the cache
// lags on queue behind the client's rate limit.
type NamespaceLabels struct {
	reader client.Reader
}

// NamespaceLabels returns the labels of namespace name.
func (n *NamespaceLabels) NamespaceLabels(ctx context.Context, name string) (map[string]string, error) {
	var ns corev1.Namespace
	if err := n.reader.Get(ctx, client.ObjectKey{Name: name}, &ns); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("not in the informer cache yet: %w", err)
		}
		return nil, err
	}
	return ns.Labels, nil
}

// Objects reads what pod admission looks up.
type Objects struct {
	reader client.Reader
	live   client.Reader
}

var _ podadmission.Cluster = (*Objects)(nil)

// NewObjects reads from reader, confirming misses with live (nil: no
// confirmation).
func NewObjects(reader, live client.Reader) *Objects { return &Objects{reader: reader, live: live} }

// get reads key into obj; a miss is confirmed live. It returns false for an
// object that does not exist.
func (o *Objects) get(ctx context.Context, key client.ObjectKey, obj client.Object) (bool, error) {
	err := o.reader.Get(ctx, key, obj)
	if apierrors.IsNotFound(err) && o.live != nil {
		cctx, cancel := context.WithTimeout(ctx, confirmTimeout)
		defer cancel()
		err = o.live.Get(cctx, key, obj)
	}
	switch {
	case apierrors.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// ServiceAccount returns the service account, nil when it does not exist.
func (o *Objects) ServiceAccount(ctx context.Context, namespace, name string) (*corev1.ServiceAccount, error) {
	var sa corev1.ServiceAccount
	if ok, err := o.get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &sa); !ok {
		return nil, err
	}
	return &sa, nil
}

// syncedOrLive reads from the cache once it has synced and from the API
// server until then, so no admission waits for an informer.
type syncedOrLive struct {
	cache  client.Reader
	live   client.Reader
	synced atomic.Bool
}

func (r *syncedOrLive) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if r.synced.Load() {
		return r.cache.Get(ctx, key, obj, opts...)
	}
	return r.live.Get(ctx, key, obj, opts...)
}

func (r *syncedOrLive) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	if r.synced.Load() {
		return r.cache.List(ctx, list, opts...)
	}
	return r.live.List(ctx, list, opts...)
}
