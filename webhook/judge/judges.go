package judge

import (
	"context"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/admissible/admissible/webhook/judge/check"
)

// builtin is a check the engine judges itself, from what the subject
// shares.
type builtin struct {
	check check.Check
	judge func(ctx context.Context, s *subject) check.Findings
}

// Check implements check.Judge.
func (b builtin) Check() check.Check { return b.check }

// Judge implements check.Judge. s is always the engine's own subject.
func (b builtin) Judge(ctx context.Context, s check.Subject) check.Findings {
	return b.judge(ctx, s.(*subject))
}

// builtinJudges returns the engine's own checks and those given with
// WithJudge, in the order of Checks; a given check not in Checks runs last.
func (e *Engine) builtinJudges(given []check.Judge) []check.Judge {
	all := []check.Judge{
		builtin{Images, judgeImages},
		builtin{PodTemplates, judgePodTemplates},
		builtin{PodAdmission, e.judgePodAdmission},
	}
	if e.circle != nil {
		all = append(all, builtin{RegistryCircle, e.judgeRegistryCircle})
	}
	all = append(all, given...)
	order := func(j check.Judge) int {
		if i := slices.IndexFunc(Checks, func(c check.Check) bool { return c.Name == j.Check().Name }); i >= 0 {
			return i
		}
		return len(Checks)
	}
	slices.SortStableFunc(all, func(a, b check.Judge) int { return order(a) - order(b) })
	return all
}

// judgeImages: the references that do not parse or whose registry is
// refused, and the images a node would not find.
func judgeImages(ctx context.Context, s *subject) check.Findings {
	if !s.judged {
		return check.Findings{}
	}
	s.Images(ctx)
	var had map[string]bool
	if s.before != nil {
		had = rendered(s.before.imageProblems)
	}
	return check.Findings{
		Problems: append(append(field.ErrorList{}, s.now.imageProblems...), s.lookupProblems...),
		Had:      had,
		Warnings: s.lookupWarnings,
	}
}

// judgePodTemplates: the API server's validation of each pod the object's
// controllers create.
func judgePodTemplates(ctx context.Context, s *subject) check.Findings {
	if !s.judged {
		return check.Findings{}
	}
	now := s.now.templates
	if s.podUpdate {
		now = nil
	}
	problems, had := podProblems(now, s.beforeTemplates(), func() { s.admitBefore(ctx) })
	if s.before != nil {
		for k := range rendered(s.before.podProblems) {
			had[k] = true
		}
	}
	return check.Findings{Problems: append(append(field.ErrorList{}, s.now.podProblems...), problems...), Had: had}
}

// judgePodAdmission: the admission chain's refusals and warnings, then
// PodSecurity and the objects a pod names.
func (e *Engine) judgePodAdmission(ctx context.Context, s *subject) check.Findings {
	if !s.judged || s.podUpdate {
		return check.Findings{}
	}
	f := check.Findings{Problems: s.chain.problems, Had: s.chain.had, Warnings: s.chain.warnings}
	if e.admission != nil {
		p, warnings, h := e.admitPods(ctx, s.req, s.kind, s.now.templates)
		f.Warnings = append(f.Warnings, warnings...)
		f.Problems = append(f.Problems, p...)
		for k := range h {
			f.Had[k] = true
		}
	}
	return f
}

// judgeRegistryCircle: the registry circles the object is in or closes.
func (e *Engine) judgeRegistryCircle(ctx context.Context, s *subject) check.Findings {
	return e.registryCircle(ctx, s.req)
}
