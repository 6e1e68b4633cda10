package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/admissible/admissible/resolvers/resolverstest"
)

// TestMirrorsCheck replays the incident's fallback: a mirror list whose
// second endpoint is https://docker.io/v2, a redirect to a web page.
func TestMirrorsCheck(t *testing.T) {
	reg := resolverstest.Serve(t)
	resolverstest.Push(t, resolverstest.Host(reg), "library/alpine:latest")
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/home" {
			http.Redirect(w, r, "/home", http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html>Docker</html>")
	}))
	t.Cleanup(web.Close)
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()

	// Harbor behind a LoadBalancer address of the cluster: the dead mirror.
	_, deadPort, _ := strings.Cut(strings.TrimPrefix(dead.URL, "http://"), ":")
	harbor := fmt.Sprintf(`apiVersion: v1
kind: Service
metadata: {name: harbor-registry-core, namespace: harbor-registry}
spec: {type: LoadBalancer, selector: {app: harbor-core}, ports: [{port: %s}]}
status: {loadBalancer: {ingress: [{ip: 127.0.0.1}]}}
`, deadPort)
	cases := map[string]struct {
		config    string
		manifests string
		code      int
		want      []string
	}{
		"the incident: in-cluster harbor, then a web page": {
			config:    fmt.Sprintf("mirrors:\n  docker.io:\n    endpoints: [%q, %q]\n    overridePath: true\n    skipFallback: true\n", dead.URL+"/v2/docker.io", web.URL+"/v2"),
			manifests: harbor,
			code:      1,
			want:      []string{fmt.Sprintf("in the cluster: endpoint 1 (%s/v2/docker.io) is Service harbor-registry/harbor-registry-core through LoadBalancer address 127.0.0.1; when it is down, a node falls back to endpoint 2 (%s/v2), which breaks the pull of library/alpine:latest", dead.URL, web.URL)},
		},
		"in-cluster harbor, then a working registry": {
			config:    fmt.Sprintf("mirrors:\n  docker.io:\n    endpoints: [%q, %q]\n    skipFallback: true\n", dead.URL, reg.URL),
			manifests: harbor,
			code:      0,
			want:      []string{"when it is down, a node falls back to endpoint 2 (" + reg.URL + "/v2), which serves library/alpine:latest"},
		},
		"dead harbor, then a web page": {
			config: fmt.Sprintf("mirrors:\n  docker.io:\n    endpoints: [%q, %q]\n    overridePath: true\n    skipFallback: true\n", dead.URL+"/v2/docker.io", web.URL+"/v2"),
			code:   1,
			want: []string{
				"docker.io (sample library/alpine:latest): a node stops at endpoint 2",
				"unreachable", "broken", "301 text/html -> 200 text/html",
				"not a registry API",
			},
		},
		"a working mirror": {
			config: fmt.Sprintf("mirrors:\n  docker.io:\n    endpoints: [%q]\n    skipFallback: true\n", reg.URL),
			code:   0,
			want:   []string{"a node pulls library/alpine:latest from endpoint 1", "200 registry/2.0", "serves"},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(cfg, []byte(tc.config), 0o600); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			args := []string{"mirrors", "check", "--config", cfg}
			if tc.manifests != "" {
				args = append(args, "-f", "-")
			}
			code := run(args, strings.NewReader(tc.manifests), &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.code, stdout.String(), stderr.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("output does not contain %q:\n%s", w, stdout.String())
				}
			}
		})
	}
}

func TestMirrorsCheckUsage(t *testing.T) {
	for n, args := range map[string][]string{
		"no subcommand": {"mirrors"},
		"no mirrors":    {"mirrors", "check"},
		"bad sample":    {"mirrors", "check", "--config", "x", "--sample", "nope"},
		"bad output":    {"mirrors", "check", "--config", "x", "-o", "yaml"},
	} {
		t.Run(n, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(args, nil, &stdout, &stderr); code != 2 {
				t.Errorf("exit %d, want 2; stderr %s", code, stderr.String())
			}
		})
	}
}

// TestMirrorsCheckHostsFile checks that a hosts.toml containerd skips, or a
// key it ignores, fails "mirrors check" naming the file and the key.
func TestMirrorsCheckHostsFile(t *testing.T) {
	reg := resolverstest.Serve(t)
	resolverstest.Push(t, resolverstest.Host(reg), "library/alpine:latest")
	cases := map[string]struct {
		file string
		want []string
	}{
		"typo": {
			file: fmt.Sprintf("[host.%q]\n  overide_path = true\n", reg.URL),
			want: []string{"127.0.0.1_1_/hosts.toml: host." + reg.URL + ".overide_path: unknown key (containerd ignores this key)"},
		},
		"not toml": {
			file: fmt.Sprintf("[host.%q\n", reg.URL),
			want: []string{"127.0.0.1_1_/hosts.toml: ", "containerd skips this file"},
		},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "127.0.0.1_1_"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "127.0.0.1_1_", "hosts.toml"), []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := run([]string{"mirrors", "check", "--containerd-hosts", dir, "--timeout", "2s"}, nil, &stdout, &stderr)
			if code != 1 {
				t.Errorf("exit %d, want 1\n%s%s", code, stdout.String(), stderr.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr does not contain %q:\n%s", w, stderr.String())
				}
			}
		})
	}
}

// TestMirrorsCheckRegistriesConf probes CRI-O's sources: a mirror that
// serves the sample (a rewritten location, insecure: plain http), the
// registry a node never contacts (blocked), and a mirror that serves a web
// page, which breaks the pull.
func TestMirrorsCheckRegistriesConf(t *testing.T) {
	reg := resolverstest.Serve(t)
	resolverstest.Push(t, resolverstest.Host(reg), "proxy/ceph/alpine:latest")
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html>portal</html>")
	}))
	t.Cleanup(web.Close)
	conf := filepath.Join(t.TempDir(), "registries.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(`[[registry]]
prefix = "quay.io/ceph"
location = "quay.io/ceph"
blocked = true
[[registry.mirror]]
location = "%[1]s/proxy/ceph"
insecure = true

[[registry]]
location = "docker.io"
[[registry.mirror]]
location = "%[2]s"
insecure = true
`, resolverstest.Host(reg), strings.TrimPrefix(web.URL, "http://"))), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"mirrors", "check", "--registries-conf", conf, "--timeout", "2s"}, nil, &stdout, &stderr)
	out := stdout.String()
	if code != 1 {
		t.Errorf("exit %d, want 1 (the web page breaks docker.io pulls):\n%s%s", code, out, stderr.String())
	}
	for _, want := range []string{
		"quay.io/ceph (sample quay.io/ceph/alpine:latest): a node pulls quay.io/ceph/alpine:latest from endpoint 1",
		"docker.io (sample docker.io/library/alpine:latest): a node stops at endpoint 1",
		"blocked",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
