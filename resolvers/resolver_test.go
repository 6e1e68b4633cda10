package resolvers_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/admissible/admissible/resolvers"
)

func TestResultSummary(t *testing.T) {
	hub := resolvers.Endpoint{Scheme: "https", Host: "registry-1.docker.io", Path: "/v2"}
	mirror := resolvers.Endpoint{Scheme: "http", Host: "10.0.0.5:5000", Path: "/v2"}
	tests := map[string]struct {
		result resolvers.Result
		want   string
	}{
		"no attempts and no reason": {
			result: resolvers.Result{},
			want:   "",
		},
		"no attempts: the reason alone": {
			result: resolvers.Result{Reason: "reference is not valid"},
			want:   "reference is not valid",
		},
		"one attempt": {
			result: resolvers.Result{Attempts: []resolvers.Attempt{
				{Endpoint: hub, Detail: "404 Not Found"},
			}},
			want: "registry-1.docker.io: 404 Not Found",
		},
		"attempts in order, then the reason": {
			result: resolvers.Result{
				Attempts: []resolvers.Attempt{
					{Endpoint: mirror, Detail: "connection refused"},
					{Endpoint: hub, Detail: "no answer within 3s"},
				},
				Reason: "lookup budget spent before every endpoint was asked",
			},
			want: "http://10.0.0.5:5000/v2: connection refused; registry-1.docker.io: no answer within 3s; lookup budget spent before every endpoint was asked",
		},
		"refused without attempts: the refusal alone": {
			result: resolvers.Result{Verdict: resolvers.NotFound, Refused: "short name mode is enforcing, but image name app:v1 returns ambiguous list"},
			want:   "short name mode is enforcing, but image name app:v1 returns ambiguous list",
		},
		"attempts, the refusal, then the reason": {
			result: resolvers.Result{
				Attempts: []resolvers.Attempt{{Endpoint: hub, Detail: "blocked in registries.conf"}},
				Refused:  "every source is blocked",
				Reason:   "see registries.conf",
			},
			want: "registry-1.docker.io: blocked in registries.conf; every source is blocked; see registries.conf",
		},
		"attempts naming the repository asked": {
			result: resolvers.Result{Attempts: []resolvers.Attempt{
				{Endpoint: resolvers.Endpoint{Scheme: "https", Host: "mirror.example", Path: "/v2"}, Repository: "quay-proxy/ceph/ceph", Detail: "404 Not Found"},
				{Endpoint: mirror, Repository: "ceph/ceph", Detail: "connection refused"},
			}},
			want: "mirror.example/quay-proxy/ceph/ceph: 404 Not Found; http://10.0.0.5:5000/ceph/ceph: connection refused",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.result.Summary()); diff != "" {
				t.Errorf("Summary() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResultNotFoundBy(t *testing.T) {
	mirror := resolvers.Attempt{Endpoint: resolvers.Endpoint{Scheme: "http", Host: "10.0.0.5:5000", Path: "/v2"}, Detail: "connection refused"}
	mirror404 := resolvers.Attempt{Endpoint: mirror.Endpoint, Verdict: resolvers.NotFound, Detail: "404 Not Found"}
	registry404 := resolvers.Attempt{Endpoint: resolvers.Upstream("quay.io"), Verdict: resolvers.NotFound, Detail: "404 Not Found"}
	tests := map[string]struct {
		result resolvers.Result
		want   resolvers.Attempt
		wantOK bool
	}{
		"dead mirror, then the registry's 404: the registry": {
			result: resolvers.Result{Verdict: resolvers.NotFound, Attempts: []resolvers.Attempt{mirror, registry404}},
			want:   registry404, wantOK: true,
		},
		"mirror 404, then the registry's 404: the registry": {
			result: resolvers.Result{Verdict: resolvers.NotFound, Attempts: []resolvers.Attempt{mirror404, registry404}},
			want:   registry404, wantOK: true,
		},
		"the registry's 404 alone": {
			result: resolvers.Result{Verdict: resolvers.NotFound, Attempts: []resolvers.Attempt{registry404}},
			want:   registry404, wantOK: true,
		},
		"undetermined: none": {
			result: resolvers.Result{Verdict: resolvers.Undetermined, Attempts: []resolvers.Attempt{mirror404, mirror}},
		},
		"not found without attempts: none": {
			result: resolvers.Result{Verdict: resolvers.NotFound},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, ok := tc.result.NotFoundBy()
			if ok != tc.wantOK {
				t.Errorf("NotFoundBy() ok = %v, want %v", ok, tc.wantOK)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("NotFoundBy() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVerdictString(t *testing.T) {
	tests := map[string]struct {
		verdict resolvers.Verdict
		want    string
	}{
		"undetermined":  {verdict: resolvers.Undetermined, want: "undetermined"},
		"found":         {verdict: resolvers.Found, want: "found"},
		"not found":     {verdict: resolvers.NotFound, want: "not found"},
		"unknown value": {verdict: resolvers.Verdict(42), want: "undetermined"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			text, err := tc.verdict.MarshalText()
			if err != nil {
				t.Fatalf("MarshalText() error: %v", err)
			}
			if diff := cmp.Diff(tc.want, string(text)); diff != "" {
				t.Errorf("MarshalText() mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, tc.verdict.String()); diff != "" {
				t.Errorf("String() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEndpointString(t *testing.T) {
	tests := map[string]struct {
		endpoint resolvers.Endpoint
		want     string
	}{
		"https registry at /v2 is the bare host": {
			endpoint: resolvers.Endpoint{Scheme: "https", Host: "quay.io", Path: "/v2"},
			want:     "quay.io",
		},
		"https with port at /v2 is the bare host": {
			endpoint: resolvers.Endpoint{Scheme: "https", Host: "mirror.example:8443", Path: "/v2"},
			want:     "mirror.example:8443",
		},
		"http is a URL": {
			endpoint: resolvers.Endpoint{Scheme: "http", Host: "10.0.0.5:5000", Path: "/v2"},
			want:     "http://10.0.0.5:5000/v2",
		},
		"https with another path is a URL": {
			endpoint: resolvers.Endpoint{Scheme: "https", Host: "harbor.example", Path: "/v2/proxy"},
			want:     "https://harbor.example/v2/proxy",
		},
		"empty path is a URL": {
			endpoint: resolvers.Endpoint{Scheme: "https", Host: "mirror.example", Path: ""},
			want:     "https://mirror.example",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.endpoint.String()); diff != "" {
				t.Errorf("String() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := map[string]struct {
		raw          string
		overridePath bool
		want         resolvers.Endpoint
		// wantErr is a substring of the error; empty means no error.
		wantErr string
	}{
		"bare host gets /v2": {
			raw:  "https://mirror.gcr.io",
			want: resolvers.Endpoint{Scheme: "https", Host: "mirror.gcr.io", Path: "/v2"},
		},
		"trailing slash gets /v2": {
			raw:  "https://mirror.gcr.io/",
			want: resolvers.Endpoint{Scheme: "https", Host: "mirror.gcr.io", Path: "/v2"},
		},
		"http with port": {
			raw:  "http://10.0.0.5:5000",
			want: resolvers.Endpoint{Scheme: "http", Host: "10.0.0.5:5000", Path: "/v2"},
		},
		"path without overridePath gets /v2 appended": {
			raw:  "https://harbor.example/v2/proxy",
			want: resolvers.Endpoint{Scheme: "https", Host: "harbor.example", Path: "/v2/proxy/v2"},
		},
		"path with overridePath is used as is": {
			raw:          "https://harbor.example/v2/proxy",
			overridePath: true,
			want:         resolvers.Endpoint{Scheme: "https", Host: "harbor.example", Path: "/v2/proxy"},
		},
		"path with overridePath and a trailing slash": {
			raw:          "https://harbor.example/v2/proxy/",
			overridePath: true,
			want:         resolvers.Endpoint{Scheme: "https", Host: "harbor.example", Path: "/v2/proxy"},
		},
		"path already ending in /v2 gets no second /v2 (containerd)": {
			raw:  "https://mirror.example/v2",
			want: resolvers.Endpoint{Scheme: "https", Host: "mirror.example", Path: "/v2"},
		},
		"prefix path ending in /v2 gets no second /v2 (containerd)": {
			raw:  "https://mirror.example/cache/v2/",
			want: resolvers.Endpoint{Scheme: "https", Host: "mirror.example", Path: "/cache/v2"},
		},
		"bare host with overridePath has an empty path": {
			raw:          "https://mirror.example",
			overridePath: true,
			want:         resolvers.Endpoint{Scheme: "https", Host: "mirror.example", Path: ""},
		},
		"ftp scheme": {
			raw:     "ftp://mirror.example",
			wantErr: `endpoint "ftp://mirror.example": scheme must be http or https`,
		},
		"no scheme is https (containerd)": {
			raw:  "mirror.example:5000",
			want: resolvers.Endpoint{Scheme: "https", Host: "mirror.example:5000", Path: "/v2"},
		},
		"no host": {
			raw:     "https:///v2",
			wantErr: `endpoint "https:///v2": no host`,
		},
		"query": {
			raw:     "https://mirror.example?ns=docker.io",
			wantErr: `endpoint "https://mirror.example?ns=docker.io": query and fragment are not allowed`,
		},
		"fragment": {
			raw:     "https://mirror.example#x",
			wantErr: `endpoint "https://mirror.example#x": query and fragment are not allowed`,
		},
		"unparsable": {
			raw:     "https://[::1",
			wantErr: `endpoint "https://[::1": `,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := resolvers.ParseEndpoint(tc.raw, tc.overridePath)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseEndpoint(%q, %t) = %+v, want error containing %q", tc.raw, tc.overridePath, got, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("ParseEndpoint(%q, %t) error = %q, want it to contain %q", tc.raw, tc.overridePath, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseEndpoint(%q, %t) error: %v", tc.raw, tc.overridePath, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseEndpoint(%q, %t) mismatch (-want +got):\n%s", tc.raw, tc.overridePath, diff)
			}
		})
	}
}

func TestUpstream(t *testing.T) {
	tests := map[string]struct {
		registry string
		want     resolvers.Endpoint
	}{
		"docker.io is registry-1.docker.io": {
			registry: "docker.io",
			want:     resolvers.Endpoint{Scheme: "https", Host: "registry-1.docker.io", Path: "/v2"},
		},
		"go-containerregistry's index.docker.io is registry-1.docker.io": {
			registry: "index.docker.io",
			want:     resolvers.Endpoint{Scheme: "https", Host: "registry-1.docker.io", Path: "/v2"},
		},
		"registry.hub.docker.com is registry-1.docker.io": {
			registry: "registry.hub.docker.com",
			want:     resolvers.Endpoint{Scheme: "https", Host: "registry-1.docker.io", Path: "/v2"},
		},
		"other registries are themselves": {
			registry: "quay.io",
			want:     resolvers.Endpoint{Scheme: "https", Host: "quay.io", Path: "/v2"},
		},
		"port is kept": {
			registry: "registry.example:5000",
			want:     resolvers.Endpoint{Scheme: "https", Host: "registry.example:5000", Path: "/v2"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, resolvers.Upstream(tc.registry)); diff != "" {
				t.Errorf("Upstream(%q) mismatch (-want +got):\n%s", tc.registry, diff)
			}
		})
	}
}

func TestShortName(t *testing.T) {
	for s, want := range map[string]bool{
		"nginx": true, "nginx:1.25": true, "myorg/app:v1": true, "library/nginx@sha256:abc": true,
		"docker.io/nginx": false, "quay.io/ceph/ceph:v17": false, "localhost/app": false,
		"localhost:5000/app": false, "registry:5000/app": false, "10.0.0.1/app": false,
	} {
		if got := resolvers.ShortName(s); got != want {
			t.Errorf("ShortName(%q) = %v, want %v", s, got, want)
		}
	}
}
