package cluster

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/admissible/admissible/resolvers/crio"
)

// mirrorSetKind is an OpenShift kind listing mirror sets: where its list
// is, and what its mirrors serve.
type mirrorSetKind struct {
	gvr   schema.GroupVersionResource
	field string
	kind  crio.MirrorKind
}

// mirrorSetKinds are read as unstructured objects: no dependency on
// openshift/api.
var mirrorSetKinds = []mirrorSetKind{
	{schema.GroupVersionResource{Group: "config.openshift.io", Version: "v1", Resource: "imagedigestmirrorsets"}, "imageDigestMirrors", crio.DigestMirrors},
	{schema.GroupVersionResource{Group: "config.openshift.io", Version: "v1", Resource: "imagetagmirrorsets"}, "imageTagMirrors", crio.TagMirrors},
	{schema.GroupVersionResource{Group: "operator.openshift.io", Version: "v1alpha1", Resource: "imagecontentsourcepolicies"}, "repositoryDigestMirrors", crio.LegacyDigestMirrors},
}

// ServedMirrorSets returns the mirror set kinds the API server serves:
// none on a cluster that is not OpenShift.
func ServedMirrorSets(cfg *rest.Config) ([]schema.GroupVersionResource, error) {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	var served []schema.GroupVersionResource
	for _, k := range append(mirrorSetKinds, mirrorSetKind{gvr: imageConfig}) {
		list, err := dc.ServerResourcesForGroupVersion(k.gvr.GroupVersion().String())
		if err != nil {
			continue // not served
		}
		for _, r := range list.APIResources {
			if r.Name == k.gvr.Resource {
				served = append(served, k.gvr)
			}
		}
	}
	if len(served) == 1 && served[0] == imageConfig {
		return nil, nil // an image configuration without mirror sets is not OpenShift's
	}
	return served, nil
}

// imageConfig is the cluster's image configuration (config.openshift.io/v1
// Image "cluster"): its registrySources say which registries are insecure
// or blocked on every node.
var imageConfig = schema.GroupVersionResource{Group: "config.openshift.io", Version: "v1", Resource: "images"}

// WatchMirrorSets calls update with every mirror set of the served kinds,
// once they are listed and after each change (changes within a second are
// given together), until ctx ends. An update that fails is logged; the
// next change tries again.
func WatchMirrorSets(ctx context.Context, cfg *rest.Config, served []schema.GroupVersionResource, update func([]crio.MirrorSet, ...crio.ConfOption) error, log logr.Logger) error {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	factory := dynamicinformer.NewDynamicSharedInformerFactory(dyn, 0)
	changed := make(chan struct{}, 1)
	poke := func(any) {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	// watch informs on gvr, each change poking, and returns its store.
	watch := func(gvr schema.GroupVersionResource) (cache.Store, error) {
		inf := factory.ForResource(gvr).Informer()
		_, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: poke, UpdateFunc: func(_, o any) { poke(o) }, DeleteFunc: poke})
		return inf.GetStore(), err
	}
	var kinds []mirrorSetKind
	var stores []cache.Store
	for _, k := range mirrorSetKinds {
		if slices.Contains(served, k.gvr) {
			store, err := watch(k.gvr)
			if err != nil {
				return err
			}
			kinds, stores = append(kinds, k), append(stores, store)
		}
	}
	var images cache.Store
	if slices.Contains(served, imageConfig) {
		if images, err = watch(imageConfig); err != nil {
			return err
		}
	}
	factory.Start(ctx.Done())
	for gvr, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("%s not listed", gvr.Resource)
		}
	}
	apply := func() {
		sets := mirrorSets(kinds, stores)
		if err := update(sets, registrySources(images)...); err != nil {
			log.Error(err, "mirror sets not applied: lookups keep the last ones")
			return
		}
		log.Info("mirror sets applied: lookups walk as CRI-O nodes pull", "sets", len(sets))
	}
	apply()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-changed:
				time.Sleep(time.Second)
				apply()
			}
		}
	}()
	return nil
}

// mirrorSets reads the mirror sets of every object of the stores.
func mirrorSets(kinds []mirrorSetKind, stores []cache.Store) []crio.MirrorSet {
	var sets []crio.MirrorSet
	for i, k := range kinds {
		var objs []*unstructured.Unstructured
		for _, obj := range stores[i].List() {
			if u, ok := obj.(*unstructured.Unstructured); ok {
				objs = append(objs, u)
			}
		}
		// In name order, as the machine-config operator lists them.
		slices.SortFunc(objs, func(a, b *unstructured.Unstructured) int { return strings.Compare(a.GetName(), b.GetName()) })
		for _, u := range objs {
			entries, _, _ := unstructured.NestedSlice(u.Object, "spec", k.field)
			for _, e := range entries {
				m, ok := e.(map[string]any)
				if !ok {
					continue
				}
				source, _, _ := unstructured.NestedString(m, "source")
				mirrors, _, _ := unstructured.NestedStringSlice(m, "mirrors")
				policy, _, _ := unstructured.NestedString(m, "mirrorSourcePolicy")
				if source == "" {
					continue
				}
				sets = append(sets, crio.MirrorSet{Source: source, Mirrors: mirrors, Kind: k.kind, NeverContactSource: policy == "NeverContactSource"})
			}
		}
	}
	return sets
}

// registrySources reads the cluster image configuration's insecure and
// blocked registries, as the machine-config operator writes them into
// every node's registries.conf.
func registrySources(images cache.Store) []crio.ConfOption {
	if images == nil {
		return nil
	}
	obj, ok, err := images.GetByKey("cluster")
	if err != nil || !ok {
		return nil
	}
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return nil
	}
	insecure, _, _ := unstructured.NestedStringSlice(u.Object, "spec", "registrySources", "insecureRegistries")
	blocked, _, _ := unstructured.NestedStringSlice(u.Object, "spec", "registrySources", "blockedRegistries")
	return []crio.ConfOption{crio.WithInsecureScopes(insecure...), crio.WithBlockedScopes(blocked...)}
}
