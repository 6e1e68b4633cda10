package judge

import (
	"context"
	"sync"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/admissible/admissible/webhook/judge/check"
	"github.com/admissible/admissible/webhook/judge/kinds"
)

// subject is one object being judged, and what its checks share: its
// findings, its old object's, the admission chain's pods and answer, and
// its image lookups, made once for every check that reads them.
type subject struct {
	e   *Engine
	req Request
	// judged is false for a kind outside the catalog judged only for
	// registry circles (a Service).
	judged bool
	kind   kinds.Kind
	now    *findings
	before *findings
	// podUpdate: a pod update (kubectl debug's ephemeral containers among
	// them) is validated by the API server as an update before the webhook
	// is called; neither the create rules nor pod admission apply to it.
	podUpdate bool
	// chain is the admission chain's answer on the pods of now.
	chain chainAnswer
	// beforeOnce runs the chain on the old object's pods (admitBefore).
	beforeOnce sync.Once

	imagesOnce sync.Once
	lookups    []check.Image
	// lookupProblems and lookupWarnings are the images check's.
	lookupProblems field.ErrorList
	lookupWarnings []string
	verdicts       []ImageVerdict
}

// chainAnswer is the admission chain's answer on an object's pods.
type chainAnswer struct {
	problems field.ErrorList
	warnings []string
	had      map[string]bool
}

// newSubject finds what req.Object holds and runs the admission chain on
// its pods.
func (e *Engine) newSubject(ctx context.Context, req Request, kind kinds.Kind, judged bool) *subject {
	s := &subject{e: e, req: req, judged: judged, kind: kind, chain: chainAnswer{had: map[string]bool{}}}
	if !judged {
		return s
	}
	obj := req.Object
	s.now = e.find(obj, kind)
	if req.Old != nil && req.Old.GroupVersionKind() == obj.GroupVersionKind() {
		s.before = e.find(req.Old, kind)
		markUnchanged(s.now.templates, s.before.templates)
	}
	s.podUpdate = req.Old != nil && kind.GroupVersionKind == podKind
	if e.chain != nil && !s.podUpdate {
		s.chain.problems, s.chain.warnings, s.chain.had = e.admitChain(ctx, req, kind, s.now.templates)
	}
	return s
}

// admitBefore runs the admission chain on the old object's pods, once and
// only when they are compared: when the new pods have problems, to tell
// those the update introduces from those it kept.
func (s *subject) admitBefore(ctx context.Context) {
	s.beforeOnce.Do(func() {
		if s.e.chain != nil && s.before != nil && !s.podUpdate {
			s.e.admitChain(ctx, s.req, s.kind, s.before.templates)
		}
	})
}

// beforeTemplates returns the old object's templates, if any.
func (s *subject) beforeTemplates() []template {
	if s.before == nil {
		return nil
	}
	return s.before.templates
}

// Pods implements check.Subject.
func (s *subject) Pods() []check.Pod {
	if !s.judged || s.podUpdate {
		return nil
	}
	pods := make([]check.Pod, 0, len(s.now.templates))
	for _, t := range s.now.templates {
		pods = append(pods, check.Pod{Path: t.specPath, Spec: &t.pod.Spec, Template: t.spec, Controller: s.kind.Kind})
	}
	return pods
}

// Images implements check.Subject: the lookups are made once, by the first
// check asking.
func (s *subject) Images(ctx context.Context) []check.Image {
	if !s.judged {
		return nil
	}
	s.imagesOnce.Do(func() {
		if s.req.Waiting != nil {
			s.req.Waiting()
		}
		s.lookUp(ctx)
	})
	return s.lookups
}
