package mirrors

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/admissible/admissible/resolvers"
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
			trusted("https", "harbor.example", "/v2"),
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
	cases := map[string]struct {
		files map[string]string
		cfg   Config
		want  string
	}{
		"typo":             {files: map[string]string{"quay.io": `[host."https://m.example"]` + "\n  overide_path = true\n"}, want: `unknown key "host.\"https://m.example\".overide_path"`},
		"not toml":         {files: map[string]string{"quay.io": `[host`}, want: "quay.io/hosts.toml"},
		"bad url":          {files: map[string]string{"quay.io": `[host."ftp://m.example"]`}, want: "scheme must be http or https"},
		"empty":            {files: map[string]string{"quay.io": `# nothing`}, want: "neither server nor [host]"},
		"configured twice": {files: map[string]string{"quay.io": `server = "https://q.example"`}, cfg: Config{"quay.io": {Endpoints: []string{"https://m.example"}}}, want: "both in mirrors and in"},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			_, err := New(tc.cfg, nil, WithHostsDir(writeHosts(t, tc.files)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
	if _, err := New(Config{}, nil, WithHostsDir(filepath.Join(t.TempDir(), "missing"))); err == nil {
		t.Error("a missing directory is not an error")
	}
}
