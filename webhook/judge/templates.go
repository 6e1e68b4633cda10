package judge

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/admissible/admissible/webhook/judge/admissionchain"
	"github.com/admissible/admissible/webhook/judge/controllerpod"
	"github.com/admissible/admissible/webhook/judge/kinds"
	"github.com/admissible/admissible/webhook/judge/podadmission"
	"github.com/admissible/admissible/webhook/judge/podcreate"
)

// template is a pod template of an object and the pod its controller would
// create from it.
type template struct {
	specPath *field.Path
	spec     *corev1.PodSpec
	pod      *corev1.Pod
	paths    *controllerpod.Paths
	// unchanged says an UPDATE's other object builds the same pod at the
	// same path (markUnchanged).
	unchanged bool
}

// templates finds the pod templates of obj at the kind's pod spec path p. A
// path ending in "spec" below another field is a template's: its metadata is
// beside it. A Pod is its own template. Templates that do not decode are
// problems.
func templates(obj *unstructured.Unstructured, p kinds.Path) ([]template, field.ErrorList) {
	withMeta := len(p) > 1 && p[len(p)-1] == "spec"
	at := p
	if withMeta {
		at = p[:len(p)-1] // the templates themselves
	}
	var out []template
	var problems field.ErrorList
	for _, val := range kinds.Find(obj.Object, at) {
		specPath, specValue := val.Path, val.Value
		var meta map[string]interface{}
		if withMeta {
			tpl, ok := val.Value.(map[string]interface{})
			if !ok || tpl["spec"] == nil {
				continue // no pod spec here: the API server's schema decides
			}
			specPath, specValue = val.Path.Child("spec"), tpl["spec"]
			meta, _ = tpl["metadata"].(map[string]interface{})
		}
		m, ok := specValue.(map[string]interface{})
		if !ok {
			problems = append(problems, field.Invalid(specPath, "", "must be an object"))
			continue
		}
		var spec corev1.PodSpec
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &spec); err != nil {
			problems = append(problems, unreadablePodSpec(specPath, m, err))
			continue
		}
		t := controllerpod.Template{Spec: spec, SpecPath: specPath}
		if withMeta {
			t.MetaPath = val.Path.Child("metadata")
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(meta, &t.Meta); err != nil {
				problems = append(problems, field.Invalid(t.MetaPath, "", "cannot be read as object metadata: "+err.Error()))
				continue
			}
		}
		pod, paths := controllerpod.Build(obj, t)
		out = append(out, template{specPath: specPath, spec: &spec, pod: pod, paths: paths})
	}
	return out, problems
}

// validate returns the problems the API server would find creating t's pod,
// at the object's own field paths.
func (t template) validate() field.ErrorList {
	errs := podcreate.Validate(t.pod)
	out := make(field.ErrorList, 0, len(errs))
	for _, e := range errs {
		out = append(out, t.paths.MapError(e))
	}
	return out
}

// podProblems validates the pods of now. A pod the UPDATE did not change is
// validated once, and its problems are the old object's; the old object's
// changed pods are validated only when now has problems to compare, after
// prepare (which runs the admission chain on them). It returns the problems
// and the renderings of those the old object had.
func podProblems(now, before []template, prepare func()) (field.ErrorList, map[string]bool) {
	var problems field.ErrorList
	had := map[string]bool{}
	for _, t := range now {
		errs := t.validate()
		if t.unchanged {
			for _, e := range errs {
				had[e.Error()] = true
			}
		}
		problems = append(problems, errs...)
	}
	if len(problems) > 0 && len(before) > 0 {
		prepare()
		for _, b := range before {
			if b.unchanged {
				continue
			}
			for _, e := range b.validate() {
				had[e.Error()] = true
			}
		}
	}
	return problems, had
}

// admitPods predicts pod admission for the pods of now. A pod an UPDATE did
// not change is checked too, and its problems are the old object's: an
// update is not refused for what the cluster changed since (a deleted
// PriorityClass), it warns.
func (e *Engine) admitPods(ctx context.Context, req Request, kind kinds.Kind, now []template) (field.ErrorList, []string, map[string]bool) {
	var problems field.ErrorList
	var warnings []string
	had := map[string]bool{}
	username := ""
	if kind.GroupVersionKind == podKind {
		username = req.Username
	}
	for _, t := range now {
		errs, warns := e.admission.Check(ctx, podadmission.Request{Pod: t.pod, Path: t.specPath, NamespaceLabels: req.NamespaceLabels, Username: username, DryRun: req.DryRun})
		if t.unchanged {
			for _, p := range errs {
				had[p.Error()] = true
			}
		}
		problems = append(problems, errs...)
		warnings = append(warnings, warns...)
	}
	return problems, warnings, had
}

// admitChain runs the admission chain on the pods of tpls, replacing each
// with the pod the API server validates, and returns the chain's refusals at
// each template's spec path, its warnings, and the renderings of the
// refusals of unchanged templates.
func (e *Engine) admitChain(ctx context.Context, req Request, kind kinds.Kind, tpls []template) (field.ErrorList, []string, map[string]bool) {
	var problems field.ErrorList
	var warnings []string
	had := map[string]bool{}
	creator := controllerUser(kind.GroupKind())
	if kind.GroupVersionKind == podKind {
		creator = &user.DefaultInfo{Name: req.Username}
	}
	for i := range tpls {
		t := &tpls[i]
		r := e.chain.Admit(ctx, admissionchain.Request{Pod: t.pod, User: creator, DryRun: req.DryRun})
		t.pod = r.Pod
		for _, refusal := range r.Refusals {
			p := field.Forbidden(t.specPath, refusal.Message)
			if t.unchanged {
				had[p.Error()] = true
			}
			problems = append(problems, p)
		}
		for _, w := range r.Warnings {
			warnings = append(warnings, fmt.Sprintf("%s: %s", t.specPath, w))
		}
	}
	return problems, warnings, had
}

// controllers are the service accounts of the controllers that create the
// pods of each built-in kind (kube-controller-manager's, with
// --use-service-account-credentials as kubeadm and most installers run it).
var controllers = map[string]string{
	"Deployment.apps": "replicaset-controller", "ReplicaSet.apps": "replicaset-controller",
	"StatefulSet.apps": "statefulset-controller", "DaemonSet.apps": "daemon-set-controller",
	"Job.batch": "job-controller", "CronJob.batch": "job-controller",
	"ReplicationController": "replication-controller",
}

// controllerUser is the user that creates the pods of kind: its controller's
// service account, or an unnamed user for a custom resource's pods.
func controllerUser(kind schema.GroupKind) user.Info {
	sa, ok := controllers[kind.String()]
	if !ok {
		return &user.DefaultInfo{}
	}
	return &user.DefaultInfo{
		Name:   "system:serviceaccount:kube-system:" + sa,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"},
	}
}

// markUnchanged marks the templates of now and before that build the same
// pod at the same path, comparing each pair once.
func markUnchanged(now, before []template) {
	for i := range now {
		for j := range before {
			if now[i].specPath.String() == before[j].specPath.String() && apiequality.Semantic.DeepEqual(now[i].pod, before[j].pod) {
				now[i].unchanged, before[j].unchanged = true, true
				break
			}
		}
	}
}
