package webhook

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/credentials"
	"github.com/admissible/admissible/webhook/kinds"
	"github.com/admissible/admissible/webhook/podspec"
)

// Engine judges objects.
type Engine struct {
	resolver    resolvers.Resolver
	catalog     *kinds.Catalog
	credentials CredentialSource
	parallelism int
}

// CredentialSource finds the pull credentials a node would use for a pod:
// the pod's imagePullSecrets, or its service account's when it names none.
// Problems finding them (a secret that does not exist) are returned as
// warnings: the kubelet pulls without such a secret.
type CredentialSource interface {
	PullCredentials(ctx context.Context, namespace, serviceAccount string, secrets []string) (credentials.Set, []string)
}

// WithCredentials sets where pull credentials come from (default: none, every
// lookup is anonymous apart from the resolver's own keychain).
func WithCredentials(s CredentialSource) Option { return func(e *Engine) { e.credentials = s } }

// Option configures an Engine.
type Option func(*Engine)

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

// NewEngine returns an Engine that looks images up through r.
func NewEngine(r resolvers.Resolver, opts ...Option) *Engine {
	e := &Engine{resolver: r, catalog: kinds.Builtin(), parallelism: 8}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Catalog returns the kinds the engine judges.
func (e *Engine) Catalog() *kinds.Catalog { return e.catalog }

// imageField is an image reference found in an object.
type imageField struct {
	path  *field.Path
	raw   string
	ref   name.Reference
	creds credentials.Set
}

// key identifies the lookup of f: the same reference with other credentials
// is another lookup.
func (f imageField) key() string { return f.ref.Name() + "\x00" + f.creds.Fingerprint() }

// source is an image found in an object and the pod spec it belongs to
// (nil for a plain image field of a custom resource).
type source struct {
	podspec.Image
	spec *corev1.PodSpec
}

// Judge returns the verdict on obj. Lookups stop when ctx is done; those
// still running become warnings.
func (e *Engine) Judge(ctx context.Context, obj *unstructured.Unstructured) Verdict {
	kind, ok := e.catalog.Lookup(obj.GroupVersionKind())
	if !ok {
		return Verdict{Skipped: true}
	}
	var v Verdict
	images, problems := e.collect(obj, kind)
	v.Denials = problems
	creds := map[*corev1.PodSpec]credentials.Set{}
	var refs []imageField
	for _, img := range images {
		if img.Ref == "" {
			v.Denials = append(v.Denials, field.Required(img.Path, "an image reference is required"))
			continue
		}
		ref, err := name.ParseReference(img.Ref)
		if err != nil {
			v.Denials = append(v.Denials, field.Invalid(img.Path, img.Ref, fmt.Sprintf("not a valid image reference: %v", err)))
			continue
		}
		set, seen := creds[img.spec]
		if !seen {
			var warnings []string
			set, warnings = e.pullCredentials(ctx, obj.GetNamespace(), img.spec)
			creds[img.spec] = set
			v.Warnings = append(v.Warnings, warnings...)
		}
		refs = append(refs, imageField{path: img.Path, raw: img.Ref, ref: ref, creds: set})
	}
	results := e.resolveAll(ctx, refs)
	for _, f := range refs {
		r := results[f.key()]
		v.Images = append(v.Images, ImageVerdict{Field: f.path.String(), Image: f.raw, Result: r})
		switch r.Verdict {
		case resolvers.NotFound:
			v.Denials = append(v.Denials, notFound(f, r))
		case resolvers.Undetermined:
			v.Warnings = append(v.Warnings, fmt.Sprintf("%s: could not verify image %q: %s", f.path, f.raw, r.Summary()))
		}
	}
	return v
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

// collect finds the images of obj and the problems of its pod specs.
func (e *Engine) collect(obj *unstructured.Unstructured, kind kinds.Kind) ([]source, field.ErrorList) {
	var images []source
	var errs field.ErrorList
	for _, p := range kind.Images {
		val, found, _ := unstructured.NestedFieldNoCopy(obj.Object, p...)
		if !found || val == nil {
			continue
		}
		fp := field.NewPath(p[0], p[1:]...)
		s, ok := val.(string)
		if !ok {
			errs = append(errs, field.Invalid(fp, val, "must be a string"))
			continue
		}
		if s != "" {
			images = append(images, source{Image: podspec.Image{Path: fp, Ref: s}})
		}
	}
	for _, p := range kind.PodSpecs {
		val, found, _ := unstructured.NestedFieldNoCopy(obj.Object, p...)
		if !found || val == nil {
			continue
		}
		fp := field.NewPath(p[0], p[1:]...)
		m, ok := val.(map[string]interface{})
		if !ok {
			errs = append(errs, field.Invalid(fp, "", "must be an object"))
			continue
		}
		var spec corev1.PodSpec
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &spec); err != nil {
			errs = append(errs, field.Invalid(fp, "", fmt.Sprintf("cannot be read as a pod spec: %v", err)))
			continue
		}
		errs = append(errs, podspec.Validate(&spec, fp)...)
		for _, img := range podspec.Images(&spec, fp) {
			images = append(images, source{Image: img, spec: &spec})
		}
	}
	return images, errs
}

// resolveAll looks every distinct reference up once, in parallel.
func (e *Engine) resolveAll(ctx context.Context, refs []imageField) map[string]resolvers.Result {
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
		wg.Add(1)
		go func(q resolvers.Query) {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			r := e.resolver.Resolve(ctx, q)
			mu.Lock()
			results[key] = r
			mu.Unlock()
		}(resolvers.Query{Ref: f.ref, Credentials: f.creds})
	}
	wg.Wait()
	return results
}

// notFound words the denial of an image that does not exist.
func notFound(f imageField, r resolvers.Result) *field.Error {
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
	return &field.Error{Type: field.ErrorTypeNotFound, Field: f.path.String(), BadValue: f.raw, Detail: detail}
}

// Verdict is the judgement on one object.
type Verdict struct {
	// Skipped is true when the object's kind is not judged.
	Skipped bool `json:"skipped,omitempty"`
	// Denials are the problems that refuse the object.
	Denials field.ErrorList `json:"-"`
	// Warnings are shown to the user but do not refuse the object.
	Warnings []string `json:"warnings,omitempty"`
	// Images are the lookups made, one per image field.
	Images []ImageVerdict `json:"images,omitempty"`
}

// ImageVerdict is the lookup of one image field.
type ImageVerdict struct {
	Field  string           `json:"field"`
	Image  string           `json:"image"`
	Result resolvers.Result `json:"result"`
}

// Allowed reports whether the object is admitted.
func (v Verdict) Allowed() bool { return len(v.Denials) == 0 }

// Problems renders each denial on its own line.
func (v Verdict) Problems() []string {
	out := make([]string, 0, len(v.Denials))
	for _, d := range v.Denials {
		out = append(out, d.Error())
	}
	return out
}

// Message renders the denials for an admission response: one line per
// problem.
func (v Verdict) Message() string {
	p := v.Problems()
	if len(p) == 1 {
		return p[0]
	}
	return fmt.Sprintf("%d problems:\n%s", len(p), strings.Join(p, "\n"))
}
