package main

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	ctrlcache "sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	judge "github.com/admissible/admissible/webhook"
	"github.com/admissible/admissible/webhook/podcreate"
	"github.com/admissible/admissible/webhook/pullsecrets"
)

// cluster is what the webhook reads from the API server.
type cluster struct {
	// credentials are the pull credentials of pods.
	credentials *pullsecrets.Source
	// namespaces are the labels that set a namespace's modes.
	namespaces *namespaceLabels
}

// startCluster starts informers on pull secrets, service accounts and
// namespaces and returns the readers of pull credentials and namespace
// labels.
func startCluster(ctx context.Context, kubeconfig, kubeVersion string, log logr.Logger) (*cluster, error) {
	cfg, err := restConfig(kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("reading pull secrets and namespace labels needs the API server: %w (or pass --no-cluster-credentials)", err)
	}
	if kubeVersion == "" {
		if kubeVersion, err = serverVersion(cfg); err != nil {
			return nil, err
		}
	}
	if err := emulate(kubeVersion); err != nil {
		// A newer API server than the validation code: judge by the newest
		// rules known, and say so.
		log.Error(err, "pod templates are judged by the rules of Kubernetes "+podcreate.EmulatedVersion())
	}
	log.Info("pod rules", "kubernetesVersion", podcreate.EmulatedVersion())
	scheme := runtime.NewScheme()
	if err := corev1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	// Every secret is watched, but only pull secrets keep their data: the
	// contents of a cluster's other secrets are none of the webhook's
	// business, and no admission reads a secret from the API server.
	cache, err := ctrlcache.New(cfg, ctrlcache.Options{
		Scheme: scheme,
		ByObject: map[client.Object]ctrlcache.ByObject{
			&corev1.Secret{}: {Transform: pullsecrets.Transform},
		},
	})
	if err != nil {
		return nil, err
	}
	live, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, err
	}
	// Create the informers now, so the first admission does not wait for them.
	for _, obj := range []client.Object{&corev1.Secret{}, &corev1.ServiceAccount{}, &corev1.Namespace{}} {
		if _, err := cache.GetInformer(ctx, obj); err != nil {
			return nil, err
		}
	}
	go func() {
		if err := cache.Start(ctx); err != nil {
			log.Error(err, "informers stopped")
		}
	}()
	reader := &syncedOrLive{cache: cache, live: live}
	go func() {
		if cache.WaitForCacheSync(ctx) {
			reader.synced.Store(true)
			log.Info("informers synced")
		}
	}()
	return &cluster{credentials: pullsecrets.New(reader), namespaces: &namespaceLabels{reader: reader}}, nil
}

// namespaceLabels reads namespace labels from the informer cache (from the
// API server until it has synced). A namespace the cache does not hold yet
// is an error, which the handler turns into a warning: reading it live on
// every admission would let a burst of requests in a namespace the cache
// lags on queue behind the client's rate limit.
type namespaceLabels struct {
	reader client.Reader
}

var _ judge.NamespaceLabeler = (*namespaceLabels)(nil)

// NamespaceLabels returns the labels of namespace name.
func (n *namespaceLabels) NamespaceLabels(ctx context.Context, name string) (map[string]string, error) {
	var ns corev1.Namespace
	if err := n.reader.Get(ctx, client.ObjectKey{Name: name}, &ns); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("not in the informer cache yet: %w", err)
		}
		return nil, err
	}
	return ns.Labels, nil
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

func restConfig(kubeconfig string) (*rest.Config, error) {
	if kubeconfig != "" {
		return clientcmd.BuildConfigFromFlags("", kubeconfig)
	}
	if cfg, err := rest.InClusterConfig(); err == nil {
		return cfg, nil
	}
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
}
