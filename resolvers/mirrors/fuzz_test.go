package mirrors

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers"
)

// FuzzHostsFile: any hosts.toml is read as containerd reads it (or skipped
// with a problem that names the file), never a panic; the hosts a node
// would try are URLs with a host, http or https, or Check names them as
// unusable.
func FuzzHostsFile(f *testing.F) {
	f.Add([]byte("server = \"https://registry-1.docker.io\"\n[host.\"https://mirror.example\"]\n  capabilities = [\"pull\", \"resolve\"]\n"))
	dir := f.TempDir()
	file := filepath.Join(dir, "docker.io", "hosts.toml")
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		reported := false
		for _, p := range checkFile(file, data) {
			if p.File != file || p.Message == "" {
				t.Fatalf("problem %+v does not name the file and what is wrong", p)
			}
			if p.Unusable {
				if !strings.HasPrefix(p.Key, "host.") && p.Key != "server" {
					t.Fatalf("problem %+v does not name the host", p)
				}
				reported = true
			}
		}
		hl, err := fromContainerd("docker.io", dir)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		for _, ep := range hl.endpoints {
			if _, err := url.Parse(ep.Scheme + "://" + ep.Host + ep.Path); err != nil || ep.Host == "" || (ep.Scheme != "http" && ep.Scheme != "https") {
				if !reported {
					t.Fatalf("endpoint %+v: not an http(s) URL with a host (%v), and no problem says so", ep, err)
				}
			}
		}
	})
}

// FuzzImageReference: any image reference is parsed or refused, never a
// panic; one that parses has a registry and at least one endpoint to try,
// the last not trusted unless configured.
func FuzzImageReference(f *testing.F) {
	for _, s := range []string{"nginx", "quay.io/ceph/ceph:v17.2.6", "localhost:5000/a/b@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"} {
		f.Add(s)
	}
	c, err := New(Config{
		"docker.io": {Endpoints: []string{"https://harbor.example/v2/docker.io"}, OverridePath: true},
		"quay.io":   {Endpoints: []string{"http://127.0.0.1:5000"}, SkipFallback: true},
	}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := resolvers.ParseReference(s)
		if err != nil {
			return
		}
		reg := ref.Context().RegistryStr()
		if reg == "" || ref.Context().RepositoryStr() == "" {
			t.Fatalf("%q parsed without registry or repository: %q %q", s, reg, ref.Context().RepositoryStr())
		}
		eps := c.Endpoints(reg)
		if len(eps) == 0 {
			t.Fatalf("%q: no endpoint", s)
		}
		last := eps[len(eps)-1]
		if reg != "quay.io" && last.Trusted {
			t.Fatalf("%q: upstream %v of an image-named registry is trusted", s, last)
		}
		if _, err := name.ParseReference(ref.Name()); err != nil {
			t.Fatalf("%q: its own name %q does not parse: %v", s, ref.Name(), err)
		}
	})
}
