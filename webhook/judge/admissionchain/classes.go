package admissionchain

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	nodev1listers "k8s.io/client-go/listers/node/v1"
	schedulingv1listers "k8s.io/client-go/listers/scheduling/v1"
	"k8s.io/client-go/tools/cache"
	api "k8s.io/kubernetes/pkg/apis/core"
	podpriority "k8s.io/kubernetes/plugin/pkg/admission/priority"
	"k8s.io/kubernetes/plugin/pkg/admission/runtimeclass"
)

// confirmTimeout bounds the live read that confirms an informer's miss.
const confirmTimeout = 2 * time.Second

// classes are the PriorityClasses and RuntimeClasses pods name. A class
// created a moment before the workload (kubectl apply -f DIR, one apply) may
// not be in the informer yet when the workload is judged: the Priority and
// RuntimeClass plugins would refuse a pod the API server creates. So a class
// the informer misses is read once from the API server and, when it exists,
// put in the informer's store for the plugins to find (the watch brings the
// same object a moment later).
type classes struct {
	client        kubernetes.Interface
	priority      schedulingv1listers.PriorityClassLister
	priorityStore cache.Store
	runtime       nodev1listers.RuntimeClassLister
	runtimeStore  cache.Store
}

func newClasses(f informers.SharedInformerFactory, client kubernetes.Interface) classes {
	pc, rc := f.Scheduling().V1().PriorityClasses(), f.Node().V1().RuntimeClasses()
	return classes{
		client:   client,
		priority: pc.Lister(), priorityStore: pc.Informer().GetStore(),
		runtime: rc.Lister(), runtimeStore: rc.Informer().GetStore(),
	}
}

// confirm reads the classes pod names that the informers miss from the API
// server, and stores those that exist.
func (c classes) confirm(ctx context.Context, pod *api.Pod) {
	if c.client == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, confirmTimeout)
	defer cancel()
	if name := pod.Spec.PriorityClassName; name != "" {
		if _, err := c.priority.Get(name); err != nil {
			if pc, err := c.client.SchedulingV1().PriorityClasses().Get(ctx, name, metav1.GetOptions{}); err == nil {
				_ = c.priorityStore.Add(pc)
			}
		}
	}
	if rc := pod.Spec.RuntimeClassName; rc != nil && *rc != "" {
		if _, err := c.runtime.Get(*rc); err != nil {
			if obj, err := c.client.NodeV1().RuntimeClasses().Get(ctx, *rc, metav1.GetOptions{}); err == nil {
				_ = c.runtimeStore.Add(obj)
			}
		}
	}
}

// absent says plugin refused pod for a class the informers do not hold.
func (c classes) absent(plugin string, pod *api.Pod) bool {
	switch plugin {
	case podpriority.PluginName:
		name := pod.Spec.PriorityClassName
		if name == "" {
			return false
		}
		_, err := c.priority.Get(name)
		return err != nil
	case runtimeclass.PluginName:
		if pod.Spec.RuntimeClassName == nil || *pod.Spec.RuntimeClassName == "" {
			return false
		}
		_, err := c.runtime.Get(*pod.Spec.RuntimeClassName)
		return err != nil
	}
	return false
}
