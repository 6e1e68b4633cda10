package crio_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/credentials"
	"github.com/admissible/admissible/resolvers/crio"
)

// Configurations of the Resolve tests.
const (
	// mirrorThenRegistry: one mirror for every pull, then the registry.
	mirrorThenRegistry = `
[[registry]]
location = "quay.io/ceph"
[[registry.mirror]]
location = "mirror.example/ceph"
`
	// idmsNeverContact: an ImageDigestMirrorSet with NeverContactSource.
	idmsNeverContact = `
[[registry]]
location = "quay.io/ceph"
blocked = true
[[registry.mirror]]
location = "mirror.example/ceph"
pull-from-mirror = "digest-only"
`
	// insecureRegistry: a registry asked over https, then http.
	insecureRegistry = `
[[registry]]
location = "registry.internal"
insecure = true
`
	nsProxy = `
[[registry]]
location = "quay.io/ceph"
[[registry.mirror]]
location = "proxy.example"
namespace-proxy = "quay.io"
`
	search2 = `
unqualified-search-registries = ["quay.io", "docker.io"]
`
	search1 = `
unqualified-search-registries = ["quay.io"]
`
	searchAndAlias = `
unqualified-search-registries = ["quay.io", "docker.io"]
[aliases]
"app" = "registry.example/team/app"
`
	noSearch = `
[aliases]
"other" = "registry.example/team/other"
`
)

func TestResolve(t *testing.T) {
	podSecret, err := credentials.Parse([]byte(`{"auths":{"quay.io":{"auth":"dTpw"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		conf string
		// dropIn, when set, is registries.conf.d/50-test.conf.
		dropIn  string
		mode    crio.ShortNameMode
		ref     string
		written string
		creds   credentials.Set
		answers map[string]resolvers.Attempt
		// budgetSpent cancels the context after the first lookup.
		budgetSpent bool

		want          resolvers.Verdict
		wantReference string
		wantCalls     []string
		// wantRefused and wantReason are substrings; "" means empty.
		wantRefused, wantReason string
	}{
		"the mirror serves it": {
			conf: mirrorThenRegistry, ref: "quay.io/ceph/ceph:v17",
			answers:   map[string]resolvers.Attempt{"mirror.example/ceph/ceph": found},
			want:      resolvers.Found,
			wantCalls: []string{"https://mirror.example/ceph/ceph"},
		},
		"mirror and registry answer 404": {
			conf: mirrorThenRegistry, ref: "quay.io/ceph/ceph:v17",
			answers:   map[string]resolvers.Attempt{"mirror.example/ceph/ceph": absent, "quay.io/ceph/ceph": absent},
			want:      resolvers.NotFound,
			wantCalls: []string{"https://mirror.example/ceph/ceph", "https://quay.io/ceph/ceph"},
		},
		"a dead mirror, the registry's 404: the registry is authoritative": {
			conf: mirrorThenRegistry, ref: "quay.io/ceph/ceph:v17",
			answers:   map[string]resolvers.Attempt{"quay.io/ceph/ceph": absent},
			want:      resolvers.NotFound,
			wantCalls: []string{"https://mirror.example/ceph/ceph", "https://quay.io/ceph/ceph"},
		},
		"a 500 on the mirror, the registry's 404: the registry is authoritative": {
			conf: mirrorThenRegistry, ref: "quay.io/ceph/ceph:v17",
			answers: map[string]resolvers.Attempt{"mirror.example/ceph/ceph": failed, "quay.io/ceph/ceph": absent},
			want:    resolvers.NotFound,
		},
		"the mirror's 404, a 500 on the registry": {
			conf: mirrorThenRegistry, ref: "quay.io/ceph/ceph:v17",
			answers: map[string]resolvers.Attempt{"mirror.example/ceph/ceph": absent, "quay.io/ceph/ceph": failed},
			want:    resolvers.Undetermined,
		},
		"a mirror that does not answer before the registry that serves it": {
			conf: mirrorThenRegistry, ref: "quay.io/ceph/ceph:v17",
			answers:    map[string]resolvers.Attempt{"mirror.example/ceph/ceph": silent, "quay.io/ceph/ceph": found},
			want:       resolvers.Undetermined,
			wantCalls:  []string{"https://mirror.example/ceph/ceph", "https://quay.io/ceph/ceph"},
			wantReason: "quay.io/ceph/ceph serves the image, but CRI-O asks mirror.example/ceph/ceph first, which did not answer in time",
		},
		"an HTML page on the mirror ends the walk": {
			conf: mirrorThenRegistry, ref: "quay.io/ceph/ceph:v17",
			answers:   map[string]resolvers.Attempt{"mirror.example/ceph/ceph": htmlPage, "quay.io/ceph/ceph": found},
			want:      resolvers.Undetermined,
			wantCalls: []string{"https://mirror.example/ceph/ceph"},
		},
		"NeverContactSource by tag: refused, nothing asked": {
			conf: idmsNeverContact, ref: "quay.io/ceph/ceph:v17",
			want:        resolvers.NotFound,
			wantRefused: "CRI-O contacts no source of quay.io/ceph/ceph:v17: each is blocked",
		},
		"NeverContactSource by digest: the mirror's 404": {
			conf: idmsNeverContact, ref: "quay.io/ceph/ceph@" + digest,
			answers:   map[string]resolvers.Attempt{"mirror.example/ceph/ceph": absent},
			want:      resolvers.NotFound,
			wantCalls: []string{"https://mirror.example/ceph/ceph"},
		},
		"NeverContactSource by digest: the mirror serves it": {
			conf: idmsNeverContact, ref: "quay.io/ceph/ceph@" + digest,
			answers: map[string]resolvers.Attempt{"mirror.example/ceph/ceph": found},
			want:    resolvers.Found,
		},
		"NeverContactSource by digest: a 500 on the mirror": {
			conf: idmsNeverContact, ref: "quay.io/ceph/ceph@" + digest,
			answers: map[string]resolvers.Attempt{"mirror.example/ceph/ceph": failed},
			want:    resolvers.Undetermined,
		},
		"insecure: https refused, then http": {
			conf: insecureRegistry, ref: "registry.internal/app:v1",
			answers:   map[string]resolvers.Attempt{"http://registry.internal/app": found},
			want:      resolvers.Found,
			wantCalls: []string{"https://registry.internal/app", "http://registry.internal/app"},
		},
		"insecure: https answered, no http": {
			conf: insecureRegistry, ref: "registry.internal/app:v1",
			answers:   map[string]resolvers.Attempt{"https://registry.internal/app": absent, "http://registry.internal/app": found},
			want:      resolvers.NotFound,
			wantCalls: []string{"https://registry.internal/app"},
		},
		"insecure: https unanswered, no http": {
			conf: insecureRegistry, ref: "registry.internal/app:v1",
			answers:   map[string]resolvers.Attempt{"https://registry.internal/app": silent, "http://registry.internal/app": found},
			want:      resolvers.Undetermined,
			wantCalls: []string{"https://registry.internal/app"},
		},
		"secure: no http": {
			conf: "", ref: "registry.internal/app:v1",
			answers:   map[string]resolvers.Attempt{"http://registry.internal/app": found},
			want:      resolvers.Undetermined,
			wantCalls: []string{"https://registry.internal/app"},
		},
		"the pod's pull secret goes to the registry, not to a mirror elsewhere": {
			conf: mirrorThenRegistry, ref: "quay.io/ceph/ceph:v17", creds: podSecret,
			answers:   map[string]resolvers.Attempt{"quay.io/ceph/ceph": found},
			want:      resolvers.Found,
			wantCalls: []string{"https://mirror.example/ceph/ceph", "https://quay.io/ceph/ceph +creds"},
		},
		"a namespace-proxy mirror is not asked": {
			conf: nsProxy, ref: "quay.io/ceph/ceph:v17",
			answers:   map[string]resolvers.Attempt{"quay.io/ceph/ceph": found},
			want:      resolvers.Found,
			wantCalls: []string{"https://quay.io/ceph/ceph"},
		},
		"a namespace-proxy mirror and the registry's 404: the registry is authoritative": {
			conf: nsProxy, ref: "quay.io/ceph/ceph:v17",
			answers: map[string]resolvers.Attempt{"quay.io/ceph/ceph": absent},
			want:    resolvers.NotFound,
		},
		"the budget spent after the mirror": {
			conf: mirrorThenRegistry, ref: "quay.io/ceph/ceph:v17", budgetSpent: true,
			answers:    map[string]resolvers.Attempt{"mirror.example/ceph/ceph": absent, "quay.io/ceph/ceph": absent},
			want:       resolvers.Undetermined,
			wantCalls:  []string{"https://mirror.example/ceph/ceph"},
			wantReason: "lookup budget spent before every endpoint was asked",
		},

		"a qualified reference: the short-name rules do not apply": {
			conf: search2, mode: crio.Enforcing, ref: "quay.io/team/app:v1", written: "quay.io/team/app:v1",
			answers:   map[string]resolvers.Attempt{"quay.io/team/app": found},
			want:      resolvers.Found,
			wantCalls: []string{"https://quay.io/team/app"},
		},
		"no Written: the completed reference": {
			conf: search2, mode: crio.Enforcing, ref: "app:v1",
			answers:   map[string]resolvers.Attempt{"registry-1.docker.io/library/app": found},
			want:      resolvers.Found,
			wantCalls: []string{"https://registry-1.docker.io/library/app"},
		},
		"enforcing, two search registries: refused as CRI-O does": {
			conf: search2, mode: crio.Enforcing, ref: "app:v1", written: "app:v1",
			want:          resolvers.NotFound,
			wantReference: "app:v1",
			wantRefused:   "short name mode is enforcing, but image name app:v1 returns ambiguous list (quay.io/app:v1, docker.io/library/app:v1",
		},
		"enforcing, one search registry": {
			conf: search1, mode: crio.Enforcing, ref: "app:v1", written: "app:v1",
			answers:       map[string]resolvers.Attempt{"quay.io/app": found},
			want:          resolvers.Found,
			wantReference: "quay.io/app:v1",
			wantCalls:     []string{"https://quay.io/app"},
			wantReason:    `Resolving "app" using unqualified-search registries`,
		},
		"enforcing, an alias": {
			conf: searchAndAlias, mode: crio.Enforcing, ref: "app", written: "app",
			answers:       map[string]resolvers.Attempt{"registry.example/team/app": found},
			want:          resolvers.Found,
			wantReference: "registry.example/team/app:latest",
			wantCalls:     []string{"https://registry.example/team/app"},
			wantReason:    `Resolved "app" as an alias`,
		},
		"enforcing, an alias reset by a drop-in": {
			conf: searchAndAlias, dropIn: "[aliases]\n\"app\" = \"\"\n", mode: crio.Enforcing, ref: "app", written: "app",
			want:        resolvers.NotFound,
			wantRefused: "returns ambiguous list",
		},
		"enforcing, an alias of a drop-in": {
			conf: search2, dropIn: "[aliases]\n\"app\" = \"registry.example/team/app\"\n", mode: crio.Enforcing, ref: "app:v2", written: "app:v2",
			answers:       map[string]resolvers.Attempt{"registry.example/team/app": absent},
			want:          resolvers.NotFound,
			wantReference: "registry.example/team/app:v2",
		},
		"no alias and no search registry: refused": {
			conf: noSearch, mode: crio.Disabled, ref: "app:v1", written: "app:v1",
			want:        resolvers.NotFound,
			wantRefused: "short name app:v1: no alias and no unqualified-search-registries in",
		},
		"disabled: the second candidate serves it": {
			conf: search2, mode: crio.Disabled, ref: "app:v1", written: "app:v1",
			answers:       map[string]resolvers.Attempt{"quay.io/app": absent, "registry-1.docker.io/library/app": found},
			want:          resolvers.Found,
			wantReference: "docker.io/library/app:v1",
			wantCalls:     []string{"https://quay.io/app", "https://registry-1.docker.io/library/app"},
		},
		"disabled: the first candidate serves it": {
			conf: search2, mode: crio.Disabled, ref: "team/app@" + digest, written: "team/app@" + digest,
			answers:       map[string]resolvers.Attempt{"quay.io/team/app": found, "registry-1.docker.io/team/app": found},
			want:          resolvers.Found,
			wantReference: "quay.io/team/app@" + digest,
			wantCalls:     []string{"https://quay.io/team/app"},
		},
		"disabled: every candidate's 404": {
			conf: search2, mode: crio.Disabled, ref: "app:v1", written: "app:v1",
			answers:       map[string]resolvers.Attempt{"quay.io/app": absent, "registry-1.docker.io/library/app": absent},
			want:          resolvers.NotFound,
			wantReference: "quay.io/app:v1",
		},
		"disabled: a 500 on the first candidate, a 404 on the second": {
			conf: search2, mode: crio.Disabled, ref: "app:v1", written: "app:v1",
			answers: map[string]resolvers.Attempt{"quay.io/app": failed, "registry-1.docker.io/library/app": absent},
			want:    resolvers.Undetermined,
		},
		"disabled: the first candidate does not answer, the second serves it": {
			conf: search2, mode: crio.Disabled, ref: "app:v1", written: "app:v1",
			answers:    map[string]resolvers.Attempt{"quay.io/app": silent, "registry-1.docker.io/library/app": found},
			want:       resolvers.Undetermined,
			wantReason: "but CRI-O asks quay.io/app first",
		},
		"disabled: the written tag and digest, the digest alone": {
			conf: search1, mode: crio.Disabled, ref: "app@" + digest, written: "app:v1@" + digest,
			answers:       map[string]resolvers.Attempt{"quay.io/app": found},
			want:          resolvers.Found,
			wantReference: "quay.io/app@" + digest,
		},
	}
	for label, tc := range tests {
		t.Run(label, func(t *testing.T) {
			dir := t.TempDir()
			opts := []crio.Option{crio.WithRegistriesConf(write(t, dir, "registries.conf", tc.conf))}
			if tc.mode != "" {
				opts = append(opts, crio.WithShortNameMode(tc.mode))
			}
			if tc.dropIn != "" {
				d := filepath.Join(dir, "registries.conf.d")
				if err := os.Mkdir(d, 0o700); err != nil {
					t.Fatal(err)
				}
				write(t, d, "50-test.conf", tc.dropIn)
				opts = append(opts, crio.WithRegistriesConfDir(d))
			}
			f := &fake{answers: tc.answers}
			var l crio.Lookuper = f
			ctx := t.Context()
			if tc.budgetSpent {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				defer cancel()
				l = cancelling{f, cancel}
			}
			r, err := crio.New(l, opts...)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := name.ParseReference(tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			res := r.Resolve(ctx, resolvers.Query{Ref: ref, Written: tc.written, Credentials: tc.creds})
			if res.Verdict != tc.want {
				t.Errorf("Verdict = %s, want %s: %s", res.Verdict, tc.want, res.Summary())
			}
			if tc.wantReference != "" && res.Reference != tc.wantReference {
				t.Errorf("Reference = %q, want %q", res.Reference, tc.wantReference)
			}
			if tc.wantCalls != nil {
				if diff := cmp.Diff(tc.wantCalls, f.calls); diff != "" {
					t.Errorf("calls mismatch (-want +got):\n%s", diff)
				}
			}
			if tc.wantRefused == "" && res.Refused != "" || !strings.Contains(res.Refused, tc.wantRefused) {
				t.Errorf("Refused = %q, want %q", res.Refused, tc.wantRefused)
			}
			if tc.wantRefused != "" && len(f.calls) > 0 {
				t.Errorf("a refusal asked %v", f.calls)
			}
			if !strings.Contains(res.Reason, tc.wantReason) {
				t.Errorf("Reason = %q, want it to contain %q", res.Reason, tc.wantReason)
			}
			if res.Verdict == resolvers.Found && res.Digest != digest {
				t.Errorf("Digest = %q, want %q", res.Digest, digest)
			}
			for _, a := range res.Attempts {
				if a.Repository == "" {
					t.Errorf("attempt %s names no repository", a)
				}
			}
		})
	}
}

// cancelling cancels the lookup's context once it has answered.
type cancelling struct {
	next   crio.Lookuper
	cancel context.CancelFunc
}

func (c cancelling) Lookup(ctx context.Context, ep resolvers.Endpoint, q resolvers.Query) resolvers.Attempt {
	defer c.cancel()
	return c.next.Lookup(ctx, ep, q)
}

// TestResolveAttempts checks the attempts a refusal-worthy walk lists: the
// blocked source is named, in order, and NotFoundBy is the answer that
// decided.
func TestResolveAttempts(t *testing.T) {
	file := write(t, t.TempDir(), "registries.conf", idmsNeverContact)
	f := &fake{answers: map[string]resolvers.Attempt{"mirror.example/ceph/ceph": absent}}
	r, err := crio.New(f, crio.WithRegistriesConf(file))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference("quay.io/ceph/ceph@" + digest)
	if err != nil {
		t.Fatal(err)
	}
	res := r.Resolve(t.Context(), resolvers.Query{Ref: ref})
	want := "mirror.example/ceph/ceph: 404 Not Found; quay.io/ceph/ceph: not contacted: registry quay.io/ceph is blocked in " + file
	if diff := cmp.Diff(want, res.Summary()); diff != "" {
		t.Errorf("Summary() mismatch (-want +got):\n%s", diff)
	}
	by, ok := res.NotFoundBy()
	if !ok || by.Endpoint.Host != "mirror.example" || by.Repository != "ceph/ceph" {
		t.Errorf("NotFoundBy() = %+v, %t, want the mirror's answer", by, ok)
	}
}
