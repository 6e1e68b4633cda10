package admissionchain

import (
	"k8s.io/client-go/informers"
	nodev1listers "k8s.io/client-go/listers/node/v1"
	schedulingv1listers "k8s.io/client-go/listers/scheduling/v1"
	api "k8s.io/kubernetes/pkg/apis/core"
	podpriority "k8s.io/kubernetes/plugin/pkg/admission/priority"
	"k8s.io/kubernetes/plugin/pkg/admission/runtimeclass"
)

// classes says whether the PriorityClass or RuntimeClass a pod names is
// absent from the informers: the reason the Priority or RuntimeClass plugin
// refused it.
type classes struct {
	priority schedulingv1listers.PriorityClassLister
	runtime  nodev1listers.RuntimeClassLister
}

func newClasses(f informers.SharedInformerFactory) classes {
	return classes{priority: f.Scheduling().V1().PriorityClasses().Lister(), runtime: f.Node().V1().RuntimeClasses().Lister()}
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
