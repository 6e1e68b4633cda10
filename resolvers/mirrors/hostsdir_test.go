package mirrors

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

func writeHosts(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for reg, content := range files {
		if err := os.MkdirAll(filepath.Join(dir, reg), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, reg, "hosts.toml"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestHostsDir(t *testing.T) {
	// What Talos renders for the incident's docker.io mirror, and a Harbor
	// proxy cache with a server line (no fallback to Docker Hub).
	dir := writeHosts(t, map[string]string{
		"docker.io": `
[host."https://registry.kronform.pius.dev/v2/docker.io"]
  capabilities = ["pull", "resolve"]
  override_path = true
[host."https://docker.io/v2"]
  capabilities = ["pull", "resolve"]
  override_path = true
`,
		"quay.io": `
server = "https://harbor.example/quay"
[host."https://harbor.example"]
  skip_verify = true
  [host."https://harbor.example".header]
    x-custom = ["1"]
`,
		"_default": `[host."https://mirror.example:5000"]`,
	})
	c, err := New(Config{}, nil, WithHostsDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	trusted := func(scheme, host, path string) resolvers.Endpoint {
		return resolvers.Endpoint{Scheme: scheme, Host: host, Path: path, Trusted: true}
	}
	cases := map[string]struct {
		registry string
		want     []resolvers.Endpoint
	}{
		"in file order, then Docker Hub": {registry: "index.docker.io", want: []resolvers.Endpoint{
			trusted("https", "registry.kronform.pius.dev", "/v2/docker.io"),
			trusted("https", "docker.io", "/v2"),
			resolvers.Upstream("index.docker.io"),
		}},
		"server replaces the upstream": {registry: "quay.io", want: []resolvers.Endpoint{
			{Scheme: "https", Host: "harbor.example", Path: "/v2", Trusted: true, SkipVerify: true, Header: "X-Custom: 1"},
			trusted("https", "harbor.example", "/quay/v2"),
		}},
		"_default for the rest": {registry: "ghcr.io", want: []resolvers.Endpoint{
			trusted("https", "mirror.example:5000", "/v2"),
			resolvers.Upstream("ghcr.io"),
		}},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, c.Endpoints(tc.registry)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestHostsDirErrors(t *testing.T) {
	files := map[string]string{"quay.io": `server = "https://q.example"`}
	if _, err := New(Config{"quay.io": {Endpoints: []string{"https://m.example"}}}, nil, WithHostsDir(writeHosts(t, files))); err == nil || !strings.Contains(err.Error(), "both in mirrors and in") {
		t.Errorf("configured twice: error %v", err)
	}
	if _, err := New(Config{}, nil, WithHostsDir(filepath.Join(t.TempDir(), "missing"))); err == nil {
		t.Error("a missing directory is not an error")
	}
}

// TestCheck checks that what Check reports as skipped is what containerd
// skips (the registry itself is then the only host), that a file with an
// unknown key is still used, and that a host containerd cannot ask is
// named.
func TestCheck(t *testing.T) {
	mirror := resolvers.Endpoint{Scheme: "https", Host: "m.example", Path: "/v2", Trusted: true}
	cases := map[string]struct {
		file      string
		want      []Problem
		wantHosts []resolvers.Endpoint
	}{
		"typo: containerd ignores the key": {
			file:      `[host."https://m.example"]` + "\n  overide_path = true\n",
			want:      []Problem{{Key: `host.https://m.example.overide_path`, Message: "unknown key"}},
			wantHosts: []resolvers.Endpoint{mirror, resolvers.Upstream("quay.io")},
		},
		"not toml: containerd skips the file": {
			file:      `[host`,
			want:      []Problem{{Message: "line 1 column 5: toml: expected ']' to close table name", Skipped: true}},
			wantHosts: []resolvers.Endpoint{resolvers.Upstream("quay.io")},
		},
		"unknown capability: containerd skips the file": {
			file:      `[host."https://m.example"]` + "\n  capabilities = [\"pull\", \"fetch\"]\n",
			want:      []Problem{{Key: `host."https://m.example".capabilities`, Message: `unknown capability "fetch"`, Skipped: true}},
			wantHosts: []resolvers.Endpoint{resolvers.Upstream("quay.io")},
		},
		"header names are free": {
			file:      `[host."https://m.example".header]` + "\n  x-anything = \"1\"\n",
			wantHosts: []resolvers.Endpoint{{Scheme: "https", Host: "m.example", Path: "/v2", Trusted: true, Header: "X-Anything: 1"}, resolvers.Upstream("quay.io")},
		},
		"no scheme: https": {
			file:      `[host."m.example"]`,
			wantHosts: []resolvers.Endpoint{mirror, resolvers.Upstream("quay.io")},
		},
		"a host that is not a URL: containerd tries it and fails": {
			file:      `[host."#000"]` + "\n" + `[host."https://m.example"]`,
			want:      []Problem{{Key: `host."#000"`, Message: `"https://#000" is not an http or https URL with a host`, Unusable: true}},
			wantHosts: []resolvers.Endpoint{{Scheme: "https", Path: "/v2", Trusted: true}, mirror, resolvers.Upstream("quay.io")},
		},
		"an empty host: containerd tries it and fails": {
			file:      `[host."https://m.example"]` + "\n" + `[host.""]`,
			want:      []Problem{{Key: `host.""`, Message: `"" is not an http or https URL with a host`, Unusable: true}},
			wantHosts: []resolvers.Endpoint{mirror, {Trusted: true}, resolvers.Upstream("quay.io")},
		},
		"an empty host first: containerd does not list it": {
			file:      `[host.""]` + "\n" + `[host."https://m.example"]`,
			wantHosts: []resolvers.Endpoint{mirror, resolvers.Upstream("quay.io")},
		},
		"a host with another scheme: containerd tries it and fails": {
			file:      `[host."httpx://m.example"]`,
			want:      []Problem{{Key: `host."httpx://m.example"`, Message: `"httpx://m.example" is not an http or https URL with a host`, Unusable: true}},
			wantHosts: []resolvers.Endpoint{{Scheme: "httpx", Host: "m.example", Path: "/v2", Trusted: true}, resolvers.Upstream("quay.io")},
		},
		"a server without a host: containerd ignores it": {
			file:      `server = "#000"`,
			want:      []Problem{{Key: "server", Message: `"https://#000" has no host: containerd pulls from the registry itself instead`}},
			wantHosts: []resolvers.Endpoint{resolvers.Upstream("quay.io")},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			dir := writeHosts(t, map[string]string{"quay.io": tc.file})
			got, err := Check(dir)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "quay.io", "hosts.toml")
			for i := range tc.want {
				tc.want[i].File = file
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
			c, err := New(Config{}, nil, WithHostsDir(dir))
			if err != nil {
				t.Fatalf("New refused to start: %v", err)
			}
			if diff := cmp.Diff(tc.wantHosts, c.Endpoints("quay.io")); diff != "" {
				t.Errorf("Endpoints (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHostDirectoryNames checks containerd's directory lookup: host_port_,
// then host:port, then _default.
func TestHostDirectoryNames(t *testing.T) {
	dir := writeHosts(t, map[string]string{
		"reg.example_5000_":  `server = "https://preferred.example"`,
		"reg.example:5000":   `server = "https://colon.example"`,
		"other.example:5000": `server = "https://colon-only.example"`,
		"_default":           `server = "https://default.example"`,
	})
	c, err := New(Config{}, nil, WithHostsDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	for reg, want := range map[string]string{"reg.example:5000": "preferred.example", "other.example:5000": "colon-only.example", "third.example": "default.example"} {
		eps := c.Endpoints(reg)
		if len(eps) != 1 || eps[0].Host != want {
			t.Errorf("Endpoints(%s) = %v, want only %s", reg, eps, want)
		}
	}
}

// TestWalk: the endpoints a node asks for a reference are those whose
// capabilities serve it (resolve for a tag, pull for a digest), in order,
// and the last is the registry's own answer only when it is the registry
// or the server line.
func TestWalk(t *testing.T) {
	dir := writeHosts(t, map[string]string{
		"quay.io": `
server = "https://quay.io"
[host."https://pull-only.example"]
  capabilities = ["pull"]
[host."https://both.example"]
  capabilities = ["pull", "resolve"]
[host."https://push-only.example"]
  capabilities = ["push"]
`,
		"ghcr.io": `
server = "https://ghcr.io"
capabilities = ["pull"]
[host."https://resolver.example"]
  capabilities = ["resolve", "pull"]
`,
		"registry.example": `
server = "https://registry.example"
capabilities = ["pull"]
[host."https://pull-only.example"]
  capabilities = ["pull"]
`,
	})
	c, err := New(Config{
		"docker.io": {Endpoints: []string{"https://harbor.example/v2/docker.io"}, OverridePath: true},
		"gcr.io":    {Endpoints: []string{"https://m1.example", "https://m2.example"}, SkipFallback: true},
	}, nil, WithHostsDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	host := func(h string, caps resolvers.Capabilities) resolvers.Endpoint {
		return resolvers.Endpoint{Scheme: "https", Host: h, Path: "/v2", Trusted: true, Capabilities: caps}
	}
	const digest = "@sha256:4bf5b2c0d1d9a1b1d8c5dbb7bd63bce3e9d8bb3b1d06c3c4d5fd0c6c1f36c2b7"
	tests := map[string]struct {
		ref     string
		want    Walk
		wantErr string
	}{
		"a tag: hosts that resolve, then the server": {
			ref:  "quay.io/org/app:v1",
			want: Walk{Registry: "quay.io", Endpoints: []resolvers.Endpoint{host("both.example", 0), resolvers.Upstream("quay.io")}, Authority: 1},
		},
		"a digest: hosts that pull, then the server": {
			ref: "quay.io/org/app" + digest,
			want: Walk{Registry: "quay.io", Endpoints: []resolvers.Endpoint{
				host("pull-only.example", resolvers.CapPull), host("both.example", 0), resolvers.Upstream("quay.io"),
			}, Authority: 2},
		},
		"a tag, and a server that may not resolve: no authority": {
			ref:  "ghcr.io/org/app:v1",
			want: Walk{Registry: "ghcr.io", Endpoints: []resolvers.Endpoint{host("resolver.example", 0)}, Authority: -1},
		},
		"a digest, and the same server: the authority": {
			ref: "ghcr.io/org/app" + digest,
			want: Walk{Registry: "ghcr.io", Endpoints: []resolvers.Endpoint{
				host("resolver.example", 0), {Scheme: "https", Host: "ghcr.io", Path: "/v2", Capabilities: resolvers.CapPull},
			}, Authority: 1},
		},
		"a tag no host may resolve": {
			ref:     "registry.example/app:v1",
			want:    Walk{Registry: "registry.example", Authority: -1},
			wantErr: "no host of registry.example may resolve a tag (capabilities): no host may serve it",
		},
		"Docker Hub by any name, as mirror configurations name it": {
			ref: "index.docker.io/library/nginx:1.27",
			want: Walk{Registry: "docker.io", Endpoints: []resolvers.Endpoint{
				{Scheme: "https", Host: "harbor.example", Path: "/v2/docker.io", Trusted: true}, resolvers.Upstream("docker.io"),
			}, Authority: 1},
		},
		"Talos skipFallback: every endpoint is a mirror": {
			ref:  "gcr.io/org/app:v1",
			want: Walk{Registry: "gcr.io", Endpoints: []resolvers.Endpoint{host("m1.example", 0), host("m2.example", 0)}, Authority: -1},
		},
	}
	for n, tc := range tests {
		t.Run(n, func(t *testing.T) {
			got, err := c.Walk(resolverstest.MustRef(t, tc.ref))
			if (err != nil || tc.wantErr != "") && (err == nil || err.Error() != tc.wantErr) {
				t.Errorf("Walk error = %v, want %q", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Walk (-want +got):\n%s", diff)
			}
		})
	}
}
