package webhook

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/admissible/admissible/webhook/controllerpod"
	"github.com/admissible/admissible/webhook/kinds"
	"github.com/admissible/admissible/webhook/podadmission"
	"github.com/admissible/admissible/webhook/podcreate"
)

// template is a pod template of an object and the pod its controller would
// create from it.
type template struct {
	specPath *field.Path
	spec     *corev1.PodSpec
	pod      *corev1.Pod
	paths    *controllerpod.Paths
}

// templates finds the pod templates of obj at the kind's pod spec path p: a
// path ending in "spec" has the template's metadata beside it; a Pod is its
// own template. Templates that do not decode are problems.
func templates(obj *unstructured.Unstructured, p kinds.Path) ([]template, field.ErrorList) {
	var out []template
	var problems field.ErrorList
	for _, val := range kinds.Find(obj.Object, p) {
		m, ok := val.Value.(map[string]interface{})
		if !ok {
			problems = append(problems, field.Invalid(val.Path, "", "must be an object"))
			continue
		}
		var spec corev1.PodSpec
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &spec); err != nil {
			problems = append(problems, unreadablePodSpec(val.Path, m, err))
			continue
		}
		t := controllerpod.Template{Spec: spec, SpecPath: val.Path}
		if metaPath, raw, ok := templateMeta(obj, p, val.Path); ok {
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &t.Meta); err != nil {
				problems = append(problems, field.Invalid(metaPath, "", "cannot be read as object metadata: "+err.Error()))
				continue
			}
			t.MetaPath = metaPath
		}
		pod, paths := controllerpod.Build(obj, t)
		out = append(out, template{specPath: val.Path, spec: &spec, pod: pod, paths: paths})
	}
	return out, problems
}

// templateMeta returns the metadata beside the pod spec at specPath, when the
// spec is a template's (the path ends in "spec" below another field).
func templateMeta(obj *unstructured.Unstructured, p kinds.Path, specPath *field.Path) (*field.Path, map[string]interface{}, bool) {
	if len(p) < 2 || p[len(p)-1] != "spec" {
		return nil, nil, false
	}
	tpl := kinds.Find(obj.Object, p[:len(p)-1])
	for _, v := range tpl {
		if v.Path.Child("spec").String() != specPath.String() {
			continue
		}
		m, _ := v.Value.(map[string]interface{})
		raw, _ := m["metadata"].(map[string]interface{})
		if raw == nil {
			raw = map[string]interface{}{}
		}
		return v.Path.Child("metadata"), raw, true
	}
	return nil, nil, false
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

// podProblems validates the pods of now. On an UPDATE, a pod before builds
// identically was not changed by the update: its problems are the old
// object's, validated once. It returns the problems and the renderings of
// those the old object already had.
func podProblems(now, before []template) (field.ErrorList, map[string]bool) {
	var problems field.ErrorList
	had := map[string]bool{}
	var changedBefore []template
	for _, b := range before {
		if !unchangedIn(b, now) {
			changedBefore = append(changedBefore, b)
		}
	}
	for _, t := range now {
		errs := t.validate()
		if unchangedIn(t, before) {
			for _, e := range errs {
				had[e.Error()] = true
			}
		}
		problems = append(problems, errs...)
	}
	if len(problems) > 0 {
		for _, b := range changedBefore {
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
func (e *Engine) admitPods(ctx context.Context, req Request, kind kinds.Kind, now, before []template) (field.ErrorList, []string, map[string]bool) {
	var problems field.ErrorList
	var warnings []string
	had := map[string]bool{}
	username := ""
	if kind.GroupVersionKind == podKind {
		username = req.Username
	}
	for _, t := range now {
		errs, warns := e.admission.Check(ctx, podadmission.Request{Pod: t.pod, Path: t.specPath, NamespaceLabels: req.NamespaceLabels, Username: username, DryRun: req.DryRun})
		if unchangedIn(t, before) {
			for _, p := range errs {
				had[p.Error()] = true
			}
		}
		problems = append(problems, errs...)
		warnings = append(warnings, warns...)
	}
	return problems, warnings, had
}

// unchangedIn reports whether before holds t's pod unchanged.
func unchangedIn(t template, before []template) bool {
	for _, b := range before {
		if b.specPath.String() == t.specPath.String() && apiequality.Semantic.DeepEqual(b.pod, t.pod) {
			return true
		}
	}
	return false
}
