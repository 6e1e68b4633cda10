package judge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/credentials"
	"github.com/admissible/admissible/webhook/judge/admissionchain"
	"github.com/admissible/admissible/webhook/judge/check"
	"github.com/admissible/admissible/webhook/judge/circle"
	"github.com/admissible/admissible/webhook/judge/kinds"
	"github.com/admissible/admissible/webhook/judge/podadmission"
	"github.com/admissible/admissible/webhook/judge/podspec"
	"github.com/admissible/admissible/webhook/judge/policy"
)

// podKind is a Pod's kind: a Pod is its own template.
var podKind = schema.GroupVersionKind{Version: "v1", Kind: "Pod"}

// Engine judges objects.
type Engine struct {
	resolver    resolvers.Resolver
	catalog     *kinds.Catalog
	credentials CredentialSource
	parallelism int
	maxLookups  int
	modes       Modes
	registries  *policy.Registries
	admission   *podadmission.Checker
	chain       *admissionchain.Chain
	circle      *circle.Analyzer
	// circleOnWorkloads leaves Services, Ingresses and HTTPRoutes unjudged.
	circleOnWorkloads bool
	// judges are the checks that run, in the order of Checks.
	judges []check.Judge
}

// CredentialSource finds the pull credentials a node would use for a pod:
// the pod's imagePullSecrets, or its service account's when it names none.
// Problems finding them (a secret that does not exist) are returned as
// warnings: the kubelet pulls without such a secret.
type CredentialSource interface {
	PullCredentials(ctx context.Context, namespace, serviceAccount string, secrets []string) (credentials.Set, []string)
}

// Option configures an Engine.
type Option func(*Engine)

// WithCredentials sets where pull credentials come from (default: none, every
// lookup is anonymous apart from the resolver's own keychain).
func WithCredentials(s CredentialSource) Option { return func(e *Engine) { e.credentials = s } }

// WithCatalog sets the kinds the engine judges (default kinds.Builtin()).
func WithCatalog(c *kinds.Catalog) Option { return func(e *Engine) { e.catalog = c } }

// WithParallelism bounds how many images of one object are looked up at once
// (default 8).
func WithParallelism(n int) Option {
	return func(e *Engine) {
		if n > 0 {
			e.parallelism = n
		}
	}
}

// WithMaxLookups bounds the distinct images of one object that are looked
// up (default 100; a pod rarely names more than a dozen). The others are
// not asked: each is a warning saying so, and the object is judged on the
// rest. It bounds the registry requests one object can cause.
func WithMaxLookups(n int) Option {
	return func(e *Engine) {
		if n > 0 {
			e.maxLookups = n
		}
	}
}

// WithModes sets the mode of each check where no namespace label or object
// annotation says otherwise (default: each check's own).
func WithModes(m Modes) Option { return func(e *Engine) { e.modes = m } }

// WithRegistries sets which registries images may come from (default: any).
// A refused image is a problem of the images check and is never looked up.
func WithRegistries(p *policy.Registries) Option { return func(e *Engine) { e.registries = p } }

// WithPodAdmission predicts pod admission (PodSecurity, referenced
// ServiceAccount, PriorityClass and RuntimeClass) with c (default: not
// checked, as offline).
func WithPodAdmission(c *podadmission.Checker) Option { return func(e *Engine) { e.admission = c } }

// WithAdmissionChain runs the API server's admission plugins on each pod
// before it is validated and judged by pod admission (default: none, the pod
// is judged as its controller builds it). Their refusals are pod admission's.
func WithAdmissionChain(c *admissionchain.Chain) Option { return func(e *Engine) { e.chain = c } }

// WithJudge runs the check j judges (one of Checks that the engine does
// not judge itself, such as the platforms check, which needs the cluster's
// nodes).
func WithJudge(j check.Judge) Option { return func(e *Engine) { e.judges = append(e.judges, j) } }

// NewEngine returns an Engine that looks images up through r.
func NewEngine(r resolvers.Resolver, opts ...Option) *Engine {
	e := &Engine{resolver: r, catalog: kinds.Builtin(), parallelism: 8, maxLookups: 100}
	for _, o := range opts {
		o(e)
	}
	e.judges = e.builtinJudges(e.judges)
	return e
}

// Catalog returns the kinds the engine judges.
func (e *Engine) Catalog() *kinds.Catalog { return e.catalog }

// Request is what the engine judges.
type Request struct {
	// Object is the object to judge, as it would be stored.
	Object *unstructured.Unstructured
	// Old is the object an UPDATE replaces; nil for a CREATE and for
	// manifest files. Images Old already names are not looked up again, and
	// problems Old already had are warnings, not denials.
	Old *unstructured.Unstructured
	// NamespaceLabels are the labels of the object's namespace, which may
	// set the mode of each check (LabelImages, LabelPodTemplates).
	NamespaceLabels map[string]string
	// Username is the user making the request (PodSecurity exemptions of a
	// Pod's creator).
	Username string
	// DryRun is a server-side dry run (kubectl --dry-run=server, Flux's
	// first pass): what the same apply creates first does not exist in it.
	DryRun bool
	// Waiting, when set, is called once the object is decoded and checked
	// and its images are about to be looked up: from then on the judgement
	// mostly waits on registries, and uses little CPU.
	Waiting func()
}

// source is an image found in an object and the pod spec it belongs to
// (nil for a plain image field of a custom resource).
type source struct {
	podspec.Image
	spec *corev1.PodSpec
	// ref is the parsed reference, once it parsed.
	ref name.Reference
}

// lookup is an image to look up and the credentials a node would use.
type lookup struct {
	source
	creds credentials.Set
}

// key identifies the lookup: the same reference with other credentials is
// another lookup.
func (l lookup) key() string {
	q := l.query()
	return q.Ref.Name() + "\x00" + q.Written + "\x00" + l.creds.Fingerprint()
}

// query is the lookup as a resolver takes it: a short name as written too,
// which CRI-O resolves by its own rules.
func (l lookup) query() resolvers.Query {
	q := resolvers.Query{Ref: l.ref, Credentials: l.creds}
	if resolvers.ShortName(l.Ref) {
		q.Written = l.Ref
	}
	return q
}

// findings is what an object holds, before any lookup.
type findings struct {
	images []source
	// podProblems are the pod template check's problems found before any
	// validation: templates that are not objects or do not decode.
	podProblems field.ErrorList
	// templates are the pod templates, each with the pod its controller
	// would create.
	templates []template
	// imageProblems are the images check's problems that need no lookup:
	// fields that are not strings, empty or unparsable references, refused
	// registries.
	imageProblems field.ErrorList
	// lookups are the images left to look up, their references parsed.
	lookups []source
}

// Judge returns the verdict on req.Object. Lookups stop when ctx is done;
// those still running become warnings. Denials and warnings are sorted by
// field path, then message.
func (e *Engine) Judge(ctx context.Context, req Request) Verdict {
	obj := req.Object
	kind, ok := e.catalog.Lookup(obj.GroupVersionKind())
	if !ok && (e.circle == nil || e.circleOnWorkloads || !circle.Closes(obj.GroupVersionKind())) {
		return Verdict{Skipped: true}
	}
	modes, notes := e.modes.effective(req.NamespaceLabels, obj.GetAnnotations())
	v := Verdict{Warnings: notes}
	s := e.newSubject(ctx, req, kind, ok)
	for _, j := range e.judges {
		mode := modes.Of(j.Check())
		if mode == Off {
			continue
		}
		f := j.Judge(ctx, s)
		v.Warnings = append(v.Warnings, f.Warnings...)
		v.add(mode, f.Problems, f.Had)
	}
	v.Images = s.verdicts
	v.sort()
	return v
}

// rendered returns the set of the problems' renderings: field path, type,
// value and detail.
func rendered(problems field.ErrorList) map[string]bool {
	set := make(map[string]bool, len(problems))
	for _, p := range problems {
		set[p.Error()] = true
	}
	return set
}

// lookUp looks up the images of s.now that its old object does not name,
// and records each lookup, the not-found denials and the warnings.
func (s *subject) lookUp(ctx context.Context) {
	e, namespace := s.e, s.req.Object.GetNamespace()
	known := map[string]bool{}
	if s.before != nil {
		for _, img := range s.before.images {
			known[img.Ref] = true
		}
	}
	creds := map[*corev1.PodSpec]credentials.Set{}
	var refs []lookup
	for _, img := range s.now.lookups {
		if known[img.Ref] {
			continue // unchanged by this update: not asked again
		}
		set, seen := creds[img.spec]
		if !seen {
			var w []string
			set, w = e.pullCredentials(ctx, namespace, img.spec)
			creds[img.spec] = set
			s.lookupWarnings = append(s.lookupWarnings, w...)
		}
		refs = append(refs, lookup{source: img, creds: set})
	}
	results := e.resolveAll(ctx, refs)
	for _, f := range refs {
		r := results[f.key()]
		s.verdicts = append(s.verdicts, ImageVerdict{Field: f.Path.String(), Image: f.Ref, Result: r})
		s.lookups = append(s.lookups, check.Image{Path: f.Path, Ref: f.Ref, Pod: f.spec, Query: f.query(), Result: r})
		switch r.Verdict {
		case resolvers.NotFound:
			s.lookupProblems = append(s.lookupProblems, notFound(f, r))
		case resolvers.Undetermined:
			s.lookupWarnings = append(s.lookupWarnings, fmt.Sprintf("%s: could not verify image %q: %s", f.Path, f.Ref, r.Summary()))
		}
	}
}

// pullCredentials returns the credentials a node would pull spec's images
// with; a custom resource's plain image fields (spec nil) get none.
func (e *Engine) pullCredentials(ctx context.Context, namespace string, spec *corev1.PodSpec) (credentials.Set, []string) {
	if e.credentials == nil || spec == nil {
		return credentials.Set{}, nil
	}
	names := make([]string, 0, len(spec.ImagePullSecrets))
	for _, s := range spec.ImagePullSecrets {
		names = append(names, s.Name)
	}
	sa := spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	return e.credentials.PullCredentials(ctx, namespace, sa, names)
}

// find collects the images of obj and every problem that needs no lookup.
func (e *Engine) find(obj *unstructured.Unstructured, kind kinds.Kind) *findings {
	f := &findings{}
	for _, p := range kind.Images {
		for _, val := range kinds.Find(obj.Object, p) {
			s, ok := val.Value.(string)
			if !ok {
				f.imageProblems = append(f.imageProblems, field.Invalid(val.Path, val.Value, "must be a string"))
				continue
			}
			if s != "" {
				f.images = append(f.images, source{Image: podspec.Image{Path: val.Path, Ref: s}})
			}
		}
	}
	for _, p := range kind.PodSpecs {
		tpls, problems := templates(obj, p)
		f.podProblems = append(f.podProblems, problems...)
		for _, t := range tpls {
			f.templates = append(f.templates, t)
			for _, img := range podspec.Images(t.spec, t.specPath) {
				f.images = append(f.images, source{Image: img, spec: t.spec})
			}
		}
	}
	for _, img := range f.images {
		if img.Ref == "" && img.spec != nil {
			continue // the pod's own validation requires an image
		}
		if img.Ref == "" {
			f.imageProblems = append(f.imageProblems, field.Required(img.Path, "an image reference is required"))
			continue
		}
		ref, err := resolvers.ParseReference(img.Ref)
		if err != nil {
			f.imageProblems = append(f.imageProblems, field.Invalid(img.Path, img.Ref, fmt.Sprintf("not a valid image reference: %v", err)))
			continue
		}
		if why := e.registries.Refusal(policy.Host(ref)); why != "" {
			f.imageProblems = append(f.imageProblems, &field.Error{Type: field.ErrorTypeForbidden, Field: img.Path.String(), Detail: fmt.Sprintf("%q: %s", img.Ref, why)})
			continue
		}
		img.ref = ref
		f.lookups = append(f.lookups, img)
	}
	return f
}

// resolveAll looks every distinct reference up once, in parallel.
func (e *Engine) resolveAll(ctx context.Context, refs []lookup) map[string]resolvers.Result {
	results := make(map[string]resolvers.Result, len(refs))
	seen := make(map[string]bool, len(refs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, e.parallelism)
	for _, f := range refs {
		key := f.key()
		if seen[key] {
			continue
		}
		seen[key] = true
		if len(seen) > e.maxLookups {
			mu.Lock()
			results[key] = resolvers.Result{Reference: f.ref.Name(), Reason: fmt.Sprintf("not looked up: the object names more than %d distinct images", e.maxLookups)}
			mu.Unlock()
			continue
		}
		wg.Add(1)
		go func(q resolvers.Query) {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			r := e.resolver.Resolve(ctx, q)
			mu.Lock()
			results[key] = r
			mu.Unlock()
		}(f.query())
	}
	wg.Wait()
	return results
}

// notFound words the denial of an image that does not exist.
func notFound(f lookup, r resolvers.Result) *field.Error {
	if r.Refused != "" { // the node's configuration refuses it (a blocked source, an ambiguous short name)
		return field.Forbidden(f.Path, fmt.Sprintf("%q: no node would pull it: %s", f.Ref, r.Summary()))
	}
	what := "image not found"
	switch ref := f.ref.(type) {
	case name.Tag:
		what = fmt.Sprintf("tag %q not found in %s", ref.TagStr(), ref.Context().Name())
	case name.Digest:
		what = fmt.Sprintf("digest %s not found in %s", ref.DigestStr(), ref.Context().Name())
	}
	detail := what + " (" + r.Summary() + ")"
	if len(r.Suggestions) > 0 {
		detail += "; nearest: " + strings.Join(r.Suggestions, ", ")
	}
	return &field.Error{Type: field.ErrorTypeNotFound, Field: f.Path.String(), BadValue: f.Ref, Detail: detail}
}

// jsonFieldPath renders encoding/json's field path ("containers.0.env") as
// a field path continuation (".containers[0].env").
func jsonFieldPath(p string) string {
	var b strings.Builder
	for _, seg := range strings.Split(p, ".") {
		if _, err := strconv.Atoi(seg); err == nil {
			b.WriteString("[" + seg + "]")
			continue
		}
		b.WriteString("." + seg)
	}
	return b.String()
}

// unreadablePodSpec words a pod spec that does not decode: with the field
// and the type found when JSON decoding can name them, as the API server's
// own decoder would.
func unreadablePodSpec(path *field.Path, m map[string]interface{}, convErr error) *field.Error {
	detail := fmt.Sprintf("cannot be read as a pod spec: %v", convErr)
	raw, err := json.Marshal(m)
	if err != nil {
		return field.Invalid(path, "", detail)
	}
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(raw, &corev1.PodSpec{}); errors.As(err, &typeErr) && typeErr.Field != "" {
		detail = fmt.Sprintf("cannot be read as a pod spec: %s%s must be %s, not %s", path, jsonFieldPath(typeErr.Field), typeErr.Type, typeErr.Value)
	}
	return field.Invalid(path, "", detail)
}
