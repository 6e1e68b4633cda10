package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// check walks as CRI-O nodes pull when given their registries.conf: a
// blocked registry and an ambiguous short name under short_name_mode
// enforcing are refused without asking any registry, with CRI-O's reasons;
// the same short name is admitted with a warning under disabled; a typo in
// the mode or a file that does not exist is unusable input.
func TestCheckRegistriesConf(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "registries.conf")
	if err := os.WriteFile(conf, []byte(`unqualified-search-registries = ["registry.invalid", "docker.invalid"]

[[registry]]
location = "blocked.invalid"
blocked = true
`), 0o600); err != nil {
		t.Fatal(err)
	}
	both := filepath.Join(dir, "both.yaml")
	if err := os.WriteFile(both, []byte("mirrors: {quay.io: {endpoints: [\"http://127.0.0.1:1\"]}}\ncrio: {registriesConf: "+conf+"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pod := filepath.Join(dir, "pod.yaml")
	if err := os.WriteFile(pod, []byte(`apiVersion: v1
kind: Pod
metadata: {name: p, namespace: default}
spec:
  containers:
    - {name: a, image: blocked.invalid/team/app:1}
    - {name: b, image: "app:1"}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args  []string
		code  int
		wants []string
	}{
		{[]string{"--registries-conf", conf}, 1, []string{
			`spec.containers[0].image: Forbidden: "blocked.invalid/team/app:1": no node would pull it`, "blocked",
			`spec.containers[1].image: Forbidden: "app:1": no node would pull it`, "short name mode is enforcing",
		}},
		{[]string{"--registries-conf", conf, "--short-name-mode", "disabled"}, 1, []string{
			`spec.containers[0].image: Forbidden: "blocked.invalid/team/app:1"`, `warning: spec.containers[1].image: could not verify image "app:1"`,
		}},
		{[]string{"--registries-conf", conf, "--short-name-mode", "permissive"}, 2, []string{`short-name mode "permissive"`}},
		{[]string{"--registries-conf", filepath.Join(dir, "missing.conf")}, 2, []string{"missing.conf"}},
		{[]string{"--short-name-mode", "disabled"}, 2, []string{"it needs --registries-conf"}},
		{[]string{"--config", both}, 2, []string{"registries.conf and mirrors"}},
		{[]string{"--registries-conf", conf, "--containerd-hosts", dir}, 2, []string{"registries.conf and mirrors: a node pulls with CRI-O's registries.conf or with containerd's hosts.toml or Talos' mirrors, not both"}},
	} {
		got := runCmd(t, "", append(append([]string{"check", "--endpoint-timeout", "1s"}, tc.args...), "-f", pod)...)
		out := got.stdout + got.stderr
		if got.code != tc.code {
			t.Errorf("check %v: exit %d, want %d:\n%s", tc.args, got.code, tc.code, out)
			continue
		}
		for _, w := range tc.wants {
			if !strings.Contains(out, w) {
				t.Errorf("check %v: output lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
}
