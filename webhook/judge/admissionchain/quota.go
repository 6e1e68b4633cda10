package admissionchain

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/resourcequota"
	quota "k8s.io/apiserver/pkg/quota/v1"
	"k8s.io/client-go/informers"
	corev1listers "k8s.io/client-go/listers/core/v1"
	"k8s.io/kubernetes/pkg/quota/v1/evaluator/core"
	"k8s.io/utils/clock"
)

// quotaRules applies ResourceQuota admission's rules with its own code
// (resourcequota.CheckRequest and the pod evaluator) on the namespace's
// quotas, without charging them: the plugin itself updates their status.
type quotaRules struct {
	lister    corev1listers.ResourceQuotaLister
	evaluator quota.Evaluator
}

func newQuota(f informers.SharedInformerFactory) *quotaRules {
	return &quotaRules{lister: f.Core().V1().ResourceQuotas().Lister(), evaluator: core.NewPodEvaluator(nil, clock.RealClock{})}
}

// check returns ResourceQuota's refusal of the pod when every pod will meet
// it (a quota requires a resource the pod does not set), or a warning when
// the refusal depends on usage, which changes as pods come and go.
func (q *quotaRules) check(a admission.Attributes) (refusal, warning string) {
	list, err := q.lister.ResourceQuotas(a.GetNamespace()).List(labels.Everything())
	if err != nil || len(list) == 0 {
		return "", ""
	}
	quotas := make([]corev1.ResourceQuota, 0, len(list))
	for _, rq := range list {
		quotas = append(quotas, *rq)
	}
	if _, err := resourcequota.CheckRequest(quotas, a, q.evaluator, nil); err != nil {
		msg := message(err)
		if strings.HasPrefix(msg, "failed quota: ") {
			return msg, ""
		}
		return "", "pods may be forbidden: " + msg
	}
	return "", ""
}
